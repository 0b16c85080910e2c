"""The Dask runner: tasks on a Dask cluster (a scheduler's address, ``"local"`` for a
LocalCluster started here, or a ``distributed.Client``), and what starting a LocalCluster
does first (``prepare``). distributed is an optional extra (``blogarchive[dask]``), imported
by name only when a run asks for Dask. The other runners are in ``runners``.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import logging
import multiprocessing.forkserver
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final, TypeVar

from ..errors import InvalidArgument
from . import forked
from .packing import PACK_BYTES, SHRINKING_FROM
from .runners import Runner, forkserver, ready, start_method

__all__ = ["DASK_MISSING", "QUIET", "dask_runner", "prepare"]

T = TypeVar("T")
R = TypeVar("R")

DASK_MISSING = ("Dask is not installed: pip install 'blogarchive[dask]' (it brings "
                "dask[distributed]), or run on this machine with --jobs N")


class _Dask:
    def __init__(self, client: Any, cluster: Any = None, own: bool = False) -> None:
        self._client = client
        self._cluster = cluster
        self._own = own
        self.name = f"Dask at {client.scheduler.address}"
        self.workers = max(1, len(client.scheduler_info().get("workers", {})))
        # A task's round trip through the scheduler costs milliseconds of its CPU: small
        # blogs go in packs.
        self.pack = PACK_BYTES
        # And the first packs larger still, shrinking to PACK_BYTES as the work left does:
        # each task also costs each worker a round trip (1.5 to 4 ms between two tasks at
        # load 4 to 6, against 0.3 ms in a --jobs worker) and the scheduler 2.4 ms of the
        # batch's CPU: 200 blogs of 0.2 MB, 24 tasks instead of 48 (docs/performance.md).
        self.largest = SHRINKING_FROM

    def warm(self) -> None:
        # Directly on every worker (not a task): each imports blogarchive now, so that the
        # first tasks do not wait for it. A worker that cannot is left to fail its tasks,
        # each reported in its input's row.
        with contextlib.suppress(Exception):
            self._client.run(ready)

    def map(self, fn: Callable[[T], R], items: Sequence[T],
            lost: Callable[[int, str], R]) -> Iterator[tuple[int, R]]:
        finished = _distributed().as_completed
        # pure=False: the same task given again (a rerun) is run again, not looked up. A
        # worker that dies has its tasks given to another by the scheduler; one that dies
        # with them too often is given up (KilledWorker), and stands as lost. One map, not a
        # submit per item: the scheduler gets the tasks in one message.
        given = self._client.map(fn, list(items), pure=False)
        futures = {future: i for i, future in enumerate(given)}
        for future in finished(list(futures)):
            i = futures[future]
            try:
                result = future.result()
            except Exception as problem:  # KilledWorker, or a worker without blogarchive
                yield i, lost(i, f"on Dask: {type(problem).__name__}: {problem}")
                continue
            yield i, result

    def close(self) -> None:
        if self._cluster is not None:
            # A worker whose heartbeat is on its way as the cluster closes logs the closed
            # connection, traceback and all, on the user's terminal: only noise then.
            with contextlib.suppress(Exception):
                self._client.run(_quiet_heartbeats)
        if self._own:  # a client given by the caller stays open for it
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()


HEARTBEAT_FAILED: Final = "Failed to communicate with scheduler during heartbeat."
"""What a Dask worker logs when its heartbeat meets the scheduler closing."""


def _quiet_heartbeats() -> None:
    """Run on each worker of our LocalCluster as it is about to close: the failed heartbeat
    of a closing cluster is not logged (every other message still is)."""
    logging.getLogger("distributed.worker").addFilter(
        lambda record: record.msg != HEARTBEAT_FAILED)


def prepare(dask: Any) -> None:
    """What starting on ``dask`` does first, in the calling thread before the runner's own
    (``forked``): a LocalCluster's forkserver forked from this process while it runs no
    other thread, with blogarchive and distributed imported (this process needs distributed
    anyway, without what a batch never uses: ``_import_lean``; the server importing it too
    took 0.4 s of CPU from the survey's and cluster's cores) and its objects frozen, as a
    ``--jobs`` worker's are. The import starts no thread."""
    if dask == "local" and start_method().method == "fork":
        forkserver("distributed")
        with contextlib.suppress(ImportError):  # dask_runner says so, as without the fork
            _import_lean()
        gc.freeze()  # not frozen(): its collection cost 30-45 ms here and found 5 objects
        try:
            forked.start()
        finally:
            gc.unfreeze()


def dask_runner(dask: Any, workers: int) -> Runner:
    """A runner on Dask: ``"local"`` starts a LocalCluster of ``workers`` processes, a
    string is a scheduler's address, anything else a ``distributed.Client`` to use."""
    if not isinstance(dask, str):
        return _Dask(dask)
    if dask == "local":
        # Started first, so that the server imports distributed and blogarchive while this
        # process imports distributed: a second or so of start-up on two cores, not two.
        forkserver("distributed")
        multiprocessing.forkserver.ensure_running()
    try:
        distributed = _distributed()
    except ImportError:
        raise InvalidArgument(DASK_MISSING) from None
    Client, LocalCluster = distributed.Client, distributed.LocalCluster  # noqa: N806
    if dask == "local":
        # One thread per worker: the work is CPU-bound Python, so processes, not threads,
        # give parallelism. The workers' statistical profiler (a stack sample of every thread
        # each 10 ms) holds the GIL often enough to slow pure-Python work by a third or more:
        # off, in the config the nannies hand their workers.
        #
        # The nannies start their worker processes by forking them from a forkserver that
        # has imported distributed and blogarchive once (PRELOAD), not by spawning fresh
        # interpreters that import both each (about a second of CPU per worker).
        #
        # The scheduler and the nannies run in this process, on the same two cores as the
        # workers: their periodic chores are made rarer (QUIET), which took this process's
        # CPU for 200 small blogs from about 2.5 s to 1.8 s.
        try:
            with importlib.import_module("dask").config.set(
                    {"distributed.worker.profile.enabled": False,
                     "distributed.worker.multiprocessing-method": "forkserver", **QUIET}):
                _keep_our_preload(distributed)
                # No dashboard; the scheduler's HTTP server (it always has one) on a free
                # port of loopback: its default, 8787, is often taken, and distributed then
                # warns on the user's terminal.
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                                       processes=True, dashboard_address=None,
                                       scheduler_kwargs={"dashboard": False,
                                                         "dashboard_address": "127.0.0.1:0"})
        except (OSError, RuntimeError, TimeoutError) as problem:
            raise InvalidArgument(f"--dask local: the LocalCluster did not start: {problem} "
                                  "(run from a script file or the command line: workers "
                                  "start by importing the main module)") from None
        return _Dask(Client(cluster), cluster, own=True)
    try:
        client = Client(dask, timeout="30s")
    except (OSError, TimeoutError, ValueError) as problem:
        raise InvalidArgument(f"--dask {dask}: cannot reach a Dask scheduler there: "
                              f"{problem}") from None
    return _Dask(client, own=True)  # the cluster is not ours: only our connection closes


QUIET: Final = {
    # Each server's check that its event loop is not blocked (for a warning only): every
    # 20 ms by default, in the scheduler, the client and each worker.
    "distributed.admin.tick.interval": "1s",
    # CPU and memory samples for the dashboard, which a LocalCluster here does not serve.
    "distributed.admin.system-monitor.interval": "5s",
    # Each nanny's look at its worker's memory (to restart one past its limit): 10 a second
    # by default; 1 a second still stops a runaway worker long before the machine does.
    "distributed.worker.memory.monitor-interval": "1s",
    # Moving queued tasks between workers: with equal, small tasks queued on the
    # scheduler (its default) there is nothing to balance, only the look every 100 ms.
    "distributed.scheduler.work-stealing": False,
}
"""Dask settings of a ``--dask local`` cluster: its periodic chores made rarer, as they take
the CPU of the cores the workers convert on."""


def _keep_our_preload(distributed: Any) -> None:
    """distributed sets the forkserver's preload the first time it asks for the context,
    importing every optional package it knows (numpy and pandas among them) in this process
    to do so, unless it has done so already: told it has, it leaves ours."""
    utils = importlib.import_module(f"{distributed.__name__}.utils")
    if hasattr(utils, "_forkserver_preload_set"):
        setattr(utils, "_forkserver_preload_set", True)  # noqa: B010 (a module by name)


UNUSED: Final = ("numpy",)
"""What importing distributed imports only if it is there, and a batch never uses: numpy,
for ``distributed.protocol.utils.host_array`` alone (which falls back to a ``bytearray``; numpy's
serialisers are registered lazily, when a numpy object is first sent). 0.1 s of CPU on the
start-up's path, a fifth of the import."""


def _import_lean() -> Any:
    """distributed imported for our LocalCluster, in the batch's process before the forkserver
    is forked from it (``prepare``), without ``UNUSED`` and with its YAML defaults read by
    libyaml (``_yaml_in_c``): the batch's CPU from start to workers ready 0.42 against 0.56 s
    (six alternated runs, load 6 to 7). Only while no other thread runs, which
    could import numpy, or read YAML, meanwhile; numpy can be imported as usual afterwards,
    but distributed keeps the ``bytearray`` ``host_array`` it chose for the rest of the
    process (docs/batch.md says so, and how a library caller avoids it)."""
    if "distributed" in sys.modules or threading.active_count() > 1:
        return _distributed()
    blocked = [name for name in UNUSED if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]  # import raises ImportError
    try:
        with _yaml_in_c():
            return _distributed()
    finally:
        for name in blocked:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]


@contextlib.contextmanager
def _yaml_in_c() -> Iterator[None]:
    """``yaml.safe_load`` done by libyaml (PyYAML's ``CSafeLoader``, the same documents) while
    dask and distributed read their defaults: their YAML files took 30 ms of CPU in PyYAML's
    Python parser, 3 ms in libyaml. Nothing changes where PyYAML has no libyaml."""
    try:
        yaml: Any = importlib.import_module("yaml")  # a dependency of dask, not ours
    except ImportError:
        yield
        return
    loader = getattr(yaml, "CSafeLoader", None)
    plain = yaml.safe_load
    if loader is not None:
        yaml.safe_load = lambda stream: yaml.load(stream, Loader=loader)
    try:
        yield
    finally:
        yaml.safe_load = plain


def _distributed() -> Any:
    # Imported by name: an optional extra, untyped, loaded only by a run that asks for Dask.
    return importlib.import_module("distributed")
