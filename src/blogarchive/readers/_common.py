"""Pieces every XML reader shares: taking an entry's children field by field, keeping the rest.

A reader asks ``Fields`` for the children it maps (``take``, ``take_all``, ``text``, ``time``);
whatever it never asked for comes back from ``rest()`` as XML text, so an element no reader
knows is preserved in the record's ``extras`` instead of being dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from typing import Final

from lxml import etree

from .._time import parse_time
from .._xml import NS, serialise
from .._xml import line_of as line_of  # the readers' shared helpers, one place to import from
from ..limits import LimitExceeded, Limits
from ..model import Author, Link, Location, Property, Skipped, Thumbnail

A: Final = f"{{{NS['atom']}}}"
GD: Final = f"{{{NS['gd']}}}"
THR: Final = f"{{{NS['thr']}}}"
APP: Final = f"{{{NS['app']}}}"
GEORSS: Final = f"{{{NS['georss']}}}"
MEDIA: Final = f"{{{NS['media']}}}"
B18: Final = f"{{{NS['blogger']}}}"

KIND_SCHEME: Final = "http://schemas.google.com/g/2005#kind"
LABEL_SCHEME: Final = "http://www.blogger.com/atom/ns#"

# tag:blogger.com,1999:blog-<blog>.post-<id> / .page-<id> / .settings.<NAME> / .layout
_BLOGGER_ID: Final = re.compile(r"tag:blogger\.com,1999:blog-(\d+)(?:\.(\w+?)-?(\w*))?\S*$")
_TAIL_ID: Final = re.compile(r"\.(?:post|page)-(\d+)$")


def blog_id_of(atom_id: str | None) -> str | None:
    """The numeric blog id inside a Blogger Atom id, or None."""
    if not atom_id:
        return None
    m = _BLOGGER_ID.match(atom_id.strip())
    return m.group(1) if m else None


def item_id_of(atom_id: str) -> str:
    """The numeric id after `.post-` / `.page-`; any other id is kept whole (`post-17`)."""
    m = _TAIL_ID.search(atom_id)
    return m.group(1) if m else atom_id


def last_segment(url: str | None) -> str | None:
    """The last path segment of a URL (a parent comment's edit URL ends with its id)."""
    if not url:
        return None
    tail = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return tail or None


def url_path(url: str | None) -> str | None:
    """The path of a permalink (`/2010/09/slug.html`), without query or fragment."""
    if not url:
        return None
    rest = url.split("://", 1)[-1]
    slash = rest.find("/")
    if slash < 0:
        return None
    return rest[slash:].split("#", 1)[0].split("?", 1)[0] or None


def inner_text(element: etree._Element) -> str:
    """Text of an element; an element with children (xhtml content) gives its inner XML."""
    if len(element) == 0:
        return element.text or ""
    parts = [element.text or ""]
    for child in element:
        parts.append(serialise(child) + (child.tail or ""))
    return "".join(parts)


class Fields:
    """An element's children, taken one mapped field at a time; the rest kept as XML."""

    __slots__ = ("_children", "_position", "_taken", "bad_times")

    def __init__(self, element: etree._Element) -> None:
        self._children = list(element)
        self._taken = [False] * len(self._children)
        # Where each child is, for untake: a scan per call made an entry of 38,000
        # categories in another vocabulary quadratic (found by the fuzzer). The ids stay
        # valid: _children holds every child for as long as this lives.
        self._position = {id(child): i for i, child in enumerate(self._children)}
        self.bad_times: list[str] = []

    def take(self, tag: str) -> etree._Element | None:
        for i, child in enumerate(self._children):
            if not self._taken[i] and child.tag == tag:
                self._taken[i] = True
                return child
        return None

    def has(self, tag: str) -> bool:
        return any(child.tag == tag for child in self._children)

    def take_all(self, tag: str) -> list[etree._Element]:
        found = []
        for i, child in enumerate(self._children):
            if not self._taken[i] and child.tag == tag:
                self._taken[i] = True
                found.append(child)
        return found

    def text(self, tag: str) -> str | None:
        child = self.take(tag)
        return None if child is None else inner_text(child)

    def stripped(self, tag: str) -> str | None:
        """Text with surrounding whitespace removed (ids and dates in re-indented copies)."""
        value = self.text(tag)
        return None if value is None else value.strip()

    def time(self, tag: str) -> datetime | None:
        """A timestamp child; an unreadable one stays in `rest()` and is noted, not dropped."""
        for i, child in enumerate(self._children):
            if not self._taken[i] and child.tag == tag:
                text = (child.text or "").strip()
                if not text:
                    self._taken[i] = True
                    return None
                try:
                    value = parse_time(text)
                except ValueError:
                    self.bad_times.append(f"{etree.QName(tag).localname}: {text[:40]!r}")
                    return None
                self._taken[i] = True
                return value
        return None

    def untake(self, element: etree._Element) -> None:
        """Give a taken child back, so that a value a field cannot hold stays in `rest()`."""
        i = self._position.get(id(element))
        if i is not None and self._children[i] is element:
            self._taken[i] = False

    def drop_empty(self, *tags: str) -> None:
        """Take presence-only elements (no text, attributes or children): they carry nothing."""
        for i, child in enumerate(self._children):
            if (
                not self._taken[i]
                and child.tag in tags
                and not (child.text or "").strip()
                and not child.attrib
                and len(child) == 0
            ):
                self._taken[i] = True

    def rest(self) -> tuple[str, ...]:
        return tuple(
            serialise(child)
            for i, child in enumerate(self._children)
            if not self._taken[i]
        )


class FeedExtras:
    """Feed-level elements no reader maps, kept as XML for the blog's ``extras``.

    Feed-level elements are streamed like entries, but these are kept for good (and written
    into blog.json), so their total is bounded by ``max_feed_extras``: a small gzip of
    unknown feed-level elements must not become gigabytes of memory and of blog.json.
    """

    __slots__ = ("_limit", "_source", "items", "size")

    def __init__(self, source: str, limits: Limits) -> None:
        self._source = source
        self._limit = limits.max_feed_extras
        self.items: list[str] = []
        self.size = 0

    def keep(self, element: etree._Element) -> None:
        text = serialise(element)
        self.size += len(text.encode("utf-8", "surrogatepass"))
        if self.size > self._limit:
            raise LimitExceeded(
                self._source, f"feed-level elements no reader maps (at <{element.tag}>)",
                "max_feed_extras", self._limit, line=line_of(element),
            )
        self.items.append(text)


class Skips:
    """Entries that cannot become records: the first ``limits.skipped_details`` become Skipped
    records (in the archive's ``skipped``), the rest are counted by reason in one note, so
    millions of unreadable entries do not each cost a record kept to the end."""

    __slots__ = ("_keep", "_source", "count", "first_unlisted", "unlisted")

    _REASONS = 20  # distinct reasons counted by name; more are "other reasons"

    def __init__(self, source: str, limits: Limits) -> None:
        self._source = source
        self._keep = limits.skipped_details
        self.count = 0
        self.first_unlisted: int | None = None
        self.unlisted: Counter[str] = Counter()

    def skip(self, entry: int, line: int | None, reason: str) -> Skipped | None:
        """The Skipped record to give, or None once the details limit is reached."""
        self.count += 1
        if self.count <= self._keep:
            return Skipped(source=self._source, entry=entry, line=line, reason=reason)
        if self.first_unlisted is None:
            self.first_unlisted = entry
        kind = reason.split(" (", 1)[0]  # "entry of unknown kind 'x' (id ...)": without the id
        if kind in self.unlisted or len(self.unlisted) < self._REASONS:
            self.unlisted[kind] += 1
        else:
            self.unlisted["other reasons"] += 1
        return None

    def note(self) -> str | None:
        """What was counted and not listed, or None when every skip was listed."""
        total = sum(self.unlisted.values())
        if not total:
            return None
        reasons = "; ".join(f"{reason}: {n:,}" for reason, n in self.unlisted.most_common())
        return (
            f"{self._source}: {self.count:,} entries skipped in all; the first "
            f"{self._keep:,} are listed in skipped, the other {total:,} (from entry "
            f"{self.first_unlisted}) are only counted ({reasons})"
        )


class BadTimes:
    """Entries with an unreadable timestamp (kept as written in the record's extras): one note
    each for the first ``limits.skipped_details``, then only counted, in ``notes``."""

    __slots__ = ("_keep", "_notes", "_source", "count")

    def __init__(self, source: str, limits: Limits, notes: list[str]) -> None:
        self._source = source
        self._keep = limits.skipped_details
        self._notes = notes
        self.count = 0

    def entry(self, index: int, f: Fields) -> None:
        if not f.bad_times:
            return
        self.count += 1
        if self.count <= self._keep:
            self._notes.append(
                f"{self._source}: entry {index}: unreadable timestamp "
                f"{', '.join(f.bad_times)}; kept as written in the record's extras"
            )

    def finish(self) -> None:
        unlisted = self.count - self._keep
        if unlisted > 0:  # one note each would cost as much as the records
            self._notes.append(
                f"{self._source}: {self.count:,} entries have an unreadable timestamp; "
                f"the first {self._keep:,} are noted, the other {unlisted:,} only counted "
                "(each is kept as written in its record's extras)"
            )


def author_of(element: etree._Element | None) -> Author | None:
    if element is None:
        return None
    f = Fields(element)
    name = f.text(A + "name") or ""
    uri = f.stripped(A + "uri")
    email = f.stripped(A + "email")
    image_el = f.take(GD + "image")
    image = image_el.get("src") if image_el is not None else None
    kind = f.stripped(B18 + "type")
    return Author(name=name, uri=uri, email=email, image=image, kind=kind, extras=f.rest())


def links_of(elements: list[etree._Element]) -> tuple[Link, ...]:
    return tuple(
        Link(rel=e.get("rel"), href=e.get("href"), type=e.get("type"), title=e.get("title"))
        for e in elements
    )


def alternate_url(links: tuple[Link, ...]) -> str | None:
    for link in links:
        if link.rel == "alternate" and (link.type in (None, "text/html")):
            return link.href
    return None


def properties_of(elements: list[etree._Element]) -> tuple[Property, ...]:
    return tuple(Property(name=e.get("name", ""), value=e.get("value")) for e in elements)


def thumbnail_of(f: Fields) -> Thumbnail | None:
    """`media:thumbnail`; one without a URL stays in extras as written."""
    element = f.take(MEDIA + "thumbnail")
    if element is None:
        return None
    if not element.get("url"):
        f.untake(element)
        return None
    return Thumbnail(url=element.get("url", ""), width=element.get("width"),
                     height=element.get("height"))


def georss_of(f: Fields) -> Location | None:
    name = f.text(GEORSS + "featurename")
    point_el = f.take(GEORSS + "point")
    box = f.stripped(GEORSS + "box")
    lat = lng = None
    if point_el is not None:
        parts = (point_el.text or "").split()
        if len(parts) == 2:
            lat, lng = parts
        else:
            f.untake(point_el)  # kept in extras as written
    if name is None and lat is None and box is None:
        return None
    return Location(name=name, latitude=lat, longitude=lng, box=box)


def comment_count_of(f: Fields, tag: str) -> int | None:
    element = f.take(tag)
    if element is None:
        return None
    count = count_of(element.text or "")
    if count is None:
        f.untake(element)  # not a count: kept in extras as written
    return count


_COUNT: Final = re.compile(r"\s*([0-9]{1,19})\s*")


def count_of(text: str) -> int | None:
    """A count written in ASCII digits, no more than an int64 holds; else None. (int()
    refuses 4,300 digits and more, and "²", which str.isdigit() admits.)"""
    m = _COUNT.fullmatch(text)
    return int(m.group(1)) if m else None
