"""``--jobs N`` packs small blogs as Dask does (issue 13, branch batch13f), so that each
archive's commit runs behind the next blog's conversion; a pack whose worker keeps dying is
given again blog by blog, so a dying worker still loses only its own blog."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

import blogarchive
from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from collection import write_collection

_DIES: list[str] = []
"""The input whose conversion kills its worker, each time (set before the workers fork)."""


def _jobs(tmp_path: Path, blogs: int) -> list[Any]:
    from blogarchive.batch.survey import survey
    from blogarchive.batch.work import Job

    jobs = []
    for source in write_collection(tmp_path / "in", blogs, extras=False):
        found = survey(os.fspath(source))
        jobs.append(Job(os.fspath(source), None, found.sha256, found.folders, "", found.size))
    return jobs


def _events(archive: Path) -> int:
    return len((archive / "events.jsonl").read_text().splitlines())


class Killed(BaseException):
    """A worker's death, as the task sees it: nothing after it runs."""


class _Dying:
    """A runner that runs tasks here, packed as ``--jobs`` packs them, and gives up a task
    whose worker died (``Killed``), as the process pool does once it has died alone."""

    name = "dying"
    workers = 1

    def __init__(self, pack: int) -> None:
        self.pack = pack
        self.largest = 0
        self.rounds: list[list[tuple[str, ...]]] = []

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any],
            lost: Callable[[int, str], Any]) -> Iterator[tuple[int, Any]]:
        self.rounds.append([tuple(Path(job.source).name for job in task.jobs)
                            for task in items])
        for i, item in enumerate(items):
            try:
                got = fn(item)
            except Killed:
                yield i, lost(i, "its worker process died each time it was converted")
                continue
            yield i, got

    def warm(self) -> None:
        pass

    def close(self) -> None:
        pass


def test_a_pack_lost_with_its_worker_loses_only_the_blog_that_killed_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from blogarchive.batch import Settings, work
    from blogarchive.batch.packing import packs
    from blogarchive.batch.tasks import convert_all

    jobs = _jobs(tmp_path, 12)
    runner = _Dying(pack=3 * max(job.size for job in jobs))
    # The killer: the second input of the first pack of three or more.
    pack = next(p for p in packs([job.size for job in jobs], 1, runner.pack) if len(p) > 2)
    killer = jobs[pack[1]].source
    real = work._convert_one

    def dies(outdir: Path, job: Any, settings: Any, *commits: Any) -> Any:
        if job.source == killer:
            raise Killed
        return real(outdir, job, settings, *commits)

    monkeypatch.setattr(work, "_convert_one", dies)
    out = tmp_path / "out"
    heard: list[dict[str, Any]] = []
    rows = convert_all(runner, out, Settings(), jobs, None,  # type: ignore[arg-type]
                       heard.append)
    names = [Path(jobs[i].source).name for i in pack]
    assert tuple(names) in runner.rounds[0]
    # Given again: the killer and the blogs after it in its pack (those before had kept
    # their rows), one a task; the killer's death now takes nothing else with it.
    assert runner.rounds[1] == [(name,) for name in names[1:]]
    assert [row["source"] for row in rows] == [job.source for job in jobs]
    for job, row in zip(jobs, rows, strict=True):
        if job.source == killer:
            assert row["status"] == "failed"
            assert row["error"] == (f"error: {job.source}: not converted: its worker process "
                                    "died each time it was converted")
            continue
        assert row["status"] == "ok", row
        assert _events(out / job.folders[0]) == 1  # none converted twice
    assert sorted(r["source"] for r in heard) == sorted(job.source for job in jobs)
    ledger = (out / "batch.jsonl").read_text().splitlines()
    assert len(ledger) == len(jobs)


def test_a_lost_task_of_one_blog_is_not_given_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from blogarchive.batch import Settings, work
    from blogarchive.batch.tasks import convert_all

    jobs = _jobs(tmp_path, 5)

    def dies(outdir: Path, job: Any, settings: Any, *commits: Any) -> Any:
        raise Killed

    monkeypatch.setattr(work, "_convert_one", dies)
    runner = _Dying(pack=0)  # a task per blog
    rows = convert_all(runner, tmp_path / "out", Settings(), jobs, None,  # type: ignore[arg-type]
                       None)
    assert len(runner.rounds) == 1
    assert [row["status"] for row in rows] == ["failed"] * 5


def test_jobs_packs_small_blogs_and_writes_one_row_per_input(tmp_path: Path) -> None:
    from blogarchive.batch.packing import PACK_BYTES
    from blogarchive.batch.runners import runner

    pool = runner(2)
    try:
        assert pool.pack == PACK_BYTES  # packed: the commits go behind the next blog
    finally:
        pool.close()
    sources = write_collection(tmp_path / "in", 12, extras=False)
    out = tmp_path / "out"
    rows = blogarchive.batch(sources, out, jobs=2)
    assert [r["source"] for r in rows] == [os.fspath(s) for s in sources]
    assert all(r["status"] == "ok" for r in rows)
    for row in rows:
        archive = out / row["blogs"][0]["archive"]
        assert _events(archive) == 1 and blogarchive.validate(archive).valid


KILLS_ONE = """
import json, os, signal, sys
from pathlib import Path
import blogarchive
from blogarchive.batch import work

killer, real = sys.argv[1], work._convert_one

def kills_one(outdir, job, settings, *commits):
    # In a forked worker: this input kills its process, as running out of memory would.
    if job.source == killer:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(outdir, job, settings, *commits)

work._convert_one = kills_one
rows = blogarchive.batch(sys.argv[3:], sys.argv[2], jobs=2)
print(json.dumps(rows))
"""


def test_a_worker_process_that_dies_in_a_pack_loses_only_its_own_blog(
        tmp_path: Path) -> None:
    from blogarchive.batch.packing import PACK_BYTES, packs

    sources = write_collection(tmp_path / "in", 12, extras=False)
    # The killer: the first input of a pack, so that a pack-mate comes after it.
    pack = next(p for p in packs([s.stat().st_size for s in sources], 2, PACK_BYTES)
                if len(p) > 1)
    killer = os.fspath(sources[pack[0]])
    out = tmp_path / "out"
    # In a process of its own: one thread, so the workers are forked and inherit the patch.
    done = subprocess.run([sys.executable, "-c", KILLS_ONE, killer, os.fspath(out),
                           *map(os.fspath, sources)], capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout.splitlines()[-1])
    assert [row["source"] for row in rows] == [os.fspath(s) for s in sources]
    for row in rows:
        if row["source"] == killer:
            assert row["status"] == "failed" and "worker process died" in row["error"]
        else:
            assert row["status"] == "ok", row
            assert _events(out / row["blogs"][0]["archive"]) == 1
