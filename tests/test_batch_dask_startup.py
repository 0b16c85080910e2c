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
