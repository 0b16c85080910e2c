"""A batch's conversions handed out: the inputs cut into tasks (those sharing a blog together,
small blogs packed: ``packing``), each task's rows recorded in batch.jsonl as it finishes,
and a task lost with its worker given again blog by blog.

A packed task whose worker keeps dying (an input that runs it out of memory, say) is given
up by the runner as a whole. Its inputs done before the death kept their rows
(``Task.done``): those are recorded as they are. The others go out again, one task per group
of inputs sharing a blog, so that only the group whose conversion kills its worker is lost:
what a task of one blog each would have lost, not its pack-mates too.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..progress import Progress
from .ledger import Ledger
from .packing import groups, packs
from .rows import failed_row
from .runners import Runner
from .work import SCRATCH, Job, Settings, Task, kept_row, run_task

__all__ = ["convert_all", "job_groups"]

Row = dict[str, Any]


def job_groups(jobs: Sequence[Job]) -> list[list[int]]:
    """Indexes of the jobs that share a blog (``packing.groups``)."""
    return groups([job.folders for job in jobs])


def convert_all(work: Runner, target: Path, settings: Settings, jobs: list[Job],
                progress: Progress | None,
                on_row: Callable[[Row], None] | None) -> list[Row]:
    """Every job converted on ``work`` into ``target``; their rows, in the order given, each
    added to batch.jsonl (and given to ``on_row``) as its task finishes."""
    shared = job_groups(jobs)
    packed = packs([sum(jobs[i].size for i in group) for group in shared], work.workers,
                   work.pack, work.largest)
    # Where the tasks keep each input's row until the batch has it (for a task run again);
    # hidden in OUTDIR, so every worker sees it; removed at the end, or by the next run.
    done = target / SCRATCH / f"rows-{os.getpid()}-{time.time_ns()}"
    done.mkdir(parents=True)
    # A task's inputs: its groups' one after the other, each group's in the order given.
    first = [[shared[g] for g in pack] for pack in packed]
    progress = progress or _silent
    rows: dict[int, Row] = {}
    ledger = Ledger(target)
    try:
        given = _Round(work, target, settings, jobs, os.fspath(done), 0)
        total, finished = sum(given.weight(chosen) for chosen in first), 0
        progress("converting", 0, total)

        def record(indexes: list[int], got: list[Row], weight: int) -> None:
            nonlocal finished
            ledger.add(got)  # before any is told on: a row told is a row on disk
            for i, row in zip(indexes, got, strict=True):
                rows[i] = row
                if on_row is not None:
                    on_row(row)
            finished += weight
            progress("converting", finished, total)

        again = given.run(first, record)
        if again:  # packs lost with a worker: their groups one a task, lost alone at most
            given = _Round(work, target, settings, jobs, os.fspath(done), len(first))
            given.run([[group] for group in again], record)
    finally:
        ledger.close()
        shutil.rmtree(done, ignore_errors=True)
        with contextlib.suppress(OSError):
            done.parent.rmdir()
    return [rows[i] for i in range(len(jobs))]


def _silent(phase: str, done: int, total: int | None) -> None:
    pass


class _Round:
    """One ``map`` of tasks over the runner; each task given as its groups of job indexes."""

    def __init__(self, work: Runner, target: Path, settings: Settings, jobs: list[Job],
                 done: str, first_key: int) -> None:
        self.work, self.target, self.settings, self.jobs = work, target, settings, jobs
        self.done, self.first_key = done, first_key

    def weight(self, chosen: list[list[int]]) -> int:
        """What a task counts for in the progress: the blogs it writes (at least one)."""
        return max(1, len({f for group in chosen for i in group for f in self.jobs[i].folders}))

    def run(self, given: list[list[list[int]]],
            record: Callable[[list[int], list[Row], int], None]) -> list[list[int]]:
        """Run the tasks, recording each one's rows as it finishes; of a lost task with
        several groups, the inputs still to do, a list per group, for another round (a lost
        task of one group is recorded as failed but for the rows its inputs had kept)."""
        tasks = [Task(os.fspath(self.target), tuple(self.jobs[i] for g in chosen for i in g),
                      self.settings, self.done, self.first_key + t)
                 for t, chosen in enumerate(given)]
        lost: dict[int, str] = {}

        def losing(t: int, why: str) -> list[Row]:
            lost[t] = why
            return []

        again: list[list[int]] = []
        for t, got in self.work.map(run_task, tasks, losing):
            indexes = [i for group in given[t] for i in group]
            if t not in lost:
                record(indexes, got, self.weight(given[t]))
                continue
            kept = [kept_row(tasks[t], n) for n in range(len(indexes))]
            position = 0
            for group in given[t]:
                have = kept[position:position + len(group)]
                position += len(group)
                left = [i for i, row in zip(group, have, strict=True) if row is None]
                if left and len(given[t]) > 1:
                    again.append(left)
                    done = [(i, row) for i, row in zip(group, have, strict=True) if row]
                    record([i for i, _ in done], [row for _, row in done], 0)
                    continue
                record(group, [row or failed_row(
                    self.jobs[i], f"error: {self.jobs[i].source}: not converted: {lost[t]}")
                    for i, row in zip(group, have, strict=True)], self.weight([group]))
        return again
