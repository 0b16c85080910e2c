"""Which archived post a URL names: host folding, canonical keys, the archive's URL map.

Blogger served one blog under many spellings: http and https, ``name.blogspot.com`` and its
country domains (``.co.uk``, ``.fr``, ``.com.br`` ...), ``?m=1`` for the mobile view,
``?showComment=...#c...`` for a comment, ``www.`` or not on custom domains. A URL key drops all
of that, so any spelling of a post's permalink finds the post.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Final
from urllib.parse import SplitResult, unquote, urljoin, urlsplit

import attrs

from .urlstore import StoredPosts

__all__ = [
    "MEMO", "UrlMap", "absolute", "fold_host", "host_of", "original_image", "path_kind",
    "split_url", "url_key",
]

_BLOGSPOT: Final = re.compile(r"^(?P<name>.+?)\.blogspot\.[a-z]{2,3}(?:\.[a-z]{2})?$")
_POST_PATH: Final = re.compile(r"/\d{4}/\d{2}/[^/]+\.(?:html?|asp|aspx|php|shtml)$", re.I)
_ARCHIVE_PATH: Final = re.compile(
    r"(?:^/\d{4}(?:/\d{2}(?:/\d{2})?)?/?$)|(?:/\d{4}_\d{2}_\d{2}_archive\.html$)|"
    r"(?:/archive\.html$)"
)
# Size segments of images on Blogger's servers: /s1600/, /s400-h/, /w640-h400/, /w640-h400-rw/,
# /h120/, /s72-c/; or the same as a suffix: =s320, =w640-h400-p-k-no-nu.
_SIZE_SEGMENT: Final = re.compile(
    r"/(?:s\d+|w\d+(?:-h\d+)?|h\d+)(?:-[a-z0-9]+)*/(?=[^/]+$)", re.I
)
_SIZE_SUFFIX: Final = re.compile(r"=(?:s\d+|w\d+(?:-h\d+)?|h\d+)(?:-[a-z0-9]+)*$", re.I)
_IMAGE_HOSTS: Final = re.compile(
    r"(?:^|\.)(?:bp\.blogspot\.com|googleusercontent\.com|ggpht\.com|blogblog\.com)$"
)


@functools.lru_cache(maxsize=1024)
def fold_host(host: str) -> str:
    """Lower case, no ``www.``, any blogspot country domain as ``.blogspot.com``. Kept for
    the hosts last asked for: a blog's URLs name few hosts, and every key folds one."""
    host = host.lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    match = _BLOGSPOT.match(host)
    if match:
        return f"{match['name']}.blogspot.com"
    return host


def absolute(url: str, base: str | None) -> str:
    """``url`` resolved against ``base`` (the post's own permalink), when there is one."""
    url = url.strip()
    if url.startswith(("http://", "https://")):
        return url  # already absolute: the common case, and urljoin is slow
    if base:
        try:
            return urljoin(base, url)
        except ValueError:
            return url
    return url


def split_url(url: str) -> SplitResult | None:
    """``urlsplit(url)``, or None for text urllib cannot take apart.

    Pages and bodies hold anything in ``href``: ``p://]`` (an unbalanced IPv6 bracket) makes
    ``urlsplit`` raise, ``http://example.com:abc/`` only raises later, when ``.port`` is read.
    Every URL the page reader and the analysis take apart goes through here, so neither can
    fail on one: a result's ``port`` and ``hostname`` are safe to read.
    """
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 -- raises ValueError on a port that is not 0-65535
    except ValueError:
        return None
    return parts


def host_of(parts: SplitResult) -> str:
    """The host in lower case, an IPv6 address in its brackets (``hostname`` drops them)."""
    host = parts.hostname or ""
    return f"[{host}]" if ":" in host else host


def _split(url: str) -> tuple[str, str, str] | None:
    parts = split_url(url)
    if parts is None:
        return None
    return parts.scheme.lower(), parts.hostname or "", parts.path


# An http(s) URL whose host is ASCII letters, digits, dots and hyphens (no user, no port) and
# whose path holds printable ASCII but for "%" (nothing to unquote): urlsplit, hostname and
# unquote would give its host and path as written, the host lowered (fold_host lowers it).
# No space or control character anywhere that strip() or urlsplit would drop. Most
# permalinks are of this form: read from the text, not taken apart (3.7 -> 0.8 us idle).
_PLAIN_URL: Final = re.compile(
    r"(?i:https?)://([A-Za-z0-9.-]+)(/[\x21\x22\x24\x26-\x3e\x40-\x7e]*)?"
    r"(?:[?#][^\t\n\r]*)?\Z")


def url_key(url: str) -> str | None:
    """``host/path`` with every variation dropped; None for non-web or host-less URLs."""
    plain = _PLAIN_URL.match(url)
    if plain is not None:
        return fold_host(plain[1]) + (plain[2] or "/")
    return _split_key(url)


def _split_key(url: str) -> str | None:
    """``url_key`` of any URL, through urlsplit."""
    split = _split(url)
    if split is None:
        return None
    scheme, host, path = split
    if scheme not in ("http", "https", "") or not host:
        return None
    return fold_host(host) + unquote(path or "/")


def path_kind(path: str) -> str:
    """What an internal path names: post, page, label, search, archive, home, feed, other."""
    if path in ("", "/", "/index.html"):
        return "home"
    if path.startswith("/p/"):
        return "page"
    if path.startswith("/search/label/"):
        return "label"
    if path.startswith("/search"):
        return "search"
    if path.startswith("/feeds/"):
        return "feed"
    if _POST_PATH.search(path):
        return "post"
    if _ARCHIVE_PATH.search(path):
        return "archive"
    return "other"


def original_image(url: str) -> str | None:
    """The original-size URL of an image on Blogger's servers; None for other images."""
    split = _split(url)
    if split is None or not _IMAGE_HOSTS.search(split[1]):
        return None
    if _SIZE_SEGMENT.search(url):
        return _SIZE_SEGMENT.sub("/s0/", url, count=1)
    if _SIZE_SUFFIX.search(url):
        return _SIZE_SUFFIX.sub("=s0", url)
    return url


MEMO: Final = 8192
"""URLs whose ``classify`` answer a map keeps (the least recently asked for go first)."""


@attrs.frozen
class UrlMap:
    """The archive's posts by URL key, and the hosts that count as this blog.

    ``posts`` is a dict (``build``), or for ``convert`` a file on disk (``build(...,
    store=PATH)``: ``urlstore.StoredPosts``), so that the map takes the same memory whatever
    the number of posts. Either pickles small enough to send to a worker process.
    """

    posts: Mapping[str, str] = attrs.field(factory=dict)
    hosts: frozenset[str] = frozenset()
    # Blogs link to the same few URLs again and again; parsing each once saves a third of
    # the link inventory's time. An LRU cache, not a dict of every URL seen, so that it does
    # not grow with the blog (it held up to 100,000 URLs, 25 MB). Not part of the value.
    _memo: Callable[[str], tuple[bool, str | None, str | None]] = attrs.field(
        eq=False, repr=False, init=False
    )

    # This map's copies with a post's host counted (None: the map itself), by the permalink's
    # "scheme://host" (``for_post``). Not part of the value either, and it goes with the map.
    _for_hosts: dict[str, UrlMap | None] = attrs.field(
        eq=False, repr=False, init=False, factory=dict)

    @_memo.default
    def _cached(self) -> Callable[[str], tuple[bool, str | None, str | None]]:
        return functools.lru_cache(maxsize=MEMO)(self._classify)

    def __reduce__(self) -> tuple[type[UrlMap], tuple[Mapping[str, str], frozenset[str]]]:
        return UrlMap, (self.posts, self.hosts)  # the memo stays behind

    @classmethod
    def build(cls, permalinks: Iterable[tuple[str, str]], home: str | None = None, *,
              store: Path | None = None) -> UrlMap:
        """From ``(url, post id)`` pairs and the blog's home URL; with ``store``, the posts
        go to a new SQLite file there (``StoredPosts``; ``close`` the map when done)."""
        hosts = set()

        def keyed() -> Iterator[tuple[str, str]]:
            for url, post_id in permalinks:
                key = url_key(url)
                if key is not None:
                    hosts.add(key.split("/", 1)[0])
                    yield key, post_id

        posts: Mapping[str, str]
        if store is None:
            posts = {}
            for key, post_id in keyed():
                posts.setdefault(key, post_id)
        else:
            posts = StoredPosts.build(keyed(), store)
        home_key = url_key(home) if home else None
        if home_key is not None:
            hosts.add(home_key.split("/", 1)[0])
        return cls(posts=posts, hosts=frozenset(hosts))

    def close(self) -> None:
        """Release the file of a map built with ``store`` (nothing to do for a dict)."""
        if isinstance(self.posts, StoredPosts):
            self.posts.close()

    def with_host_of(self, url: str | None) -> UrlMap:
        """This map, with the host of ``url`` (the post's own permalink) counted as the blog's.

        A body analysed on its own (no map, or a map of other posts) still knows its links
        to its own blog: the post's host, in any spelling ``fold_host`` folds, is internal.
        """
        key = url_key(url) if url else None
        host = key.split("/", 1)[0] if key is not None else None
        if host is None or host in self.hosts:
            return self  # the common case: keep the memo warm
        return UrlMap(posts=self.posts, hosts=self.hosts | {host})

    def for_post(self, base_url: str | None) -> UrlMap:
        """``with_host_of(base_url)``, looked up by ``base_url``'s scheme and host: the posts of
        a blog share a few, and finding the host of every permalink again (``url_key``:
        ``urlsplit``, ``unquote``, ``fold_host``) was a twenty-fifth of the analysis."""
        if base_url is None or not base_url.startswith(("http://", "https://")):
            return self.with_host_of(base_url)
        start = base_url.index("//") + 2
        end = min((at for at in map(base_url.find, "/?#", (start,) * 3) if at >= 0),
                  default=len(base_url))
        host = base_url[:end]
        # The host alone gives url_key's host only when urlsplit and strip() read it as
        # written: no spaces or control characters in it (which they drop), nothing but ASCII.
        if not (host.isascii() and host.isprintable()) or " " in host:
            return self.with_host_of(base_url)
        known = self._for_hosts
        try:  # one lookup: a map shared by threads may be cleared between two
            hit = known[host]
        except KeyError:
            pass
        else:
            return hit or self
        if len(known) >= 64:
            known.clear()
        found = self.with_host_of(host)
        known[host] = None if found is self else found
        return found

    def is_internal(self, url: str) -> bool:
        """Does ``url`` (already absolute when the post had a permalink) point into the blog?"""
        split = _split(url)
        if split is None:
            return False
        scheme, host, path = split
        if not host:  # relative: same site, unless it is mailto:, javascript:, #top ...
            return scheme == "" and bool(path)
        return scheme in ("http", "https") and fold_host(host) in self.hosts

    def classify(self, url: str) -> tuple[bool, str | None, str | None]:
        """``(internal, path kind, archived post id)`` for an absolute (or relative) URL."""
        return self._memo(url)

    def _classify(self, url: str) -> tuple[bool, str | None, str | None]:
        internal = self.is_internal(url)
        split = _split(url) if internal else None
        kind = path_kind(split[2]) if split is not None else None
        return internal, kind, self.post_id(url) if internal else None

    def post_id(self, url: str) -> str | None:
        key = url_key(url)
        return self.posts.get(key) if key is not None else None
