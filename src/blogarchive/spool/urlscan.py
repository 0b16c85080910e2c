"""The URL map guessed ahead of reading: each post's id and permalink from a scan of the
bytes of Blogger's Atom exports and feeds.

``spool.ahead`` analyses posts while they are read, so it needs the URL map (every post's
permalink and id) before the records exist. The map the analysis is given in the end is the
resolved records' (``Resolved.url_pairs``): duplicates folded, merges with an earlier
archive, the archive's order. This scan does not parse the XML: it looks for each entry's
``<id>``, kind category and first ``alternate`` link with one expression over the raw
bytes (about a fifth of lxml's bare parse), and gives up (None) on anything that is not a
plain legacy export or public feed of one blog. What it gives is a guess: ``ahead`` keeps its
analyses only when the guessed map equals the resolved one, so a wrong guess costs time,
never a byte.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from html import unescape
from typing import Final

import attrs

from .._inputs import Input
from ..readers._common import blog_id_of, item_id_of

__all__ = ["Keep", "Scanned", "scan"]

Keep = Callable[[list[tuple[str, str]]], object]
"""Takes the (permalink, post id) pairs found, a block of the file's at a time, in the
order read: they go to disk (``guess``), so the scan holds no list of every post."""

_BLOCK: Final = 1024 * 1024
"""Bytes read at a time. The block, its copy with the carried tail and its tokens are in
memory at once (8 MiB blocks made ``--jobs`` peak about 20 MiB higher than one job)."""
# The tags the guess needs; in an export, bodies are escaped text, so their markup is not
# found here (a CDATA or XHTML body's could be: the guess is checked, see the docstring).
# Labels' categories and other links do not match at all, so they cost no Python step.
_TOKEN: Final = re.compile(
    rb"<(?:(entry)[\s>]|id>([^<]*)</id>|category\s[^>]*?kind#(\w+)"
    rb"|link\s([^>]*alternate[^>]*)>|(/entry)>)")
_ATTR: Final = re.compile(rb"""([\w:.-]+)\s*=\s*(?:'([^']*)'|"([^"]*)")""")
_FEED_ID: Final = re.compile(r"tag:blogger\.com,1999:blog-\d+(\.archive)?$")
_KINDS: Final = (None, "post", "page")  # None: a public feed's entries name no kind
_TAKEOUT: Final = b"http://schemas.google.com/blogger/2018"


@attrs.frozen
class Scanned:
    """What the scan found: the one blog's id, its home URL, how many (permalink, post id)
    pairs it gave to its ``Keep``."""

    blog: str
    home: str | None
    pairs: int


def scan(inputs: Iterable[Input], keep: Keep) -> Scanned | None:
    """The posts' permalinks of ``inputs``, all of one blog, given to ``keep``; None when
    any input is not a plain legacy export or public feed (or its bytes cannot be had
    cheaply: a pipe, a page, a WARC capture, Takeout): what ``keep`` was given is then
    not a guess to use."""
    blog: str | None = None
    home: str | None = None
    pairs = 0
    for item in inputs:
        if item.size is None or item.settings is not None or item.theme is not None \
                or item.capture:
            return None
        try:
            found = _scan_one(item, keep)
        except (OSError, ValueError, EOFError):
            return None  # the readers will say what is wrong with it
        if found is None or (blog is not None and found.blog != blog):
            return None
        blog = found.blog
        home = home or found.home
        pairs += found.pairs
    return Scanned(blog, home, pairs) if blog is not None else None


def _attrs(text: bytes) -> dict[str, str]:
    return {name.decode("ascii", "replace"): unescape((one or two).decode("utf-8", "replace"))
            for name, one, two in _ATTR.findall(text)}


class _Entries:
    """The scan's state: the feed's head, then each entry's id, kind and permalink."""

    def __init__(self) -> None:
        self.feed_id: str | None = None
        self.home: str | None = None
        self.pairs: list[tuple[str, str]] = []
        self.started = False  # an entry seen: the feed's head is over
        self._new()

    def _new(self) -> None:
        self.atom_id: str | None = None
        self.kind: str | None = None
        self.url: str | None = None

    def feed(self, data: bytes, end_at: int | None = None) -> None:
        """The tokens of ``data`` (up to ``end_at``: no copy of the part before it)."""
        tokens = _TOKEN.findall(data, 0, len(data) if end_at is None else end_at)
        for entry, ident, kind, link, end in tokens:
            if entry:
                self.started = True
                self._new()
            elif ident:
                if not self.started:
                    self.feed_id = self.feed_id or ident.decode("utf-8", "replace").strip()
                elif self.atom_id is None:
                    self.atom_id = ident.decode("utf-8", "replace").strip()
            elif kind:
                self.kind = kind.decode("ascii")
            elif link:
                if self.started and (self.url is not None or self.kind not in _KINDS):
                    continue  # a comment's, or not the first
                found = _attrs(link)
                if found.get("rel") == "alternate" and found.get("type") in (None, "text/html"):
                    if not self.started:
                        self.home = self.home or found.get("href")
                    else:
                        self.url = found.get("href")
            elif end and self.started:
                if self.atom_id and self.url and self.kind in _KINDS:
                    self.pairs.append((self.url, item_id_of(self.atom_id)))
                self._new()


def _scan_one(item: Input, keep: Keep) -> Scanned | None:
    state = _Entries()
    given = 0

    def handed() -> None:
        nonlocal given
        if state.pairs:
            keep(state.pairs)
            given += len(state.pairs)
            state.pairs = []
    with item.opener() as stream:
        carry = b""
        first = True
        while True:
            block = stream.read(_BLOCK)
            data = carry + block
            if first:
                first = False
                if b"<feed" not in data[:65536] or _TAKEOUT in data[:65536]:
                    return None
            if not block:
                state.feed(data)
                handed()
                break
            cut = data.rfind(b"</entry>")
            if cut < 0:
                carry = data
                continue
            cut += len(b"</entry>")
            state.feed(data, cut)
            handed()
            carry = data[cut:]
    feed_id = state.feed_id
    if feed_id is None or not _FEED_ID.match(feed_id):
        return None  # a comment feed, Takeout, a converter's file...: not guessed
    blog = blog_id_of(feed_id)
    if blog is None:
        return None
    return Scanned(blog, state.home, given)
