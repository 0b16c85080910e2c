"""The work of one task: convert a group of inputs (those sharing a blog) one after the
other into ``OUTDIR/blog-<id>/``, each with ``convert`` itself, and describe each as a row of
batch.jsonl. Runs in a worker process (or a Dask worker): everything here is picklable and
nothing is shared with the caller but the file system.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import shutil
import socket
import sys
import time
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from .._time import parse_time
from ..errors import ArchiveError
from ..folder import FILES, data_dir
from ..limits import DEFAULT_LIMITS, Limits
from ..preserve import Converted, convert, folder_name
from ..reading import ReadReport

if TYPE_CHECKING:
    from ..capture.report import CaptureReport

__all__ = ["SCRATCH", "Job", "Settings", "Task", "failed_row", "kept_rows", "repair",
           "run_task"]

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


def worker_name() -> str:
    """Who did the work: the Dask worker's address on a cluster, else host:pid."""
    if "distributed" in sys.modules:  # an optional extra: never imported here for this
        with contextlib.suppress(ValueError):  # ValueError: not in a Dask worker
            distributed: Any = importlib.import_module("distributed")
            return str(distributed.get_worker().address)
    return f"{socket.gethostname()}:{os.getpid()}"


def run_task(task: Task) -> list[dict[str, Any]]:
    """Convert the task's inputs in order; one row each. A failed input does not stop the
    others: it is in its row, as ``convert`` would print it. An input converted by an
    earlier run of the same task (its worker died later) is not converted again."""
    outdir = Path(task.outdir)
    rows = []
    for n, job in enumerate(task.jobs):
        kept = Path(task.done, f"{task.key}-{n}.json") if task.done else None
        row = _kept(kept) if kept is not None else None
        if row is None:
            row = _convert_one(outdir, job, task.settings)
            if kept is not None:
                _keep(kept, row)
        rows.append(row)
    return rows


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


def _convert_one(outdir: Path, job: Job, settings: Settings) -> dict[str, Any]:
    started = time.monotonic()
    report = ReadReport()
    errors: list[str] = []
    results: list[Converted] = []
    captured: list[CaptureReport] = []
    try:
        if len(job.folders) == 1:
            results = _convert(job.source, outdir / job.folders[0], job, settings, report)
        else:
            results = _several(outdir, job, settings, report)
        captured = _capture(results, settings)
    except ArchiveError as problem:
        errors.append(f"error: {problem}")
    except OSError as problem:
        errors.append(f"error: {problem.filename or job.source}: {problem.strerror or problem}")
    except Exception as bug:  # one input's bug must not stop the batch: it is in its row
        errors.append(f"internal error: {type(bug).__name__}: {bug}")
    # In the order convert prints them: what could not be read, what was partly lost, then
    # why nothing was written.
    errors[:0] = [f"error: {p}" for p in report.failed] + \
        [f"recovered: {s}" for s in report.recovered]
    warnings = [f"skipped: {p}" for p in report.ignored] + \
        [f"warning: {w}" for w in report.warnings] + \
        [f"capture: {c.path.name}: {sum(c.failed.values()):,} of {len(c.to_fetch):,} media "
         "failed (listed in its media.jsonl)" for c in captured if c.failed]
    if not results and not errors:
        errors.append("error: nothing was converted")
    status = "failed" if errors else ("warnings" if warnings else "ok")
    return {
        "source": job.source,
        "sha256": job.sha256,
        "options": job.options,
        "status": status,
        "error": "\n".join(errors) or None,
        "warnings": warnings,
        "notices": [n for r in results for n in r.notices],
        "blogs": [_blog(r, r.path.name) for r in results],
        **_totals(results),
        "capture": _captured(captured) if settings.capture is not None else None,
        "duration": round(time.monotonic() - started, 3),
        "worker": worker_name(),
        "finished": datetime.now(timezone.utc).isoformat(timespec="microseconds"),
    }


def failed_row(job: Job, error: str) -> dict[str, Any]:
    """The row of an input whose task could not be run at all (its worker kept dying)."""
    return {"source": job.source, "sha256": job.sha256, "options": job.options,
            "status": "failed", "error": error, "warnings": [], "notices": [], "blogs": [],
            "posts": 0, "pages": 0, "comments": 0, "capture": None, "duration": 0.0,
            "worker": None,
            "finished": datetime.now(timezone.utc).isoformat(timespec="microseconds")}


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


def _captured(reports: list[CaptureReport]) -> dict[str, int]:
    """The row's ``capture``: the media of its blogs fetched now, failed now, held before
    (captured by an earlier run), copied from a WARC source."""
    return {"fetched": sum(r.fetched for r in reports),
            "failed": sum(sum(r.failed.values()) for r in reports),
            "held": sum(r.held for r in reports),
            "from_sources": sum(r.from_sources for r in reports)}


def _several(outdir: Path, job: Job, settings: Settings,
             report: ReadReport) -> list[Converted]:
    """A source holding several blogs (or none that the survey could tell): ``convert`` writes
    it as a folder of archives. That folder is a private one in OUTDIR/.batch-work/, into
    which the blogs' archives already in OUTDIR are moved first so ``convert`` merges with
    them as always (and does not load every other archive of OUTDIR, as converting into
    OUTDIR itself would); then each blog's archive is moved back to OUTDIR. While it is
    converted a blog's archive is in the work folder; a batch killed then moves it back when
    run again (``repair``)."""
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
    for work in sorted(scratch.iterdir()) if scratch.is_dir() else []:
        for entry in _archives(work):
            target = outdir / entry.name
            if not target.exists():
                os.rename(entry, target)
                done.append(f"moved {entry} back to {target}")
        if not any(_archives(work)):
            shutil.rmtree(work, ignore_errors=True)
    with contextlib.suppress(OSError):
        scratch.rmdir()
    return done


def _archives(work: Path) -> Iterator[Path]:
    from ..folder import is_archive

    for entry in sorted(work.iterdir()) if work.is_dir() else []:
        if not entry.name.startswith(".") and entry.is_dir() and is_archive(entry):
            yield entry


def _blog(result: Converted, path: str) -> dict[str, Any]:
    """A blog's line of catalog.jsonl: the counts from the convert's summary, the dates
    from its posts.jsonl read a line at a time (a worker never holds a blog's records)."""
    blog = result.summary.blog
    counted = _counted(result)
    first, last = _post_dates(result.path)
    return {
        "id": blog.id,
        "title": blog.title,
        "url": blog.url,
        "archive": path,
        "posts": counted["posts"],
        "pages": counted["pages"],
        "comments": counted["comments"],
        "first_post": first,
        "last_post": last,
    }


def _counted(result: Converted) -> dict[str, int]:
    by_kind = result.summary.counts["posts"]
    return {
        "posts": sum(by_kind.get("post", {}).values()),
        "pages": sum(n for kind, statuses in by_kind.items() if kind != "post"
                     for n in statuses.values()),
        "comments": result.summary.counts["comments"]["total"],
    }


def _post_dates(path: Path) -> tuple[str | None, str | None]:
    """The earliest and latest publication of the posts (not pages), as posts.jsonl writes
    them; of equal instants, the first and the last in the file (as a stable sort gives)."""
    first: tuple[datetime, str] | None = None
    last: tuple[datetime, str] | None = None
    with (data_dir(path) / FILES["post"]).open(encoding="utf-8") as lines:
        for line in lines:
            data = json.loads(line)
            written = data.get("published")
            if data.get("kind") != "post" or written is None:
                continue
            when = parse_time(written)
            if first is None or when < first[0]:
                first = (when, written)
            if last is None or when >= last[0]:
                last = (when, written)
    return (first[1] if first else None), (last[1] if last else None)


def _totals(results: list[Converted]) -> dict[str, int]:
    counted = [_counted(r) for r in results]
    return {name: sum(c[name] for c in counted) for name in ("posts", "pages", "comments")}
