"""``batch``: a whole collection converted, one archive per blog in ``OUTDIR/blog-<id>/``.

Each input is converted by ``convert`` itself, so each archive is exactly what ``convert``
writes (originals, manifests, events; bags and redaction as asked). The work runs here, in
worker processes (``runners``), or on a Dask cluster (``ondask``). Inputs that hold the same
blog (the same export twice, a newer export, a Takeout holding it) are grouped by a first cheap pass
(``survey``) and converted one after the other by one task, in the order given, so two
workers never write one blog and the result does not depend on which worker was faster;
the destination lock stays as a safety net against other runs.

Every finished input is recorded at once in OUTDIR/batch.jsonl (``ledger``), so a batch
killed at any point is resumed by running it again: inputs done before with the same SHA-256
and options are skipped, failures are redone, and a newer export of a blog is merged into
its archive as ``convert`` merges.
"""

from __future__ import annotations

import importlib.util
import os
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Final

import attrs

from ..errors import ArchiveError, InvalidArgument
from ..folder import is_archive
from ..limits import DEFAULT_LIMITS, Limits
from ..preserve.lock import locked
from ..progress import Progress
from .ledger import BATCH, CATALOG, catalog, done_before, is_done, read_rows, write_lines
from .listing import Item, items
from .ondask import DASK_MISSING, prepare
from .runners import Runner, runner, workers_for
from .survey import Surveyed, survey_many
from .tasks import convert_all
from .work import Job, Settings, kept_rows, repair

__all__ = ["BATCH", "CATALOG", "DASK_MISSING", "PHASES", "Outcome", "Phase", "Settings", "batch",
           "run_batch"]


PHASES: Final = ("start-up", "survey", "convert", "shut-down", "catalog")
"""A batch's phases, in order: start the workers (and import blogarchive in them); survey
every input; convert; stop the workers; write batch.jsonl and catalog.jsonl whole."""


@attrs.frozen
class Phase:
    """One phase of a run: its wall-clock seconds, and this (the calling) process's CPU
    seconds in it; the workers' CPU is in the rows' durations."""

    name: str
    seconds: float
    cpu: float


class _Clock:
    """The phases' times, taken as each phase ends."""

    def __init__(self) -> None:
        self.phases: list[Phase] = []
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def lap(self, name: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        self.phases.append(Phase(name, wall - self._wall, cpu - self._cpu))
        self._wall, self._cpu = wall, cpu


@attrs.frozen
class Outcome:
    """A batch run: the rows of its inputs (in the order given; an input skipped as done
    before keeps its earlier row), and how many were converted, skipped and failed."""

    rows: tuple[dict[str, Any], ...]
    converted: int
    skipped: int
    failed: int
    bugs: int
    repaired: tuple[str, ...] = ()
    runner: str = ""
    phases: tuple[Phase, ...] = ()
    """Where the run's time went, phase by phase (``PHASES``)."""


def batch(
    sources: Iterable[str | os.PathLike[str]],
    outdir: str | os.PathLike[str],
    *,
    from_list: str | os.PathLike[str] | None = None,
    jobs: int = 1,
    dask: Any = None,
    originals: bool = True,
    bag: bool = False,
    bag_info: Mapping[str, str] | None = None,
    redact_emails: bool | None = None,
    blog_url: str | None = None,
    analyse: bool = True,
    recover: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    capture: Mapping[str, Any] | None = None,
    options: str = "",
    progress: Progress | None = None,
    on_row: Callable[[dict[str, Any]], None] | None = None,
    wait: bool = False,
) -> list[dict[str, Any]]:
    """Convert every blog of ``sources`` (and of the list file ``from_list``: one source a
    line, or a CSV with a ``source`` column and an optional ``blog_url`` one) into
    ``outdir/blog-<id>/``, each as ``convert`` writes it (the keyword options are
    ``convert``'s; ``capture``, as there: each blog's media captured into its archive).
    Returns the rows written to ``outdir/batch.jsonl``, one per input:
    ``source``, ``sha256``, ``options``, ``status`` (``ok``, ``warnings``, ``failed``),
    ``error`` (as ``convert`` prints it), ``warnings``, ``blogs`` (each blog's line of
    ``outdir/catalog.jsonl``), ``posts``, ``pages``, ``comments``, ``capture`` (media
    fetched, failed, held before; None without capture), ``duration`` (seconds), ``worker``
    and ``finished``. A failed input never stops the others.

    ``jobs``: worker processes on this machine (1: this process). ``dask``: run on a Dask
    cluster instead: a scheduler address, ``"local"`` for a LocalCluster of ``jobs`` (at
    least 2) worker processes, or a ``distributed.Client``. Needs the ``dask`` extra.

    Running it again resumes: an input done before with the same SHA-256 and ``options``
    is skipped, a failed one is redone. ``options`` is recorded in each archive's event (the
    command line passes its own, the capture's among them). ``progress(phase, done,
    total)`` hears the phases ``surveying`` (inputs) and ``converting`` (blogs); ``on_row``
    each row as it is written.

    Raises InvalidArgument for a bad list or option, ArchiveError when ``outdir`` cannot
    hold the archives (it is one archive, or a folder of other things) or another run is
    writing it (with ``wait``, waits for that run instead)."""
    return list(run_batch(
        sources, outdir, from_list=from_list, jobs=jobs, dask=dask,
        settings=Settings(originals=originals, bag=bag, bag_info=dict(bag_info or {}),
                          redact_emails=redact_emails, analyse=analyse, recover=recover,
                          limits=limits, capture=capture, options=options),
        blog_url=blog_url, progress=progress, on_row=on_row, wait=wait).rows)


def run_batch(
    sources: Iterable[str | os.PathLike[str]],
    outdir: str | os.PathLike[str],
    *,
    settings: Settings,
    from_list: str | os.PathLike[str] | None = None,
    jobs: int = 1,
    dask: Any = None,
    blog_url: str | None = None,
    progress: Progress | None = None,
    on_row: Callable[[dict[str, Any]], None] | None = None,
    wait: bool = False,
    notify: Callable[[str], None] | None = None,
) -> Outcome:
    """``batch``, telling also how many inputs were converted, skipped and failed."""
    given = items(sources, from_list, blog_url)
    if not given:
        raise InvalidArgument("no sources: name them, or give a list with --from")
    target = Path(os.path.abspath(os.fspath(outdir)))
    _check_outdir(target)
    # OUTDIR's lock, held to the end, is also the lock of every archive in it: no other
    # batch, and no convert into OUTDIR or one of its archives, runs meanwhile.
    with locked(target, wait=wait, notify=notify):
        return _run(given, target, settings, jobs, dask, progress, on_row)


def _run(given: list[Item], target: Path, settings: Settings, jobs: int, dask: Any,
         progress: Progress | None,
         on_row: Callable[[dict[str, Any]], None] | None) -> Outcome:
    clock = _Clock()
    starting = _start(jobs, dask)
    try:
        target.mkdir(parents=True, exist_ok=True)
        # Inputs a killed run converted but did not record: done too (before repair, which
        # clears what that run left in the work folder).
        unrecorded = kept_rows(target)
        repaired = repair(target)
        earlier = [*read_rows(target), *unrecorded]
        before = done_before(earlier)
        found = _survey(starting, given, settings.limits, progress, clock,
                        workers_for(jobs, dask))
        clock.lap("survey")
        work = starting.result()
        jobs_of = [Job(item.source, item.blog_url, found[i].sha256, found[i].folders,
                       _options(settings.options, item), found[i].size)
                   for i, item in enumerate(given)]
        pending = [i for i, job in enumerate(jobs_of)
                   if not is_done(before.get(job.source), job.sha256, job.options)]
        new = convert_all(work, target, settings, [jobs_of[i] for i in pending], progress, on_row)
        clock.lap("convert")
    finally:
        _stop(starting)
    clock.lap("shut-down")
    done = dict(zip(pending, new, strict=True))
    rows = tuple(done.get(i) or before[item.source] for i, item in enumerate(given))
    mine = {item.source for item in given}
    kept = [row for source, row in before.items() if source not in mine]
    write_lines(target / BATCH, [*rows, *kept])
    write_lines(target / CATALOG, catalog([*earlier, *rows], target))
    clock.lap("catalog")
    failed = sum(row["status"] == "failed" for row in new)
    bugs = sum("internal error:" in (row.get("error") or "") for row in new)
    return Outcome(rows, len(new), len(given) - len(new), failed, bugs, tuple(repaired),
                   work.name, tuple(clock.phases))


def _start(jobs: int, dask: Any) -> Future[Runner]:
    """The runner, its workers started and warm. A Dask cluster is reached (or a
    LocalCluster started: a second or more) in a thread, while this process goes on with
    its own start-up and the survey; worker processes start at once (they fork from this
    process, which must have no other thread then)."""
    if dask is None:
        ready: Future[Runner] = Future()
        ready.set_result(_warmed(jobs, None))
        return ready
    if isinstance(dask, str) and importlib.util.find_spec("distributed") is None:
        raise InvalidArgument(DASK_MISSING)  # at once, not after the survey
    prepare(dask)
    starter = ThreadPoolExecutor(1, thread_name_prefix="blogarchive-dask-start")
    try:
        return starter.submit(_warmed, jobs, dask)
    finally:
        starter.shutdown(wait=False)


def _warmed(jobs: int, dask: Any) -> Runner:
    work = runner(jobs, dask)
    try:
        work.warm()
    except BaseException:
        work.close()
        raise
    return work


def _stop(starting: Future[Runner]) -> None:
    """Close the runner, once started (waiting for it, when the run stopped before)."""
    try:
        work = starting.result()
    except Exception:  # did not start: nothing to close (the error is the run's already)
        return
    work.close()


def _check_outdir(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise ArchiveError(f"{target}: exists and is not a folder; give a folder for the "
                           "batch's archives")
    if is_archive(target):
        raise ArchiveError(f"{target}: is the archive of one blog; give the folder that is "
                           "to hold one archive per blog")
    if not target.is_dir():
        return
    ours = {BATCH, CATALOG}
    for entry in target.iterdir():
        if entry.name.startswith(".") or entry.name in ours:
            continue
        if not (entry.is_dir() and is_archive(entry)):
            raise ArchiveError(f"{target}: holds {entry.name}, which is not a blog's "
                               "archive; give an empty folder or one a batch wrote")


def _options(options: str, item: Item) -> str:
    """The options recorded for one input: the batch's, and its own blog URL."""
    if item.blog_url and "--blog-url" not in options:
        return f"{options} --blog-url {item.blog_url}".strip()
    return options


def _survey(starting: Future[Runner], given: list[Item], limits: Limits,
            progress: Progress | None, clock: _Clock | None = None,
            workers: int = 1) -> list[Surveyed]:
    """Every input surveyed, a few tasks per worker: surveying an export takes a millisecond
    or so, less than handing a task to a worker and back (on Dask, several milliseconds of
    the scheduler's time each), so the inputs go in chunks. The chunks take every n-th input,
    so the costly ones (pages, WARCs: read whole) spread. While the runner is starting (a Dask
    cluster), this process surveys the chunks itself; the workers do the rest. The clock's
    start-up phase ends when the runner is ready."""
    found: dict[int, Surveyed] = {}
    if progress is not None:
        progress("surveying", 0, len(given))
    count = max(1, min(len(given), workers * _CHUNKS_PER_WORKER))
    chunks = [list(range(len(given)))[k::count] for k in range(count)]
    asked = [[(given[i].source, given[i].blog_url, limits) for i in chunk] for chunk in chunks]

    def record(k: int, surveyed: list[Surveyed]) -> None:
        found.update(zip(chunks[k], surveyed, strict=True))
        if progress is not None:
            progress("surveying", len(found), len(given))

    here = 0
    while here < count and not starting.done():
        record(here, survey_many(asked[here]))
        here += 1
    work = starting.result()
    if clock is not None:
        clock.lap("start-up")

    def lost(k: int, why: str) -> list[Surveyed]:
        return [Surveyed(None, ()) for _ in chunks[here + k]]

    for k, surveyed in work.map(survey_many, asked[here:], lost):
        record(here + k, surveyed)
    return [found[i] for i in range(len(given))]


_CHUNKS_PER_WORKER: Final = 4
