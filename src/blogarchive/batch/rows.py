"""A row of batch.jsonl: what became of one input, and its blogs' lines of catalog.jsonl,
made in the worker that converted it, from ``convert``'s results (``work``)."""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import socket
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._time import parse_time
from ..folder import FILES, data_dir
from ..preserve import Converted
from ..reading import ReadReport

if TYPE_CHECKING:
    from ..capture.report import CaptureReport
    from .work import Job, Settings

__all__ = ["failed_row", "make_row", "worker_name"]


def worker_name() -> str:
    """Who did the work: the Dask worker's address on a cluster, else host:pid."""
    if "distributed" in sys.modules:  # an optional extra: never imported here for this
        with contextlib.suppress(ValueError):  # ValueError: not in a Dask worker
            distributed: Any = importlib.import_module("distributed")
            return str(distributed.get_worker().address)
    return f"{socket.gethostname()}:{os.getpid()}"


def make_row(job: Job, settings: Settings, report: ReadReport, errors: list[str],
             results: list[Converted], captured: list[CaptureReport], seconds: float,
             worker: str) -> dict[str, Any]:
    """The row of an input converted (``results``, its archives in place) or not
    (``errors``), in ``seconds``, by ``worker`` (``worker_name`` where it was converted:
    the row may be made in another thread, which a Dask worker does not know as its own)."""
    # In the order convert prints them: what could not be read, what was partly lost, then
    # why nothing was written.
    errors = [f"error: {p}" for p in report.failed] + \
        [f"recovered: {s}" for s in report.recovered] + errors
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
        "duration": round(seconds, 3),
        "worker": worker,
        "finished": datetime.now(timezone.utc).isoformat(timespec="microseconds"),
    }


def failed_row(job: Job, error: str) -> dict[str, Any]:
    """The row of an input whose task could not be run at all (its worker kept dying)."""
    return {"source": job.source, "sha256": job.sha256, "options": job.options,
            "status": "failed", "error": error, "warnings": [], "notices": [], "blogs": [],
            "posts": 0, "pages": 0, "comments": 0, "capture": None, "duration": 0.0,
            "worker": None,
            "finished": datetime.now(timezone.utc).isoformat(timespec="microseconds")}


def _captured(reports: list[CaptureReport]) -> dict[str, int]:
    """The row's ``capture``: the media of its blogs fetched now, failed now, held before
    (captured by an earlier run), copied from a WARC source."""
    return {"fetched": sum(r.fetched for r in reports),
            "failed": sum(sum(r.failed.values()) for r in reports),
            "held": sum(r.held for r in reports),
            "from_sources": sum(r.from_sources for r in reports)}


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
