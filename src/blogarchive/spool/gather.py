"""Sources and the archives already at a destination, read into a ``Spool`` by blog.

The same loop as ``reading.read_groups`` (``readings``: failures, stray files, the pages of
a WARC that belong to another blog), but each record goes to the spool as it is read
instead of into an ``Assembler``; what a blog keeps besides its records (blogs, sources,
notes, skipped entries, original files) is small and stays in memory. The posts and
comments of an earlier archive are read line by line into the spool too, checked as
``store.load`` checks them (the same errors, before any source is read).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Final

import attrs

from ..assemble import merge_blogs
from ..folder import FILES, archives_in, data_dir
from ..limits import DEFAULT_LIMITS, Limits
from ..model import Archive, Blog, Comment, Post, Skipped, SourceInfo
from ..progress import Progress
from ..reading import ReadReport, check_blog_url, expand_all, keep_reading, readings
from ..sources import RawFile, Source
from ..store import iter_lines, load_head
from .ahead import Ahead
from .records import Spool

__all__ = ["Earlier", "Gathered", "gather", "gather_previous"]


@attrs.define
class Gathered:
    """One blog read into the spool: all but its posts and comments."""

    key: str
    blogs: list[Blog] = attrs.Factory(list)
    sources: list[SourceInfo] = attrs.Factory(list)
    notes: list[str] = attrs.Factory(list)
    skipped: list[Skipped] = attrs.Factory(list)
    raws: dict[str, RawFile] = attrs.Factory(dict)

    def blog(self) -> Blog:
        return merge_blogs(self.blogs) if self.blogs else Blog(id=None)


@attrs.frozen
class Earlier:
    """An archive at the destination: its folder, its blog.json, its number in the spool."""

    folder: Path
    head: Archive
    number: int


def gather_previous(dest: Path, spool: Spool) -> dict[str, Earlier]:
    """Archives already at ``dest`` (itself, or a folder of archives) by blog id, their
    posts and comments spooled (``prev`` = their number)."""
    found: dict[str, Earlier] = {}
    for number, folder in enumerate(archives_in(dest), 1):
        # Only the blog (its id, to find the folder again) is used: the label index, which
        # grows with the blog (8 MB at 1 GB), is rebuilt from the posts, so not read.
        head = load_head(folder, label_posts=False)
        data = data_dir(folder)
        for kind, cls in (("post", Post), ("comment", Comment)):
            for batch in _batches(iter_lines(data / FILES[kind], kind, cls)):
                spool.add_all(batch, prev=number)
        found[head.blog.id or f"~{folder.name}"] = Earlier(folder, head, number)
    return found


# Records are spooled a batch at a time (``Spool.add_all``: each step over the batch keeps
# its code and data in the processor's caches): at most this many, or as many as hold this
# many characters of bodies and extras (what can be large), so that a blog of large posts
# holds no more in memory than one of small ones. 32, not more: a comment's line is ten
# times its body, and 128 of them (220 KB) showed in the heap's peak.
_BATCH: Final = 32
_BATCH_CHARS: Final = 1 << 16


def _batches(records: Iterable[Post | Comment]) -> Iterator[list[Post | Comment]]:
    """``records`` in batches, in order."""
    batch: list[Post | Comment] = []
    held = 0
    for record in records:
        batch.append(record)
        held += len(record.content) + sum(map(len, record.extras))
        if len(batch) >= _BATCH or held >= _BATCH_CHARS:
            yield batch
            batch = []
            held = 0
    if batch:
        yield batch


class _Taken:
    """What ``readings`` collects of one input: its spool number and skipped entries."""

    def __init__(self, spool: Spool, records: Iterable[Post | Comment | Skipped],
                 ahead: Ahead | None) -> None:
        self.input = spool.new_input()
        self.skipped: list[Skipped] = []
        for batch in _batches(self._kept(records)):
            numbers = spool.add_all(batch, input=self.input)
            if ahead is not None:
                for number, record in zip(numbers, batch, strict=True):
                    if isinstance(record, Post):
                        ahead.add(number, record)  # analysed while the rest is read

    def _kept(self, records: Iterable[Post | Comment | Skipped]) -> Iterator[Post | Comment]:
        """The posts and comments of ``records``; the skipped entries go to ``skipped``."""
        for record in records:
            if isinstance(record, Skipped):
                self.skipped.append(record)
            else:
                yield record


def gather(
    sources: Source | Iterable[Source],
    spool: Spool,
    *,
    blog_url: str | None = None,
    report: ReadReport | None = None,
    progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
    recover: bool = False,
    ahead: Ahead | None = None,
) -> tuple[list[Gathered], list[str]]:
    """Every source read into ``spool``: the blogs in key order, and the notes of the run
    (inputs not read) that every blog's archive carries. With ``ahead``, each post is also
    sent to be analysed as it is read."""
    groups: dict[str, Gathered] = {}
    notes: list[str] = []
    blog_url = check_blog_url(blog_url)
    expanded = expand_all(sources, report)
    if ahead is not None:
        ahead.begin(expanded)
    for key, item, read, taken in readings(
        expanded, collect=lambda records: _Taken(spool, records, ahead),
        blog_url=blog_url, report=report, notes=notes, progress=progress, limits=limits,
        recover=recover,
    ):
        group = groups.setdefault(key, Gathered(key))
        spool.place(taken.input, key)
        group.skipped.extend(taken.skipped)
        keep_reading(group, item, read)
        for raw in item.raw:
            group.raws.setdefault(raw.name, raw)
    if ahead is not None:
        ahead.finish()
    return [groups[key] for key in sorted(groups)], notes


