"""A body's images pointed at the copies ``capture`` stored, and its links to other posts of
the blog at their pages on the new site.

``img[src]`` and the lightbox link around an image (``a[href]``) are looked up in the
archive's capture (``MediaFiles``) by the URL as written, made absolute against the post's
permalink, exactly as ``capture`` keyed them. A captured one becomes a root-relative
``/media/...`` URL (the site serves OUT's media at its root); the rest stay as they were and
are counted as remote. A link to a post of this blog (any spelling of its host: ``UrlMap``)
becomes that post's new path, its ``#fragment`` kept, so the migrated site links to itself
rather than to Blogger. The body is re-serialised only when something changed, so a body with
nothing captured is written exactly as the archive holds it.
"""

from __future__ import annotations

import html as entities
from collections.abc import Mapping

import attrs
from lxml import etree

from ..analysis._tree import parse
from ..analysis.urls import UrlMap, absolute
from .media import MediaFiles

__all__ = ["Relinked", "relink"]


@attrs.frozen
class Relinked:
    html: str
    local: int = 0  # images now served from the export
    remote: int = 0  # images left at their original URL
    internal: int = 0  # links to posts of the blog, now to their new paths


def relink(html: str, base: str | None, media: MediaFiles | None,
           posts: tuple[UrlMap, Mapping[str, str]] | None = None) -> Relinked:
    """``html`` with captured images (and their lightbox links) served from ``/media/``, and
    with links to posts found in ``posts`` (the blog's URL map, new paths by post id) at
    their new paths."""
    if "<img" not in html.lower() and "<a" not in html.lower():
        return Relinked(html)
    root = parse(html)
    local = remote = internal = 0
    changed = False
    for el in root.iter("img", "a"):
        name = "src" if el.tag == "img" else "href"
        written = el.get(name)
        if not written:
            continue
        path = media.local(absolute(written, base)) if media is not None else None
        if path is not None:
            el.set(name, "/" + path)
            changed = True
        elif el.tag == "a" and posts is not None:
            url = absolute(written, base)
            moved = posts[1].get(posts[0].post_id(url) or "")
            if moved is not None:
                fragment = url.partition("#")[2]
                el.set(name, moved + ("#" + fragment if fragment else ""))
                internal += 1
                changed = True
        if el.tag == "img":
            if path is not None:
                local += 1
            else:
                remote += 1
    if not changed:
        return Relinked(html, local, remote, internal)
    inner = entities.escape(root.text or "", quote=False) + "".join(
        etree.tostring(child, method="html", encoding="unicode", with_tail=True)
        for child in root)
    return Relinked(inner, local, remote, internal)
