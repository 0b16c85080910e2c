"""Where a batch's tasks run: here one after the other, in worker processes (``jobs``), or on
a Dask cluster (an address, ``"local"`` for a LocalCluster, or a ``distributed.Client``).

Each runner hands back results as tasks finish, whatever their order; the batch writes
nothing that depends on that order.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
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
from .lifeline import follow
from .packing import PACK_BYTES

__all__ = ["PRELOAD", "Lost", "Runner", "Start", "forkserver", "frozen", "ready", "runner",
           "start_method", "workers_for"]

T = TypeVar("T")
R = TypeVar("R")

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
    largest: int
    """Bytes the first packs may hold, shrinking to ``pack`` (``packing.packs``); 0: all
    ``pack``."""

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
    largest = 0

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
        # Not larger first, as on Dask: a pool's round trip costs a fraction of a
        # millisecond (0.3 ms between two tasks), nothing worth a second of a worker's
        # work lost with it when it dies.
        self.largest = 0
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


def forkserver(*also: str) -> multiprocessing.context.BaseContext:
    """The forkserver context, its server preloading blogarchive and ``also`` (when it is
    not running yet: a process has one forkserver, started with the preload set when it
    first forks). ``__main__`` stays first, as in the default preload: the caller's main
    module is then imported once, by the server, rather than by every worker."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["__main__", *also, *PRELOAD])
    return context


def workers_for(jobs: int, dask: Any = None) -> int:
    """How many workers ``runner(jobs, dask)`` works with: on Dask at least two (a
    LocalCluster of one process would be ``--jobs 1`` with a scheduler added)."""
    return max(2, jobs) if dask is not None else jobs


def runner(jobs: int, dask: Any = None) -> Runner:
    """The runner for ``jobs`` worker processes (1: this process), or on ``dask``."""
    if dask is not None:
        from .ondask import dask_runner  # here, not at the top: ondask imports this module

        return dask_runner(dask, workers_for(jobs, dask))
    if jobs < 1:
        raise InvalidArgument(f"jobs wants a number of at least 1, not {jobs}")
    return _Here() if jobs == 1 else _Processes(jobs)
