"""Pieces every XML reader shares: ids, URLs, authors, links and the other small values, the
bounds on skipped entries and feed-level extras. Taking an entry's children field by field,
keeping the rest as XML, is ``_fields.Fields`` (imported from here by the readers).
"""

from __future__ import annotations

import re
from collections import Counter
from sys import intern
from typing import Final

from lxml import etree

from .._xml import NS, serialise
from .._xml import line_of as line_of  # the readers' shared helpers, one place to import from
from ..limits import LimitExceeded, Limits
from ..model import Author, InReplyTo, Link, Location, Property, Skipped, Thumbnail
from ._fields import Fields as Fields  # the readers' shared helpers, one place to import from
from ._fields import inner_text as inner_text

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
    # Blogger's own ids without a regular expression search (which tries every position);
    # isdecimal() is what \d matches. Anything else goes to the expression.
    head, _, tail = atom_id.rpartition("-")
    if tail.isdecimal() and head.endswith((".post", ".page")):
        return tail
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


class Shared:
    """One record for each author and reply target many records of a document repeat.

    An export names the same few authors, and each post's comments the same post, thousands
    of times; a copy of each in every record was a tenth of what ``read`` kept
    (docs/performance.md). Records are immutable, so sharing is invisible to them. A table
    is emptied when it holds ``_SHARED_MOST`` values, so all-different values (and
    ``iter_records``, which keeps no record) cost bounded memory.
    """

    __slots__ = ("authors", "elements", "replies")

    def __init__(self) -> None:
        self.authors: dict[_AuthorKey, Author] = {}
        self.replies: dict[tuple[str | None, ...], tuple[InReplyTo, str | None]] = {}
        # Each author element's XML (namespaces in scope included) -> what it was read as:
        # serialising an author (in C) costs a third of reading its children one by one,
        # and a blog's entries repeat a handful of authors (one to four in each corpus
        # export). Equal XML reads as equal values, so any author may be looked up here.
        self.elements: dict[bytes, Author] = {}

    def reply(self, element: etree._Element) -> tuple[InReplyTo, str | None]:
        """`thr:in-reply-to` as a record, and the id of the post it names (or None)."""
        key = (element.get("ref"), element.get("href"), element.get("source"),
               element.get("type"))
        found = self.replies.get(key)
        if found is None:
            if len(self.replies) >= _SHARED_MOST:
                self.replies.clear()
            ref, href, source, type_ = key
            found = (InReplyTo(ref=ref, href=href, source=source, type=type_),
                     item_id_of(ref.strip()) if ref else None)
            self.replies[key] = found
        return found

    def author(self, key: _AuthorKey) -> Author:
        found = self.authors.get(key)
        if found is None:
            if len(self.authors) >= _SHARED_MOST:
                self.authors.clear()
            name, uri, email, image, kind, rel, width, height = key
            found = Author(name=name, uri=uri, email=email, image=image, kind=kind,
                           image_rel=rel, image_width=width, image_height=height)
            self.authors[key] = found
        return found


_SHARED_MOST: Final = 4096
# Authors looked up by their XML: at most this many, of at most this many bytes each, so a
# stream of large all-different authors costs at most 2 MiB (and reads as before).
_ELEMENTS_MOST: Final = 1024
_ELEMENT_BYTES: Final = 2048
_AuthorKey = tuple[str, str | None, str | None, str | None, str | None, str | None,
                   str | None, str | None]

# The attributes of gd:image an Author has fields for; anything else keeps it in extras.
_IMAGE_ATTRIBUTES: Final = frozenset({"src", "rel", "width", "height"})

# The children an author may have, each mapped to its place in an _AuthorKey.
_AUTHOR_PARTS: Final = {A + "name": 0, A + "uri": 1, A + "email": 2, GD + "image": 3,
                        B18 + "type": 4}


def author_of(element: etree._Element | None, shared: Shared | None = None) -> Author | None:
    if element is None:
        return None
    if shared is None:
        return _author_of(element, None)
    xml = etree.tostring(element, with_tail=False)
    found = shared.elements.get(xml)
    if found is None:
        found = _author_of(element, shared)
        if len(xml) <= _ELEMENT_BYTES:
            if len(shared.elements) >= _ELEMENTS_MOST:
                shared.elements.clear()
            shared.elements[xml] = found
    return found


def _author_of(element: etree._Element, shared: Shared | None) -> Author:
    if shared is not None:
        key = _author_key(element)
        if key is not None:
            return shared.author(key)
    f = Fields(element)
    name = f.text(A + "name") or ""
    uri = f.stripped(A + "uri")
    email = f.stripped(A + "email")
    image_el = f.take(GD + "image")
    kind = f.stripped(B18 + "type")
    image = rel = width = height = None
    extras = f.rest()
    if image_el is not None:
        image, rel, width, height = (image_el.get(name) for name in ("src", "rel", "width",
                                                                      "height"))
        if not _plain_image(image_el):  # what no field holds is kept, with the element
            extras = (*extras, serialise(image_el))
    return Author(name=name, uri=uri, email=email, image=image, image_rel=rel,
                  image_width=width, image_height=height, kind=kind, extras=extras)


def _plain_image(element: etree._Element) -> bool:
    """A gd:image whose every attribute has a field, with no children or text."""
    return (not len(element) and not (element.text or "").strip()
            and _IMAGE_ATTRIBUTES.issuperset(element.attrib.keys()))


def _author_key(element: etree._Element) -> _AuthorKey | None:
    """What ``author_of`` reads from an author whose children are all known, each once and
    with no children of its own (so nothing is left for extras); else None."""
    parts: list[str | None] = [None, None, None, None, None, None, None, None]
    for child in element:
        place = _AUTHOR_PARTS.get(child.tag)
        if place is None or parts[place] is not None or len(child):
            return None
        if place == 3:
            parts[3] = child.get("src")
            # A second gd:image would not be seen as one, and what has no field goes to
            # extras: the slow path for both.
            if parts[3] is None or not _plain_image(child):
                return None
            parts[5:] = child.get("rel"), child.get("width"), child.get("height")
        elif place == 0:
            parts[0] = child.text or ""
        else:
            parts[place] = (child.text or "").strip()
    name, uri, email, image, kind, rel, width, height = parts
    return (name or "", uri, email, image, kind, rel, width, height)


def links_of(elements: list[etree._Element], shared: Shared | None = None
             ) -> tuple[Link, ...]:
    if shared is None:
        return tuple(
            Link(rel=e.get("rel"), href=e.get("href"), type=e.get("type"), title=e.get("title"))
            for e in elements
        )
    # Link's fields by position (rel, href, type, title): matching four keywords was a third
    # of making a link, two or three of them an entry.
    return tuple(
        Link(None if (rel := e.get("rel")) is None else intern(rel), e.get("href"),
             None if (kind := e.get("type")) is None else intern(kind),
             None if (title := e.get("title")) is None else intern(title))
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
