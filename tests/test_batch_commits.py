"""A batch task's commits behind its conversions (issue 13): each archive's fsyncs and swap
run in a thread while the worker converts the next blog of its task, and the row of a blog
is made only once its archive is in place; a commit that fails fails its own row, as
``convert`` would have."""

from __future__ import annotations

import errno
import os
import sys
import threading
from pathlib import Path
from typing import Any

import attrs
import pytest

import blogarchive
from blogarchive import folder
from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from collection import write_collection


def _task(tmp_path: Path, blogs: int) -> Any:
    from blogarchive.batch.survey import survey
    from blogarchive.batch.work import Job, Settings, Task

    jobs = []
    for source in write_collection(tmp_path / "in", blogs, extras=False):
        found = survey(os.fspath(source))
        jobs.append(Job(os.fspath(source), None, found.sha256, found.folders, "", found.size))
    return Task(os.fspath(tmp_path / "out"), tuple(jobs), Settings())


def test_an_archive_is_committed_while_the_next_blog_converts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from blogarchive.batch import work

    task = _task(tmp_path, 3)
    second_started = threading.Event()
    seen: list[tuple[str, bool]] = []
    real_commit, real_convert = folder._commit, work._convert

    def commit(temp: Path, target: Path) -> None:
        # The first archive's commit waits (a state, not a time) for the second blog's
        # conversion to begin: were it run before the conversion goes on, it never would.
        if not seen:
            seen.append((target.name, second_started.wait(timeout=60)))
        real_commit(temp, target)

    def convert(source: str, *rest: Any) -> Any:
        if source == task.jobs[1].source:
            second_started.set()
        return real_convert(source, *rest)

    monkeypatch.setattr(folder, "_commit", commit)
    monkeypatch.setattr(work, "_convert", convert)
    rows = work.run_task(task)
    assert seen == [(task.jobs[0].folders[0], True)]
    assert [r["source"] for r in rows] == [j.source for j in task.jobs]
    assert [r["status"] for r in rows] == ["ok"] * 3
    for row in rows:  # in place, whole, as its row says
        (blog,) = row["blogs"]
        assert blogarchive.validate(Path(task.outdir) / blog["archive"]).valid
        assert blog["first_post"] is not None


def test_the_last_blog_of_a_task_converts_while_the_commits_before_it_finish(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The last input commits where it converts, but need not wait for the commits handed
    # before it to start converting: the first archive's commit waits (a state) for the
    # last blog's conversion to begin. Were the last blog made to wait for it first, neither
    # would go on until the timeout.
    from blogarchive.batch import work

    task = _task(tmp_path, 2)
    last_started = threading.Event()
    seen: list[bool] = []
    real_commit, real_convert = folder._commit, work._convert

    def commit(temp: Path, target: Path) -> None:
        if target.name == task.jobs[0].folders[0]:
            seen.append(last_started.wait(timeout=30))
        real_commit(temp, target)

    def convert(source: str, *rest: Any) -> Any:
        if source == task.jobs[-1].source:
            last_started.set()
        return real_convert(source, *rest)

    monkeypatch.setattr(folder, "_commit", commit)
    monkeypatch.setattr(work, "_convert", convert)
    rows = work.run_task(task)
    assert seen == [True]
    assert [r["status"] for r in rows] == ["ok", "ok"]
    for row in rows:  # each in place, whole, once its row is made
        (blog,) = row["blogs"]
        assert blogarchive.validate(Path(task.outdir) / blog["archive"]).valid


def test_an_input_of_a_blog_whose_commit_may_still_run_waits_for_it(tmp_path: Path) -> None:
    # A task [X, Y, X again]: the third input merges with X's archive, so it must find it in
    # place, though X's commit was handed behind Y's conversion (not the one just before).
    import shutil

    from blogarchive.batch import work

    task = _task(tmp_path, 2)
    again = tmp_path / "in" / "again.xml"
    shutil.copyfile(task.jobs[0].source, again)
    task = work.Task(task.outdir, (*task.jobs, attrs.evolve(task.jobs[0],
                                                            source=os.fspath(again))),
                     task.settings)
    rows = work.run_task(task)
    assert [r["status"] for r in rows] == ["ok"] * 3
    archive = Path(task.outdir) / task.jobs[0].folders[0]
    events = (archive / "events.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(events) == 2  # merged with the first run's archive, not made anew
    assert blogarchive.validate(archive).valid


def test_a_commit_that_fails_behind_fails_its_own_row_as_convert_would(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from blogarchive.batch.work import Task, run_task

    task = _task(tmp_path, 2)
    real_sync = folder.sync_tree
    full = task.jobs[0].folders[0]

    def sync_tree(root: Path) -> None:
        if root.name.startswith(f".{full}.tmp-"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), os.fspath(root))
        real_sync(root)

    monkeypatch.setattr(folder, "sync_tree", sync_tree)
    first, second = run_task(task)  # the first's commit runs behind the second's conversion
    alone = run_task(Task(os.fspath(tmp_path / "alone"), task.jobs[:1], task.settings))[0]
    assert first["status"] == alone["status"] == "failed"
    assert first["error"] == alone["error"].replace(
        os.fspath(tmp_path / "alone"), task.outdir)
    assert "cannot write the archive" in first["error"]
    assert first["blogs"] == [] and first["posts"] == 0
    assert not (Path(task.outdir) / full).exists()
    assert not [p for p in Path(task.outdir).iterdir() if p.name.startswith(".")]
    assert second["status"] == "ok"


def _staged(target: Path, text: str) -> Path:
    with folder.staging(target) as temp:
        (temp / "blog.json").write_text(text)
    return temp


def test_a_pending_commit_keeps_its_folder_when_the_same_destination_is_staged_again(
        tmp_path: Path) -> None:
    # Two jobs of one task can land in one folder (two names one folder on a
    # case-insensitive file system): the second staging must not reuse, and so empty, the
    # folder of the first one's commit, still pending in the committing thread.
    pending: list[Any] = []
    target = tmp_path / "blog"
    with folder.handing_off(pending.append):
        first = _staged(target, "first")
        second = _staged(target, "second")
    assert first != second
    assert (first / "blog.json").read_text() == "first"  # whole, not emptied by the second
    for commit in pending:
        commit()
    assert (target / "blog.json").read_text() == "second"
    assert not first.exists() and not second.exists()


def test_a_commit_that_cannot_be_handed_over_removes_its_staging_folder(
        tmp_path: Path) -> None:
    def refuse(commit: Any) -> None:
        raise RuntimeError("the committing thread is gone")

    target = tmp_path / "blog"
    with folder.handing_off(refuse), pytest.raises(RuntimeError, match="thread is gone"):
        _staged(target, "x")
    assert not target.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".blog.tmp-")]


@pytest.mark.skipif(not hasattr(os, "SCHED_BATCH"), reason="SCHED_BATCH is Linux's")
def test_the_commit_thread_and_its_sync_threads_do_not_preempt_the_conversion() -> None:
    # A batch thread (SCHED_BATCH) is never given the core by its wake-up alone; the fsync
    # threads the commit starts (sync_tree's) must inherit that; the caller, which converts,
    # must stay an ordinary thread.
    from blogarchive.batch.commits import Commits

    def policies() -> tuple[int, int]:
        seen: list[int] = []
        started = threading.Thread(target=lambda: seen.append(os.sched_getscheduler(0)))
        started.start()
        started.join()
        return os.sched_getscheduler(0), seen[0]

    commits = Commits()
    try:
        assert commits.then(policies).result(timeout=60) == (os.SCHED_BATCH, os.SCHED_BATCH)
    finally:
        commits.close()
    assert os.sched_getscheduler(0) == os.SCHED_OTHER
