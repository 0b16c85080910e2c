"""Run the body analysis over a whole archive, once every post (and so every URL) is known."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import attrs

from ._packed import replace
from .analysis import BodyAnalysis, UrlMap
from .model import Archive, Post
from .progress import Progress, counter
from .workers import analyse_bodies

__all__ = ["PostUrls", "analyse_archive", "url_map", "url_pairs", "urls_of"]

PostUrls = Callable[[], Iterable[tuple[str, str | None, str | None]]]
"""Gives, each time it is called, the same posts as (id, permalink, path), in order."""


def url_map(archive: Archive) -> UrlMap:
    """The archive's permalinks (and page paths under the blog's home) by URL key."""
    return urls_of(((p.id, p.url, p.path) for p in archive.posts), archive.blog.url)


def url_pairs(posts: PostUrls, home: str | None) -> Iterator[tuple[str, str]]:
    """The (URL, post id) pairs a URL map is built from (``UrlMap.build``: the first id of
    a key wins): each post's permalink, in order; then, with a ``home``, the path under it
    of each post without one, in order. The one statement of the rule: ``urls_of``, the
    map ``convert`` builds from its spool (``Resolved.url_pairs``) and the map ``--jobs``
    guesses before reading (``spool.ahead``) all take their pairs from here, so that the
    guess can equal the result. ``posts`` is called once per pass (twice with a home), so
    that a caller can stream its posts from disk instead of holding them."""
    for ident, url, _ in posts():
        if url:
            yield url, ident
    if home:  # after every permalink: a permalink wins a key both name
        root = home.rstrip("/")
        for ident, url, path in posts():
            if not url and path and path.startswith("/"):
                yield root + path, ident


def urls_of(posts: Iterable[tuple[str, str | None, str | None]], home: str | None) -> UrlMap:
    """The URL map of posts given as (id, permalink, path): a permalink, or else a path
    under the blog's ``home`` (``url_pairs``)."""
    held = list(posts)
    return UrlMap.build(url_pairs(lambda: held, home), home)


def analyse_archive(archive: Archive, *, progress: Progress | None = None,
                    jobs: int = 1,
                    keep: Callable[[Post, BodyAnalysis], BodyAnalysis] | None = None
                    ) -> Archive:
    """``archive`` with every post's ``analysis`` (re)computed from its content.

    ``progress("analysing", done, total)`` is called after each post (see ``progress``).
    ``jobs``: analyse in that many processes (0: one per core; ``workers``); the result is
    the same whatever the number. ``keep(post, analysis)``, when given, is called with each
    post and its new analysis as they come, before the next is made, and gives the analysis
    to keep (``read`` holds the body and the analysis compactly: ``reading``).
    """
    urls = url_map(archive)
    advance = counter(progress, "analysing", len(archive.posts))
    results = analyse_bodies(
        ((p.content, p.url or archive.blog.url, p.content_type) for p in archive.posts),
        urls, jobs)

    def one(post: Post, result: BodyAnalysis) -> Post:
        advance(1)
        if keep is not None:
            result = keep(post, result)
        if result == post.analysis:
            return post
        # the body carried over as held (evolve would unpack it: ``_packed``)
        return replace(post, analysis=result)

    return attrs.evolve(archive, posts=tuple(map(one, archive.posts, results)))
