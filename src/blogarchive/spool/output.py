"""One blog's data files written from the spool, one record in memory at a time.

Posts are read back in the archive's order, analysed as they go by (in ``workers`` with
``jobs``; the URL map comes from the index first), redacted when asked, and written; the
counts, label index, authors and date range of blog.json accumulate meanwhile. Comments
follow, each given its post's kind and orphan mark as the assembler gives them. blog.json
is written last, with the assembler's notes (``assemble.resolution_notes``), so the three
files are byte for byte what ``store.write_data`` writes of the Archive ``read`` builds.

Lines go from the spool to the files as bytes. What the counts and the summary need of a
post is in its index row (``resolve.PostFacts``), so without the analysis a post's line,
like a comment's, is copied as it stands, never decoded; a value the rules set (retained,
a comment's post kind, orphan) is put in place in the text. Only a post given its analysis
is decoded (for its body) and, when the analysis is not simply put in place, changed as
data and encoded again (``store.encode_line``: the same bytes as the changed record's
``dumps_line``). Only redaction rebuilds the record (``store.parse_line``).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import operator
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol, cast

import attrs

from .._time import parse_time
from .._words import counted
from ..analysis import UrlMap
from ..analysis.records import BodyAnalysis
from ..assemble import KNOWN_COMMENT_STATUS, KNOWN_POST_STATUS, resolution_notes
from ..describe import Summary
from ..durable import sync
from ..folder import FILES
from ..model import Archive, Blog, Comment, Post
from ..pagecheck import PageChecks
from ..progress import Progress
from ..stats import AnalysisTotals, Counts
from ..store import (
    analysis_of,
    author_list,
    blog_document,
    dumps_line,
    parse_line,
    write_blog,
)
from .ahead import Ahead
from .analysed import Post_, analysed, encoded
from .behind import behind
from .gather import Gathered
from .records import COMMENT, POST
from .resolve import PostFacts, Resolved, Row

__all__ = ["Opener", "Redacting", "Sink", "Written", "write_group"]


class Redacting(Protocol):
    """What ``preserve.redact.Redactor`` does, record by record."""

    found: set[str]

    def blog(self, blog: Blog) -> Blog: ...
    def record(self, record: Post | Comment) -> Post | Comment: ...
    def note(self) -> str | None: ...


class Sink(Protocol):
    """Where a data file's bytes go, line by line."""

    def write(self, data: bytes, /) -> object: ...


Opener = Callable[[Path], AbstractContextManager[Sink]]
"""Opens a data file for writing: ``preserve`` gives one that digests the bytes as they go
out (``fixity.digesting``), so the manifests need not read the files again."""


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

    def __init__(self, resolved: Resolved) -> None:
        self.counts = Counts()
        self.resolved = resolved
        self.authors: dict[tuple[str, str | None], int] = {}
        self.odd = Counter[str]()
        self.posts = self.untitled = self.retained = 0
        self.orphans = self.early = 0
        self._comments = [0, 0, 0, 0, 0]  # total, replies, orphans, removed, on pages
        # The first earliest and the first latest post (describe.date_range): their
        # instant and where their line is, read again for its text once all are counted.
        self.first: tuple[float, int, int] | None = None
        self.last: tuple[float, int, int] | None = None
        self.pages = PageChecks()  # what the summary says of each saved page read

    def post(self, row: Row, text: bytes,
             found: BodyAnalysis | AnalysisTotals | None) -> None:
        """A post: its index row, its line as written, its analysis (or the analysis's
        totals, when a worker encoded it). What is counted comes from the row
        (``PostFacts``), so the line is decoded only for a saved page's post."""
        facts = cast(PostFacts, row.post)
        self.posts += 1
        if facts.page:  # a saved page's post: checked, from its line's data
            self.pages.add_line(json.loads(text))
        status = facts.status
        self.counts.post(facts.kind, status)
        self.counts.analysis(found)
        if facts.author is not None:  # as store._authors
            key = (facts.author, facts.author_uri)
            self.authors[key] = self.authors.get(key, 0) + 1
        if status not in KNOWN_POST_STATUS:
            self.odd[status] += 1
        self.untitled += facts.untitled
        self.retained += row.retained
        stamp = row.stamp
        if stamp is not None:
            if self.first is None or stamp < self.first[0]:
                self.first = (stamp, row.off, row.length)
            if self.last is None or stamp > self.last[0]:
                self.last = (stamp, row.off, row.length)

    def comment(self, row: Row) -> None:
        """A comment, from its index row: what it says, and what the rules decided."""
        _, _, _, parent_id, status = row.was
        kind = row.post_kind
        # Counted here and given to ``counts`` at the end (``close``): Counter.update for
        # each comment cost more than the rest of writing it.
        found = self._comments
        found[0] += 1
        found[1] += bool(parent_id)
        found[2] += kind is None
        found[3] += status == "removed"
        found[4] += kind == "page"
        if status not in KNOWN_COMMENT_STATUS:
            self.odd[status] += 1
        self.retained += row.retained

    def close(self) -> None:
        """Give ``counts`` the comments counted (as ``Counts.comment`` counts them)."""
        total, replies, orphans, removed, on_pages = self._comments
        self.counts.comments.update(total=total, replies=replies, orphans=orphans,
                                    removed=removed, on_pages=on_pages)

    def labels(self) -> Iterator[tuple[str, Iterator[str]]]:
        """The label index, streamed (``store.write_blog``) from the spool's index once the
        posts are written: each label's posts in the archive's order, labels by name. Each
        label's ids are to be read before the next label is asked for."""
        for name, pairs in itertools.groupby(self.resolved.labels(),
                                             key=operator.itemgetter(0)):
            yield name, (ident for _, ident in pairs)

    def label_counts(self) -> tuple[int, tuple[tuple[str, int], ...]]:
        """How many labels, and the most used (``describe.top_labels``)."""
        return self.resolved.label_counts()

    def published(self) -> str:
        if self.first is None or self.last is None:
            return "none"
        first, last = (
            parse_time(json.loads(self.resolved.spool.raw(off, length))["published"])
            .date().isoformat()
            for _, off, length in (self.first, self.last))
        return f"{first} .. {last}"

    def author_list(self) -> list[dict[str, Any]]:
        return author_list(self.authors)


def write_group(group: Gathered, resolved: Resolved, folder: Path, *, run_notes: list[str],
                analyse: bool, jobs: int = 1, redactor: Redacting | None = None,
                progress: Progress | None = None, opener: Opener | None = None,
                ahead: Ahead | None = None) -> Written:
    """Write ``group``'s posts.jsonl, comments.jsonl and blog.json into ``folder``; the two
    JSON Lines files through ``opener`` (by default plain files, fsynced). ``ahead``: what
    was analysed while the sources were read."""
    lines = opener or _file
    if ahead is not None:  # --jobs: the second core writes and digests the lines
        lines = behind(lines)
    tally = _Tally(resolved)
    blog = group.blog()
    home = blog.url
    if redactor is not None:
        blog = redactor.blog(blog)
    with lines(folder / FILES["post"]) as out:
        for text, row, analysis in _posts(resolved, home, analyse, jobs, progress, ahead):
            out.write(_redacted(text, POST, redactor) + b"\n")
            tally.post(row, text, analysis)
    with lines(folder / FILES["comment"]) as out:
        for row in resolved.comments():
            text = _comment(resolved, row, tally)
            out.write(_redacted(text, COMMENT, redactor) + b"\n")
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
    tally.close()
    tally.counts.skipped = len(skipped)
    found = tally.counts.as_dict()
    write_blog(folder, blog_document(head, tally.author_list(), found), tally.labels())
    summary = Summary(blog=blog, sources=head.sources, counts=found,
                      published=tally.published(), top_labels=top,
                      untitled=tally.untitled, notes=final, skipped=skipped,
                      posts=tally.posts, pages=tally.pages.reports())
    return Written(head=head, counts=found, retained=tally.retained, summary=summary,
                   redacted=len(redactor.found) if redactor is not None else None)


def _posts(resolved: Resolved, home: str | None, analyse: bool, jobs: int,
           progress: Progress | None, ahead: Ahead | None = None) -> Iterator[Post_]:
    """The posts in the archive's order, as the assembler and the analysis leave them."""
    spool = resolved.spool

    def loaded() -> Iterator[tuple[Row, bytes]]:
        """Each post's line as the rules leave it, not decoded (what the counts need is
        in its row)."""
        for row in resolved.posts():
            text = spool.raw(row.off, row.length)
            if row.retained and not row.was[0]:  # kept from the previous archive
                text = _changed(text, [("retained", False, True)])
            yield row, text

    if not analyse:
        for row, text in loaded():
            held = cast(PostFacts, row.post).analysed  # from an archive converted before
            yield text, row, analysis_of(json.loads(text)["analysis"]) if held else None
        return
    # The map guessed before reading when it is this one (``--jobs``: its analyses made
    # already), else as annotate.url_map, but on disk: the same memory for any number of
    # posts.
    guessed = ahead.resolved_map(resolved, home) if ahead is not None else None
    urls = guessed or UrlMap.build(resolved.url_pairs(home), home,
                                   store=spool.folder / "urls.sqlite")
    try:
        yield from analysed(resolved, loaded(), urls, home, jobs, progress, ahead)
    finally:
        if guessed is None:  # the guess is closed with ``ahead``
            urls.close()


def _comment(resolved: Resolved, row: Row, tally: _Tally) -> bytes:
    """A comment's line as the assembler leaves it: retained, its post's kind, orphan."""
    text = resolved.spool.raw(row.off, row.length)
    was_retained, was_kind, was_orphan, _, _ = row.was
    kind = row.post_kind
    if kind is None:
        tally.orphans += 1
    elif row.early:
        tally.early += 1
    return _changed(text, [(name, was, now) for name, was, now in (
        ("retained", was_retained, row.retained), ("post_kind", was_kind, kind),
        ("orphan", was_orphan, kind is None)) if was != now])


def _changed(text: bytes, changes: list[tuple[str, Any, Any]]) -> bytes:
    """The line with each top-level key ``name`` set from ``was`` to ``now``.

    Keys no nested object of the record has, and that no string holds unescaped (its quotes
    would be escaped): found once, the value is replaced in place; else the slow way (the
    line decoded, the values set, encoded again)."""
    for name, was, now in changes:
        before, after = _member(name, was), _member(name, now)
        if text.count(before) != 1:
            data = json.loads(text)
            data.update((name, now) for name, _, now in changes)
            return encoded(data)
        text = text.replace(before, after)
    return text


@functools.lru_cache(maxsize=256, typed=True)  # typed: True and 1 are other values
def _member(name: str, value: Any) -> bytes:
    """``"name":value`` as a line holds it (the values set are few: truth values, kinds)."""
    return f'"{name}":'.encode() + encoded(value)


def _redacted(text: bytes, table: str, redactor: Redacting | None) -> bytes:
    """The line with its record's addresses removed (when asked)."""
    if redactor is None:
        return text
    record = parse_line(text.decode("utf-8"), table)
    redacted = redactor.record(record)
    return text if redacted is record else dumps_line(redacted).encode("utf-8")


@contextlib.contextmanager
def _file(path: Path) -> Iterator[Sink]:
    """A data file written, flushed and fsynced (as ``store`` writes its files)."""
    with path.open("wb") as out:
        yield out
        sync(out)
