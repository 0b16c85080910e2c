"""No orphaned workers (issue 13): when the batch's process is killed on its own, its
``--jobs`` worker processes and a ``--dask local`` cluster's processes exit by themselves
within seconds instead of running on."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from collection import write_collection

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

SECONDS = 15
"""How long a worker may outlive its batch: a pidfd wakes it at once, the poll in half a
second; the rest is a loaded machine's scheduling."""


@pytest.fixture(scope="module")
def listing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("collection")
    write_collection(folder, 40, extras=False)
    return folder / "list.txt"


def gone(pid: int) -> bool:
    """The process has ended (a zombie waiting for init to reap it has ended too)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


def wait_until(test: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not test():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def kill_alone(run: subprocess.Popen[bytes]) -> None:
    assert run.poll() is None, "the batch finished before it could be killed"
    os.kill(run.pid, signal.SIGKILL)  # the batch's process only, not its group
    run.wait()


def workers_in(ledger: Path) -> set[int]:
    """The pids of the workers that wrote rows so far (``worker`` is host:pid)."""
    if not ledger.exists():
        return set()
    rows = [json.loads(line) for line in ledger.read_text().splitlines() if line.strip()]
    return {int(row["worker"].rsplit(":", 1)[1]) for row in rows if row.get("worker")}


# A batch run by a script: with a thread running, the workers come from a forkserver.
SCRIPT = """
import sys, threading
import blogarchive
if sys.argv[3] == "threaded":
    threading.Thread(target=threading.Event().wait, daemon=True).start()
blogarchive.batch([], sys.argv[2], from_list=sys.argv[1], jobs=2)
"""


@pytest.mark.parametrize("how", ["forked", "threaded"])
def test_worker_processes_exit_when_the_batch_is_killed_alone(
        listing: Path, tmp_path: Path, how: str) -> None:
    out = tmp_path / "out"
    run = subprocess.Popen([sys.executable, "-c", SCRIPT, str(listing), str(out), how],
                           start_new_session=True, stderr=subprocess.DEVNULL)
    try:
        # Both workers have converted something (a state, not a time), the batch runs on.
        wait_until(lambda: len(workers_in(out / "batch.jsonl")) == 2 or run.poll() is not None,
                   120, "the workers never started")
        workers = workers_in(out / "batch.jsonl")
        kill_alone(run)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert run.pid not in workers and len(workers) == 2
    try:
        wait_until(lambda: all(gone(pid) for pid in workers), SECONDS,
                   f"workers {workers} outlived the batch's process")
    finally:
        for pid in workers:
            if not gone(pid):
                os.kill(pid, signal.SIGKILL)


def test_a_dask_local_cluster_exits_when_the_batch_is_killed_alone(
        listing: Path, tmp_path: Path) -> None:
    psutil = pytest.importorskip("psutil", reason="comes with Dask: pip install -e '.[test]'")
    pytest.importorskip("distributed", reason="Dask is not installed: pip install -e '.[test]'")
    out = tmp_path / "out"
    run = subprocess.Popen([sys.executable, "-m", "blogarchive.cli", "batch", "--from",
                            str(listing), "-o", str(out), "--dask", "local", "-q"],
                           start_new_session=True, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: (out / "batch.jsonl").exists() or run.poll() is not None, 180,
                   "the cluster never converted anything")
        # Every process the batch started: the forkserver, the workers, the resource tracker.
        descendants = psutil.Process(run.pid).children(recursive=True)
        kill_alone(run)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert len(descendants) >= 2
    try:
        wait_until(lambda: all(gone(p.pid) for p in descendants), SECONDS,
                   f"{[p.pid for p in descendants if not gone(p.pid)]} outlived the batch")
    finally:
        for p in descendants:
            if not gone(p.pid):
                os.kill(p.pid, signal.SIGKILL)


FOLLOWER = """
import sys, time
from blogarchive.batch import lifeline
if sys.argv[2] == "poll":
    del lifeline.os.pidfd_open  # as on a platform without pidfds
lifeline.follow(int(sys.argv[1]))
print("following", flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize("way", ["pidfd", "poll"])
def test_a_follower_exits_once_the_process_it_follows_has_ended(way: str) -> None:
    from blogarchive.batch.lifeline import EXIT

    parent = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    follower = subprocess.Popen([sys.executable, "-c", FOLLOWER, str(parent.pid), way],
                                stdout=subprocess.PIPE, text=True)
    try:
        assert follower.stdout is not None
        assert follower.stdout.readline() == "following\n"
        assert follower.poll() is None  # goes on while the parent lives
        parent.kill()
        parent.wait()
        assert follower.wait(timeout=SECONDS) == EXIT
    finally:
        for process in (parent, follower):
            if process.poll() is None:
                process.kill()
                process.wait()


def test_a_follower_exits_at_once_when_the_process_has_already_ended() -> None:
    from blogarchive.batch.lifeline import EXIT

    code = textwrap.dedent("""
        import subprocess, sys, time
        from blogarchive.batch.lifeline import follow
        done = subprocess.Popen([sys.executable, "-c", "pass"])
        done.wait()
        follow(done.pid)
        time.sleep(60)
    """)
    assert subprocess.run([sys.executable, "-c", code], timeout=SECONDS,
                          check=False).returncode == EXIT


FORKED = """
import json, os, sys
import blogarchive
import blogarchive.batch  # the package (imported when first used, as a batch run does)
from multiprocessing import forkserver
batch = sys.modules["blogarchive.batch"]
work = batch._start(2, "local").result()
try:
    server = forkserver._forkserver._forkserver_pid
    parents = work._client.run(os.getppid)
    loaded = work._client.run(lambda: "blogarchive.batch.work" in sys.modules)
    cmdline = lambda pid: open(f"/proc/{pid}/cmdline", "rb").read()
    print(json.dumps({"parents": sorted(set(parents.values())), "server": server,
                      "loaded": sorted(set(loaded.values())),
                      "copy": cmdline(server) == cmdline(os.getpid())}))
finally:
    work.close()
"""


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="reads /proc")
def test_a_dask_local_clusters_forkserver_is_forked_from_the_batchs_process() -> None:
    pytest.importorskip("distributed", reason="Dask is not installed: pip install -e '.[test]'")
    done = subprocess.run([sys.executable, "-c", FORKED], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout.splitlines()[-1])
    # The workers' parent is the forkserver, a copy of the batch's process (the same command
    # line, not a fresh "python -c ..."), so blogarchive came imported with it.
    assert got["parents"] == [got["server"]]
    assert got["copy"] is True
    assert got["loaded"] == [True]


def test_the_forkserver_is_not_forked_from_a_process_running_threads() -> None:
    import threading

    from blogarchive.batch import forked

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        assert forked.start() is False
    finally:
        stop.set()
        thread.join()
    assert forked._as_expected(None) is False
