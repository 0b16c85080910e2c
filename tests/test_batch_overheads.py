"""What a batch's worker does for every blog besides converting it: nothing that a process
can do once (the agent's versions), and no glob per blog over OUTDIR (``folder.recover``,
twice per conversion), whose patterns were also wrong for names holding "[" ."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from blogarchive.folder import recover
from blogarchive.preserve import convert, events, validate
from conftest import EXAMPLE


def test_the_agents_versions_are_looked_up_once_per_process(
        monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    real = metadata.version

    def version(name: str) -> str:
        asked.append(name)
        return real(name)

    events._versions.cache_clear()
    monkeypatch.setattr(metadata, "version", version)
    notes = [events.agent()["agentNote"] for _ in range(3)]
    events._versions.cache_clear()
    assert len(asked) == 4  # bagit, cattrs, attrs, beautifulsoup4: once each
    assert notes[0] == notes[1] == notes[2] and "lxml" in notes[0] and "python" in notes[0]


def test_recover_repairs_a_name_with_glob_characters(tmp_path: Path) -> None:
    dest = tmp_path / "blog[1]"
    convert(EXAMPLE, dest)
    # A run killed between the two renames of the fallback swap; a dead run's folders.
    dest.rename(tmp_path / ".blog[1].old-424242")
    (tmp_path / ".blog[1].tmp-424243").mkdir()
    (tmp_path / ".blog[1].spool-424244").mkdir()
    (tmp_path / ".blog[1]x.tmp-424245").mkdir()  # another name's: not ours to remove
    (tmp_path / ".blog[1].tmp-ours").mkdir()  # no process id: left alone
    recover(dest)
    assert validate(dest)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".blog[1].tmp-ours", ".blog[1]x.tmp-424245", "blog[1]"]


def test_recover_without_the_parent_folder(tmp_path: Path) -> None:
    recover(tmp_path / "missing" / "a")  # nothing to do, no error
    assert not (tmp_path / "missing").exists()


def _fresh(script: str) -> str:
    """What ``script`` prints, run by a fresh, single-threaded interpreter: its workers are
    forked (the pytest process may run threads, and then gets a forkserver's)."""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_forked_workers_start_with_the_imported_objects_frozen() -> None:
    script = ("import gc, operator\nfrom blogarchive.batch.runners import runner\n"
              "pool = runner(2)\npool.warm()  # forks the workers, as a batch does first\n"
              "print(pool.start.method, gc.get_freeze_count())\n"
              "print(min(r for _, r in pool.map(operator.call, [gc.get_freeze_count] * 4,"
              " None)))\n"
              "pool.close()\n")
    forked, workers = _fresh(script).splitlines()
    assert forked == "fork 0"  # this process's objects unfrozen once the workers forked
    assert int(workers) > 10_000  # blogarchive's and its imports', frozen in each worker


def test_a_pool_made_again_after_a_worker_died_forks_its_workers_frozen_too() -> None:
    # The first item kills its worker (each time): the pool breaks, and the items left run
    # in pools made again, whose workers were forked unfrozen before.
    script = ("import functools, gc, operator, os\n"
              "from blogarchive.batch.runners import runner\n"
              "pool = runner(2)\npool.warm()\n"
              "items = [functools.partial(os._exit, 3)] + [gc.get_freeze_count] * 6\n"
              "got = dict(pool.map(operator.call, items, lambda i, why: -1))\n"
              "print(pool.start.method, got.pop(0), min(got.values()))\n"
              "pool.close()\n")
    method, lost, frozen = _fresh(script).split()
    assert (method, lost) == ("fork", "-1")  # given up after it killed its worker each time
    assert int(frozen) > 10_000


def test_the_rows_of_a_packed_task_reach_batch_jsonl_with_one_fsync_each_on_disk_when_told(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The batch's process records a task's rows together: one fsync of batch.jsonl per task
    # (a journal commit each, on the cores the workers convert on), not one per row; and a
    # row is on disk before anyone hears of it (on_row, the progress).
    import os
    from collections.abc import Callable, Iterator, Sequence
    from typing import Any

    from blogarchive.batch.ledger import BATCH, read_rows
    from blogarchive.batch.tasks import convert_all
    from blogarchive.batch.work import Job, Settings

    class Packed:
        name, workers, pack, largest = "here, packed", 1, 1 << 20, 0

        def map(self, fn: Callable[[Any], Any], items: Sequence[Any],
                lost: Callable[[int, str], Any]) -> Iterator[tuple[int, Any]]:
            for i, task in enumerate(items):  # rows as a task returns them, not converted
                yield i, [{"source": job.source, "status": "ok"} for job in task.jobs]

        def warm(self) -> None:
            pass

        def close(self) -> None:
            pass

    jobs = [Job(f"blog-{n}.xml", None, None, (f"blog-{n}",), "", 100) for n in range(12)]
    synced: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real(fd))[1])
    told: list[bool] = []
    tasks: list[int] = []
    real_map = Packed.map

    def counting(self: Packed, *args: Any) -> Iterator[tuple[int, Any]]:
        tasks.append(len(args[1]))
        yield from real_map(self, *args)

    monkeypatch.setattr(Packed, "map", counting)
    rows = convert_all(Packed(), tmp_path, Settings(), jobs, None,
                       lambda row: told.append(row in read_rows(tmp_path)))
    assert [r["source"] for r in rows] == [j.source for j in jobs]
    assert told == [True] * 12
    assert tasks and tasks[0] < 12  # packed: several rows a task
    assert len(synced) == tasks[0]  # one fsync a task
    assert len(read_rows(tmp_path)) == 12 and (tmp_path / BATCH).is_file()
