"""Atom sources: the legacy "Back up content" export, public feeds, and converter look-alikes.

All three share Blogger's 2008 Atom vocabulary (FORMATS.md sections 1, 3 and 4): a kind
category when the file has one, `thr:in-reply-to` on comments, `link[@rel=related]` for
threaded replies. Google Takeout's 2018 vocabulary is mapped in ``takeout.py``; this module
owns the feed-level loop for every Atom file and hands Takeout entries over.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from sys import intern
from typing import Final

from lxml import etree

from .._time import parse_time
from .._xml import NS, Opener, iter_records
from ..errors import UnsupportedFormat
from ..limits import DEFAULT_LIMITS, Limits
from ..model import Author, Blog, Comment, Link, Origin, Post, Setting, Skipped
from . import takeout
from ._common import (
    APP,
    GD,
    KIND_SCHEME,
    LABEL_SCHEME,
    THR,
    A,
    BadTimes,
    FeedExtras,
    Fields,
    Shared,
    Skips,
    alternate_url,
    author_of,
    blog_id_of,
    comment_count_of,
    georss_of,
    inner_text,
    item_id_of,
    last_segment,
    line_of,
    links_of,
    properties_of,
    thumbnail_of,
    url_path,
)

Record = Post | Comment | Skipped

_COMMENT_FEED_ID: Final = re.compile(r"\.post-?(\d+)\.\.?comments$|\.comments$")


# The tags entries are read by, spelt once: ``A + "id"`` in a method made the string again
# for every entry.
_ENTRY, _ID, _CATEGORY, _CONTENT, _TITLE, _LINK, _PUBLISHED, _UPDATED, _AUTHOR, _SUMMARY = (
    A + name for name in ("entry", "id", "category", "content", "title", "link", "published",
                          "updated", "author", "summary"))
_CONTROL: Final = APP + "control"
_DRAFT: Final = APP + "draft"
_IN_REPLY_TO: Final = THR + "in-reply-to"
_TOTAL: Final = THR + "total"
_PROPERTY: Final = GD + "extendedProperty"


class EntrySkipped(Exception):
    """An entry that cannot become a record; the reason goes into the archive's `skipped`."""


class AtomReader:
    """Reads one Atom document: yields its posts, comments and skips; learns the blog."""

    def __init__(self, source: str, opener: Opener, limits: Limits = DEFAULT_LIMITS) -> None:
        self.source = source
        self.opener = opener
        self.limits = limits
        self.skips = Skips(source, limits)
        self.notes: list[str] = []
        self.bad_times = BadTimes(source, limits, self.notes)
        self.entries = 0
        self.format = "atom"
        self.takeout = False
        self.kinds_seen: set[str] = set()
        self.shared = Shared()
        self._decided = False
        # feed level
        self.feed_id: str | None = None
        self.title = ""
        self.subtitle: str | None = None
        self.updated: datetime | None = None
        self.links: list[Link] = []
        self.author: Author | None = None
        self.generator: str | None = None
        self.categories: list[str] = []
        self.extras = FeedExtras(source, limits)
        self.settings: list[Setting] = []
        self.template: str | None = None
        self.first_entry_id: str | None = None
        self.prefixed = False
        # Takeout: the host for permalinks, from settings.csv or the caller
        self.blog_url: str | None = None

    # -- the loop --------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Record]:
        elements = iter_records(
            self.opener, self.source, lambda _root: 1, self.notes, self.limits
        )
        root = next(elements)
        self.takeout = NS["blogger"] in root.nsmap.values()
        # ElementTree-style writers (the converter) spell the Atom namespace `ns0:`.
        self.prefixed = root.prefix is not None and root.prefix.startswith("ns")
        for element in elements:
            if element.tag == _ENTRY:
                index = self.entries
                self.entries += 1
                if not self._decided:
                    self._decide(element)
                try:
                    record = self._entry(element, index)
                except EntrySkipped as why:
                    skipped = self.skips.skip(index, line_of(element), str(why))
                    if skipped is not None:
                        yield skipped
                    continue
                if record is not None:
                    yield record
            else:
                self._feed_child(element)
        self.finish()

    def finish(self) -> None:
        """After the last entry (or the last readable one of a damaged file): name the
        variant if no entry did, and say what was skipped without being listed."""
        note = self.skips.note()
        if note:
            self.notes.append(note)
        self.bad_times.finish()
        if not self._decided:
            self._decide(None)
        if self.takeout and self.kinds_seen == {"comment"}:
            self.format = "takeout-comments"

    def _feed_child(self, element: etree._Element) -> None:
        tag = element.tag
        if tag == A + "id":
            self.feed_id = (element.text or "").strip()
        elif tag == A + "title":
            self.title = inner_text(element)
        elif tag == A + "subtitle":
            self.subtitle = inner_text(element)
        elif tag == A + "updated" and self.updated is None:
            try:
                self.updated = parse_time(element.text or "")
            except ValueError:
                self.extras.keep(element)  # kept as written, not dropped
                text = (element.text or "").strip()
                if text:  # and said, as for an entry's (an empty one holds nothing to lose)
                    self.notes.append(
                        f"{self.source}: the feed's unreadable timestamp updated: "
                        f"{text[:40]!r}; kept as written in the blog's extras"
                    )
        elif tag == A + "link":
            self.links.extend(links_of([element]))
        elif tag == A + "author" and self.author is None:
            self.author = author_of(element)
        elif tag == A + "generator":
            version = element.get("version")
            text = (element.text or "").strip()
            self.generator = f"{text} {version}" if version else text
        elif tag == A + "category" and element.get("term") is not None and not element.get(
            "scheme"
        ):
            self.categories.append(element.get("term", ""))
        elif isinstance(tag, str):
            self.extras.keep(element)

    def _decide(self, first: etree._Element | None) -> None:
        """Name the variant from the feed id (FORMATS.md section 7, point 1)."""
        self._decided = True
        fid = self.feed_id or ""
        has_kind = first is not None and any(
            c.get("scheme") == KIND_SCHEME for c in first.iter(A + "category")
        )
        if self.takeout:
            self.format = "takeout"
        elif fid.endswith(".archive"):
            self.format = "legacy-export"
        elif blog_id_of(fid) and _COMMENT_FEED_ID.search(fid):
            self.format = "comment-feed"
        elif blog_id_of(fid):
            self.format = "public-feed"
        elif has_kind or (first is not None and self.prefixed and self.generator == "Blogger"):
            self.format = "blogger-import"
            self.notes.append(
                f"{self.source}: a converter-made 'Blogger import' file (ids such as "
                f"'post-17', no blog id), not an export made by Blogger; read as one"
            )
        elif first is None and self.generator and self.generator.startswith("Blogger"):
            self.format = "public-feed"
        else:
            what = f"feed id {fid!r}" if fid else "no feed id"
            raise UnsupportedFormat(
                self.source,
                f"an Atom feed, but not from Blogger ({what}, generator "
                f"{self.generator or 'not named'}); blogarchive reads Blogger exports and feeds",
            )

    # -- entries ---------------------------------------------------------------------------

    def _entry(self, element: etree._Element, index: int) -> Record | None:
        f = Fields(element)
        atom_id = f.stripped(_ID)
        if not atom_id:
            raise EntrySkipped("entry has no <id>")
        if self.takeout:
            record = takeout.entry(self, f, atom_id, index, line_of(element))
        else:
            record = self._kind_entry(f, atom_id, index, line_of(element))
        self.bad_times.entry(index, f)
        if isinstance(record, (Post, Comment)):
            self.kinds_seen.add("comment" if isinstance(record, Comment) else record.kind)
            if self.first_entry_id is None:
                self.first_entry_id = atom_id
        return record

    def _kind_entry(
        self, f: Fields, atom_id: str, index: int, line: int | None
    ) -> Record | None:
        kind = None
        label_elements = []
        terms = []  # the labels' terms, read once
        for category in f.take_all(_CATEGORY):
            scheme, term = category.get("scheme"), category.get("term")
            if scheme == KIND_SCHEME and term:
                kind = intern(term.rsplit("#", 1)[-1])
            elif scheme == LABEL_SCHEME and term is not None:
                label_elements.append(category)
                terms.append(term)
            elif category.attrib:
                f.untake(category)  # another vocabulary: kept as written
        if kind is None:
            # Public feeds carry no kind category (FORMATS.md section 7, point 2).
            if ".page-" in atom_id:
                kind = "page"
            elif self.format == "comment-feed" or f.has(_IN_REPLY_TO):
                kind = "comment"
            else:
                kind = "post"
        if kind in ("post", "page"):
            labels = tuple(map(intern, terms))
            return self._post(f, atom_id, kind, labels, index, line)
        if kind == "comment":
            for category in label_elements:  # never seen on comments: kept, not dropped
                f.untake(category)
            return self._comment(f, atom_id, index, line)
        if kind == "settings":
            name = atom_id.split(".settings.", 1)[-1]
            self.settings.append(
                Setting(name=name, value=f.text(_CONTENT) or "", title=f.text(_TITLE))
            )
            return None
        if kind == "template":
            self.template = f.text(_CONTENT) or ""
            return None
        raise EntrySkipped(f"entry of unknown kind {kind!r} (id {atom_id})")

    def _post(
        self,
        f: Fields,
        atom_id: str,
        kind: str,
        labels: tuple[str, ...],
        index: int,
        line: int | None,
    ) -> Post:
        status = "live"
        control = f.take(_CONTROL)
        if control is not None:
            draft = control.find(_DRAFT)
            if draft is not None and (draft.text or "").strip().lower() == "yes":
                status = "draft"
            if len(control) != (1 if draft is not None else 0):
                f.untake(control)  # something besides app:draft: keep it whole
        title_el = f.take(_TITLE)
        content_el = f.take(_CONTENT)
        links = links_of(f.take_all(_LINK), self.shared)
        url = alternate_url(links)
        return Post(
            id=item_id_of(atom_id),
            kind=kind,
            status=status,
            title=inner_text(title_el) if title_el is not None else "",
            content=inner_text(content_el) if content_el is not None else "",
            url=url,
            path=url_path(url),
            published=f.time(_PUBLISHED),
            updated=f.time(_UPDATED),
            author=author_of(f.take(_AUTHOR), self.shared),
            labels=labels,
            atom_id=atom_id,
            title_type=_type_other_than(title_el, "text"),
            content_type=_type_other_than(content_el, "html"),
            summary=f.text(_SUMMARY),
            location=georss_of(f),
            thumbnail=thumbnail_of(f),
            comment_count=comment_count_of(f, _TOTAL),
            links=links,
            properties=properties_of(f.take_all(_PROPERTY)),
            extras=f.rest(),
            origin=self.origin(index, line),
        )

    def _comment(self, f: Fields, atom_id: str, index: int, line: int | None) -> Comment:
        reply = f.take(_IN_REPLY_TO)
        in_reply_to = None
        post_id = None
        if reply is not None:
            in_reply_to, post_id = self.shared.reply(reply)
        if post_id is None and self.format == "comment-feed" and self.feed_id:
            m = _COMMENT_FEED_ID.search(self.feed_id)
            post_id = m.group(1) if m and m.group(1) else None
        links = links_of(f.take_all(_LINK), self.shared)
        parent_id = None
        for link in links:
            if link.rel == "related":
                parent_id = last_segment(link.href)
        properties = properties_of(f.take_all(_PROPERTY))
        removed = any(
            p.name == "blogger.contentRemoved" and (p.value or "").lower() == "true"
            for p in properties
        )
        title_el = f.take(_TITLE)
        content_el = f.take(_CONTENT)
        return Comment(
            id=item_id_of(atom_id),
            post_id=post_id,
            parent_id=parent_id,
            status="removed" if removed else "live",
            content=inner_text(content_el) if content_el is not None else "",
            published=f.time(_PUBLISHED),
            updated=f.time(_UPDATED),
            author=author_of(f.take(_AUTHOR), self.shared),
            url=alternate_url(links),
            generated_title=inner_text(title_el) if title_el is not None else None,
            in_reply_to=in_reply_to,
            atom_id=atom_id,
            links=links,
            properties=properties,
            extras=f.rest(),
            origin=self.origin(index, line),
        )

    def origin(self, index: int, line: int | None) -> Origin:
        # by position (format, source, entry, line): once per entry, keywords cost a third
        return Origin(self.format, self.source, index, line)

    # -- the blog --------------------------------------------------------------------------

    def blog(self) -> Blog:
        settings = {s.name.upper(): s.value for s in self.settings}
        blog_id = blog_id_of(self.feed_id) or blog_id_of(self.first_entry_id)
        return Blog(
            id=blog_id,
            title=self.title,
            url=alternate_url(tuple(self.links)) or self.blog_url,
            description=settings.get("BLOG_DESCRIPTION") or self.subtitle,
            locale=settings.get("BLOG_LOCALE") or None,
            time_zone=settings.get("BLOG_TIME_ZONE") or None,
            atom_id=self.feed_id,
            updated=self.updated,
            author=self.author,
            generator=self.generator,
            settings=tuple(self.settings),
            template=self.template,
            categories=tuple(self.categories),
            links=tuple(self.links),
            extras=tuple(self.extras.items),
        )


def _type_other_than(element: etree._Element | None, usual: str) -> str | None:
    if element is None:
        return None
    value = element.get("type")
    return value if value not in (None, usual) else None

