"""The site export's page-writing phase holds the same memory whatever the blog's size
(issue 11, branch exp11f): a label page read its posts through SQLite's sorter (every
entry's summary and HTML, in memory up to the page cache's size again) and joined its whole
list into one string. Measured as what is allocated, not in seconds."""

from __future__ import annotations

import ctypes
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import blogarchive
from blogarchive.export import site, siteindex
from test_export_site_scale import _in_one_year  # every post under the label "all"


def _sqlite() -> ctypes.CDLL | None:
    """The SQLite library the sqlite3 module runs on (its memory counters), if reachable."""
    import _sqlite3

    try:  # the extension module's handle finds the library it is linked with
        lib = ctypes.CDLL(_sqlite3.__file__)
        lib.sqlite3_memory_highwater.restype = ctypes.c_int64
        lib.sqlite3_memory_used.restype = ctypes.c_int64
    except (OSError, AttributeError):
        return None
    return lib


@contextmanager
def _label_pages(found: dict[str, int]) -> Iterator[None]:
    """Measures from the first label page to the month pages (which follow them): the
    Python heap's peak (tracemalloc) and SQLite's high water above what it held before."""
    lib = _sqlite()
    labelled, months = siteindex.SiteIndex.labelled, siteindex.SiteIndex.months

    def first(self: siteindex.SiteIndex, label: str) -> siteindex.Entries:
        if not tracemalloc.is_tracing():
            tracemalloc.start()
            if lib is not None:
                found["sqlite_before"] = lib.sqlite3_memory_used()
                lib.sqlite3_memory_highwater(1)
        return labelled(self, label)

    def done(self: siteindex.SiteIndex) -> list[tuple[int, list[tuple[int, siteindex.Entries]]]]:
        found["python"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        if lib is not None:
            found["sqlite"] = lib.sqlite3_memory_highwater(0) - found["sqlite_before"]
        return months(self)

    siteindex.SiteIndex.labelled = first  # type: ignore[method-assign]
    siteindex.SiteIndex.months = done  # type: ignore[method-assign]
    try:
        yield
    finally:
        siteindex.SiteIndex.labelled = labelled  # type: ignore[method-assign]
        siteindex.SiteIndex.months = months  # type: ignore[method-assign]
        if tracemalloc.is_tracing():
            tracemalloc.stop()


def _measured(dest: Path, out: Path) -> dict[str, int]:
    found: dict[str, int] = {}
    with _label_pages(found):
        blogarchive.export(dest, out)
    return found


def test_a_label_page_holds_the_same_for_more_posts(tmp_path: Path) -> None:
    # one label over every post: 1,200 entries against 400. Before, the page's entries
    # went through SQLite's sorter (about 0.6 MB more here) and its list was one string
    # (about 1 MB more); read in the listing's order from an index and written a bounded
    # number of pieces at a time, both stay put
    small = _in_one_year(tmp_path / "small", 400)
    large = _in_one_year(tmp_path / "large", 1_200)
    _measured(small, tmp_path / "warm")  # imports, templates, caches: once
    before = _measured(small, tmp_path / "small-out")
    after = _measured(large, tmp_path / "large-out")
    assert after["python"] - before["python"] < 128 * 1024, (before, after)
    if "sqlite" not in after:
        pytest.skip("SQLite's memory counters not reachable through ctypes here")
    assert after["sqlite"] - before["sqlite"] < 128 * 1024, (before, after)


def test_no_read_of_the_pages_sorts_what_grows_with_the_posts(tmp_path: Path) -> None:
    # what SQLite sorts it holds in memory (up to the page cache's size again): every read
    # of the page-writing phase takes its order from an index, but the months' list (a row
    # a month); the comments' statuses are counted as they are read, not grouped by a sort
    dest = _in_one_year(tmp_path / "blog", 30)
    statements: list[str] = []
    write = site.write

    def traced(job: site.ExportJob) -> None:
        job.spool.db.set_trace_callback(statements.append)
        try:
            write(job)
        finally:
            job.spool.db.set_trace_callback(None)
            sorting = set()
            for sql in dict.fromkeys(statements):
                if sql.lstrip().upper().startswith("SELECT"):
                    plan = [row[3] for row in job.spool.db.execute(f"EXPLAIN QUERY PLAN {sql}")]
                    if any("TEMP B-TREE" in step for step in plan):
                        sorting.add(sql.split(" FROM ")[0])
            assert sorting <= {"SELECT year, month, COUNT(*)"}, \
                sorting

    site.write = traced  # type: ignore[assignment]
    try:
        blogarchive.export(dest, tmp_path / "out")
    finally:
        site.write = write  # type: ignore[assignment]
