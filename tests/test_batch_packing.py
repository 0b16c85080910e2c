"""Small blogs packed into one task by bytes (issue 13, Dask's per-task cost), and a packed
task run again after its worker died: the inputs it had done are not converted twice, so the
archives are what one uninterrupted run writes."""

from __future__ import annotations

import itertools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import blogarchive
from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from collection import write_collection

KB = 1024


def test_small_groups_are_packed_by_bytes_and_large_ones_stay_alone() -> None:
    from blogarchive.batch.packing import packs

    sizes = [200 * KB] * 5 + [300 * KB] * 2 + [3000 * KB] + [200 * KB] * 9
    # 1 MB a task: five blogs of 200 KB make one; the large blog is a task of its own, the
    # small ones around it go on filling the next pack, which ends where the last 1 MB (a
    # pack per worker) begins: that goes a blog a task.
    assert packs(sizes, workers=1, target=1000 * KB) == [
        [0, 1, 2, 3, 4], [7], [5, 6, 8, 9], [10, 11], [12], [13], [14], [15], [16]]
    assert sorted(g for task in packs(sizes, 2, 1000 * KB) for g in task) == list(range(17))


def test_the_last_tasks_are_single_blogs_so_the_workers_finish_together() -> None:
    from blogarchive.batch.packing import packs

    # 200 blogs of 0.2 MB on two workers (the benchmark): packs of five, then the last
    # 2 MB (one pack per worker) a blog a task; without the tail one worker could sit idle
    # for most of a pack while the other converts the last one.
    tasks = packs([210 * KB] * 200, workers=2, target=1 << 20)
    assert [g for task in tasks for g in task] == list(range(200))
    singles = [task for task in tasks if len(task) == 1]
    assert tasks[-len(singles):] == singles and len(singles) == 10
    assert all(len(task) == 5 for task in tasks[:-len(singles)])


def test_a_small_collection_still_gives_every_worker_several_tasks() -> None:
    from blogarchive.batch.packing import TASKS_PER_WORKER, packs

    tasks = packs([10 * KB] * 40, workers=2, target=1 << 20)
    assert len(tasks) >= 2 * TASKS_PER_WORKER
    assert [g for task in tasks for g in task] == list(range(40))  # in the order given


def test_on_dask_the_first_packs_are_larger_and_shrink_to_the_tail() -> None:
    from blogarchive.batch.packing import PACK_BYTES, SHRINKING_FROM, TASKS_PER_WORKER, packs

    # The benchmark's 200 blogs of 0.2 MB on two Dask workers: half the tasks (each costs
    # a round trip through the scheduler), the packs never growing towards the end, the
    # tail still a blog a task, so the workers still finish together.
    sizes = [210 * KB] * 200
    tasks = packs(sizes, workers=2, target=PACK_BYTES, largest=SHRINKING_FROM)
    assert [g for task in tasks for g in task] == list(range(200))
    assert len(tasks) <= len(packs(sizes, 2, PACK_BYTES)) // 2
    held = [sum(sizes[g] for g in task) for task in tasks]
    assert SHRINKING_FROM <= held[0] < SHRINKING_FROM + 210 * KB  # a pack ends past its aim
    body = held[:-10]
    assert all(a >= b for a, b in itertools.pairwise(body))
    assert all(size >= PACK_BYTES for size in body)
    assert all(len(task) == 1 for task in tasks[-10:])
    # A large group alone still; a small collection still several tasks per worker.
    mixed = packs([210 * KB] * 20 + [5000 * KB] + [210 * KB] * 100, 2, PACK_BYTES,
                  SHRINKING_FROM)
    assert [20] in mixed and [g for task in mixed for g in task] == list(range(121))
    assert len(packs([10 * KB] * 40, 2, PACK_BYTES, SHRINKING_FROM)) >= 2 * TASKS_PER_WORKER


def test_no_packing_is_a_task_per_group() -> None:
    from blogarchive.batch.packing import packs

    assert packs([5, 0, 7], workers=2, target=0) == [[0], [1], [2]]
    assert packs([], workers=2) == []


class Killed(BaseException):
    """The worker's death, as the task sees it: nothing after it runs."""


def events(archive: Path) -> int:
    return len((archive / "events.jsonl").read_text().splitlines())


def test_a_packed_task_run_again_does_not_convert_twice_what_it_had_done(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from blogarchive.batch import work
    from blogarchive.batch.survey import survey
    from blogarchive.batch.work import Job, Settings, Task, run_task

    sources = write_collection(tmp_path / "in", 3, extras=False)
    jobs = []
    for source in sources:
        found = survey(os.fspath(source))
        jobs.append(Job(os.fspath(source), None, found.sha256, found.folders, "", found.size))

    def task(out: Path) -> Task:
        (out / ".batch-work" / "rows").mkdir(parents=True)
        return Task(os.fspath(out), tuple(jobs), Settings(),
                    os.fspath(out / ".batch-work" / "rows"), 7)

    whole = run_task(task(tmp_path / "whole"))

    real, calls = work._convert_one, []

    def dies_at_the_second(outdir: Path, job: Job, settings: Settings,
                           *commits: Any) -> Callable[[], dict[str, Any]]:
        calls.append(job.source)
        if len(calls) == 2:
            raise Killed
        return real(outdir, job, settings, *commits)

    out = tmp_path / "out"
    again = task(out)
    monkeypatch.setattr(work, "_convert_one", dies_at_the_second)
    with pytest.raises(Killed):
        run_task(again)
    first = out / jobs[0].folders[0]
    assert events(first) == 1
    kept = json.loads((out / ".batch-work" / "rows" / "7-0.json").read_text())
    monkeypatch.setattr(work, "_convert_one", real)
    retried = run_task(again)  # the same task, as Dask runs it again on another worker
    assert retried[0] == kept  # the row of the first run: its worker, duration, time
    assert events(first) == 1  # not converted a second time
    assert [r["status"] for r in retried] == [r["status"] for r in whole] == ["ok"] * 3
    for job in jobs:
        name = job.folders[0]
        assert events(out / name) == 1
        assert blogarchive.validate(out / name).valid
        assert _data(out / name) == _data(tmp_path / "whole" / name)


def _data(archive: Path) -> dict[str, bytes]:
    """An archive's files but those naming its one event (its time and id)."""
    varying = {"events.jsonl", "manifest-sha256.txt", "manifest-sha512.txt"}
    return {p.relative_to(archive).as_posix(): p.read_bytes()
            for p in sorted(archive.rglob("*")) if p.is_file() and p.name not in varying}


def test_a_rerun_takes_the_rows_a_killed_batch_had_kept_but_not_recorded(
        tmp_path: Path) -> None:
    from blogarchive.batch.survey import survey
    from blogarchive.batch.work import Job, Settings, Task, run_task

    sources = write_collection(tmp_path / "in", 2, extras=False)
    out = tmp_path / "out"
    found = survey(os.fspath(sources[0]))
    rows = out / ".batch-work" / "rows-1-2"
    rows.mkdir(parents=True)
    # The batch was killed after a task converted the first input, before it recorded it.
    first = run_task(Task(os.fspath(out), (Job(os.fspath(sources[0]), None, found.sha256,
                                                found.folders, "", found.size),),
                          Settings(), os.fspath(rows), 0))[0]
    again = blogarchive.batch(sources, out)
    assert again[0] == first  # taken as done: not converted a second time
    assert events(out / found.folders[0]) == 1
    assert again[1]["status"] == "ok" and again[1]["finished"] > first["finished"]
    ledger = [json.loads(line) for line in (out / "batch.jsonl").read_text().splitlines()]
    assert [r["source"] for r in ledger] == [os.fspath(s) for s in sources]
    assert not (out / ".batch-work").exists()
