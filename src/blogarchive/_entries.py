"""The entry records: a post (or page) and a comment, each with every status and date its
source gives.

Part of the model (see ``model``, which names them and is where they are known from: their
``__module__`` is ``blogarchive.model``). Frozen, slotted attrs classes with no I/O, each
field documented in ``metadata["doc"]``.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from ._doc import doc, documented
from ._packed import install
from ._values import Author, FieldSources, InReplyTo, Link, Location, Origin, Property, Thumbnail
from .analysis.records import BodyAnalysis

__all__ = ["Comment", "Post"]

@documented
@attrs.frozen
class Post:
    """A post or a page (`kind`), with every status and date the source gives."""

    id: str = doc(
        "Blogger's numeric id as a string (`.post-<id>` / `.page-<id>`); converter-made files "
        "keep their own ids (`post-17`)."
    )
    kind: str = doc("`post` or `page`.")
    status: str = doc(
        "`live`, `draft`, `scheduled`, `soft-trashed`; any other value is kept exactly as the "
        "source wrote it, never turned into `live`."
    )
    title: str = doc("Title as written; may be empty.")
    content: str = doc("Body HTML exactly as decoded from the source (entities kept).")
    url: str | None = doc(
        "Permalink (`link[@rel=alternate]`, RSS `link`, or Takeout host + filename). Drafts "
        "have none."
    )
    path: str | None = doc("Path part of the permalink (Takeout `blogger:filename`).")
    published: datetime | None = doc("`published`, with the source's own offset.")
    updated: datetime | None = doc("`updated`, with the source's own offset.")
    created: datetime | None = doc(
        "Takeout `blogger:created`: may be later than `published` (back-dated posts).",
        default=None,
    )
    author: Author | None = doc("The entry's (first) author.", default=None)
    labels: tuple[str, ...] = doc(
        "Labels in source order, never split on commas.", default=()
    )
    atom_id: str | None = doc("The full Atom id (`tag:blogger.com,1999:blog-...`).", default=None)
    title_type: str | None = doc("`title/@type` when not `text`.", default=None)
    content_type: str | None = doc("`content/@type` when not `html`.", default=None)
    summary: str | None = doc("`summary` (summary-mode feeds), as written.", default=None)
    search_description: str | None = doc(
        "Takeout `blogger:metaDescription` (the search description).", default=None
    )
    location: Location | None = doc("Where it was written, when given.", default=None)
    thumbnail: Thumbnail | None = doc("`media:thumbnail`, when given.", default=None)
    comment_count: int | None = doc(
        "`thr:total`: the server's count; from HTML pages, the number the page prints. Not "
        "checked against the comments in the file.",
        default=None,
    )
    published_source: str | None = doc(
        "HTML pages: where `published` was read (`abbr.published`, `time.published`, "
        "`json-ld`, `date-header+byline-time`, `byline-timestamp`, `date-header` ...).",
        default=None,
    )
    published_precision: str | None = doc(
        "`date` when only a day is known (`published` is then that day at 00:00, naive); "
        "null when the time is known.",
        default=None,
    )
    field_sources: FieldSources | None = doc(
        "HTML pages: which rule gave the author, the permalink and the labels.", default=None
    )
    content_partial: bool = doc(
        "HTML pages: `content` is a snippet or cut at a \"Read more\" jump link (index pages), "
        "not the whole body; or the body nested elements too deep to parse and is kept "
        "without their tags (the archive's notes say so).",
        default=False,
    )
    trashed: str | None = doc("Takeout `blogger:trashed` text, when not empty.", default=None)
    links: tuple[Link, ...] = doc("Every link the entry carries, in source order.", default=())
    properties: tuple[Property, ...] = doc("`gd:extendedProperty` pairs.", default=())
    extras: tuple[str, ...] = doc(
        "Entry children that no field maps, serialised as XML, so nothing is lost (Blogger "
        "API: members, as one-member JSON objects such as `{\"etag\":...}`).", default=()
    )
    retained: bool = doc(
        "Kept from an earlier conversion into this archive: not in the latest sources "
        "(deleted from the blog since, or outside the newer export). Never silently dropped.",
        default=False,
    )
    analysis: BodyAnalysis | None = doc(
        "What the body holds: quotes, link lists, links, media, plain text (derived from "
        "`content`; see docs/archive-format.md). Null when not analysed.",
        default=None,
    )
    origin: Origin | None = doc("Where the record came from.", default=None)


@documented
@attrs.frozen
class Comment:
    """A comment on a post or page; threads through `parent_id`."""

    id: str = doc("Blogger's numeric comment id as a string.")
    post_id: str | None = doc(
        "Id of the post or page commented on (legacy comments on pages say `.post-<pageId>`: "
        "resolved by number)."
    )
    parent_id: str | None = doc(
        "Id of the comment this one replies to (legacy `link[@rel=related]`, Takeout "
        "`blogger:inReplyTo`); null for a top-level comment."
    )
    status: str = doc(
        "`live`, `removed` (a tombstone: `blogger.contentRemoved`), or the source's own value "
        "(Takeout `blogger:status`) kept as written when unknown."
    )
    content: str = doc("Body HTML exactly as decoded from the source.")
    published: datetime | None = doc("`published`, with the source's own offset.")
    updated: datetime | None = doc("`updated`, with the source's own offset.", default=None)
    created: datetime | None = doc("Takeout `blogger:created`.", default=None)
    author: Author | None = doc("The comment's author.", default=None)
    url: str | None = doc("Comment permalink (`...?showComment=<ms>#c<id>`).", default=None)
    post_kind: str | None = doc(
        "`post` or `page` once resolved against the archive; null for an orphan.", default=None
    )
    orphan: bool = doc(
        "True when the post or page it belongs to is not in the archive.", default=False
    )
    generated_title: str | None = doc(
        "Legacy `title`: Blogger's truncation of the body (HTML included), not a real title.",
        default=None,
    )
    in_reply_to: InReplyTo | None = doc("`thr:in-reply-to` as written.", default=None)
    atom_id: str | None = doc("The full Atom id.", default=None)
    trashed: str | None = doc("Takeout `blogger:trashed` text, when not empty.", default=None)
    links: tuple[Link, ...] = doc("Every link the entry carries, in source order.", default=())
    properties: tuple[Property, ...] = doc("`gd:extendedProperty` pairs.", default=())
    extras: tuple[str, ...] = doc(
        "Entry children that no field maps, serialised as XML (Blogger API: members, as "
        "one-member JSON objects).", default=()
    )
    retained: bool = doc(
        "Kept from an earlier conversion into this archive: not in the latest sources "
        "(deleted from the blog since, or outside the newer export). Never silently dropped.",
        default=False,
    )
    origin: Origin | None = doc("Where the record came from.", default=None)


# A body and its analysed text may be held compressed (``_packed``: ``read()`` packs them;
# they read the same): most of what an Archive in memory holds is these two.
install(Post, "content")
install(Comment, "content")
install(BodyAnalysis, "text")
