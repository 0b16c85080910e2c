"""Checkpoints of a capture run: what it has stored so far, committed into the archive.

A run writes its WARC records into a work folder beside DEST (``.DEST.tmp-capture-<pid>/``,
never inside DEST, whose manifests must list exactly what is in it), each record flushed as
it is written, and appends a journal line per URL once that URL's records are in the file.
Every so often (``every`` URLs or ``seconds``) it commits: the finished WARC files,
media.jsonl, the manifests (or the bag) and the run's capture event go into the archive by
the same atomic swap as ``convert``, so DEST is always a valid archive. A run killed between
two commits leaves the archive of the last commit and its work folder; the next run adopts
what that journal holds (the WARC files cut back to the end of the last journaled record), so
only the URLs that were in flight are lost. A commit costs about one pass over the archive's
files (links; new files digested), so commits are spaced at least ten times their own cost
apart: a long run of a large archive spends little of its time committing.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import IO, Any, Final

from ..folder import EVENTS, MEDIA, staging
from ..preserve.bag import bag_in_place, carry_for_packing
from ..preserve.events import event, object_ref
from ..preserve.fixity import Fixity, file_fixity, link_or_copy, payload_files, write_manifests
from ..preserve.writer import MEDIA_SCHEMA_FILE, PACKAGED_SCHEMAS, SCHEMAS, write_events
from .index import INDEX, write_index
from .report import CaptureReport
from .warcs import WarcSink

__all__ = ["JOURNAL", "Committer", "adopt", "work_folder"]

JOURNAL: Final = "journal.jsonl"
_SPACING: Final = 10  # commits at least this many times their own cost apart
_REWRITTEN: Final = frozenset({INDEX, EVENTS, MEDIA_SCHEMA_FILE})


def work_folder(target: Path) -> Path:
    """This process's work folder for a capture into ``target``; the ``.DEST.tmp-`` prefix
    lets ``folder.recover`` clear it once this process is gone, like a staging folder."""
    return target.parent / f".{target.name}.tmp-capture-{os.getpid()}"


def adopt(target: Path, data: Path, held: dict[str, dict[str, Any]],
          into: Path) -> dict[str, dict[str, Any]]:
    """The journaled lines of every earlier capture's work folder beside ``target``, their
    WARC files (cut after the last journaled record) moved into ``into``; the folders are
    removed. Called under the destination's lock: any such folder is a run that is over."""
    found: dict[str, dict[str, Any]] = {}
    mine = into.parent
    if mine.exists():  # an earlier run in this very process, stopped by an exception
        os.replace(mine, mine.with_name(f".{target.name}.tmp-capture-earlier-{os.getpid()}"))
    for work in sorted(target.parent.glob(f".{target.name}.tmp-capture-*")):
        if work.is_dir():
            found.update(_adopt_one(work, data, held, into))
            shutil.rmtree(work, ignore_errors=True)
    return found


def _journal(path: Path) -> list[dict[str, Any]]:
    entries = []
    if path.is_file():
        with path.open(encoding="utf-8") as stream:
            for text in stream:
                try:
                    entry = json.loads(text)
                except ValueError:
                    break  # the line being written when the run died: it and what follows
                entries.append(entry)
    return entries


def _adopt_one(work: Path, data: Path, held: dict[str, dict[str, Any]],
               into: Path) -> dict[str, dict[str, Any]]:
    entries = _journal(work / JOURNAL)
    ends: dict[str, int] = {}
    for entry in entries:
        if entry.get("end"):
            name, size = entry["end"]
            ends[name] = max(ends.get(name, 0), size)
    kept: set[str] = set()
    for path in sorted((work / MEDIA).glob("media-*.warc.gz")):
        # A name the archive (or another adopted run) already has cannot be taken over
        # without renaming a file whose warcinfo names it: such records are fetched again.
        size = ends.get(path.name)
        if size is None or (data / MEDIA / path.name).exists() or (into / path.name).exists():
            continue
        with path.open("r+b") as stream:
            stream.truncate(size)  # a record cut short by the kill goes
            os.fsync(stream.fileno())
        into.mkdir(parents=True, exist_ok=True)
        os.replace(path, into / path.name)
        kept.add(f"{MEDIA}/{path.name}")
    found: dict[str, dict[str, Any]] = {}
    for entry in entries:
        line = entry["line"]
        warc = line.get("warc")
        if warc is not None and warc["file"] not in kept and not (data / warc["file"]).is_file():
            continue  # its records were not kept
        if held.get(line["url"]) != line:  # not committed before the run died
            found[line["url"]] = line
    return found


class Committer:
    """Commits a run's lines and WARC files into the archive at ``target``."""

    def __init__(self, target: Path, data: Path, work: Path, sink: WarcSink,
                 report: CaptureReport, *, bag_info: dict[str, str] | None,
                 options_text: str, every: int, seconds: float) -> None:
        self.target, self.data, self.work, self.sink = target, data, work, sink
        self.report, self.bag_info, self.options_text = report, bag_info, options_text
        self.every, self.seconds = every, seconds
        # The events before this run, kept aside: each commit writes them and this run's
        # one event (with its counts so far), never one event per checkpoint.
        if (data / EVENTS).is_file():
            link_or_copy(data / EVENTS, work / EVENTS)
        self.pending: list[Path] = sorted((work / MEDIA).glob("media-*.warc.gz"))
        self._journal: IO[str] = (work / JOURNAL).open("a", encoding="utf-8")
        self._since = 0
        self._last = time.monotonic()
        self._cost = 0.0
        self._digests: dict[tuple[int, int, int, int], Fixity] = {}

    def stored(self, line: dict[str, Any]) -> None:
        """``line``'s records are in the WARC file: journal it (flushed, so a kill keeps it)."""
        end = None
        if self.sink.written:
            path, size = self.sink.position()
            end = [path.name, size]
        self._journal.write(json.dumps({"line": line, "end": end}) + "\n")
        self._journal.flush()
        self._since += 1

    def due(self) -> bool:
        """Time for a checkpoint: enough URLs or seconds since the last, and not too soon."""
        elapsed = time.monotonic() - self._last
        return self._since > 0 and (self._since >= self.every or elapsed >= self.seconds) and (
            elapsed >= _SPACING * self._cost)

    def commit(self, lines: dict[str, dict[str, Any]], *, final: bool) -> None:
        """Swap in an archive holding ``lines``, every WARC file finished so far, manifests
        and this run's event (``final``: the run is complete)."""
        began = time.monotonic()
        done = [*self.pending, *(self.sink.finish() if self.sink.written else [])]
        self.report.warcs.extend(f"{MEDIA}/{p.name}" for p in done)
        self.report.checkpoints += 1
        with staging(self.target) as temp:
            carry_for_packing(self.data, temp)
            for path in done:
                link_or_copy(path, temp / MEDIA / path.name)
            write_index(temp / INDEX, lines.values())
            # The schema of those lines, as this version writes them (replacing an older one)
            (temp / SCHEMAS).mkdir(exist_ok=True)
            (temp / SCHEMAS / MEDIA_SCHEMA_FILE).unlink(missing_ok=True)  # a link: not in place
            shutil.copyfile(PACKAGED_SCHEMAS / MEDIA_SCHEMA_FILE,
                            temp / SCHEMAS / MEDIA_SCHEMA_FILE)
            self.report.events = (self._event(temp, final),)
            write_events(temp / EVENTS, self.work, list(self.report.events))
            if self.bag_info is None:
                write_manifests(temp, payload_files(temp), fixity=self._fixity)
            else:
                bag_in_place(temp, self.bag_info)
        # Committed: the segments leave the work folder first, then the journal empties
        # (a kill between the two: adopt finds those lines in media.jsonl and skips them).
        for path in done:
            path.unlink()
        self.pending = []
        self._journal.truncate(0)
        self._journal.seek(0)
        self._since = 0
        self._last = time.monotonic()
        self._cost = self._last - began

    def close(self) -> None:
        self._journal.close()

    def _fixity(self, path: Path) -> Fixity:
        """Digests of a file, remembered by inode: what a commit carried over as a link is
        not read again by the next. The files each commit writes anew are always read (a
        new file may get a freed inode back, with the same size, within one clock tick)."""
        if path.name in _REWRITTEN:
            return file_fixity(path)
        info = path.stat()
        key = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
        if key not in self._digests:
            self._digests[key] = file_fixity(path)
        return self._digests[key]

    def _event(self, temp: Path, final: bool) -> dict[str, Any]:
        from .. import __version__

        report = self.report
        failed = sum(report.failed.values())
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(report.failed.items()))
        note = (("" if final else "checkpoint, the run going on: ")
                + f"{report.fetched} URL(s) captured ({report.bytes} bytes, {report.revisits} "
                f"as revisits), {report.shared} sharing another's record, {failed} failed"
                + (f" ({kinds})" if kinds else "")
                + f"; {report.held} held from earlier runs"
                + (f"; {report.from_sources} copied from WARC sources"
                   if report.from_sources else "")
                + (f"; {report.adopted} recovered from an interrupted run"
                   if report.adopted else ""))
        objects = [object_ref("outcome", name, name, self._fixity(temp / name), temp / name)
                   for name in [*report.warcs, INDEX]]
        return event(
            "capture",
            f'program="blogarchive"; version="{__version__}"; options="{self.options_text}"',
            "warning" if failed else "success",
            note=note,
            warnings=[f"{n} URL(s) failed: {k}" for k, n in sorted(report.failed.items())],
            objects=objects,
            extra={"capture": {"fetched": report.fetched, "failed": failed,
                               "bytes": report.bytes, "revisits": report.revisits,
                               "shared": report.shared, "adopted": report.adopted,
                               "from_sources": report.from_sources,
                               "complete": final,
                               # the agent note names the converting libraries; these
                               # fetched and wrote this run's records
                               "libraries": {name: _version(name)
                                             for name in ("httpx", "warcio")},
                               "held": report.held}},
        )


def _version(dist: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None
