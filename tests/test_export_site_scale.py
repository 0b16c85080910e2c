"""The site export's cost per page does not grow with the blog (issue 11): what a page reads
from the spool is its own posts, not the whole listing. Measured in SQLite's virtual machine
steps (a progress handler called at every step), which are the same on every run and every
machine, not in seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import blogarchive
from blogarchive import Archive, Blog, Post
from blogarchive.export import site
from blogarchive.export.spool import Spool

HOST = "https://scale-example.blogspot.com"


def _written(dest: Path, months: int) -> Path:
    """An archive of two posts a month for ``months`` months."""
    start = datetime(2001, 1, 1, 9, 0, tzinfo=timezone.utc)
    posts = []
    for n in range(2 * months):
        when = start + timedelta(days=n * 366 / 24)  # two a month, every month
        path = f"/{when:%Y/%m}/post-{n}.html"
        posts.append(Post(id=str(1000 + n), kind="post", status="live", title=f"Post {n}",
                          content=f"<p>text {n}</p>", url=HOST + path, path=path,
                          published=when, updated=when, labels=("all",)))
    blogarchive.write(Archive(blog=Blog(id="9", title="Scale", url=f"{HOST}/"),
                              posts=tuple(posts)), dest)
    return dest


@contextmanager
def _steps(spool: Spool) -> Iterator[Callable[[], int]]:
    """Counts SQLite's virtual machine steps while the block runs."""
    count = [0]

    def step() -> int:
        count[0] += 1
        return 0  # go on

    spool.db.set_progress_handler(step, 1)
    try:
        yield lambda: count[0]
    finally:
        spool.db.set_progress_handler(None, 1)


def _month_steps(dest: Path) -> tuple[int, int]:
    """Steps to list the months and to read one month's entries; that month's size."""
    with Spool(dest) as spool:
        index = site.prepare(spool)
        with _steps(spool) as listing:
            years = index.months()
        year, months = years[len(years) // 2]
        _, entries = months[0]
        with _steps(spool) as reading:
            read = list(entries)
        assert len(read) == len(entries) == 2 and all(e.year == year for e in read)
        return listing(), reading()


def test_a_months_page_reads_its_own_posts_not_the_whole_listing(tmp_path: Path) -> None:
    # months grow with the posts; a month page that scanned the listing made the pages cost
    # posts x months (the 1 GB benchmark's export was 2.2 times convert's CPU, the 100 MB's
    # 1.4); ten times the blog must cost a month page about the same steps
    small = _month_steps(_written(tmp_path / "small", 12))
    large = _month_steps(_written(tmp_path / "large", 120))
    assert large[1] < small[1] * 1.5, (small, large)
    # listing the months is one pass over the listing: it grows with the posts, not more
    assert large[0] < small[0] * 15, (small, large)


def test_the_excerpt_is_the_first_forty_words_and_says_when_more_follow() -> None:
    # summarise no longer cuts the whole text into words, only the first forty and the rest
    from blogarchive.analysis.records import BodyAnalysis
    from blogarchive.export.sitepaths import SitePaths
    from blogarchive.export.sitetext import summarise

    def excerpt(text: str) -> str:
        when = datetime(2001, 1, 1, tzinfo=timezone.utc)
        post = Post(id="1", kind="post", status="live", title="t", content="", url=None,
                    path=None, published=when, updated=when,
                    analysis=BodyAnalysis(text=text))
        return summarise(Archive(blog=Blog(id="9")), post, SitePaths([post])).excerpt

    forty = " ".join(f"w{n}" for n in range(40))
    assert excerpt(f"  {forty} \n ") == forty
    assert excerpt(f"{forty}  w40") == f"{forty} …"
    assert excerpt("one\ttwo\n\nthree") == "one two three"
    assert excerpt("") == ""


def _held(dest: Path, out: Path) -> tuple[int, int]:
    """The Python heap (tracemalloc) the site export holds once the archive is read, and
    once every page is written (before the spool closes)."""
    import tracemalloc

    held: list[int] = []
    original = site.write

    def write(job: object) -> None:
        held.append(tracemalloc.get_traced_memory()[0])
        original(job)  # type: ignore[arg-type]
        held.append(tracemalloc.get_traced_memory()[0])

    site.write = write  # type: ignore[assignment]
    tracemalloc.start()
    try:
        blogarchive.export(dest, out)
    finally:
        tracemalloc.stop()
        site.write = original  # type: ignore[assignment]
    return held[0], held[1]


def _in_one_year(dest: Path, count: int) -> Path:
    """An archive of ``count`` posts in the twelve months of one year, two labels."""
    start = datetime(2001, 1, 1, 9, 0, tzinfo=timezone.utc)
    posts = []
    for n in range(count):
        when = start + timedelta(minutes=n * 525_000 // count)
        path = f"/{when:%Y/%m}/post-{n}.html"
        posts.append(Post(id=str(1000 + n), kind="post", status="live", title=f"Post {n}",
                          content=f"<p>text {n}</p>", url=HOST + path, path=path,
                          published=when, updated=when, labels=("all", f"odd{n % 2}")))
    blogarchive.write(Archive(blog=Blog(id="9", title="Scale", url=f"{HOST}/"),
                              posts=tuple(posts)), dest)
    return dest


def test_memory_held_does_not_grow_with_the_posts(tmp_path: Path) -> None:
    # what grows with the posts is in the spool's file, not in memory: 300 posts more and
    # the heap held once the archive is read, and once the pages are written, is the same
    # within a few KiB (a Summary or a page kept per post would be 500 bytes or more each:
    # 150 KiB). Both sizes are past the 128-entry caches of the standard library
    # (urlsplit's, the regular expressions') that fill once; the months and labels, what the
    # pages do keep, are the same in both.
    small = _in_one_year(tmp_path / "small", 150)
    large = _in_one_year(tmp_path / "large", 450)
    _held(small, tmp_path / "warm")  # imports, templates, caches: once
    before = _held(small, tmp_path / "small-out")
    after = _held(large, tmp_path / "large-out")
    grown = [a - b for a, b in zip(after, before, strict=True)]
    # 64 KiB: the caches filling to their bounds measured up to 33 KiB (once, beside other
    # export tests); a record kept per post would be 150 KiB
    assert max(grown) < 64 * 1024, (before, after)
