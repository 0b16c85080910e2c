"""One blog's data files written from the spool, one record in memory at a time.

Posts are read back in the archive's order, analysed as they go by (in ``workers`` with
``jobs``; the URL map comes from the index first), redacted when asked, and written; the
counts, label index, authors and date range of blog.json accumulate meanwhile. Comments
follow, each given its post's kind and orphan mark as the assembler gives them. blog.json
is written last, with the assembler's notes (``assemble.resolution_notes``), so the three
files are byte for byte what ``store.write_data`` writes of the Archive ``read`` builds.

A line is changed as data: decoded, the values the rules set put in, encoded again
(``store.encode_line``): the same bytes as the changed record's ``dumps_line``, at a
fraction of the cost; a comment the rules leave alone is copied as it stands. Only
redaction rebuilds the record (``store.parse_line``).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections import Counter, deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol, TextIO, cast

import attrs

from .._time import parse_time
from .._words import counted
from ..analysis import UrlMap
from ..analysis.records import BodyAnalysis
from ..assemble import KNOWN_COMMENT_STATUS, KNOWN_POST_STATUS, resolution_notes
from ..describe import Summary, top_labels
from ..folder import FILES
from ..model import Archive, Blog, Comment, Post
from ..pagecheck import PageChecks
from ..progress import Progress, counter
from ..stats import Counts
from ..store import (
    analysis_of,
    analysis_value,
    blog_document,
    dumps_line,
    encode_line,
    parse_line,
    write_blog,
)
from ..workers import Body, analyse_bodies
from .gather import Gathered
from .records import COMMENT, POST, Spool
from .resolve import Resolved, Row

__all__ = ["Redacting", "Written", "write_group"]


class Redacting(Protocol):
    """What ``preserve.redact.Redactor`` does, record by record."""

    found: set[str]

    def blog(self, blog: Blog) -> Blog: ...
    def record(self, record: Post | Comment) -> Post | Comment: ...
    def note(self) -> str | None: ...


@attrs.frozen
class Written:
    """What was written of one blog: blog.json's document less the records."""

    head: Archive
    """The blog, sources, skipped entries and notes; no posts, comments or labels (the
    label index went from the spool to blog.json)."""
    counts: dict[str, Any]
    retained: int
    """Posts and comments marked retained."""
    summary: Summary
    redacted: int | None = None
    """Distinct e-mail addresses removed (with a redactor)."""


class _Tally:
    """What blog.json and the summary count, fed post by post and comment by comment."""

    def __init__(self, spool: Spool) -> None:
        self.counts = Counts()
        # The label index goes to the spool's database as the posts go by, and is read
        # back once they are written: the URL map is gone by then, so the two (both a few
        # hundred bytes a post) are never in memory together.
        self.spool = spool
        spool.db.execute("DROP TABLE IF EXISTS temp.labelled")
        spool.db.execute("CREATE TEMP TABLE labelled(name TEXT, n INTEGER, id TEXT)")
        self._labelled: list[tuple[str, int, str]] = []
        self.authors: dict[tuple[str, str | None], int] = {}
        self.odd = Counter[str]()
        self.posts = self.untitled = self.retained = 0
        self.orphans = self.early = 0
        self.first: tuple[float, str] | None = None
        self.last: tuple[float, str] | None = None
        self.pages = PageChecks()  # what the summary says of each saved page read

    def post(self, text: str, data: dict[str, Any], found: BodyAnalysis | None,
             stamp: float | None) -> None:
        """A post's line, the line as data, its analysis, its publication instant."""
        self.posts += 1
        origin = data["origin"]
        if origin is not None and origin["format"] == "html":  # a saved page's post: checked
            self.pages.add(cast(Post, parse_line(text, POST)))
        status = data["status"]
        self.counts.post(data["kind"], status)
        self.counts.analysis(found)
        for name in dict.fromkeys(data["labels"]):  # as assemble.label_index
            self._labelled.append((name, self.posts, data["id"]))
        if len(self._labelled) >= 256:
            self._flush()
        author = data["author"]
        if author is not None:  # as store._authors
            key = (author["name"], author["uri"])
            self.authors[key] = self.authors.get(key, 0) + 1
        if status not in KNOWN_POST_STATUS:
            self.odd[status] += 1
        self.untitled += not data["title"].strip()
        self.retained += data["retained"]
        if stamp is not None:  # describe.date_range: the first earliest, the first latest
            if self.first is None or stamp < self.first[0]:
                self.first = (stamp, data["published"])
            if self.last is None or stamp > self.last[0]:
                self.last = (stamp, data["published"])

    def comment(self, row: Row) -> None:
        """A comment, from its index row: what it says, and what the rules decided."""
        _, _, _, parent_id, status = row.was
        self.counts.comment(reply=bool(parent_id), orphan=row.post_kind is None,
                            removed=status == "removed", on_page=row.post_kind == "page")
        if status not in KNOWN_COMMENT_STATUS:
            self.odd[status] += 1
        self.retained += row.retained

    def _flush(self) -> None:
        self.spool.db.executemany("INSERT INTO labelled VALUES (?,?,?)", self._labelled)
        self._labelled.clear()

    def labels(self) -> Iterator[tuple[str, Iterator[str]]]:
        """The label index, streamed (``store.write_blog``): each label's posts in the
        archive's order, labels by name (SQLite compares UTF-8 bytes: code point order, as
        ``sorted``). Each label's ids are to be read before the next label is asked for."""
        db = self._indexed()
        for (name,) in db.cursor().execute("SELECT DISTINCT name FROM labelled ORDER BY name"):
            yield name, (ident for (ident,) in db.cursor().execute(
                "SELECT id FROM labelled WHERE name = ? ORDER BY n", (name,)))

    def label_counts(self) -> tuple[int, tuple[tuple[str, int], ...]]:
        """How many labels, and the most used (``describe.top_labels``)."""
        db = self._indexed()
        number: int = db.execute("SELECT count(DISTINCT name) FROM labelled").fetchone()[0]
        top = db.execute("SELECT name, count(*) AS n FROM labelled GROUP BY name "
                         "ORDER BY n DESC, name LIMIT 10")
        return number, top_labels(top)

    def _indexed(self) -> sqlite3.Connection:
        self._flush()
        db = self.spool.db
        db.execute("CREATE INDEX IF NOT EXISTS temp.labelled_name ON labelled(name, n)")
        return db

    def published(self) -> str:
        if self.first is None or self.last is None:
            return "none"
        first, last = (parse_time(text).date().isoformat()
                       for text in (self.first[1], self.last[1]))
        return f"{first} .. {last}"

    def author_list(self) -> list[dict[str, Any]]:
        return [{"name": name, "uri": uri, "posts": n} for (name, uri), n in
                sorted(self.authors.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))]


def write_group(group: Gathered, resolved: Resolved, folder: Path, *, run_notes: list[str],
                analyse: bool, jobs: int = 1, redactor: Redacting | None = None,
                progress: Progress | None = None) -> Written:
    """Write ``group``'s posts.jsonl, comments.jsonl and blog.json into ``folder``."""
    tally = _Tally(resolved.spool)
    blog = group.blog()
    home = blog.url
    if redactor is not None:
        blog = redactor.blog(blog)
    with _lines(folder / FILES["post"]) as out:
        for text, data, analysis, stamp in _posts(resolved, home, analyse, jobs, progress):
            out.write(_redacted(text, POST, redactor) + "\n")
            tally.post(text, data, analysis, stamp)
    with _lines(folder / FILES["comment"]) as out:
        for row in resolved.comments():
            text = _comment(resolved, row, tally)
            out.write(_redacted(text, COMMENT, redactor) + "\n")
            tally.comment(row)
    covered = [s for s in group.skipped if s.url and resolved.has_post_url(s.url)]
    skipped = tuple(s for s in group.skipped if s not in covered)
    notes = list(group.notes)
    if resolved.kept[POST] or resolved.kept[COMMENT]:
        notes.append(  # as Assembler.keep_previous words it
            f"{counted(resolved.kept[POST], 'post or page', 'posts or pages')} and "
            f"{counted(resolved.kept[COMMENT], 'comment')} kept from an earlier "
            "conversion: not in the latest sources (marked retained)")
    notes += resolution_notes(orphans=tally.orphans, early=tally.early,
                              missing_parents=resolved.missing_parents(),
                              duplicates=resolved.duplicates, odd=tally.odd,
                              covered=len(covered))
    notes.extend(run_notes)
    final = tuple(dict.fromkeys(notes))
    note = redactor.note() if redactor is not None else None
    if note is not None:
        final = (*final, note)
    # The label index goes from the spool's table to blog.json, never whole in memory.
    tally.counts.labels, top = tally.label_counts()
    head = Archive(blog=blog, posts=(), comments=(), labels=(),
                   sources=tuple(group.sources), skipped=skipped, notes=final)
    tally.counts.skipped = len(skipped)
    found = tally.counts.as_dict()
    write_blog(folder, blog_document(head, tally.author_list(), found), tally.labels())
    summary = Summary(blog=blog, sources=head.sources, counts=found,
                      published=tally.published(), top_labels=top,
                      untitled=tally.untitled, notes=final, skipped=skipped,
                      posts=tally.posts, pages=tally.pages.reports())
    return Written(head=head, counts=found, retained=tally.retained, summary=summary,
                   redacted=len(redactor.found) if redactor is not None else None)


_ANALYSIS_KEY = '{"analysis":'
_NO_ANALYSIS = _ANALYSIS_KEY + "null,"  # a line whose post has none (keys sorted: first)

Post_ = tuple[str, dict[str, Any], BodyAnalysis | None, float | None]
"""A post as written: its line, the line as data, its analysis, its publication instant."""


def _posts(resolved: Resolved, home: str | None, analyse: bool, jobs: int,
           progress: Progress | None) -> Iterator[Post_]:
    """The posts in the archive's order, as the assembler and the analysis leave them."""
    spool = resolved.spool

    def loaded() -> Iterator[tuple[Row, str, dict[str, Any]]]:
        for row in resolved.posts():
            text = spool.line(row.off, row.length)
            data = json.loads(text)
            if row.retained and not row.was[0]:  # kept from the previous archive
                data["retained"] = True
                text = encode_line(data)
            yield row, text, data

    if not analyse:
        for row, text, data in loaded():
            yield text, data, analysis_of(data["analysis"]), row.stamp
        return
    # as annotate.url_map, but on disk: the same memory for any number of posts
    urls = UrlMap.build(resolved.url_pairs(home), home, store=spool.folder / "urls.sqlite")
    advance = counter(progress, "analysing", resolved.count(POST))
    waiting: deque[tuple[Row, str, dict[str, Any]]] = deque()  # bodies with the analysis

    def bodies() -> Iterator[Body]:
        for row, text, data in loaded():
            waiting.append((row, text, data))
            yield data["content"], data["url"] or home, data["content_type"]

    for result in analyse_bodies(bodies(), urls, jobs):
        row, text, data = waiting.popleft()
        advance(1)
        value = analysis_value(result)
        if value != data["analysis"]:
            if text.startswith(_NO_ANALYSIS):  # the first key: the value put in place
                text = _ANALYSIS_KEY + encode_line(value) + text[len(_NO_ANALYSIS) - 1:]
            else:
                data["analysis"] = value
                text = encode_line(data)
        yield text, data, result, row.stamp
    urls.close()


def _comment(resolved: Resolved, row: Row, tally: _Tally) -> str:
    """A comment's line as the assembler leaves it: retained, its post's kind, orphan."""
    text = resolved.spool.line(row.off, row.length)
    was_retained, was_kind, was_orphan, _, _ = row.was
    kind = row.post_kind
    if kind is None:
        tally.orphans += 1
    elif row.early:
        tally.early += 1
    changes = [(name, was, now) for name, was, now in (
        ("retained", was_retained, row.retained), ("post_kind", was_kind, kind),
        ("orphan", was_orphan, kind is None)) if was != now]
    for name, was, now in changes:
        # A top-level key no nested object of a comment has, and that no string holds
        # unescaped: found once, its value is replaced in place; else the slow way.
        before = f'"{name}":{encode_line(was)}'
        if text.count(before) != 1:
            data = json.loads(text)
            data.update(retained=row.retained, post_kind=kind, orphan=kind is None)
            return encode_line(data)
        text = text.replace(before, f'"{name}":{encode_line(now)}')
    return text


def _redacted(text: str, table: str, redactor: Redacting | None) -> str:
    """The line with its record's addresses removed (when asked)."""
    if redactor is None:
        return text
    record = parse_line(text, table)
    redacted = redactor.record(record)
    return text if redacted is record else dumps_line(redacted)


@contextlib.contextmanager
def _lines(path: Path) -> Iterator[TextIO]:
    """A JSON Lines file written, flushed and fsynced (as ``store`` writes its files)."""
    with path.open("w", encoding="utf-8", newline="\n") as out:
        yield out
        out.flush()
        os.fsync(out.fileno())
