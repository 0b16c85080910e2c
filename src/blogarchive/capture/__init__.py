"""``blogarchive.capture``: fetch what the posts depend on into a WARC inside the archive.

    DEST/media/media-NNNNN.warc.gz   WARC 1.1 request/response/revisit records (one file or
                                     more per run, never rewritten)
    DEST/media.jsonl                 one line per media URL as written: what its capture gave

Reads the archive ``convert`` wrote, plans the targets (``plan.py``), fetches them with a small
pool of threads (``fetch.py``) and stores them from this thread only (``warcs.py``,
``index.py``). The run builds a new archive folder beside DEST (the earlier files hard-linked)
and swaps it in like ``convert`` does, with the manifests and a PREMIS ``capture`` event, so
DEST is always the archive before the run or the one after it. Nothing is fetched unless this
is called, and ``dry_run`` fetches nothing at all.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ..folder import data_dir, real_destination, staging
from ..preserve.bag import bag_in_place, carry_for_packing, current_bag_info
from ..preserve.events import event, object_ref
from ..preserve.fixity import file_fixity, payload_files, write_manifests
from ..preserve.lock import locked
from ..preserve.writer import EVENTS, write_events
from ..store import load
from .check import check_media
from .index import INDEX, MEDIA_SCHEMA, MEDIA_SCHEMA_VERSION, read_index, write_index
from .options import FetchOptions, parse_size, user_agent
from .plan import SCOPES, Plan, Rewrite, Target, make_plan, parse_rewrite
from .warcs import MEDIA, Stored, WarcSink, next_number

if TYPE_CHECKING:
    from .fetch import Fetched, Fetcher

__all__ = [
    "SCOPES",
    "CaptureReport",
    "FetchOptions",
    "Rewrite",
    "capture",
    "check_media",
    "parse_rewrite",
    "parse_size",
    "user_agent",
]

_ROTATE_AT = 1 << 30  # a new WARC file past 1 GiB, the usual size of crawlers' files


@attrs.define
class CaptureReport:
    """What a capture did (or, with ``dry_run``, would do)."""

    path: Path
    plan: Plan
    to_fetch: tuple[Target, ...]
    """The targets this run fetches (or would): not yet held, or failed with retry_failed."""
    held: int = 0
    """Targets already captured by an earlier run (not fetched again)."""
    held_failed: int = 0
    """Targets that failed in an earlier run and were not retried (no ``retry_failed``)."""
    fetched: int = 0
    failed: Counter[str] = attrs.Factory(Counter)
    """Targets that failed in this run, by error kind."""
    bytes: int = 0
    revisits: int = 0
    shared: int = 0
    """Targets whose URL to request was captured for another target: no request made."""
    warcs: list[str] = attrs.Factory(list)
    dry_run: bool = False
    events: tuple[dict[str, Any], ...] = ()
    failures: list[tuple[str, str, str]] = attrs.Factory(list)
    """``(url as written, error kind, detail)`` of each target that failed in this run."""

    def lines(self) -> list[str]:
        """The human summary the CLI prints."""
        plan = self.plan
        out = []
        if self.dry_run:
            hosts = Counter(t.host for t in self.to_fetch)
            out.append(f"would fetch {len(self.to_fetch)} URL(s) from {len(hosts)} host(s); "
                       "nothing fetched (--dry-run)")
            out.extend(f"  {n:6d}  {host}"
                       for host, n in sorted(hosts.items(), key=lambda kv: (-kv[1], kv[0])))
        else:
            failed = sum(self.failed.values())
            kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.failed.items()))
            out.append(f"captured {self.fetched + self.shared} URL(s), {self.bytes} bytes "
                       f"({self.revisits} as revisits, {self.shared} sharing another's "
                       f"record) into {', '.join(self.warcs) or '-'}; "
                       f"{failed} failed" + (f" ({kinds})" if kinds else ""))
            out.extend(f"  failed: {url}: {kind}: {detail}"
                       for url, kind, detail in self.failures)
        out.append(f"already held: {self.held} captured, {self.held_failed} failed earlier "
                   "(not retried without --retry-failed)")
        out.append(f"left out: {plan.out_of_scope} out of scope, {plan.not_web} not http(s), "
                   f"{plan.unanalysed} post(s) without body analysis")
        return out


def capture(
    dest: str | os.PathLike[str],
    *,
    dry_run: bool = False,
    scope: str = "blogger",
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    rewrites: Sequence[Rewrite] = (),
    retry_failed: bool = False,
    avatars: bool = False,
    options: FetchOptions | None = None,
    rotate_at: int = _ROTATE_AT,
    options_text: str = "",
    sleep: Callable[[float], None] | None = None,
    wait: bool = False,
    notify: Callable[[str], None] | None = None,
) -> CaptureReport:
    """Capture the media of the archive at ``dest`` (written by ``convert``).

    ``avatars`` adds the pictures of post and comment authors. Only URLs not already in
    media.jsonl are fetched (and, with ``retry_failed``, those that failed before). Raises
    ArchiveError when ``dest`` is not an archive or its media.jsonl is damaged. A BagIt bag
    stays a bag (rebuilt with its bag-info fields). ``sleep`` replaces ``time.sleep`` for
    the retry and rate-limit waits. Like ``convert``, a capture holds the destination's lock
    while it reads and rewrites the archive: another run writing it makes it refuse (or, with
    ``wait``, wait; ``notify`` is told so).
    """
    target = real_destination(Path(os.fspath(dest)))
    # A dry run writes nothing, so it takes no lock (it may look while another run writes).
    guard = contextlib.nullcontext() if dry_run else locked(target, wait=wait, notify=notify)
    with guard:
        return _capture(target, dry_run=dry_run, scope=scope, include=include, exclude=exclude,
                        rewrites=rewrites, retry_failed=retry_failed, avatars=avatars,
                        options=options, rotate_at=rotate_at, options_text=options_text,
                        sleep=sleep)


def _capture(target: Path, *, dry_run: bool, scope: str, include: Sequence[str],
             exclude: Sequence[str], rewrites: Sequence[Rewrite], retry_failed: bool,
             avatars: bool, options: FetchOptions | None, rotate_at: int, options_text: str,
             sleep: Callable[[float], None] | None) -> CaptureReport:
    data = data_dir(target)
    archive = load(target)  # ArchiveError when it is not an archive
    plan = make_plan(archive, scope=scope, include=include, exclude=exclude, rewrites=rewrites,
                     avatars=avatars)
    held = read_index(data / INDEX)
    todo, done_before, failed_before = [], 0, 0
    for item in plan.targets:
        line = held.get(item.url)
        if line is None or (retry_failed and line.get("error")):
            todo.append(item)
        elif line.get("error"):
            failed_before += 1
        else:
            done_before += 1
    report = CaptureReport(target, plan, tuple(todo), held=done_before,
                           held_failed=failed_before, dry_run=dry_run)
    if dry_run or not todo:
        return report
    options = options or FetchOptions()
    bag_info = current_bag_info(target) if data != target else None
    with staging(target) as temp:
        # The payload's files but manifests and events, hard-linked; a bag is rebuilt from
        # its data/ like `convert --bag` builds one, keeping its bag-info fields.
        carry_for_packing(data, temp)
        lines = _run(todo, held, temp, options, rotate_at, report, sleep)
        write_index(temp / INDEX, lines.values())
        report.events = (_event(report, temp, options_text),)
        write_events(temp / EVENTS, data, list(report.events))
        if bag_info is None:
            write_manifests(temp, payload_files(temp))
        else:
            bag_in_place(temp, bag_info)
    return report


def _run(todo: list[Target], held: dict[str, dict[str, Any]], temp: Path,
         options: FetchOptions, rotate_at: int, report: CaptureReport,
         sleep: Callable[[float], None] | None) -> dict[str, dict[str, Any]]:
    """Fetch ``todo`` with the worker pool, storing each result as it arrives.

    A URL is requested once per archive: an image and its lightbox link usually share the
    original-size URL, so a target whose first candidate was already captured (earlier, or by
    another target of this run) gets a line sharing that record, with no request.
    """
    from .. import __version__
    from .fetch import Fetcher  # httpx is loaded only when something is fetched

    lines = dict(held)
    first: dict[str, tuple[Stored, str]] = {}
    for line in held.values():  # payloads held already: a new copy is a revisit
        warc = line.get("warc")
        if line.get("status") == 200 and line.get("sha256") and warc and not warc.get(
                "revisit_of"):
            first.setdefault(line["sha256"], (
                Stored(warc["file"], warc["record_id"], warc["offset"], line["fetched"]),
                line["final"]))
    leaders: dict[str, str] = {}  # URL requested -> URL as written of the line capturing it
    for line in held.values():
        if line.get("error") is None and line.get("requested"):
            leaders.setdefault(line["requested"], line["url"])
    waiting: list[Target] = []
    fetch_now: list[Target] = []
    for item in todo:
        if item.candidates[0] in leaders:
            waiting.append(item)
        else:
            leaders[item.candidates[0]] = item.url
            fetch_now.append(item)
    spool = temp / ".capture-spool"
    spool.mkdir()
    sink = WarcSink(temp / MEDIA, next_number(temp / MEDIA), rotate_at,
                    f"blogarchive {__version__}")
    fetcher = Fetcher(options, spool, sleep=sleep)
    try:
        with ThreadPoolExecutor(max_workers=max(1, options.concurrency)) as pool:
            try:
                _fetch_all(pool, fetcher, fetch_now, options.concurrency, sink, first, lines,
                           report)
                again = [t for t in waiting if not _share(t, leaders, lines, report)]
                _fetch_all(pool, fetcher, again, options.concurrency, sink, first, lines,
                           report)
            except BaseException:
                fetcher.close()  # before the pool waits for its threads: they stop soon
                raise
    finally:
        fetcher.close()
        sink.close()
        shutil.rmtree(spool, ignore_errors=True)
    report.warcs = [f"{MEDIA}/{p.name}" for p in sink.written]
    return lines


def _share(item: Target, leaders: dict[str, str], lines: dict[str, dict[str, Any]],
           report: CaptureReport) -> bool:
    """Give ``item`` the line of the capture of its first candidate, if there is one."""
    leader = lines.get(leaders.get(item.candidates[0], ""))
    if leader is None or leader["url"] == item.url or leader.get("error") is not None or (
            leader.get("requested") != item.candidates[0]):
        return False
    lines[item.url] = {**leader, "url": item.url, "kind": item.kind, "posts": list(item.posts),
                       "attempts": 0}
    report.shared += 1
    return True


def _fetch_all(pool: ThreadPoolExecutor, fetcher: Fetcher, items: list[Target],
               concurrency: int, sink: WarcSink, first: dict[str, tuple[Stored, str]],
               lines: dict[str, dict[str, Any]], report: CaptureReport) -> None:
    pending: set[Future[tuple[Target, Fetched]]] = set()
    try:
        # A bounded window of submissions: memory stays flat for any number of URLs.
        for item in items:
            pending.add(pool.submit(_fetch_target, fetcher, item))
            if len(pending) >= 2 * concurrency:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    _store(*future.result(), sink, first, lines, report)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                _store(*future.result(), sink, first, lines, report)
    except BaseException:
        for future in pending:
            future.cancel()
        raise


_PICTURES = frozenset({"image", "lightbox", "avatar"})


def _fetch_target(fetcher: Fetcher, item: Target) -> tuple[Target, Fetched]:
    """The candidates in order; the first that succeeds, else the last failure."""
    result = None
    for url in item.candidates:
        if result is not None:
            result.discard()
        result = fetcher.fetch(url)
        final = result.final
        if result.ok and final is not None and item.kind in _PICTURES and (
                (final.content_type or "").lower().startswith("text/")):
            # An HTML page (a login wall, "image not found") with a 200 is not the picture:
            # kept in the WARC as answered, but a failure, so --retry-failed tries again.
            result.error_kind = "not-an-image"
            result.error = f"answered {final.content_type} for an image"
        if result.ok:
            break
    assert result is not None  # a target always has a candidate
    return item, result


def _store(item: Target, result: Fetched, sink: WarcSink,
           first: dict[str, tuple[Stored, str]], lines: dict[str, dict[str, Any]],
           report: CaptureReport) -> None:
    """Write ``result``'s records and its media.jsonl line; remove its temp bodies."""
    try:
        stored = None
        for hop in result.exchanges:
            earlier = first.get(hop.sha256) if hop.status == 200 and hop.length else None
            stored = sink.write(hop, earlier[0] if earlier else None,
                                earlier[1] if earlier else None)
            if hop.status == 200 and hop.length and earlier is None:
                first[hop.sha256] = (stored, hop.url)
        final = result.final
        lines[item.url] = _line(item, result, stored)
        if result.ok and final is not None:
            report.fetched += 1
            report.bytes += final.length
            report.revisits += stored is not None and stored.revisit_of is not None
        else:
            report.failed[result.error_kind or "unknown"] += 1
            report.failures.append((item.url, result.error_kind or "unknown",
                                    result.error or ""))
    finally:
        result.discard()


def _line(item: Target, result: Fetched, stored: Stored | None) -> dict[str, Any]:
    final = result.final
    warc = None
    if stored is not None:
        warc = {"file": stored.file, "record_id": stored.record_id, "offset": stored.offset,
                "revisit_of": stored.revisit_of}
    return {
        "schema": MEDIA_SCHEMA,
        "schema_version": MEDIA_SCHEMA_VERSION,
        "url": item.url,
        "kind": item.kind,
        "posts": list(item.posts),
        "requested": result.url,
        "final": final.url if final else None,
        "redirects": [{"url": h.url, "status": h.status} for h in result.exchanges[:-1]],
        "status": final.status if final else None,
        "content_type": final.content_type if final else None,
        "length": final.length if final else None,
        "sha256": final.sha256 if final else None,
        "warc": warc,
        "fetched": stored.date if stored else None,
        "attempts": result.attempts,
        "error": ({"kind": result.error_kind, "detail": result.error or ""}
                  if result.error_kind else None),
    }


def _event(report: CaptureReport, temp: Path, options_text: str) -> dict[str, Any]:
    from .. import __version__

    failed = sum(report.failed.values())
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(report.failed.items()))
    note = (f"{report.fetched} URL(s) captured ({report.bytes} bytes, {report.revisits} as "
            f"revisits), {report.shared} sharing another's record, {failed} failed"
            + (f" ({kinds})" if kinds else "")
            + f"; {report.held} held from earlier runs")
    objects = [object_ref("outcome", name, name, file_fixity(temp / name), temp / name)
               for name in [*report.warcs, INDEX]]
    return event(
        "capture",
        f'program="blogarchive"; version="{__version__}"; options="{options_text}"',
        "warning" if failed else "success",
        note=note,
        warnings=[f"{n} URL(s) failed: {k}" for k, n in sorted(report.failed.items())],
        objects=objects,
        extra={"capture": {"fetched": report.fetched, "failed": failed,
                           "bytes": report.bytes, "revisits": report.revisits,
                           "shared": report.shared,
                           # the agent note names the converting libraries; these fetched
                           # and wrote this run's records
                           "libraries": {name: _version(name) for name in ("httpx", "warcio")},
                           "held": report.held}},
    )


def _version(dist: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None
