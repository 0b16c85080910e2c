"""Where a batch's tasks run: here one after the other, in worker processes (``jobs``), or on
a Dask cluster (an address, ``"local"`` for a LocalCluster, or a ``distributed.Client``).

Each runner hands back results as tasks finish, whatever their order; the batch writes
nothing that depends on that order.
"""

from __future__ import annotations

import importlib
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol, TypeVar

from ..errors import InvalidArgument

__all__ = ["DASK_MISSING", "Lost", "Runner", "dask_runner", "runner"]

T = TypeVar("T")
R = TypeVar("R")

DASK_MISSING = ("Dask is not installed: pip install 'blogarchive[dask]' (it brings "
                "dask[distributed]), or run on this machine with --jobs N")


Lost = Callable[[int, str], Any]
"""What stands for the result of item ``i`` that could not be had, and why (its worker process
died each time, or the cluster gave up on it)."""


class Runner(Protocol):
    """Runs one function over items; yields (index, result) as each finishes. An item whose
    worker died is run again; when that cannot be done, ``lost(index, why)`` stands for its
    result, so one item never stops the others."""

    name: str

    def map(self, fn: Callable[[T], R], items: Sequence[T],
            lost: Callable[[int, str], R]) -> Iterator[tuple[int, R]]: ...

    def close(self) -> None: ...


class _Here:
    name = "this process"

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
        self._jobs = jobs
        self._pool = self._new(jobs)

    @staticmethod
    def _new(jobs: int) -> ProcessPoolExecutor:
        # forkserver: workers start from a clean process, not a copy of a caller that may
        # hold threads (a progress bar, a Dask client) or open files.
        return ProcessPoolExecutor(max_workers=jobs,
                                   mp_context=multiprocessing.get_context("forkserver"))

    def map(self, fn: Callable[[T], R], items: Sequence[T],
            lost: Callable[[int, str], R]) -> Iterator[tuple[int, R]]:
        pending = dict(enumerate(items))
        breaks = 0
        while pending:
            alone = breaks >= 2
            chosen = list(pending.items())[:1] if alone else list(pending.items())
            futures: dict[Future[R], int] = {self._pool.submit(fn, item): i
                                             for i, item in chosen}
            try:
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
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = self._new(self._jobs)
                breaks += 1
                if alone and chosen[0][0] in pending:
                    del pending[chosen[0][0]]
                    yield chosen[0][0], lost(chosen[0][0], "its worker process died each "
                                             "time it was converted (out of memory?)")

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class _Dask:
    def __init__(self, client: Any, cluster: Any = None, own: bool = False) -> None:
        self._client = client
        self._cluster = cluster
        self._own = own
        self.name = f"Dask at {client.scheduler.address}"

    def map(self, fn: Callable[[T], R], items: Sequence[T],
            lost: Callable[[int, str], R]) -> Iterator[tuple[int, R]]:
        finished = _distributed().as_completed
        # pure=False: the same task given again (a rerun) is run again, not looked up. A
        # worker that dies has its tasks given to another by the scheduler; one that dies
        # with them too often is given up (KilledWorker), and stands as lost.
        futures = {self._client.submit(fn, item, pure=False): i for i, item in enumerate(items)}
        for future in finished(list(futures)):
            i = futures[future]
            try:
                result = future.result()
            except Exception as problem:  # KilledWorker, or a worker without blogarchive
                yield i, lost(i, f"on Dask: {type(problem).__name__}: {problem}")
                continue
            yield i, result

    def close(self) -> None:
        if self._own:  # a client given by the caller stays open for it
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def dask_runner(dask: Any, workers: int) -> Runner:
    """A runner on Dask: ``"local"`` starts a LocalCluster of ``workers`` processes, a
    string is a scheduler's address, anything else a ``distributed.Client`` to use."""
    if not isinstance(dask, str):
        return _Dask(dask)
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
        try:
            with importlib.import_module("dask").config.set(
                    {"distributed.worker.profile.enabled": False}):
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                                       processes=True, dashboard_address=None)
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


def _distributed() -> Any:
    # Imported by name: an optional extra, untyped, loaded only by a run that asks for Dask.
    return importlib.import_module("distributed")


def runner(jobs: int, dask: Any = None) -> Runner:
    """The runner for ``jobs`` worker processes (1: this process), or on ``dask``."""
    if dask is not None:
        return dask_runner(dask, jobs if jobs > 1 else 2)
    if jobs < 1:
        raise InvalidArgument(f"jobs wants a number of at least 1, not {jobs}")
    return _Here() if jobs == 1 else _Processes(jobs)
