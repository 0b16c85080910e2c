"""Run the body analysis over a whole archive, once every post (and so every URL) is known."""

from __future__ import annotations

import attrs

from .analysis import UrlMap, analyse
from .model import Archive, Post
from .progress import Progress, counter

__all__ = ["analyse_archive", "url_map"]


def url_map(archive: Archive) -> UrlMap:
    """The archive's permalinks (and page paths under the blog's home) by URL key."""
    pairs = [(p.url, p.id) for p in archive.posts if p.url]
    home = archive.blog.url
    if home:
        pairs.extend(
            (home.rstrip("/") + p.path, p.id)
            for p in archive.posts
            if not p.url and p.path and p.path.startswith("/")
        )
    return UrlMap.build(pairs, home)


def analyse_archive(archive: Archive, *, progress: Progress | None = None) -> Archive:
    """``archive`` with every post's ``analysis`` (re)computed from its content.

    ``progress("analysing", done, total)`` is called after each post (see ``progress``).
    """
    urls = url_map(archive)
    advance = counter(progress, "analysing", len(archive.posts))

    def one(post: Post) -> Post:
        result = analyse(post.content, post.url or archive.blog.url, urls,
                         content_type=post.content_type)
        advance(1)
        return post if result == post.analysis else attrs.evolve(post, analysis=result)

    return attrs.evolve(archive, posts=tuple(one(p) for p in archive.posts))
