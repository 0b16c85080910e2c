"""The body analysis in worker processes: ``convert(jobs=N)``, ``--jobs N``.

``analyse`` is a pure function of (body, base URL, URL map), so posts can be analysed in any
process in any order; the results are taken back in the order the posts were given, so the
archive is byte for byte the one a single process writes (tests/test_workers.py). Each
worker gets the URL map once, at start; posts travel in chunks, and at most two chunks per
worker are in flight, so the bodies being analysed stay a bounded amount of memory however
large the blog. Workers are forked when this process runs no other thread (they start with
blogarchive imported, in milliseconds, and share the URL map's pages); otherwise they are
started with ``spawn``: a fork could copy a lock another thread (a progress bar's, a
caller's) holds, and the worker would then wait on it for good.

``spool.ahead`` analyses posts while they are read, in the same kind of workers: there each
result goes back already encoded (``analyse_encoded``), the line's JSON text and the totals
the counts need, so the main process only splices text.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import sys
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import chain, islice
from multiprocessing.context import BaseContext
from typing import Any, Final

from .analysis import BodyAnalysis, UrlMap, analyse
from .errors import InvalidArgument
from .stats import AnalysisTotals, totals_of
from .store import analysis_value, encode_line

__all__ = ["CHUNK", "Body", "Encoded", "Numbered", "Spooled", "analyse_bodies",
           "analyse_encoded", "analyse_lines", "body_of", "context", "cores", "fork_refused",
           "numbered", "start", "worker_count"]

Body = tuple[str, str | None, str | None]
"""What ``analyse`` needs of a post: its content, base URL and content type."""

CHUNK = 64  # posts per message: large enough that pickling is a small share of the work

Numbered = tuple[int, str, str | None, str | None]
"""A post to analyse ahead: its number in the spool, then as ``Body``."""

Spooled = tuple[int, bytes]
"""A post to analyse ahead as the spool holds it: its number, its line."""

Encoded = tuple[int, str, AnalysisTotals]
"""A post analysed: its number, its ``analysis`` as its line holds it (JSON text), the
totals the counts take from it."""

_urls: UrlMap | None = None  # each worker's copy of the URL map


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_count(jobs: int) -> int:
    """``jobs`` as a number of processes: 0 means every core; 1 (the default) none beside
    this one."""
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 0:
        raise InvalidArgument(f"jobs must be a whole number, 0 (every core) or more, not "
                              f"{jobs!r}")
    return cores() if jobs == 0 else jobs


def fork_refused(threads: int | None = None, offered: Sequence[str] | None = None,
                 platform: str = sys.platform) -> str | None:
    """Why workers must not be forked from this process now, or None when they may: the
    one rule for every pool of blogarchive's (``context`` here, a batch's workers). Forking
    a process that runs other threads (``threads``, by default those running now: a
    progress bar's monitor, a Dask client, a caller's) can copy a lock one of them holds,
    and the worker then waits on it for good; macOS's frameworks are not fork-safe."""
    threads = threading.active_count() if threads is None else threads
    offered = multiprocessing.get_all_start_methods() if offered is None else offered
    if "fork" not in offered:
        return "fork is not offered on this platform"
    if platform == "darwin":
        return "fork is not safe on macOS"
    if threads > 1:
        return (f"this process runs {threads} threads, which a fork could leave holding "
                "locks in the workers")
    return None


def context() -> BaseContext:
    """How to start workers: ``fork`` when this process may fork them (``fork_refused``),
    else ``spawn``."""
    return multiprocessing.get_context("spawn" if fork_refused() else "fork")


NICE: Final = 5
"""How much lower the workers' priority is than the main process's: the main process reads
while they analyse, and the run lasts as long as its part; on N cores, N workers and it
sharing alike would give it only N/(N+1) of a core (with this, the scheduler leaves it a
core of its own)."""


def start(urls: UrlMap) -> None:
    """A worker's initializer: the URL map every body is analysed against; a lower
    priority than the main process's (``NICE``)."""
    global _urls
    _urls = urls
    with contextlib.suppress(OSError, AttributeError):  # AttributeError: not on POSIX
        os.nice(NICE)


def _analyse_chunk(chunk: list[Body]) -> list[BodyAnalysis]:
    return [analyse(html, base, _urls, content_type=kind) for html, base, kind in chunk]


def analyse_encoded(chunk: list[Numbered], urls: UrlMap | None = None) -> list[Encoded]:
    """Each post analysed (in a worker: against its map; elsewhere, against ``urls``), its
    analysis encoded there (the bytes the main process would encode: ``store.encode_line``
    of ``store.analysis_value``)."""
    urls = urls if urls is not None else _urls
    out = []
    for number, html, base, kind in chunk:
        found = analyse(html, base, urls, content_type=kind)
        out.append((number, encode_line(analysis_value(found)), totals_of(found)))
    return out


def body_of(data: dict[str, Any], home: str | None) -> Body:
    """What ``analyse`` needs of a post's line as data: content, base URL (the permalink,
    else the blog's ``home``), content type."""
    return data["content"], data["url"] or home, data["content_type"]


def numbered(lines: list[Spooled], home: str | None) -> list[Numbered]:
    """Spooled posts as ``analyse_encoded`` takes them."""
    return [(number, *body_of(json.loads(line), home)) for number, line in lines]


def analyse_lines(lines: list[Spooled], home: str | None) -> list[Encoded]:
    """``analyse_encoded`` of spooled posts, their lines decoded here (in a worker: the
    posts read while the map was guessed, ``spool.ahead``)."""
    return analyse_encoded(numbered(lines, home))


def analyse_bodies(bodies: Iterable[Body], urls: UrlMap, jobs: int) -> Iterator[BodyAnalysis]:
    """``analyse`` of each body, in the order given, in ``jobs`` processes (see
    ``worker_count``). With one job, or too few bodies to share, it runs here."""
    workers = worker_count(jobs)
    given = iter(bodies)
    # One body at a time here (``convert`` streams its posts from disk: none is held
    # longer than its analysis); with workers, the first chunk tells whether to start them.
    first = [] if workers == 1 else list(islice(given, CHUNK))
    if workers == 1 or len(first) < CHUNK:
        for html, base, kind in chain(first, given):
            yield analyse(html, base, urls, content_type=kind)
        return
    with ProcessPoolExecutor(workers, mp_context=context(), initializer=start,
                             initargs=(urls,)) as pool:
        pending: deque[Future[list[BodyAnalysis]]] = deque()
        chunk = first
        while chunk:
            pending.append(pool.submit(_analyse_chunk, chunk))
            if len(pending) >= 2 * workers:
                yield from pending.popleft().result()
            chunk = list(islice(given, CHUNK))
        while pending:
            yield from pending.popleft().result()
