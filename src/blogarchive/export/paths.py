"""Where a post lived on Blogger, and where a migrated site puts it.

Blogger's permalinks are ``/YYYY/MM/slug.html`` for posts and ``/p/slug.html`` for pages. A
migrated post is served at the same path without ``.html`` (``/YYYY/MM/slug/``) and the old
path becomes a redirect (Hugo ``aliases``, Jekyll ``redirect_from``), so every old link keeps
working. Only paths made of plain URL characters are used: a path is written into files a
site generator reads and into URLs it makes, so anything else (``..``, spaces, quotes) gets a
new path from the Blogger id and no redirect, and the report says so.
"""

from __future__ import annotations

import posixpath
import re
from typing import Final
from urllib.parse import urlsplit

from ..model import Post

__all__ = ["file_stem", "new_path", "old_path", "redirect_from"]

# One segment: what Blogger's own slugs use, plus percent-escapes; never "." or "..".
_SEGMENT: Final = re.compile(r"[A-Za-z0-9_~%-][A-Za-z0-9._~%-]*")
_UNSAFE_STEM: Final = re.compile(r"[^A-Za-z0-9_-]+")


def old_path(post: Post) -> str | None:
    """The path of ``post``'s Blogger permalink when it is usable in a site (see above);
    None for drafts (they have none) and for paths that are not plain."""
    path = post.path or (urlsplit(post.url).path if post.url else None)
    if not path or not path.startswith("/"):
        return None
    segments = path.removesuffix("/").split("/")[1:]
    if not segments or not all(_SEGMENT.fullmatch(s) for s in segments):
        return None
    return path


def new_path(post: Post) -> str:
    """The path the migrated site serves ``post`` at: the old one without its extension
    (``.html``, or ``.htm`` on old custom domains), or the old one with a ``/`` when it has
    none; one made from the id (``/drafts/ID/``, ``/posts/ID/``, ``/pages/ID/``) when there
    is no usable old path."""
    old = old_path(post)
    if old is not None:
        head, _, name = old.rstrip("/").rpartition("/")
        stem = posixpath.splitext(name)[0] or name
        if stem:
            return f"{head}/{stem}/"
    folder = "drafts" if post.status != "live" else f"{post.kind}s"
    return f"/{folder}/{file_stem(post)}/"


def redirect_from(post: Post) -> str | None:
    """The old path to redirect to ``new_path``: None when there is none, or when the old
    path is the new one's folder (``/slug`` or ``/slug/``: a file there would be the folder
    the page lives in; static hosts answer ``/slug`` with ``/slug/`` themselves)."""
    old = old_path(post)
    if old is None or old.rstrip("/") + "/" == new_path(post):
        return None
    return old


def file_stem(post: Post) -> str:
    """A file name for ``post`` from its id: Blogger's are digits; converter-made ones
    (``post-17``) keep their letters; anything else becomes ``-``."""
    return _UNSAFE_STEM.sub("-", post.id).strip("-") or "post"
