"""``blogarchive.capture``: fetch what the posts depend on into a WARC inside the archive.

    DEST/media/media-NNNNN.warc.gz   WARC 1.1 request/response/revisit records (one file or
                                     more per run, never rewritten)
    DEST/media.jsonl                 one line per media URL as written: what its capture gave

Reads the archive ``convert`` wrote, plans the targets (``plan.py``), fetches them with a small
pool of threads (``fetch.py``) and stores them from this thread only (``warcs.py``,
``index.py``). Every so often, and at the end, the run commits what it has stored
(``commit.py``): a new archive folder is built beside DEST (the earlier files hard-linked)
and swapped in like ``convert`` does, with the manifests and a PREMIS ``capture`` event, so
DEST is always a valid archive, and a run killed at any moment loses at most the URLs in
flight (the next run adopts what the killed one journaled). Nothing is fetched unless this
is called, and ``dry_run`` fetches nothing at all.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ..folder import data_dir, real_destination
from ..preserve.bag import current_bag_info
from ..preserve.lock import locked
from ..store import load
from .check import check_media
from .commit import Committer, adopt, work_folder
from .index import INDEX, line_head, read_index
from .options import FetchOptions, parse_size, user_agent
from .plan import SCOPES, Rewrite, Target, make_plan, parse_rewrite
from .report import CaptureReport
from .sourced import take
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
_EVERY = 500  # a checkpoint every 500 URLs stored ...
_SECONDS = 60.0  # ... or every minute, whichever comes first


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
    checkpoint_every: int = _EVERY,
    checkpoint_seconds: float = _SECONDS,
    lock: bool = True,
) -> CaptureReport:
    """Capture the media of the archive at ``dest`` (written by ``convert``).

    ``avatars`` adds the pictures of post and comment authors. Only URLs not already in
    media.jsonl are fetched (and, with ``retry_failed``, those that failed before). Raises
    ArchiveError when ``dest`` is not an archive or its media.jsonl is damaged. A BagIt bag
    stays a bag (rebuilt with its bag-info fields). ``sleep`` replaces ``time.sleep`` for
    the retry and rate-limit waits. Like ``convert``, a capture holds the destination's lock
    while it reads and rewrites the archive: another run writing it makes it refuse (or, with
    ``wait``, wait; ``notify`` is told so). What has been stored is committed into the
    archive every ``checkpoint_every`` URLs or ``checkpoint_seconds`` seconds.
    ``lock=False`` leaves the lock to a caller who holds it already (``batch``, whose
    OUTDIR's lock is also the lock of every archive in it).
    """
    target = real_destination(Path(os.fspath(dest)))
    # A dry run writes nothing, so it takes no lock (it may look while another run writes).
    guard = contextlib.nullcontext() if dry_run or not lock else \
        locked(target, wait=wait, notify=notify)
    with guard:
        return _capture(target, _Settings(
            dry_run=dry_run, scope=scope, include=tuple(include), exclude=tuple(exclude),
            rewrites=tuple(rewrites), retry_failed=retry_failed, avatars=avatars,
            options=options or FetchOptions(), rotate_at=rotate_at, options_text=options_text,
            sleep=sleep, every=max(1, checkpoint_every), seconds=checkpoint_seconds))


@attrs.frozen
class _Settings:
    dry_run: bool
    scope: str
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    rewrites: tuple[Rewrite, ...]
    retry_failed: bool
    avatars: bool
    options: FetchOptions
    rotate_at: int
    options_text: str
    sleep: Callable[[float], None] | None
    every: int
    seconds: float


def _capture(target: Path, settings: _Settings) -> CaptureReport:
    data = data_dir(target)
    archive = load(target)  # ArchiveError when it is not an archive
    plan = make_plan(archive, scope=settings.scope, include=settings.include,
                     exclude=settings.exclude, rewrites=settings.rewrites,
                     avatars=settings.avatars)
    held = read_index(data / INDEX)
    work = work_folder(target)
    adopted: dict[str, dict[str, Any]] = {}
    if not settings.dry_run:  # under the lock: any work folder left is a run that is over
        adopted = adopt(target, data, held, work / MEDIA)
    todo, done_before, failed_before = [], 0, 0
    for item in plan.targets:
        line = adopted.get(item.url) or held.get(item.url)
        if line is None or (settings.retry_failed and line.get("error")):
            todo.append(item)
        elif item.url in adopted:
            pass
        elif line.get("error"):
            failed_before += 1
        else:
            done_before += 1
    report = CaptureReport(target, plan, tuple(todo), held=done_before,
                           held_failed=failed_before, dry_run=settings.dry_run,
                           adopted=len(adopted))
    if settings.dry_run or not (todo or adopted):
        # (A dry run holds no lock: a work folder there may be a running capture's.)
        return report
    from .. import __version__

    (work / MEDIA).mkdir(parents=True, exist_ok=True)
    sink = WarcSink(work / MEDIA, max(next_number(data / MEDIA), next_number(work / MEDIA)),
                    settings.rotate_at, f"blogarchive {__version__}")
    committer = Committer(target, data, work, sink, report,
                          bag_info=current_bag_info(target) if data != target else None,
                          options_text=settings.options_text, every=settings.every,
                          seconds=settings.seconds)
    try:
        lines = {**held, **adopted}
        if adopted:  # what the killed run stored goes in before anything else is fetched
            committer.commit(lines, final=not todo)
        if todo:
            # Images a WARC source already holds are copied from it, not fetched.
            taken, rest = take(target, todo, sink)
            for line in taken.values():
                lines[line["url"]] = line
                committer.stored(line)
            report.from_sources = len(taken)
            if rest:
                _run(rest, lines, work, settings, sink, committer)
            committer.commit(lines, final=True)
    finally:
        committer.close()
        sink.close()
    # Done and committed: nothing left to adopt. (On an error the folder stays for the
    # next run, which adopts what its journal holds.)
    shutil.rmtree(work, ignore_errors=True)
    return report


def _run(todo: list[Target], lines: dict[str, dict[str, Any]], work: Path,
         settings: _Settings, sink: WarcSink, committer: Committer) -> None:
    """Fetch ``todo`` with the worker pool, storing each result into ``lines`` as it
    arrives.

    A URL is requested once per archive: an image and its lightbox link usually share the
    original-size URL, so a target whose first candidate was already captured (earlier, or by
    another target of this run) gets a line sharing that record, with no request.
    """
    from .fetch import Fetcher  # httpx is loaded only when something is fetched

    first: dict[str, tuple[Stored, str]] = {}
    for line in lines.values():  # payloads held already: a new copy is a revisit
        warc = line.get("warc")
        if line.get("status") == 200 and line.get("sha256") and warc and not warc.get(
                "revisit_of"):
            first.setdefault(line["sha256"], (
                Stored(warc["file"], warc["record_id"], warc["offset"], line["fetched"]),
                line["final"]))
    leaders: dict[str, str] = {}  # URL requested -> URL as written of the line capturing it
    for line in lines.values():
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
    spool = work / ".capture-spool"
    shutil.rmtree(spool, ignore_errors=True)
    spool.mkdir()
    options = settings.options
    fetcher = Fetcher(options, spool, sleep=settings.sleep)
    state = _State(sink, first, lines, committer.report, committer)
    try:
        with ThreadPoolExecutor(max_workers=max(1, options.concurrency)) as pool:
            try:
                _fetch_all(pool, fetcher, fetch_now, options.concurrency, state)
                again = []
                for item in waiting:
                    if _share(item, leaders, lines, committer.report):
                        committer.stored(lines[item.url])
                    else:
                        again.append(item)
                _fetch_all(pool, fetcher, again, options.concurrency, state)
            except BaseException:
                fetcher.close()  # before the pool waits for its threads: they stop soon
                raise
    finally:
        fetcher.close()
        shutil.rmtree(spool, ignore_errors=True)


@attrs.define
class _State:
    """What storing a result needs: the sink, payloads stored, the lines, the committer."""

    sink: WarcSink
    first: dict[str, tuple[Stored, str]]
    lines: dict[str, dict[str, Any]]
    report: CaptureReport
    committer: Committer


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
               concurrency: int, state: _State) -> None:
    pending: set[Future[tuple[Target, Fetched]]] = set()

    def settle(until: int) -> None:
        nonlocal pending
        while len(pending) > until:
            # Woken at least once a second, so a checkpoint falls due while slow fetches run.
            finished, pending = wait(pending, timeout=1.0, return_when=FIRST_COMPLETED)
            for future in finished:
                _store(*future.result(), state)
            if state.committer.due():
                state.committer.commit(state.lines, final=False)

    try:
        # A bounded window of submissions: memory stays flat for any number of URLs.
        for item in items:
            pending.add(pool.submit(_fetch_target, fetcher, item))
            settle(2 * concurrency - 1)
        settle(0)
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


def _store(item: Target, result: Fetched, state: _State) -> None:
    """Write ``result``'s records and its media.jsonl line; remove its temp bodies."""
    report, first = state.report, state.first
    try:
        stored = None
        for hop in result.exchanges:
            earlier = first.get(hop.sha256) if hop.status == 200 and hop.length else None
            stored = state.sink.write(hop, earlier[0] if earlier else None,
                                      earlier[1] if earlier else None)
            if hop.status == 200 and hop.length and earlier is None:
                first[hop.sha256] = (stored, hop.url)
        final = result.final
        state.lines[item.url] = _line(item, result, stored)
        state.committer.stored(state.lines[item.url])
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
    return {
        **line_head(item.url, item.kind, item.posts),
        "requested": result.url,
        "final": final.url if final else None,
        "redirects": [{"url": h.url, "status": h.status} for h in result.exchanges[:-1]],
        "status": final.status if final else None,
        "content_type": final.content_type if final else None,
        "length": final.length if final else None,
        "sha256": final.sha256 if final else None,
        "warc": stored.ref() if stored else None,
        "fetched": stored.date if stored else None,
        "attempts": result.attempts,
        "error": ({"kind": result.error_kind, "detail": result.error or ""}
                  if result.error_kind else None),
    }
