"""A capture killed at any moment (SIGKILL) leaves a valid archive and loses at most the URLs
in flight: checkpoints commit what was stored, the next run adopts what was journaled since.

Each test runs the capture in a child process against the local server, whose slow URL keeps
the run busy, kills it at a chosen moment and runs it again in this process. And two captures
of one archive at once: the second refuses, or waits, and no update is lost.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

import blogarchive
from blogarchive.capture import FetchOptions, capture, parse_rewrite
from blogarchive.cli import main
from blogarchive.errors import ArchiveError
from capture_server import (  # noqa: F401 (dest_fixture, server_fixture: used by name)
    JPEG,
    Server,
    dest_fixture,
    image,
    index,
    rewrites,
    run,
    server_fixture,
    tree,
)

ALL = 11  # targets of pictures.xml in the default scope
CHILD = """
import sys
from blogarchive.capture import FetchOptions, capture, parse_rewrite
capture(sys.argv[1], rewrites=[parse_rewrite(r) for r in sys.argv[3:]],
        options=FetchOptions(read_timeout=60, per_host_interval=0, retries=0),
        checkpoint_every=int(sys.argv[2]))
"""


def _slow_reached(server: Server) -> threading.Event:
    reached = threading.Event()
    original = server.httpd.RequestHandlerClass.do_GET  # type: ignore[attr-defined]

    def noting(handler: Any) -> None:
        if handler.path.endswith("/slow.jpg"):
            reached.set()
        original(handler)

    server.httpd.RequestHandlerClass.do_GET = noting  # type: ignore[attr-defined]
    return reached


def _kill_when(dest: Path, server: Server, every: int, ready: Callable[[], bool]) -> None:
    """Run the capture in a child, SIGKILL it once ``ready()`` holds (polled)."""
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(dest), str(every),
                              *rewrites(server)])
    try:
        deadline = time.monotonic() + 60
        while not ready():
            assert child.poll() is None, "the capture ended before the moment to kill it"
            assert time.monotonic() < deadline, "the moment to kill the capture never came"
            time.sleep(0.01)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(60)
    assert child.returncode == -signal.SIGKILL


def _journaled(dest: Path) -> int:
    found = list(dest.parent.glob(".archive.tmp-capture-*/journal.jsonl"))
    return sum(len(p.read_text(encoding="utf-8").splitlines()) for p in found)


def _lines(dest: Path) -> int:
    path = dest / "media.jsonl"
    return len(path.read_text(encoding="utf-8").splitlines()) if path.is_file() else 0


def _records_per_uri(dest: Path) -> Counter[str]:
    """Response and revisit records of every WARC file in the archive, by target URI."""
    counts: Counter[str] = Counter()
    for path in sorted((dest / "media").glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type in ("response", "revisit"):
                    counts[record.rec_headers.get_header("WARC-Target-URI")] += 1
    return counts


def _finish(dest: Path, server: Server) -> blogarchive.CaptureReport:
    """Run again (the slow URL now answers): every URL captured once, nothing left over."""
    problems = blogarchive.validate(dest).problems
    assert not problems, problems  # valid right after the kill
    server.release.set()
    server.routes["/lh6.googleusercontent.com/slow.jpg"] = [image("jpeg", JPEG)]
    kept = index(dest) if (dest / "media.jsonl").is_file() else {}
    server.requests.clear()
    report = run(dest, server)
    assert len(index(dest)) == ALL
    assert blogarchive.validate(dest).valid
    assert not list(dest.parent.glob(".archive.tmp-*"))
    duplicates = {uri: n for uri, n in _records_per_uri(dest).items() if n > 1}
    assert duplicates == {}  # no URL's answer stored twice
    asked = {server.base + path for path in server.paths()}
    for line in kept.values():  # nothing captured before the kill is asked for again
        assert line["error"] is not None or line["requested"] not in asked, line["url"]
    return report


def test_killed_after_a_checkpoint_keeps_what_it_committed(dest: Path, server: Server) -> None:
    reached = _slow_reached(server)
    _kill_when(dest, server, 1, lambda: reached.is_set() and _lines(dest) >= 1)
    kept = index(dest)
    assert kept and all(line["warc"] or line["error"] for line in kept.values())
    events = [json.loads(e) for e in (dest / "events.jsonl").read_text().splitlines()]
    assert events[-1]["eventType"] == "capture" and events[-1]["capture"]["complete"] is False
    report = _finish(dest, server)
    assert report.held + report.held_failed + report.adopted + len(report.to_fetch) == ALL
    assert report.held + report.held_failed >= 1


def test_killed_between_checkpoints_the_next_run_adopts_the_journal(
        dest: Path, server: Server) -> None:
    reached = _slow_reached(server)
    before = tree(dest)
    # No checkpoint before the end: what was stored is only in the work folder's journal.
    _kill_when(dest, server, 10_000, lambda: reached.is_set() and _journaled(dest) >= 3)
    assert tree(dest) == before  # the archive as it was: valid, nothing half-written
    report = _finish(dest, server)
    assert report.adopted >= 3
    assert f"recovered {report.adopted} URL(s) stored by an interrupted run" in report.lines()
    events = [json.loads(e) for e in (dest / "events.jsonl").read_text().splitlines()]
    assert [e["eventType"] for e in events] == ["migration", "capture"]
    assert events[-1]["capture"]["adopted"] == report.adopted


def test_killed_at_the_first_request(dest: Path, server: Server) -> None:
    # Right after the first request, before anything could be stored: nothing to adopt.
    _kill_when(dest, server, 1, lambda: bool(server.requests))
    _finish(dest, server)


# -- two captures of one archive -----------------------------------------------------------


def test_a_second_capture_refuses_or_waits_and_loses_no_update(
        dest: Path, server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    reached = _slow_reached(server)
    patient = FetchOptions(concurrency=4, per_host_interval=0, read_timeout=60, retries=0)
    rules = [parse_rewrite(r) for r in rewrites(server)]
    done: list[blogarchive.CaptureReport] = []
    first = threading.Thread(target=lambda: done.append(
        capture(dest, rewrites=rules, options=patient)))
    first.start()
    try:
        assert reached.wait(60)  # the first run holds the lock, its slow URL in flight
        # A dry run takes no lock and leaves the running capture's work folder alone.
        assert capture(dest, rewrites=rules, options=patient, dry_run=True).dry_run
        assert list(dest.parent.glob(".archive.tmp-capture-*/journal.jsonl"))
        with pytest.raises(ArchiveError, match="another blogarchive run is writing it"):
            capture(dest, rewrites=rules, options=patient, scope="all")
        assert main(["capture", str(dest), "--scope", "all"]) == 2
        assert "another blogarchive run is writing it" in capsys.readouterr().err
        heard: list[str] = []
        second = threading.Thread(target=lambda: done.append(capture(
            dest, rewrites=rules, options=patient, scope="all", wait=True,
            notify=heard.append)))
        second.start()
        deadline = time.monotonic() + 60
        while not heard:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert "waiting for the run writing" in heard[0]
        assert (dest / "media.jsonl").exists() is False  # the second did not go ahead
    finally:
        server.release.set()  # the slow URL ends (no answer): the first run finishes
        first.join(60)
    second.join(60)
    assert len(done) == 2
    lines = index(dest)
    # The second run started from the first one's archive: its lines are all there, and
    # the second added the URL only --scope all takes in.
    assert {t.url for t in done[0].plan.targets} <= set(lines)
    assert "https://example.org/outside.png" in lines and len(lines) == ALL + 1
    events = [json.loads(e)["eventType"] for e in
              (dest / "events.jsonl").read_text().splitlines()]
    assert events == ["migration", "capture", "capture"]
    assert blogarchive.validate(dest).valid


def test_a_run_stopped_by_an_exception_is_taken_over_in_the_same_process(
        dest: Path, server: Server) -> None:
    def interrupt(seconds: float) -> None:  # the first retry wait: as if Ctrl-C came then
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        capture(dest, rewrites=[parse_rewrite(r) for r in rewrites(server)],
                options=FetchOptions(concurrency=1, per_host_interval=0, read_timeout=1.0,
                                     retries=2),
                sleep=interrupt, checkpoint_every=10_000)
    assert _journaled(dest) >= 1 and not (dest / "media.jsonl").exists()
    report = _finish(dest, server)
    assert report.adopted >= 1
