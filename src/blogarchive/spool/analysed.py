"""Each post's analysis put into its spooled line: made now (in ``jobs`` processes), or
taken from what ``ahead`` made while the sources were read, when its guessed URL map proves
to be the archive's.

Split from ``output`` (which writes the data files and counts what blog.json says): this is
the one place a post line's ``analysis`` changes.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future
from itertools import islice
from typing import Any

from ..analysis import UrlMap
from ..analysis.records import BodyAnalysis
from ..progress import Progress, counter
from ..stats import AnalysisTotals
from ..store import analysis_value, encode_line
from ..workers import CHUNK, Body, Encoded, Numbered, analyse_bodies, body_of
from .ahead import Ahead, Analysed
from .records import POST
from .resolve import Resolved, Row

__all__ = ["Post_", "analysed", "encoded"]

Post_ = tuple[bytes, Row, BodyAnalysis | AnalysisTotals | None]
"""A post as written: its line, its index row, its analysis (or the analysis's totals, when
a worker encoded it)."""

_ANALYSIS_KEY = b'{"analysis":'
_NO_ANALYSIS = _ANALYSIS_KEY + b"null,"  # a line whose post has none (keys sorted: first)


def encoded(value: Any) -> bytes:
    """``value`` (a line as data, or one value of it) as the line's bytes hold it."""
    return encode_line(value).encode("utf-8")


def _in_place(text: bytes, made: bytes) -> bytes:
    """A line whose post has no analysis (``_NO_ANALYSIS``: keys sorted, it is the first)
    with ``made``, an analysis as the line holds it, put in place of the null."""
    return _ANALYSIS_KEY + made + text[len(_NO_ANALYSIS) - 1:]


def analysed(resolved: Resolved, loaded: Iterator[tuple[Row, bytes]], urls: UrlMap,
              home: str | None, jobs: int, progress: Progress | None, ahead: Ahead | None
              ) -> Iterator[Post_]:
    """The ``loaded`` posts with their analysis against ``urls``: made while the sources
    were read when that guess was right (``ahead``), else made now, in ``jobs`` processes."""
    advance = counter(progress, "analysing", resolved.count(POST))
    if ahead is not None and ahead.fits(resolved.group, urls, home):
        for row, text, (made, totals) in _analysed_ahead(ahead, loaded, home):
            advance(1)
            if text.startswith(_NO_ANALYSIS):  # the text the worker encoded, put in place
                text = _in_place(text, made.encode("utf-8"))
            else:
                data = json.loads(text)
                if (decoded := json.loads(made)) != data["analysis"]:
                    data["analysis"] = decoded
                    text = encoded(data)
            yield text, row, totals
        return
    if ahead is not None:
        ahead.stop(resolved.group)  # its guess was wrong: its idle workers go first
    waiting: deque[tuple[Row, bytes, dict[str, Any]]] = deque()  # bodies with the analysis

    def bodies() -> Iterator[Body]:
        for row, text in loaded:
            data = json.loads(text)
            waiting.append((row, text, data))
            yield body_of(data, home)

    for result in analyse_bodies(bodies(), urls, jobs):
        row, text, data = waiting.popleft()
        advance(1)
        value = analysis_value(result)
        if value != data["analysis"]:
            if text.startswith(_NO_ANALYSIS):
                text = _in_place(text, encoded(value))
            else:
                data["analysis"] = value
                text = encoded(data)
        yield text, row, result


def _analysed_ahead(ahead: Ahead, posts: Iterator[tuple[Row, bytes]], home: str | None
                    ) -> Iterator[tuple[Row, bytes, Analysed]]:
    """Each post with its analysis, in order: the one made while the sources were read, or
    (a record the rules made or kept from the earlier archive) one made now by the same
    workers, a chunk at a time, a bounded number of chunks in flight. Only the lines of
    the second kind are decoded here."""
    windows: deque[tuple[list[Any], Future[list[Encoded]] | None]] = deque()

    def ready() -> Iterator[tuple[Row, bytes, Analysed]]:
        posts, future = windows.popleft()
        made = iter(future.result()) if future is not None else iter(())
        for row, text, found in posts:
            if found is None:
                _, value, totals = next(made)
                found = (value, totals)
            yield row, text, found

    for window in _windows(posts):
        made = ahead.taken([row.seq for row, _ in window], home)
        needed: list[Numbered] = []
        for row, text in window:
            if row.seq not in made:
                needed.append((row.seq, *body_of(json.loads(text), home)))
        windows.append(([(row, text, made.get(row.seq)) for row, text in window],
                        ahead.submit(needed) if needed else None))
        while windows and (windows[0][1] is None or windows[0][1].done()
                           or len(windows) > ahead.in_flight):
            yield from ready()
    while windows:
        yield from ready()


def _windows(posts: Iterator[tuple[Row, bytes]]) -> Iterator[list[tuple[Row, bytes]]]:
    """``posts`` in lists of ``CHUNK``: what ``ahead`` made for them is asked for at once."""
    while window := list(islice(posts, CHUNK)):
        yield window
