"""A batch task's commits behind its conversions: each archive's fsyncs and swap run in a
thread while the worker converts the next blog of its task.

A conversion ends with its staging folder's commit (``folder.staging``): every file fsynced,
the folder swapped into place, the parent fsynced. That is waiting on the disk, not work:
one or two journal commits, a few milliseconds on an idle machine, tens on a busy disk or a
cluster file system, during which a worker's core would sit idle. Within a task (small
blogs go several to a task: ``packing``) the commit of one blog runs in this thread while
the next one converts; its row is made, and kept (``Task.done``), only once the commit is
done, so a row still means an archive in place.

The thread is a batch thread (Linux's ``SCHED_BATCH``, ``_behind``): same share of the CPU,
but its wake-ups (each fsync that returns, in it and in the threads ``sync_tree`` starts
from it, which inherit the policy) no longer preempt the conversion on its core; it runs
when the conversion's time slice ends or the conversion waits.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

import attrs

from ..folder import handing_off

__all__ = ["Commits", "Handed"]

T = TypeVar("T")


@attrs.define
class Handed:
    """The commits one conversion handed over."""

    futures: list[Future[float]] = attrs.field(factory=list)

    def wait(self) -> float:
        """The seconds they took, once all are done; raises the first one's error (as
        ``staging`` would have raised it)."""
        return sum(future.result() for future in self.futures)


class Commits:
    """One thread running the commits handed to it, in order, and what comes after them
    (``then``): a task's work is in the order of its inputs."""

    def __init__(self) -> None:
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="blogarchive-commit",
                                          initializer=_behind)

    @contextlib.contextmanager
    def taking(self) -> Iterator[Handed]:
        """While this block runs, the commits of the archives it writes go to the thread."""
        handed = Handed()

        def take(commit: Callable[[], None]) -> None:
            handed.futures.append(self._thread.submit(_timed, commit))

        with handing_off(take):
            yield handed

    def then(self, fn: Callable[[], T]) -> Future[T]:
        """``fn`` run in the thread once every commit handed so far is done."""
        return self._thread.submit(fn)

    def close(self) -> None:
        """Once everything handed is done (a task that fails still leaves its archives
        whole and their rows kept)."""
        self._thread.shutdown(wait=True)


def _behind() -> None:
    """This thread (and the threads it starts) scheduled as ``SCHED_BATCH`` where Linux
    offers it: the same weight as any thread, no wake-up preemption. The commit thread
    wakes about 35 times a blog of 0.2 MB (its fsyncs and those of ``sync_tree``'s threads);
    as an ordinary thread each wake-up could take the core from the conversion at once (a
    run of 200 such blogs had 9k involuntary switches with ``--jobs 2``, 0.7k with ``--jobs
    1``, which has no commit thread; 4.5k to 7k with this, on a loaded machine). Not
    privileged, unlike a higher priority or pinning; where it is refused or not offered,
    the thread runs as before."""
    policy = getattr(os, "SCHED_BATCH", None)
    if policy is None:
        return
    with contextlib.suppress(OSError):  # refused (a sandbox's seccomp): ordinary thread
        os.sched_setscheduler(0, policy, os.sched_param(0))  # 0: this thread, on Linux


def _timed(commit: Callable[[], None]) -> float:
    started = time.monotonic()
    commit()
    return time.monotonic() - started
