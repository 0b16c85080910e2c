"""Post-body analysis: quotes, "earlier posts" link lists, links, media and plain text.

Pure functions of (body HTML, the post's own URL, the archive's URL map): the same input always
gives the same result, no input makes them fail, and the body itself is never changed. Reading
a blog (``blogarchive.read``) runs :func:`analyse` on every post once all posts are known, so
internal links resolve to archived posts.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from html import escape
from typing import Final

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


# The last map analysed with, and its copies with a post's host counted (None: the map
# itself), by the permalink's "scheme://host" (the posts of a blog share a few): finding the
# host of every permalink again (``url_key``: ``urlsplit``, ``unquote``, ``fold_host``) was a
# twenty-fifth of the analysis. The map is held weakly, and its copies go with it: a
# finished conversion's map is not kept alive. Swapped whole, so threads stay correct.
_hosts: tuple[Callable[[], UrlMap | None], dict[str, UrlMap | None]] = (lambda: None, {})
_SCHEMES: Final = ("http://", "https://")


def _with_host_of(urls: UrlMap, base_url: str | None) -> UrlMap:
    """``urls.with_host_of(base_url)``, looked up by ``base_url``'s scheme and host."""
    global _hosts
    if base_url is None or not base_url.startswith(_SCHEMES):
        return urls.with_host_of(base_url)
    start = base_url.index("//") + 2
    end = min((at for at in map(base_url.find, "/?#", (start,) * 3) if at >= 0),
              default=len(base_url))
    host = base_url[:end]
    # The host alone gives url_key's host only when urlsplit and strip() read it as written:
    # no spaces or control characters in it (which they drop), nothing but ASCII.
    if not (host.isascii() and host.isprintable()) or " " in host:
        return urls.with_host_of(base_url)
    seen, known = _hosts
    if seen() is not urls:
        known = {}
        _hosts = (weakref.ref(urls, lambda _: known.clear()), known)
    if host in known:
        return known[host] or urls
    if len(known) >= 64:
        known.clear()
    found = urls.with_host_of(host)
    known[host] = None if found is urls else found
    return found


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
    urls = _with_host_of(urls, base_url)
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

