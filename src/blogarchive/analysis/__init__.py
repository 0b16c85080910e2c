"""Post-body analysis: quotes, "earlier posts" link lists, links, media and plain text.

Pure functions of (body HTML, the post's own URL, the archive's URL map): the same input always
gives the same result, no input makes them fail, and the body itself is never changed. Reading
a blog (``blogarchive.read``) runs :func:`analyse` on every post once all posts are known, so
internal links resolve to archived posts.
"""

from __future__ import annotations

from html import escape

from ._body import Body
from ._tree import parse_noted
from .inventory import find_links_and_media
from .linklists import find_link_lists, has_intro_phrase
from .quotes import find_quotes
from .records import BodyAnalysis, BodyLink, LinkList, ListedLink, Media, Quote
from .urls import UrlMap, url_key

__all__ = [
    "BodyAnalysis",
    "BodyLink",
    "LinkList",
    "ListedLink",
    "Media",
    "Quote",
    "UrlMap",
    "analyse",
    "url_key",
]


def analyse(
    html: str,
    base_url: str | None = None,
    urls: UrlMap | None = None,
    *,
    content_type: str | None = None,
) -> BodyAnalysis:
    """Analyse one post body.

    ``base_url`` is the post's permalink (relative links resolve against it, and links to its
    host are internal); ``urls`` maps the archive's permalinks to post ids (``UrlMap.build``).
    ``content_type`` ``text`` means the body is plain text, not HTML.
    """
    urls = urls or UrlMap()
    if base_url is None and len(urls.hosts) == 1:
        base_url = f"https://{next(iter(urls.hosts))}/"
    urls = urls.for_post(base_url)
    if content_type == "text":
        html = escape(html)
    root, flattened = parse_noted(html)
    body = Body(root)
    text = body.text(root)
    # Most bodies hold no intro phrase and no quotation mark: skip those walks outright.
    link_lists = find_link_lists(body, urls, base_url) if has_intro_phrase(text) else ()
    # A blockquote holding nothing but a list's intro ("see also:") is layout, not a quotation.
    intros = {ll.intro for ll in link_lists}
    links, media = find_links_and_media(body, urls, base_url)
    return BodyAnalysis(
        text=text,
        quotes=tuple(q for q in find_quotes(body) if q.text not in intros),
        link_lists=link_lists,
        links=links,
        media=media,
        notes=(flattened.note(" in the body"),) if flattened is not None else (),
    )

