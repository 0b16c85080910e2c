"""What the analysis of a post body yields: quotes, "earlier posts" lists, links, media, text.

Frozen records like the rest of the model, documented field by field (the JSON Schema and
docs/fields.md are generated from these docs). Everything here is derived from the post's
``content`` and the archive's URL map; the content itself is never changed.
"""

from __future__ import annotations

import attrs

from .._doc import doc, documented

__all__ = ["BodyAnalysis", "BodyLink", "LinkList", "ListedLink", "Media", "Quote"]


@documented
@attrs.frozen
class Quote:
    """One quotation (or indented passage) in a post body."""

    kind: str = doc(
        "`blockquote` (plain `<blockquote>`), `blockquote-cite` (with a `cite` URL), "
        "`editor-quote` (the compose editor's `class=\"tr_bq\"`), `indent` (an indentation "
        "blockquote or margin-indented block: often code or layout, not a quotation), or "
        "`quote-mark-paragraph` (one paragraph, or a run of them, opening with a quotation "
        "mark)."
    )
    text: str = doc("Visible text, whitespace normalised (the quotation marks kept).")
    html: str = doc(
        "The quotation's HTML as re-serialised from the parsed body (the exact source is in "
        "the post's `content`); a run of paragraphs is their HTML joined by newlines (by "
        "`<br><br>` when the paragraphs were lines separated by blank lines)."
    )
    cite: str | None = doc("The `cite` attribute's URL as written, when given.", default=None)
    attribution: str | None = doc(
        "Who is quoted, when the text names it: a `<cite>`/`<footer>` inside, a closing line "
        "starting with a dash, or a dash line right after the quotation.",
        default=None,
    )
    paragraphs: int = doc("Paragraphs (or lines) the quotation spans.", default=1)


@documented
@attrs.frozen
class ListedLink:
    """One item of an "earlier posts" list: a link, usually a date and an excerpt."""

    url: str = doc("The link's `href` as written.")
    title: str = doc("The link text, whitespace normalised.")
    text: str = doc("The whole item's visible text, whitespace normalised.")
    date: str | None = doc(
        "The item's date as ISO `YYYY-MM-DD` (or `YYYY-MM` when only a month is known).",
        default=None,
    )
    date_text: str | None = doc(
        "The date as written in the item (`June 6, 2008`, `2007-11-23`), or the URL part "
        "(`/2008/06/`) it was taken from.",
        default=None,
    )
    date_source: str | None = doc("`text` or `url`: where `date` came from.", default=None)
    excerpt: str | None = doc(
        "Text after the link and date (the quoted excerpt), enclosing quotation marks removed.",
        default=None,
    )
    same_blog: bool = doc(
        "The link points into this blog (its host, any blogspot country domain, http or "
        "https, or a relative URL).",
        default=False,
    )
    post_id: str | None = doc(
        "Id of the archived post or page the link points to, when it is in the archive.",
        default=None,
    )


@documented
@attrs.frozen
class LinkList:
    """An author-written list of links introduced by a line such as "Earlier posts include:"."""

    intro: str = doc("The introducing text, whitespace normalised (`Earlier X posts ...:`).")
    form: str = doc(
        "`ul` or `ol` (a list element), `lines` (`<br>`-separated lines), or `paragraphs` "
        "(one paragraph per link)."
    )
    items: tuple[ListedLink, ...] = doc("The items, in order.")


@documented
@attrs.frozen
class BodyLink:
    """One `<a href>` in a post body."""

    url: str = doc("`href` as written.")
    text: str = doc("Link text, whitespace normalised (empty for an image-only link).")
    internal: bool = doc("Points into this blog (same host, any blogspot country domain, "
                         "http or https, or a relative URL).")
    kind: str | None = doc(
        "For internal links, what the path names: `post`, `page`, `label`, `search`, "
        "`archive`, `home`, `feed` or `other`; null for external links.",
        default=None,
    )
    post_id: str | None = doc(
        "Id of the archived post or page it points to, when it is in the archive.",
        default=None,
    )
    broken: bool = doc(
        "An internal link to a post or page that is not in the archive.", default=False
    )
    image: bool = doc("The link wraps an image (a lightbox or image link).", default=False)


@documented
@attrs.frozen
class Media:
    """An image, video, embed or iframe a post body depends on."""

    kind: str = doc(
        "`image`, `video` (Blogger video, YouTube, Vimeo, ... embeds), `audio`, `iframe` or "
        "`embed` (other `<object>`/`<embed>`)."
    )
    url: str = doc("The source URL as written (`src`, `data-src`, `data`, `param[name=movie]`).")
    original: str | None = doc(
        "For images on Blogger's servers (`bp.blogspot.com`, `googleusercontent.com`), the "
        "original-size URL: the size segment (`/s1600/`, `/w640-h400/`, `=s320`) replaced by "
        "`s0`.",
        default=None,
    )
    width: str | None = doc("`width` attribute as written.", default=None)
    height: str | None = doc("`height` attribute as written.", default=None)
    alt: str | None = doc("`alt` (or `title`) text, when given.", default=None)
    link: str | None = doc(
        "`href` of the link around the image (Blogger's lightbox link), when there is one.",
        default=None,
    )


@documented
@attrs.frozen
class BodyAnalysis:
    """Everything read out of one post body."""

    text: str = doc("Plain text of the body, whitespace normalised; scripts and styles dropped.")
    quotes: tuple[Quote, ...] = doc("Quotations, in order; nested ones counted once.",
                                    default=())
    link_lists: tuple[LinkList, ...] = doc('"Earlier posts" style link lists, in order.',
                                           default=())
    links: tuple[BodyLink, ...] = doc("Every `<a href>`, in order.", default=())
    media: tuple[Media, ...] = doc("Every image, video, embed and iframe, in order.",
                                   default=())
    notes: tuple[str, ...] = doc(
        "What the analysis could not take as the body has it, e.g. elements nested deeper "
        "than the parser allows, analysed with those tags flattened (how many, from which "
        "line of the body). Empty when the whole body was analysed as written.",
        default=(),
    )
