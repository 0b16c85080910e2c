"""The work of one task: convert a group of inputs (those sharing a blog) one after the
other into ``OUTDIR/blog-<id>/``, each with ``convert`` itself, and describe each as a row of
batch.jsonl. Runs in a worker process (or a Dask worker): everything here is picklable and
nothing is shared with the caller but the file system.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from ..errors import ArchiveError
from ..folder import is_archive, recover
from ..limits import DEFAULT_LIMITS, Limits
from ..preserve import Converted, convert, folder_name
from ..reading import ReadReport
from .commits import Commits, Handed
from .rows import make_row, worker_name

if TYPE_CHECKING:
    from ..capture.report import CaptureReport

__all__ = ["SCRATCH", "Job", "Settings", "Task", "kept_row", "kept_rows", "repair", "run_task"]

SCRATCH: Final = ".batch-work"
"""Hidden folder of OUTDIR where a source holding several blogs is converted (see
``_several``); a folder of archives ignores hidden entries."""


@attrs.frozen
class Settings:
    """The conversion options of the whole batch, as ``convert`` takes them.

    A hook for options ``convert`` gains later: add the field here, pass it in
    ``_convert_one``, and record it in ``options``, so resuming sees it."""

    originals: bool = True
    bag: bool = False
    bag_info: Mapping[str, str] = attrs.field(factory=dict)
    redact_emails: bool | None = None
    analyse: bool = True
    recover: bool = False
    limits: Limits = DEFAULT_LIMITS
    capture: Mapping[str, Any] | None = None
    """Then capture each blog's media: ``blogarchive.capture``'s keyword arguments (``{}``
    for its defaults), as ``convert(capture=...)`` takes them."""
    options: str = ""
    """The options as recorded in each archive's event (and compared when resuming; the
    capture's are part of them)."""


@attrs.frozen
class Job:
    """One input of a group: its source, own blog URL, SHA-256 and the blogs it holds."""

    source: str
    blog_url: str | None
    sha256: str | None
    folders: tuple[str, ...]
    options: str
    size: int = 0
    """Its bytes, as surveyed: what tasks are packed by."""


@attrs.frozen
class Task:
    """Inputs converted in this order by one worker: those sharing a blog, and small blogs
    packed together (``packing``)."""

    outdir: str
    jobs: tuple[Job, ...]
    settings: Settings
    done: str = ""
    """A folder where each input's row is kept as soon as it is converted, until the batch
    has them all (``""``: none): a task run again after its worker died (Dask retries it on
    another) takes the rows of the inputs done before from there rather than convert them
    twice, so its archives are what one run gives (no second event for a blog)."""
    key: int = 0
    """The task's number in its batch: its rows' names in ``done``."""


def run_task(task: Task) -> list[dict[str, Any]]:
    """Convert the task's inputs in order; one row each. A failed input does not stop the
    others: it is in its row, as ``convert`` would print it. An input converted by an
    earlier run of the same task (its worker died later) is not converted again. Each
    archive's commit runs behind the next input's conversion (``commits``)."""
    outdir = Path(task.outdir)
    rows: list[Future[dict[str, Any]]] = []
    written: set[str] = set()  # the blogs of the inputs before: their commits may still run
    with contextlib.closing(Commits()) as commits:
        for n, job in enumerate(task.jobs):
            kept = _kept_at(task, n)
            row = _kept(kept) if kept is not None else None
            if row is not None:
                rows.append(_ready(row))
                continue
            # Only a blog's own archive, alone (not several blogs moved about in OUTDIR),
            # with nothing to do once it is in place (a capture), and not a blog whose
            # commit may still run, converts before the commits handed so far are done.
            alone = (len(job.folders) == 1 and task.settings.capture is None
                     and written.isdisjoint(job.folders))
            if not alone:
                for done in rows:
                    done.result()
            # Its own commit behind only when another input follows (a task of one blog, as
            # with --jobs 1, waits for its commit as convert does: no thread). The last
            # input's commit runs here, but its conversion did not wait for the commits
            # before it: they finish meanwhile (a wait per task, of up to a commit's fsyncs
            # and swap, while the worker's core had nothing to do).
            behind = alone and n + 1 < len(task.jobs)
            finish = _convert_one(outdir, job, task.settings, commits if behind else None)
            rows.append(commits.then(functools.partial(_finished, finish, kept)) if behind
                        else _ready(_finished(finish, kept)))
            written.update(job.folders)
    return [row.result() for row in rows]


def _kept_at(task: Task, n: int) -> Path | None:
    """Where the task keeps its ``n``-th input's row (None: it keeps none)."""
    return Path(task.done, f"{task.key}-{n}.json") if task.done else None


def kept_row(task: Task, n: int) -> dict[str, Any] | None:
    """The row the task kept for its ``n``-th input, converted and in place; None when it
    has none (not converted yet, or the task keeps none)."""
    kept = _kept_at(task, n)
    return _kept(kept) if kept is not None else None


def _ready(row: dict[str, Any]) -> Future[dict[str, Any]]:
    done: Future[dict[str, Any]] = Future()
    done.set_result(row)
    return done


def _finished(finish: Callable[[], dict[str, Any]], kept: Path | None) -> dict[str, Any]:
    """An input's row once its archive is in place, kept for a task run again."""
    row = finish()
    if kept is not None:
        _keep(kept, row)
    return row


def kept_rows(outdir: Path) -> list[dict[str, Any]]:
    """The rows that the tasks of a batch killed before it recorded them had kept (``Task.done``):
    inputs converted, whose archives are in place, which a rerun need not convert again."""
    rows = []
    for folder in sorted((outdir / SCRATCH).glob("rows-*")):
        for path in sorted(folder.glob("[!.]*.json")):
            row = _kept(path)
            if row is not None and isinstance(row.get("source"), str):
                rows.append(row)
    return rows


def _kept(path: Path) -> dict[str, Any] | None:
    """The row an earlier run of this task kept, or None (none, or cut short by a kill)."""
    try:
        row: dict[str, Any] = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return row


def _keep(path: Path, row: dict[str, Any]) -> None:
    # Whole or not at all: written aside, then renamed over. Not fsynced, on purpose: the
    # row serves a task run again after its worker died, or a rerun after the batch was
    # killed, and the page cache outlives both; only the machine's crash can lose it, and
    # then the input is converted again (its archive, whose swap was fsynced, is whole: a
    # second event, no loss). An fsync here would be a journal commit per blog.
    part = path.with_name(f".{path.name}.{os.getpid()}")
    part.write_text(json.dumps(row, ensure_ascii=False), encoding="utf-8")
    os.replace(part, path)


def _convert_one(outdir: Path, job: Job, settings: Settings,
                 commits: Commits | None = None) -> Callable[[], dict[str, Any]]:
    """Convert one input; what makes its row once its archive is in place (with
    ``commits``, its commit runs there, behind what this worker does next)."""
    started = time.monotonic()
    report = ReadReport()
    errors: list[str] = []
    results: list[Converted] = []
    captured: list[CaptureReport] = []
    handed: Handed | None = None
    try:
        with commits.taking() if commits is not None else contextlib.nullcontext() as handed:
            if len(job.folders) == 1:
                results = _convert(job.source, outdir / job.folders[0], job, settings,
                                   report)
            else:
                results = _several(outdir, job, settings, report)
        captured = _capture(results, settings)
    except Exception as problem:  # one input's bug must not stop the batch: it is in its row
        errors.append(_error(problem, job))
    converting = time.monotonic() - started
    worker = worker_name()

    def row() -> dict[str, Any]:
        done, committing = results, 0.0
        if handed is not None:
            try:
                committing = handed.wait()
            except Exception as problem:  # not in place after all: nothing was written
                errors.append(_error(problem, job))
                done = []
        return make_row(job, settings, report, errors, done, captured,
                        converting + committing, worker)

    return row


def _error(problem: Exception, job: Job) -> str:
    """An input's error as ``convert`` prints it."""
    if isinstance(problem, ArchiveError):
        return f"error: {problem}"
    if isinstance(problem, OSError):
        return f"error: {problem.filename or job.source}: {problem.strerror or problem}"
    return f"internal error: {type(problem).__name__}: {problem}"


def _convert(source: str, dest: Path, job: Job, settings: Settings,
             report: ReadReport) -> list[Converted]:
    # lock=False: the batch holds OUTDIR's lock (which is also each of its archives' lock)
    # for the whole run, so no other run writes here; within the batch a blog's inputs are
    # one task, so no two workers write one blog.
    return convert(source, dest, originals=settings.originals, bag=settings.bag,
                   bag_info=settings.bag_info, redact_emails=settings.redact_emails,
                   blog_url=job.blog_url, analyse=settings.analyse, report=report,
                   options=job.options, limits=settings.limits, recover=settings.recover,
                   lock=False)


def _capture(results: list[Converted], settings: Settings) -> list[CaptureReport]:
    """Each converted blog's media captured, as ``convert --capture`` does once the archive
    is in place. lock=False: the batch holds OUTDIR's lock, which is also its archives'."""
    if settings.capture is None:
        return []
    from ..capture import capture  # httpx is loaded only by a batch that fetches

    return [capture(r.path, lock=False, **settings.capture) for r in results]


def _several(outdir: Path, job: Job, settings: Settings,
             report: ReadReport) -> list[Converted]:
    """A source holding several blogs (or none that the survey could tell): ``convert`` writes
    it as a folder of archives. That folder is a private one in OUTDIR/.batch-work/, into
    which the blogs' archives already in OUTDIR are moved first so ``convert`` merges with
    them as always (and does not load every other archive of OUTDIR, as converting into
    OUTDIR itself would); then each blog's archive is moved back to OUTDIR. While it is
    converted a blog's archive is in the work folder; a batch killed then moves it back when
    run again (``repair``), and a task run again after its process was killed (its worker
    died, or a sibling's death broke the pool) moves it back first (``_reclaim``), so this
    conversion merges into it rather than writing the blog afresh beside it."""
    _reclaim(outdir, job.folders)
    work = outdir / SCRATCH / f"{os.getpid()}-{time.monotonic_ns()}"
    results: list[Converted] = []
    work.mkdir(parents=True)
    try:
        for name in job.folders:
            if (outdir / name).is_dir():
                os.rename(outdir / name, work / name)
        results = _convert(job.source, work, job, settings, report)
    finally:
        moved = _put_back(outdir, work, results)
    return [attrs.evolve(r, path=moved.get(r.path, r.path)) for r in results]


def _put_back(outdir: Path, work: Path, results: list[Converted]) -> dict[Path, Path]:
    """Move the archives built in ``work`` to OUTDIR; the new place of each result's path."""
    moved: dict[Path, Path] = {}
    if results and any(r.path == work for r in results):  # one blog after all: work is it
        target = outdir / folder_name(results[0].summary.blog, results[0].summary.sources)
        os.rename(work, target)
        with contextlib.suppress(OSError):
            work.parent.rmdir()
        return {work: target}
    for entry in sorted(work.iterdir()) if work.is_dir() else []:
        if entry.name.startswith("."):
            continue
        target = outdir / entry.name
        if target.exists():
            raise ArchiveError(f"{target}: appeared while {entry.name} was being converted "
                               f"in {work}; the new archive is left there")
        os.rename(entry, target)
        moved[entry] = target
    shutil.rmtree(work, ignore_errors=True)
    with contextlib.suppress(OSError):  # the last task out removes the hidden folder
        work.parent.rmdir()
    return moved


def repair(outdir: Path) -> list[str]:
    """Archives a killed batch left in OUTDIR/.batch-work/ moved back to OUTDIR (those whose
    blog is not in OUTDIR again); what was done, one line each."""
    done = []
    scratch = outdir / SCRATCH
    for work in _works(outdir):
        _recover_swaps(work, _swapped(work))
        done += _move_back(outdir, _archives(work))
        if not any(_archives(work)):
            shutil.rmtree(work, ignore_errors=True)
    with contextlib.suppress(OSError):
        scratch.rmdir()
    return done


def _reclaim(outdir: Path, names: tuple[str, ...]) -> None:
    """The archives of ``names`` that an earlier run of this task left in a work folder of
    OUTDIR/.batch-work/ (its process killed in ``_several``) moved back to OUTDIR, and that
    work folder removed once it holds no archive. Only ``names``, looked for by name: a
    blog's inputs are one task, so no live worker has these blogs in its work folder, while
    the other work folders there may be in use (and the kept rows, a file per input, are
    not listed). Without this the task wrote the blogs afresh, and the archives with
    everything converted into them before were left behind in the work folder."""
    for work in _works(outdir):
        _recover_swaps(work, names)
        named = [work / name for name in names if is_archive(work / name)]
        if _move_back(outdir, named) and not any(_archives(work)):
            shutil.rmtree(work, ignore_errors=True)


def _swapped(work: Path) -> set[str]:
    """The names of the blogs whose previous archive is only ``.NAME.old-<pid>`` in ``work``."""
    try:
        hidden = [entry.name for entry in work.iterdir() if entry.name.startswith(".")]
    except (FileNotFoundError, NotADirectoryError):
        return set()
    return {name.rpartition(".old-")[0][1:] for name in hidden if ".old-" in name}


def _recover_swaps(work: Path, names: Iterable[str]) -> None:
    """Where there is no atomic exchange, a swap is two renames: a process killed between
    them left the blog's previous archive only as ``.NAME.old-<pid>`` in its work folder.
    Put it back as ``NAME`` first (``folder.recover``), or it would not be moved back to
    OUTDIR and the work folder, holding no archive, would be removed with it."""
    for name in names:
        recover(work / name)


def _works(outdir: Path) -> list[Path]:
    """The folders in OUTDIR/.batch-work/ (none when it is gone: the last task out of
    ``_several`` may remove it at any time)."""
    try:
        return sorted((outdir / SCRATCH).iterdir())
    except FileNotFoundError:
        return []


def _move_back(outdir: Path, entries: Iterable[Path]) -> list[str]:
    """Those of the archives ``entries`` moved back to OUTDIR, where their blog is not; what
    was done, one line each."""
    done = []
    for entry in entries:
        target = outdir / entry.name
        if not target.exists():
            os.rename(entry, target)
            done.append(f"moved {entry} back to {target}")
    return done


def _archives(work: Path) -> Iterator[Path]:
    for entry in sorted(work.iterdir()) if work.is_dir() else []:
        if not entry.name.startswith(".") and entry.is_dir() and is_archive(entry):
            yield entry
