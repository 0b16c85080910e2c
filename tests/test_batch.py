"""blogarchive batch (issue 13): a generated collection of 50 small blogs plus a broken export,
a duplicate and a Takeout folder holding two blogs, converted here and in worker processes
into the same archives; the broken input reported and the rest done; resumed after a kill."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import Future
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

import blogarchive
from blogarchive._time import format_time
from blogarchive.cli import main
from conftest import EXAMPLE, FIXTURES, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from collection import TAKEOUT_BLOGS, blog_id, write_collection

BLOGS = 50
# What legitimately differs between two runs: the events (time, id) and the manifests that
# list the events' digests; batch.jsonl (durations, workers, times).
VARYING = ("events.jsonl", "manifest-sha256.txt", "manifest-sha512.txt", "batch.jsonl")


def tree(root: Path) -> dict[str, bytes]:
    """Every visible file under ``root`` but those that differ from run to run."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*"))
            if p.is_file() and p.name not in VARYING
            and not any(part.startswith(".") for part in p.relative_to(root).parts)}


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("collection")
    write_collection(folder, BLOGS)
    return folder


@pytest.fixture(scope="module")
def reference(collection: Path, tmp_path_factory: pytest.TempPathFactory
              ) -> tuple[Path, list[dict[str, Any]]]:
    """The collection converted in this process, one input after the other."""
    out = tmp_path_factory.mktemp("serial") / "out"
    rows = blogarchive.batch([], out, from_list=collection / "list.txt", jobs=1)
    return out, rows


def test_every_blog_is_converted_and_the_broken_input_reported(
        collection: Path, reference: tuple[Path, list[dict[str, Any]]]) -> None:
    out, rows = reference
    assert len(rows) == BLOGS + 3
    by_source = {Path(row["source"]).relative_to(collection).as_posix(): row for row in rows}
    broken = by_source.pop("broken.xml")
    assert broken["status"] == "failed"
    assert broken["error"].startswith("error: broken.xml (line 1, column ")
    assert "truncated" in broken["error"] and broken["blogs"] == []
    assert {row["status"] for row in by_source.values()} == {"ok"}
    takeout = by_source["Takeout"]["blogs"]
    assert [(b["id"], b["title"]) for b in takeout] == list(TAKEOUT_BLOGS)
    # The duplicate is merged into the first blog's archive, not a second one.
    assert by_source["again/blog-0000.xml"]["blogs"][0]["archive"] == f"blog-{blog_id(0)}"
    folders = sorted(p.name for p in out.iterdir() if p.is_dir() and not p.name.startswith("."))
    assert folders == sorted([f"blog-{blog_id(n)}" for n in range(BLOGS)]
                             + [f"blog-{b}" for b, _ in TAKEOUT_BLOGS])
    # batch.jsonl has exactly the rows returned; catalog.jsonl one line per archive.
    written = [json.loads(line) for line in (out / "batch.jsonl").read_text().splitlines()]
    assert written == rows
    catalog = [json.loads(line) for line in (out / "catalog.jsonl").read_text().splitlines()]
    assert [c["archive"] for c in catalog] == folders
    first = next(c for c in catalog if c["id"] == blog_id(0))
    blog = json.loads((out / first["archive"] / "blog.json").read_text())["blog"]
    assert (first["title"], first["url"]) == (blog["title"], blog["url"])
    posts = [json.loads(line) for line in (out / first["archive"] / "posts.jsonl").open()]
    dates = sorted(p["published"] for p in posts if p["kind"] == "post")
    assert (first["posts"], first["first_post"], first["last_post"]) == (
        len(dates), dates[0], dates[-1])


def test_rows_and_catalog_count_what_each_archive_holds_without_loading_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # convert holds no records (it works out of core), and neither may a batch worker: the
    # rows and the catalog come from each convert's summary and a line-by-line read of its
    # posts.jsonl, never from the whole archive loaded back.
    from blogarchive.preserve import Converted

    def no_loading(self: Converted) -> None:
        raise AssertionError(f"{self.path}: the whole archive was loaded")

    monkeypatch.setattr(Converted, "archive", property(no_loading))
    src = tmp_path / "src"
    write_collection(src, 6)
    out = tmp_path / "out"
    rows = blogarchive.batch([], out, from_list=src / "list.txt", jobs=1)
    assert {row["status"] for row in rows} >= {"ok"} and rows
    monkeypatch.undo()
    catalog = [json.loads(line) for line in (out / "catalog.jsonl").read_text().splitlines()]
    assert len(catalog) >= 6
    for line in catalog:
        archive = blogarchive.load(out / line["archive"])
        posts = [p for p in archive.posts if p.kind == "post"]
        dates = sorted(p.published for p in posts if p.published is not None)
        assert (line["posts"], line["pages"], line["comments"]) == (
            len(posts), len(archive.posts) - len(posts), len(archive.comments))
        assert (line["first_post"], line["last_post"]) == (
            format_time(dates[0]) if dates else None,
            format_time(dates[-1]) if dates else None)
    for row in rows:
        assert (row["posts"], row["pages"], row["comments"]) == (
            sum(b["posts"] for b in row["blogs"]), sum(b["pages"] for b in row["blogs"]),
            sum(b["comments"] for b in row["blogs"]))


def test_each_archive_is_what_convert_writes(
        collection: Path, reference: tuple[Path, list[dict[str, Any]]],
        tmp_path: Path) -> None:
    out, _ = reference
    dest = tmp_path / "one"
    blogarchive.convert([collection / "blog-0007.xml"], dest)
    assert tree(dest) == tree(out / f"blog-{blog_id(7)}")
    # The Takeout holding two blogs: as convert writes it, a folder of two archives.
    both = tmp_path / "both"
    blogarchive.convert([collection / "Takeout"], both)
    for blog, _ in TAKEOUT_BLOGS:
        assert tree(both / f"blog-{blog}") == tree(out / f"blog-{blog}")
    # The duplicate: converted twice, the archive has the second run's event too.
    events = (out / f"blog-{blog_id(0)}" / "events.jsonl").read_text().splitlines()
    assert len(events) == 2
    assert blogarchive.validate(out / f"blog-{blog_id(0)}").valid


def test_two_worker_processes_write_the_same_archives(
        collection: Path, reference: tuple[Path, list[dict[str, Any]]],
        tmp_path: Path) -> None:
    out, rows = reference
    rows2 = blogarchive.batch([], tmp_path / "out", from_list=collection / "list.txt", jobs=2)
    assert tree(tmp_path / "out") == tree(out)
    assert [r["status"] for r in rows2] == [r["status"] for r in rows]
    assert len({r["worker"] for r in rows2}) == 2  # the work was shared
    assert {r["worker"] for r in rows}.isdisjoint({r["worker"] for r in rows2})


def test_cli_exits_1_when_an_input_failed_and_says_which(
        collection: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sources = [str(collection / "blog-0001.xml"), str(collection / "broken.xml")]
    assert main(["batch", *sources, "-o", str(tmp_path / "out")]) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith(f"failed: {collection / 'broken.xml'}: error: broken.xml "
                                   "(line 1, column ")
    assert "2 inputs on this process: 2 converted (1 ok, 1 failed), 0 skipped" in captured.out
    # Run again: the good input is skipped, the failure redone (and still failing).
    assert main(["batch", *sources, "-o", str(tmp_path / "out")]) == 1
    assert "1 converted (0 ok, 1 failed), 1 skipped as done before" in capsys.readouterr().out
    assert main(["batch", sources[0], "-o", str(tmp_path / "out")]) == 0


def test_resume_skips_by_sha256_and_options_and_merges_a_newer_export(tmp_path: Path) -> None:
    source = tmp_path / "blog.xml"
    source.write_bytes(EXAMPLE.read_bytes())
    out = tmp_path / "out"
    [first] = blogarchive.batch([source], out)
    [again] = blogarchive.batch([source], out)
    assert again == first  # skipped: the row of the first run, untouched
    [other] = blogarchive.batch([source], out, analyse=False, options="--no-analysis")
    assert other["finished"] != first["finished"]  # other options: converted again
    # A newer export of the same blog (one post gone from it): merged, the post retained.
    text = EXAMPLE.read_text(encoding="utf-8")
    start = text.index("<entry><id>tag:blogger.com,1999:blog-7310571962934481820.post-6655")
    source.write_text(text[:start] + text[text.index("</entry>", start) + 8:], encoding="utf-8")
    [newer] = blogarchive.batch([source], out, analyse=False, options="--no-analysis")
    assert newer["sha256"] != other["sha256"] and newer["status"] == "ok"
    posts = [json.loads(line) for line in (out / newer["blogs"][0]["archive"] / "posts.jsonl")
             .read_text().splitlines()]
    assert [p["retained"] for p in posts if p["id"] == "6655443322110099887"] == [True]


def test_a_source_with_two_blogs_merges_into_archives_already_there(
        collection: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    blogarchive.batch([collection / "Takeout"], out)
    [row] = blogarchive.batch([collection / "Takeout"], out, options="again")
    assert [b["archive"] for b in row["blogs"]] == [f"blog-{b}" for b, _ in TAKEOUT_BLOGS]
    for blog, _ in TAKEOUT_BLOGS:
        events = (out / f"blog-{blog}" / "events.jsonl").read_text().splitlines()
        assert len(events) == 2  # the same archive, updated: not a second one
    assert sorted(p.name for p in out.iterdir()) == [
        "batch.jsonl", *(f"blog-{b}" for b, _ in TAKEOUT_BLOGS), "catalog.jsonl"]
    # A folder of archives still: validate reads it, batch.jsonl and catalog.jsonl beside.
    assert [p.name for p in blogarchive.archives(out)] == [f"blog-{b}" for b, _ in TAKEOUT_BLOGS]


def test_resume_after_the_batch_is_killed(
        collection: Path, reference: tuple[Path, list[dict[str, Any]]],
        tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "blogarchive.cli", "batch", "--from",
               str(collection / "list.txt"), "-o", str(out), "--jobs", "2", "-q"]
    # Its own process group: the kill takes the worker processes too, as a killed job's would.
    run = subprocess.Popen(command, start_new_session=True, stderr=subprocess.DEVNULL)
    ledger = out / "batch.jsonl"
    deadline = time.monotonic() + 120
    while run.poll() is None and time.monotonic() < deadline:
        if ledger.exists() and len(ledger.read_bytes().splitlines()) >= 10:
            break
        time.sleep(0.05)
    assert run.poll() is None, "the batch finished before it could be killed"
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    done_before = len(ledger.read_bytes().splitlines())
    assert 10 <= done_before < BLOGS + 3
    finished = subprocess.run(command[:-1], capture_output=True, text=True, timeout=300,
                              check=False)
    assert finished.returncode == 1, finished.stderr  # the broken input, again
    skipped = int(finished.stdout.split(" skipped")[0].rsplit(" ", 1)[1])
    assert skipped >= done_before - 1  # all done before but a failure (redone)
    ref, rows = reference
    assert tree(out) == tree(ref)
    again = [json.loads(line) for line in ledger.read_text().splitlines()]
    assert [r["source"] for r in again] == [r["source"] for r in rows]


def test_list_files(tmp_path: Path) -> None:
    (tmp_path / "blogs").mkdir()
    (tmp_path / "blogs" / "a.xml").write_bytes(EXAMPLE.read_bytes())
    listing = tmp_path / "blogs" / "list.csv"
    listing.write_text("source,blog_url\na.xml,https://fieldnotes-example.blogspot.com/\n"
                       f"{FIXTURES / 'legacy' / 'pitfalls.xml'},\n", encoding="utf-8")
    rows = blogarchive.batch([], tmp_path / "out", from_list=listing)
    assert [Path(r["source"]).name for r in rows] == ["a.xml", "pitfalls.xml"]
    assert rows[0]["options"] == "--blog-url https://fieldnotes-example.blogspot.com/"
    assert rows[1]["options"] == ""
    event = json.loads((tmp_path / "out" / rows[0]["blogs"][0]["archive"] / "events.jsonl")
                       .read_text().splitlines()[-1])
    assert "--blog-url https://fieldnotes-example.blogspot.com/" in json.dumps(event)
    listing.write_text("source,colour\na.xml,red\n", encoding="utf-8")
    with pytest.raises(blogarchive.InvalidArgument, match=r"list.csv, line 1: unknown column "
                       r"'colour'"):
        blogarchive.batch([], tmp_path / "out", from_list=listing)
    listing.write_text("source,blog_url\na.xml,ftp://x\n", encoding="utf-8")
    with pytest.raises(blogarchive.InvalidArgument, match=r"list.csv, line 2: "):
        blogarchive.batch([], tmp_path / "out", from_list=listing)
    text = tmp_path / "blogs" / "list.txt"
    text.write_text("# the example\n\na.xml\n", encoding="utf-8")
    [row] = blogarchive.batch([], tmp_path / "out2", from_list=text)
    assert row["source"] == str(tmp_path / "blogs" / "a.xml") and row["status"] == "ok"


def test_outdir_problems_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blogarchive.convert(EXAMPLE, tmp_path / "one")
    assert main(["batch", str(EXAMPLE), "-o", str(tmp_path / "one")]) == 2
    assert "is the archive of one blog" in capsys.readouterr().err
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    assert main(["batch", str(EXAMPLE), "-o", str(tmp_path / "other")]) == 2
    assert "holds notes.txt, which is not a blog's archive" in capsys.readouterr().err
    assert main(["batch", "-o", str(tmp_path / "x")]) == 2
    assert "error: no sources" in capsys.readouterr().err
    assert main(["batch", str(EXAMPLE), "-o", str(tmp_path / "x"), "--jobs", "0"]) == 2


# -- on Dask (the dask extra; in the test extras, so CI runs these) -------------------------

def _distributed() -> Any:
    return pytest.importorskip(
        "distributed", reason="Dask is not installed: pip install -e '.[test]' brings it")


def test_a_dask_local_cluster_writes_the_same_archives(
        collection: Path, reference: tuple[Path, list[dict[str, Any]]],
        tmp_path: Path) -> None:
    _distributed()
    out, rows = reference
    on_dask = blogarchive.batch([], tmp_path / "out", from_list=collection / "list.txt",
                                dask="local", jobs=2)
    assert tree(tmp_path / "out") == tree(out)
    assert [r["status"] for r in on_dask] == [r["status"] for r in rows]
    assert all(r["worker"].startswith("tcp://127.0.0.1:") for r in on_dask)
    assert len({r["worker"] for r in on_dask}) == 2


def test_a_dask_worker_killed_mid_run_has_its_task_done_by_another(
        collection: Path, reference: tuple[Path, list[dict[str, Any]]],
        tmp_path: Path) -> None:
    distributed = _distributed()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        pids = client.run(os.getpid)
        victim = sorted(pids)[0]
        in_flight: list[int] = []
        killed: list[datetime] = []

        def kill_once(row: dict[str, Any]) -> None:
            if in_flight:
                return
            deadline = time.monotonic() + 60
            # Wait until the victim is converting something (no timing: a state), then kill.
            while not cluster.scheduler.workers[victim].processing:
                assert time.monotonic() < deadline, "the victim never got a task"
                time.sleep(0.01)
            in_flight.append(len(cluster.scheduler.workers[victim].processing))
            killed.append(datetime.now(timezone.utc))
            os.kill(pids[victim], signal.SIGKILL)

        rows = blogarchive.batch([], tmp_path / "out", from_list=collection / "list.txt",
                                 dask=client, on_row=kill_once)
    assert in_flight and in_flight[0] >= 1
    # It was gone: nothing finished after the kill names it. (Rows it finished before may
    # be anywhere: small blogs go in packs, and a pack run again keeps the rows it had.)
    assert all(datetime.fromisoformat(r["finished"]) < killed[0]
               for r in rows if r["worker"] == victim)
    assert any(r["worker"] != victim for r in rows)
    out, expected = reference
    assert [r["status"] for r in rows] == [r["status"] for r in expected]
    assert tree(tmp_path / "out") == tree(out)
    assert all(blogarchive.validate(p).valid for p in blogarchive.archives(tmp_path / "out"))


def test_a_dask_local_cluster_runs_its_chores_rarely() -> None:
    # The scheduler and nannies share the two cores with the workers: their periodic chores
    # (QUIET) are made rarer in the scheduler and in every worker.
    _distributed()
    import dask

    from blogarchive.batch.ondask import QUIET, dask_runner

    work: Any = dask_runner("local", 2)
    try:
        client = work._client
        for key, value in QUIET.items():
            assert set(client.run(dask.config.get, key).values()) == {value}, key
        assert "stealing" not in work._cluster.scheduler.extensions
    finally:
        work.close()


def test_a_dask_local_run_prints_nothing_of_dask_on_the_terminal(tmp_path: Path) -> None:
    # Port 8787 taken (as by another cluster, or a notebook's dashboard): distributed used
    # to warn that it moved its HTTP server elsewhere.
    _distributed()
    import socket

    taken = socket.socket()
    try:
        with contextlib.suppress(OSError):  # in use already: just as well
            taken.bind(("127.0.0.1", 8787))
            taken.listen()
        done = subprocess.run(
            [sys.executable, "-m", "blogarchive.cli", "batch", str(EXAMPLE), "-o",
             str(tmp_path / "out"), "--dask", "local", "-q"],
            capture_output=True, text=True, timeout=300, check=False)
    finally:
        taken.close()
    assert (done.returncode, done.stderr, done.stdout) == (0, "", "")


def test_dask_missing_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    from blogarchive.batch import ondask

    def missing() -> Any:
        raise ImportError("No module named 'distributed'")

    monkeypatch.setattr(ondask, "_distributed", missing)
    assert main(["batch", str(EXAMPLE), "-o", str(tmp_path / "out"), "--dask", "local"]) == 2
    assert capsys.readouterr().err == (
        "error: Dask is not installed: pip install 'blogarchive[dask]' (it brings "
        "dask[distributed]), or run on this machine with --jobs N\n")


def convert_or_die(item: str) -> str:
    """A task for the worker pool: "die" kills its worker process, as running out of memory
    would (a module-level function, so the workers can import it)."""
    if item == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    return item.upper()


def test_a_worker_process_that_dies_loses_only_its_own_item() -> None:
    from blogarchive.batch.runners import runner

    pool = runner(2)
    try:
        got = dict(pool.map(convert_or_die, ["a", "die", "b", "c", "d"],
                            lambda i, why: f"lost {i}: {why}"))
    finally:
        pool.close()
    assert got == {0: "A", 1: "lost 1: its worker process died each time it was converted "
                   "(out of memory?)", 2: "B", 3: "C", 4: "D"}


def test_a_pool_that_breaks_while_tasks_are_handed_in_runs_the_rest_in_a_new_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from blogarchive.batch.runners import runner

    submit, calls = ProcessPoolExecutor.submit, []

    def breaks_at_the_third(self: Any, fn: Any, /, *args: Any) -> Any:
        calls.append(args)
        if len(calls) == 3:  # as when "die" has killed its worker by then
            raise BrokenProcessPool("a child process terminated abruptly")
        return submit(self, fn, *args)

    monkeypatch.setattr(ProcessPoolExecutor, "submit", breaks_at_the_third)
    pool = runner(2)
    try:
        got = dict(pool.map(convert_or_die, ["a", "b", "c", "d"], lambda i, why: f"lost {i}"))
    finally:
        pool.close()
    assert got == {0: "A", 1: "B", 2: "C", 3: "D"}


class _Terminal:
    """A stream that says it is a terminal, keeping what was written."""

    def __init__(self) -> None:
        self.text = ""

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


def test_the_bar_shows_blogs_done_posts_per_second_and_eta(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from blogarchive.cli.batch import BatchBar

    # A wide terminal: at 80 columns tqdm shortens the description when the rates on a
    # slow machine need more digits.
    monkeypatch.setenv("COLUMNS", "200")

    screen = _Terminal()
    bar = BatchBar(screen)  # type: ignore[arg-type]
    rows = blogarchive.batch([EXAMPLE, FIXTURES / "legacy" / "pitfalls.xml"], tmp_path / "out",
                             progress=bar, on_row=bar.row)
    bar.close()
    assert "converting" in screen.text and "2/2 [" in screen.text
    assert " posts/s" in screen.text and "blog/s" in screen.text
    assert "<00:00" in screen.text or "<?" in screen.text  # tqdm's time left
    assert [r["status"] for r in rows] == ["ok", "ok"]
    # Not on a terminal: nothing at all.
    plain = _Terminal()
    plain.isatty = lambda: False  # type: ignore[method-assign]
    quiet = BatchBar(plain)  # type: ignore[arg-type]
    blogarchive.batch([EXAMPLE], tmp_path / "out2", progress=quiet, on_row=quiet.row)
    assert plain.text == ""


def test_inputs_sharing_a_blog_are_one_task_in_the_order_given() -> None:
    from blogarchive.batch.tasks import job_groups as _groups
    from blogarchive.batch.work import Job

    def job(name: str, *folders: str) -> Job:
        return Job(name, None, None, folders, "")

    jobs = [job("a", "blog-1"), job("b", "blog-2"), job("takeout", "blog-3", "blog-1"),
            job("c", "blog-3"), job("broken"), job("d", "blog-4"), job("a2", "blog-1")]
    # The Takeout holding blogs 1 and 3 joins a, c and a2 into one task; an input whose blogs
    # could not be told is a task of its own.
    assert _groups(jobs) == [[0, 2, 3, 6], [1], [4], [5]]


# -- where the time goes: phases, the survey in chunks, workers started warm ----------------

def test_the_outcome_says_where_the_seconds_went(tmp_path: Path) -> None:
    from blogarchive.batch import PHASES, Settings, run_batch

    outcome = run_batch([EXAMPLE, FIXTURES / "legacy" / "pitfalls.xml"], tmp_path / "out",
                        settings=Settings())
    assert [p.name for p in outcome.phases] == list(PHASES)
    assert all(p.seconds >= 0 and p.cpu >= 0 for p in outcome.phases)
    convert = next(p for p in outcome.phases if p.name == "convert")
    # In this process: the conversions are in the convert phase, and their CPU is ours.
    assert convert.seconds >= sum(row["duration"] for row in outcome.rows) > 0
    assert convert.cpu > 0


class _Recorder:
    """A runner that runs here and records the tasks it was given."""

    name = "recorder"
    workers = 2
    pack = 0
    largest = 0

    def __init__(self) -> None:
        self.tasks: list[Any] = []

    def map(self, fn: Any, items: Any, lost: Any) -> Any:
        self.tasks.extend(items)
        for i in reversed(range(len(items))):  # out of order, as workers finish
            yield i, fn(items[i])

    def warm(self) -> None:
        pass

    def close(self) -> None:
        pass


def test_the_survey_goes_in_a_few_chunks_per_worker_in_the_inputs_order(tmp_path: Path) -> None:
    from blogarchive.batch import _survey
    from blogarchive.batch.listing import Item
    from blogarchive.batch.survey import survey
    from blogarchive.limits import DEFAULT_LIMITS

    sources = [EXAMPLE, FIXTURES / "legacy" / "pitfalls.xml", tmp_path / "missing.xml"] * 4
    given = [Item(os.fspath(s)) for s in sources]
    work = _Recorder()
    started: Future[Any] = Future()
    started.set_result(work)
    found = _survey(started, given, DEFAULT_LIMITS, None, workers=2)
    assert found == [survey(os.fspath(s)) for s in sources]
    assert found[2].sha256 is None and found[0].folders == ("blog-7310571962934481820",)
    # 2 workers: 8 tasks (not 12), every 8th input in each, so costly inputs spread.
    assert len(work.tasks) == 8
    assert [args[0] for args in work.tasks[0]] == [os.fspath(sources[0]), os.fspath(sources[8])]


def test_while_the_cluster_starts_this_process_surveys(tmp_path: Path) -> None:
    from blogarchive.batch import _survey
    from blogarchive.batch.listing import Item
    from blogarchive.batch.survey import survey
    from blogarchive.limits import DEFAULT_LIMITS

    sources = [EXAMPLE, FIXTURES / "legacy" / "pitfalls.xml", tmp_path / "missing.xml"] * 4
    given = [Item(os.fspath(s)) for s in sources]
    work = _Recorder()
    starting: Future[Any] = Future()
    heard: list[int] = []

    def progress(phase: str, done: int, total: int | None) -> None:
        heard.append(done)
        if len(heard) == 3:  # two chunks surveyed here: the cluster is up
            starting.set_result(work)

    found = _survey(starting, given, DEFAULT_LIMITS, progress, workers=2)
    assert found == [survey(os.fspath(s)) for s in sources]
    # 8 chunks: the first two surveyed here while the runner started, the rest by it.
    assert heard[:3] == [0, 2, 4]
    assert len(work.tasks) == 6
    assert [args[0] for args in work.tasks[0]] == [os.fspath(sources[2]), os.fspath(sources[10])]


def test_on_dask_small_blogs_go_in_packs_and_rows_stay_one_per_input(
        tmp_path: Path) -> None:
    from blogarchive.batch import Settings
    from blogarchive.batch.tasks import convert_all as _convert
    from blogarchive.batch.work import Job

    sources = write_collection(tmp_path / "in", 12, extras=False)
    jobs = [Job(os.fspath(s), None, None, (), "", os.path.getsize(s)) for s in sources]
    work = _Recorder()
    work.workers, work.pack = 1, 100 * 1024  # as on Dask
    rows = _convert(work, tmp_path / "out", Settings(), jobs,  # type: ignore[arg-type]
                    None, None)
    assert 1 < len(work.tasks) < len(jobs)
    assert [j.source for t in work.tasks for j in t.jobs] == [j.source for j in jobs]
    target = min(100 * 1024, sum(j.size for j in jobs) // 4)  # 4 tasks a worker at least
    # Packs of the target's bytes, the last cut short where the tail (the last ``target``
    # bytes, a blog a task: packing._tail) begins.
    packed = [t for t in work.tasks if len(t.jobs) > 1]
    assert packed and all(sum(j.size for j in t.jobs) >= target for t in packed[:-1])
    tail = work.tasks[work.tasks.index(packed[-1]) + 1:]
    assert all(len(t.jobs) == 1 for t in tail)
    assert sum(t.jobs[0].size for t in tail) >= target
    assert [r["source"] for r in rows] == [os.fspath(s) for s in sources]
    assert all(r["status"] == "ok" and r["duration"] > 0 for r in rows)
    assert not (tmp_path / "out" / ".batch-work").exists()  # the kept rows are gone


PROBE = '''
import sys

def loaded(_):
    return "blogarchive.batch.work" in sys.modules
'''


THREAD = ("import threading\nstop = threading.Event()\n"
          "threading.Thread(target=stop.wait, daemon=True).start()\n")


@pytest.mark.parametrize(("threaded", "method"), [(False, "fork"), (True, "forkserver")])
def test_worker_processes_start_with_blogarchive_imported(
        tmp_path: Path, threaded: bool, method: str) -> None:
    # A fresh interpreter (this one's forkserver may be running already, with other
    # preloads); the probe module imports nothing of blogarchive, so only workers forked
    # from this process (single-threaded) or from a forkserver that preloaded it (a thread
    # running, as a progress bar's) have blogarchive before their first task.
    (tmp_path / "probe.py").write_text(PROBE, encoding="utf-8")
    script = ((THREAD if threaded else "") +
              "from blogarchive.batch.runners import runner\nimport probe\n"
              "pool = runner(2)\n"
              "print(sorted(dict(pool.map(probe.loaded, [0, 1, 2, 3], None)).values()))\n"
              "print(pool.start.method)\n"
              "pool.close()\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=False, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": os.fspath(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["[True, True, True, True]", method]


def test_workers_are_forked_only_from_a_single_threaded_process() -> None:
    from blogarchive.batch.runners import Start, start_method

    unix = ["fork", "spawn", "forkserver"]
    assert start_method(1, unix, "linux").method == "fork"
    assert start_method(3, unix, "linux") == Start(
        "forkserver", "this process runs 3 threads, which a fork could leave holding locks "
        "in the workers")
    assert start_method(1, unix, "darwin") == Start("forkserver", "fork is not safe on macOS")
    assert start_method(1, ["spawn", "forkserver"], "linux").method == "forkserver"


def _lock_held_here(fd: int, inode: int, answer: Any) -> None:
    try:
        answer.send(os.fstat(fd).st_ino == inode)
    except OSError:  # closed
        answer.send(False)


def test_a_forked_worker_does_not_keep_the_destination_lock(tmp_path: Path) -> None:
    # Were the batch killed, a worker holding a copy of the lock's descriptor would keep
    # OUTDIR locked for as long as it lives: every rerun refused.
    import multiprocessing

    from blogarchive.preserve import lock

    context = multiprocessing.get_context("fork")
    with lock.locked(tmp_path / "out"):
        (fd,) = lock._HELD
        inode = os.fstat(fd).st_ino
        mine, theirs = context.Pipe()
        child = context.Process(target=_lock_held_here, args=(fd, inode, theirs))
        child.start()
        held = mine.recv()
        child.join()
    assert held is False
    assert not lock._HELD


def test_batch_offers_every_conversion_option_of_convert() -> None:
    from blogarchive.cli.parser import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    options = {name: set(commands.choices[name]._option_string_actions)
               for name in ("convert", "batch")}
    # One declaration serves both: what convert takes, batch takes (--jobs, in both, means
    # the analysis' processes for convert and the worker processes for batch).
    assert options["convert"] - options["batch"] == set()
    assert options["batch"] - options["convert"] == {"--from", "--dask", "-j"}
    assert {"--capture", "--rate", "--bag", "--redact", "--max-input-size"} <= options["batch"]
