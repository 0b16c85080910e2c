"""The start-up of a ``--dask local`` run (issue 13, branch dask13f): what the batch's process
does before the cluster's workers exist."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

DISTRIBUTED_FIRST = """
import gc, json, sys
import blogarchive.batch  # the package (imported when first used, as a batch run does)
batch = sys.modules["blogarchive.batch"]
work = batch._start(2, "local").result()
try:
    def frozen() -> list[bool]:
        # Tracked by the collector but in none of its generations: in the permanent one
        # (gc.freeze), i.e. it existed in the batch's process when the forkserver was forked.
        from distributed.worker import Worker
        from blogarchive.batch.work import run_task
        seen = {id(o) for o in gc.get_objects()}
        return [gc.is_tracked(x) and id(x) not in seen for x in (Worker, run_task)]
    print(json.dumps(sorted(map(tuple, work._client.run(frozen).values()))))
finally:
    work.close()
"""


def test_the_forkserver_is_forked_with_distributed_imported_and_frozen() -> None:
    # Imported once, by the batch's process, not a second time by the forkserver; and the
    # workers' inherited objects (distributed's among them) frozen, as a --jobs worker's.
    pytest.importorskip("distributed", reason="Dask is not installed: pip install -e '.[test]'")
    import multiprocessing.forkserver

    from blogarchive.batch import forked
    from blogarchive.workers import fork_refused

    if fork_refused(threads=1) or not forked._as_expected(
            getattr(multiprocessing.forkserver, "_forkserver", None)):
        pytest.skip("the forkserver is forked only where workers may be forked, from a "
                    "standard library forkserver batch/forked.py knows")
    done = subprocess.run([sys.executable, "-c", DISTRIBUTED_FIRST], capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == [[True, True], [True, True]]


LEAN_IMPORT = """
import json, sys, threading, time
import blogarchive.batch
ondask = sys.modules["blogarchive.batch.ondask"]
import yaml
plain_safe_load = yaml.safe_load
if sys.argv[1] == "thread":  # another thread runs: nothing may be hidden from it
    threading.Thread(target=time.sleep, args=(3,), daemon=True).start()
before = "numpy" in sys.modules
if sys.argv[1] == "plain":
    import distributed
elif sys.argv[1] == "thread":  # prepare forks nothing then; the import alone
    ondask._import_lean()
else:
    ondask.prepare("local")
import dask
seen = {"numpy_before": before, "numpy_after": "numpy" in sys.modules,
        "safe_load_restored": yaml.safe_load is plain_safe_load,
        "config": json.dumps(dask.config.config, sort_keys=True, default=repr)}
import numpy  # the caller's own use of it, afterwards
seen["numpy_works"] = int(numpy.arange(4).sum())
print(json.dumps(seen))
"""


def _lean_import(how: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", LEAN_IMPORT, how], capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    seen: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return seen


def test_distributed_is_imported_without_numpy_and_with_the_same_config() -> None:
    # The batch's process imports distributed for its LocalCluster without numpy (which
    # distributed imports only if it is there, and a batch never uses): a fifth of the import's
    # CPU. Its YAML defaults are read by libyaml, into the same configuration; and numpy, and
    # yaml.safe_load, are as before for the caller afterwards.
    pytest.importorskip("distributed", reason="Dask is not installed: pip install -e '.[test]'")
    pytest.importorskip("numpy", reason="nothing to leave out without numpy")
    from blogarchive.workers import fork_refused

    # The script's process runs one thread: the platform decides (not this process's threads).
    if fork_refused(threads=1):
        pytest.skip("prepare imports distributed only where the forkserver is forked")
    lean, plain = _lean_import("lean"), _lean_import("plain")
    assert (lean["numpy_before"], lean["numpy_after"]) == (False, False)
    assert plain["numpy_after"] is True  # what was left out: distributed imports it otherwise
    assert lean["config"] == plain["config"]
    assert lean["safe_load_restored"] is True
    assert lean["numpy_works"] == 6


def test_with_another_thread_running_distributed_is_imported_as_usual() -> None:
    # Another thread could import numpy while it is held back: then nothing is.
    pytest.importorskip("distributed", reason="Dask is not installed: pip install -e '.[test]'")
    pytest.importorskip("numpy", reason="nothing to leave out without numpy")
    seen = _lean_import("thread")
    assert seen["numpy_after"] is True
    assert seen["safe_load_restored"] is True
