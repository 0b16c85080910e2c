"""Which URLs a capture fetches: the media of every post, in scope, rewritten if asked.

One target per URL as written in the bodies (the key of media.jsonl). An image on Blogger's
servers is fetched at its original size first (``s0``), and as written when that fails; the
image behind a lightbox link (the ``<a href>`` around an ``<img>``) is a target of its own.
Nothing here touches the network.
"""

from __future__ import annotations

import fnmatch
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Final
from urllib.parse import urlsplit

import attrs

from ..analysis.urls import absolute, original_image
from ..model import Archive

__all__ = [
    "SCOPES",
    "Plan",
    "Rewrite",
    "Target",
    "blogger_host",
    "host_of",
    "make_plan",
    "parse_rewrite",
]

SCOPES: Final = ("blogger", "all")

# Blogger's and Google's image and video hosts: 1-4.bp.blogspot.com, blogger.googleusercontent.com,
# lh3-lh6.googleusercontent.com, *.ggpht.com (and Picasa's old lh*.ggpht.com), Picasa Web's
# static hosts, Blogger's own blogblog.com images and video thumbnails.
_BLOGGER_HOSTS: Final = re.compile(
    r"(?:^|\.)(?:bp\.blogspot\.com|blogger\.googleusercontent\.com|"
    r"lh\d+\.googleusercontent\.com|ggpht\.com|blogblog\.com|picasaweb\.google\.com|"
    r"photos\.google\.com|lh\d+\.google\.com|blogger\.com|video\.google\.com|"
    r"googlevideo\.com)$"
)
# A lightbox link counts as media when it points at an image host or an image file.
_IMAGE_FILE: Final = re.compile(r"\.(?:jpe?g|png|gif|webp|bmp|tiff?|svg)$", re.I)


def host_of(url: str) -> str:
    """The lower-case host of ``url`` ("" when it has none or cannot be parsed)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def blogger_host(host: str) -> bool:
    return bool(_BLOGGER_HOSTS.search(host))


@attrs.frozen
class Rewrite:
    """``--rewrite PREFIX=REPLACEMENT``: a URL starting with PREFIX is fetched from
    REPLACEMENT + the rest (a local mirror, a proxy, a test server)."""

    prefix: str
    replacement: str


def parse_rewrite(text: str) -> Rewrite:
    """``PREFIX=REPLACEMENT``; ValueError naming what is wrong. The first ``=`` splits, so
    a replacement may hold ``=`` (query strings) but a prefix may not."""
    prefix, sep, replacement = text.partition("=")
    if not sep or not prefix or not replacement:
        raise ValueError(f"--rewrite wants PREFIX=REPLACEMENT, not {text!r}")
    return Rewrite(prefix, replacement)


def _rewritten(url: str, rewrites: Sequence[Rewrite]) -> str:
    for rule in rewrites:  # the first matching rule wins, in the order given
        if url.startswith(rule.prefix):
            return rule.replacement + url[len(rule.prefix):]
    return url


@attrs.frozen
class Target:
    """One URL as written, and the URLs to try for it, in order (already rewritten)."""

    url: str
    """The URL as written in the body (made absolute against the post's permalink)."""
    candidates: tuple[str, ...]
    """URLs to request, best first: the original size, then the URL as written."""
    kind: str
    """``image``, ``video``, ... as in the media inventory; ``lightbox`` for a link target,
    ``avatar`` for an author's picture."""
    posts: tuple[str, ...]
    """Ids of the posts that use it."""
    written: tuple[str, ...] = ()
    """``candidates`` before ``--rewrite``: the URLs a web archive source would hold."""

    @property
    def host(self) -> str:
        return host_of(self.url)


@attrs.frozen
class Plan:
    """Every target in scope, and what was left out and why (counted, never silent)."""

    targets: tuple[Target, ...]
    out_of_scope: int = 0
    """Media URLs left out by --scope, --include or --exclude."""
    not_web: int = 0
    """Media URLs that are not http(s) (data:, relative with no permalink to resolve, ...)."""
    unanalysed: int = 0
    """Posts with no body analysis (archive written with --no-analysis): nothing known."""

    def per_host(self) -> list[tuple[str, int]]:
        """``(host, targets)`` by falling count, then host."""
        found = Counter(t.host for t in self.targets)
        return sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))


def _matches(host: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(host, p.lower()) for p in patterns)


def in_scope(host: str, scope: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    """--exclude wins over everything; --include adds hosts to the scope."""
    if _matches(host, exclude):
        return False
    if _matches(host, include):
        return True
    return scope == "all" or blogger_host(host)


def make_plan(
    archive: Archive,
    *,
    scope: str = "blogger",
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    rewrites: Sequence[Rewrite] = (),
    avatars: bool = False,
) -> Plan:
    """The targets of ``archive``'s posts, in post order, one per URL as written; with
    ``avatars``, the pictures of post and comment authors too (kind ``avatar``)."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    found: dict[str, tuple[list[str], str, list[str]]] = {}
    out_of_scope = not_web = unanalysed = 0

    def add(written: str, kind: str, post_id: str, base: str | None) -> None:
        nonlocal out_of_scope, not_web
        url = absolute(written, base)
        if not url.lower().startswith(("http://", "https://")):
            not_web += 1
            return
        if url in found:
            if post_id not in found[url][2]:
                found[url][2].append(post_id)
            return
        if not in_scope(host_of(url), scope, include, exclude):
            out_of_scope += 1
            return
        candidates = []
        original = original_image(url) if kind in ("image", "lightbox") else None
        if original and original != url:
            candidates.append(original)
        candidates.append(url)
        found[url] = (candidates, kind, [post_id])

    for post in archive.posts:
        if avatars and post.author is not None and post.author.image:
            add(post.author.image, "avatar", post.id, post.url)
        if post.analysis is None:
            unanalysed += 1
            continue
        for media in post.analysis.media:
            add(media.url, media.kind, post.id, post.url)
            if media.link and media.kind == "image":
                link = absolute(media.link, post.url)
                if blogger_host(host_of(link)) or _IMAGE_FILE.search(urlsplit(link).path):
                    add(media.link, "lightbox", post.id, post.url)
    if avatars:
        for comment in archive.comments:
            if comment.author is not None and comment.author.image:
                # a comment of no known post is listed under its own id
                add(comment.author.image, "avatar", comment.post_id or comment.id,
                    comment.url)
    targets = tuple(Target(url, tuple(_rewritten(u, rewrites) for u in c), kind, tuple(posts),
                           tuple(c))
                    for url, (c, kind, posts) in found.items())
    return Plan(targets, out_of_scope=out_of_scope, not_web=not_web, unanalysed=unanalysed)
