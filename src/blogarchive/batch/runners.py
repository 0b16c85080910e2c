"""Where a batch's tasks run: here one after the other, in worker processes (``jobs``), or on
a Dask cluster (an address, ``"local"`` for a LocalCluster, or a ``distributed.Client``).

Each runner hands back results as tasks finish, whatever their order; the batch writes
nothing that depends on that order.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import logging
import multiprocessing
import multiprocessing.context
import multiprocessing.forkserver
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Final, NamedTuple, Protocol, TypeVar

from ..errors import InvalidArgument
from ..workers import fork_refused
from . import forked
from .lifeline import follow
from .packing import PACK_BYTES

__all__ = ["DASK_MISSING", "PRELOAD", "Lost", "Runner", "Start", "dask_runner", "frozen", "prepare",
           "ready", "runner", "start_method", "workers_for"]

T = TypeVar("T")
R = TypeVar("R")

DASK_MISSING = ("Dask is not installed: pip install 'blogarchive[dask]' (it brings "
                "dask[distributed]), or run on this machine with --jobs N")


PRELOAD: Final = ("blogarchive.batch.work", "blogarchive.batch.survey")
"""What every worker imports before its first task: the whole package (about half a second
of CPU). Imported once by the forkserver that forks the workers, not once per worker."""

Lost = Callable[[int, str], Any]
"""What stands for the result of item ``i`` that could not be had, and why (its worker process
died each time, or the cluster gave up on it)."""


class Runner(Protocol):
    """Runs one function over items; yields (index, result) as each finishes. An item whose
    worker died is run again; when that cannot be done, ``lost(index, why)`` stands for its
    result, so one item never stops the others."""

    name: str
    workers: int
    """How many tasks run at once (for a cluster: its workers when it was reached)."""
    pack: int
    """Bytes of small blogs packed into one task (``packing``); 0: a task per blog."""

    def map(self, fn: Callable[[T], R], items: Sequence[T],
            lost: Callable[[int, str], R]) -> Iterator[tuple[int, R]]: ...

    def warm(self) -> None:
        """Have every worker started and blogarchive imported in it (``ready``), so that
        start-up is over before the first task and is timed as such."""

    def close(self) -> None: ...


def ready(_: object = None) -> int:
    """A worker's warm-up task: the package imported (a worker forked from a preloaded
    forkserver has it already); its process id."""
    for name in PRELOAD:
        importlib.import_module(name)
    return os.getpid()


class Start(NamedTuple):
    """How a pool's worker processes start, and why that way."""

    method: str
    """``fork`` or ``forkserver`` (multiprocessing's start methods)."""
    why: str


def start_method(threads: int | None = None, offered: Sequence[str] | None = None,
                 platform: str = sys.platform) -> Start:
    """``fork`` when this process may fork its workers (``workers.fork_refused``, with
    ``threads`` and the platform as given): they are copies of this process, blogarchive
    already imported, so they start in milliseconds, not the 0.4 s or more of a forkserver
    importing it first (a batch of small blogs feels that). Otherwise the forkserver."""
    refused = fork_refused(threads, offered, platform)
    if refused is not None:
        return Start("forkserver", refused)
    return Start("fork", "this process is single-threaded: the workers are forked from it, "
                 "blogarchive imported already")


class _Here:
    name = "this process"
    workers = 1
    pack = 0  # nothing to save: a task costs a call; and each row is recorded as it is done

    def warm(self) -> None:
        pass

    def map(self, fn: Callable[[T], R], items: Sequence[T],
            lost: Callable[[int, str], R]) -> Iterator[tuple[int, R]]:
        for i, item in enumerate(items):
            yield i, fn(item)

    def close(self) -> None:
        pass


class _Processes:
    """A process pool. A worker process that dies (killed, out of memory) breaks the whole
    pool: what had finished is kept, the rest is run again in a new pool; after two such
    breaks the rest runs one item per pool, so an item that kills its worker every time is
    found, and given up as ``lost``, without taking the others with it."""

    def __init__(self, jobs: int) -> None:
        self.name = f"{jobs} worker processes"
        self.workers = jobs
        # Small blogs go several to a task, as on Dask, though a task's round trip costs
        # little here: within a task each archive's commit (its fsyncs and swap: waiting on
        # the disk) runs behind the next blog's conversion (``commits``), which a task of
        # one blog must wait for. A pack lost with its worker is given again blog by blog
        # (``tasks``), so a dying worker still loses only its own blog.
        self.pack = PACK_BYTES
        self._jobs = jobs
        self.start = start_method()
        self._pool = self._new()

    def _new(self) -> ProcessPoolExecutor:
        # Decided again for each pool (a new one after a worker died): by then a progress
        # bar may run its thread. ProcessPoolExecutor forks all its workers at the first
        # submit (warm()), before it starts a thread of its own.
        self.start = start_method()
        if self.start.method == "fork":
            ready()  # what the workers are to inherit
            context: multiprocessing.context.BaseContext = multiprocessing.get_context("fork")
        else:  # workers start from a clean process that imported blogarchive once
            context = forkserver()
        # Each worker exits when this process does, even when it is killed alone (follow).
        return ProcessPoolExecutor(max_workers=self._jobs, mp_context=context,
                                   initializer=follow, initargs=(os.getpid(),))

    def warm(self) -> None:
        # One task per worker, submitted at once: the pool starts a worker for each task
        # that finds none idle (forked: all of them at the first), so all start now.
        with frozen(self.start.method == "fork"):
            futures = [self._pool.submit(ready) for _ in range(self._jobs)]
        for future in futures:
            with contextlib.suppress(BrokenProcessPool):  # map() starts a new pool then
                future.result()

    def map(self, fn: Callable[[T], R], items: Sequence[T],
            lost: Callable[[int, str], R]) -> Iterator[tuple[int, R]]:
        pending = dict(enumerate(items))
        breaks = 0
        while pending:
            alone = breaks >= 2
            chosen = list(pending.items())[:1] if alone else list(pending.items())
            futures: dict[Future[R], int] = {}
            try:
                # In the try: a worker that dies at once breaks the pool while the rest are
                # still being handed in; those not handed in stay pending for the next pool.
                for i, item in chosen:
                    futures[self._pool.submit(fn, item)] = i
                for future in as_completed(futures):
                    i = futures[future]
                    result = future.result()
                    del pending[i]
                    yield i, result
            except BrokenProcessPool:
                for future, i in futures.items():  # finished before the break: kept
                    if i in pending and future.done() and future.exception() is None:
                        del pending[i]
                        yield i, future.result()
                _end_broken(self._pool)
                self._pool = self._new()
                # Its workers forked now, with this process's objects frozen as for the
                # first pool's, not at the next submit without.
                self.warm()
                breaks += 1
                if alone and chosen[0][0] in pending:
                    del pending[chosen[0][0]]
                    yield chosen[0][0], lost(chosen[0][0], "its worker process died each "
                                             "time it was converted (out of memory?)")

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _end_broken(pool: ProcessPoolExecutor) -> None:
    """Shut a broken pool down, its live workers killed first. When a worker dies while
    tasks are handed in, a forkserver pool can start a worker in ``submit`` just after its
    manager thread has terminated the others; that worker waits for work forever and the
    shutdown's join with it (CPython's ``terminate_broken``), so the batch hung (seen in the
    full suite: ``test_a_worker_process_that_dies_loses_only_its_own_item`` after a Dask
    test left a thread, so that the pool used the forkserver). ``_processes`` is the
    executor's own table of its workers (private, but the only handle on them)."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            if process.is_alive():
                process.kill()
    pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def frozen(forking: bool) -> Iterator[None]:
    """While workers are forked (``forking``): this process's objects (blogarchive and
    everything it imported) moved out of the garbage collector's reach (``gc.freeze``), so a
    worker's full collections do not walk them again and again, nor write to every page
    that holds them, which copies each page into the worker (copy-on-write) that one
    process alone never pays for. Unfrozen here once the workers are forked: the caller's
    own garbage is collected as before. A worker converting small blogs one after another
    spent about 2 ms per blog in the collector, about 1 ms with its inherited objects
    frozen."""
    if not forking:
        yield
        return
    gc.collect()  # what is garbage now is not frozen in the workers for good
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


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
    anyway; the server importing it too took 0.4 s of CPU from the survey's and cluster's
    cores) and its objects frozen, as a ``--jobs`` worker's are. The import starts no thread."""
    if dask == "local" and start_method().method == "fork":
        forkserver("distributed")
        with contextlib.suppress(ImportError):  # dask_runner says so, as without the fork
            _distributed()
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


def forkserver(*also: str) -> multiprocessing.context.BaseContext:
    """The forkserver context, its server preloading blogarchive and ``also`` (when it is
    not running yet: a process has one forkserver, started with the preload set when it
    first forks). ``__main__`` stays first, as in the default preload: the caller's main
    module is then imported once, by the server, rather than by every worker."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["__main__", *also, *PRELOAD])
    return context


def _keep_our_preload(distributed: Any) -> None:
    """distributed sets the forkserver's preload the first time it asks for the context,
    importing every optional package it knows (numpy and pandas among them) in this process
    to do so, unless it has done so already: told it has, it leaves ours."""
    utils = importlib.import_module(f"{distributed.__name__}.utils")
    if hasattr(utils, "_forkserver_preload_set"):
        setattr(utils, "_forkserver_preload_set", True)  # noqa: B010 (a module by name)


def _distributed() -> Any:
    # Imported by name: an optional extra, untyped, loaded only by a run that asks for Dask.
    return importlib.import_module("distributed")


def workers_for(jobs: int, dask: Any = None) -> int:
    """How many workers ``runner(jobs, dask)`` works with: on Dask at least two (a
    LocalCluster of one process would be ``--jobs 1`` with a scheduler added)."""
    return max(2, jobs) if dask is not None else jobs


def runner(jobs: int, dask: Any = None) -> Runner:
    """The runner for ``jobs`` worker processes (1: this process), or on ``dask``."""
    if dask is not None:
        return dask_runner(dask, workers_for(jobs, dask))
    if jobs < 1:
        raise InvalidArgument(f"jobs wants a number of at least 1, not {jobs}")
    return _Here() if jobs == 1 else _Processes(jobs)
