"""``convert`` with the body analysis on: the Python heap's peak does not grow with the
number of posts (counted with tracemalloc, never timed).

What grew before (about 770 bytes a post): the URL map the analysis looks links up in
(every post's URL key and id, in a dict) and blog.json's label index (built whole, then
dumped whole). Both now stay on disk (``analysis/urlstore.py``, ``store.write_blog``).
"""

from __future__ import annotations

import gc
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

import blogarchive
from blogarchive import workers
from blogarchive.analysis import urls, urlstore
from blogarchive.preserve import fixity
from blogarchive.readers import _common
from blogarchive.spool import ahead, behind, guess, urlscan

BLOG = "https://tiny-posts.blogspot.com"


def _export(path: Path, posts: int) -> Path:
    """A legacy export of ``posts`` small posts, each with two labels (one shared by all,
    one of its own), a permalink, and a body linking to the post before it: many posts for
    few bytes, so what a post costs in memory shows."""
    entries = []
    for n in range(posts):
        link = f"&lt;a href='{BLOG}/2010/01/p{n - 1}.html'&gt;before&lt;/a&gt;" if n else "first"
        entries.append(
            f"<entry><id>tag:blogger.com,1999:blog-42.post-{1000 + n}</id>"
            f"<published>2010-01-01T00:00:{n % 60:02d}.000Z</published>"
            "<category scheme='http://schemas.google.com/g/2005#kind' "
            "term='http://schemas.google.com/blogger/2008/kind#post'/>"
            "<category scheme='http://www.blogger.com/atom/ns#' term='all'/>"
            f"<category scheme='http://www.blogger.com/atom/ns#' term='own {n}'/>"
            f"<link rel='alternate' type='text/html' href='{BLOG}/2010/01/p{n}.html'/>"
            f"<title type='text'>Post {n}</title>"
            f"<content type='html'>&lt;p&gt;See {link}.&lt;/p&gt;</content></entry>")
    path.write_text(
        "<?xml version='1.0' encoding='UTF-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
        f"<id>tag:blogger.com,1999:blog-42.archive</id><title type='text'>Tiny</title>"
        f"<link rel='alternate' type='text/html' href='{BLOG}/'/>{''.join(entries)}</feed>",
        encoding="utf-8")
    return path


def _reusable_rows() -> None:
    """CPython keeps up to 2,000 freed tuples of each small size for reuse, until a full
    collection empties that list. The spool's index rows are tuples of 20 values; each run
    would leave up to 2,000 of them there (400 KB: one per record in a small blog, the
    same 2,000 in a large one), so the list is filled beforehand, outside the measure."""
    rows = [tuple(range(n, n + 20)) for n in range(2000)]
    del rows


def _peak(source: Path, dest: Path, jobs: int = 1) -> int:
    """The Python heap's peak over one ``convert`` with the analysis: the lower of two runs,
    as one run in many meets a resize of an interpreter-wide table (the interned strings',
    about 1 MiB at once) that has nothing to do with the blog."""
    peaks = []
    for run in range(2):
        gc.collect()
        _reusable_rows()
        tracemalloc.start()
        try:
            blogarchive.convert(source, dest / str(run), originals=False, jobs=jobs)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    return min(peaks)


def _small_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    """The constants that bound other memory made small, so that both exports fill them."""
    monkeypatch.setattr(fixity, "_BLOCK", 1 << 16)
    monkeypatch.setattr(_common, "_SHARED_MOST", 64)
    monkeypatch.setattr(urls, "MEMO", 64)
    monkeypatch.setattr(urlstore, "CACHED", 64)


def test_analysed_convert_does_not_grow_with_the_posts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """2,000 posts peak within 512 KiB of 500 (before the URL map and the label index went
    to disk: about 1.1 MiB more). The constants that bound other memory are made small so
    that both exports fill them: the fixity's read buffer, the readers' tables of shared
    authors and replies (emptied at 4,096 values), the URL map's caches of URLs classified
    and keys looked up (tests/test_urlstore.py checks those bounds)."""
    _small_bounds(monkeypatch)
    small, large = _export(tmp_path / "small.xml", 500), _export(tmp_path / "large.xml", 2000)
    _peak(small, tmp_path / "warm")  # imports and caches out of the measure
    low, high = _peak(small, tmp_path / "a"), _peak(large, tmp_path / "b")
    done = blogarchive.load(tmp_path / "b" / "0")
    assert len(done.posts) == 2000 and len(done.labels) == 2001
    second = next(post for post in done.posts if post.id == "1001")
    assert second.analysis is not None
    assert [link.post_id for link in second.analysis.links] == ["1000"]  # looked up on disk
    assert high - low < 512 * 1024, (low, high)


_START, _CHILD = workers.start, guess._child


def _untraced_start(*args: Any) -> None:
    """A worker's initializer: a forked worker would go on tracing (slowly); module-level,
    as a spawned worker (another thread ran) is given it by name."""
    tracemalloc.stop()
    _START(*args)


def _untraced_child(*args: Any) -> None:
    """The guess's forked child, not tracing."""
    tracemalloc.stop()
    _CHILD(*args)


def test_convert_with_jobs_does_not_grow_with_the_posts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--jobs 2``, the posts analysed while read against the map guessed by the scan:
    this process's peak for 2,000 posts within 256 KiB of 500's (about 125 KB now). The
    scan's pairs and the guessed map go to disk as they are found (before: a tuple of
    every pair, the map a dict, the ids in a set: 360 KB more)."""
    _small_bounds(monkeypatch)
    monkeypatch.setattr(ahead, "CHUNK", 16)  # chunks in flight: bounded, and small here
    monkeypatch.setattr(urlscan, "_BLOCK", 1 << 16)  # what the scan holds: a block's tokens
    monkeypatch.setattr(behind, "BLOCK", 1 << 14)  # the lines the writer thread is behind
    monkeypatch.setattr(ahead, "start", _untraced_start)
    monkeypatch.setattr(guess, "_child", _untraced_child)
    small, large = _export(tmp_path / "small.xml", 500), _export(tmp_path / "large.xml", 2000)
    _peak(small, tmp_path / "warm", jobs=2)
    low, high = _peak(small, tmp_path / "a", jobs=2), _peak(large, tmp_path / "b", jobs=2)
    second = next(post for post in blogarchive.load(tmp_path / "b" / "0").posts
                  if post.id == "1001")
    assert second.analysis is not None
    assert [link.post_id for link in second.analysis.links] == ["1000"]
    assert high - low < 256 * 1024, (low, high)
