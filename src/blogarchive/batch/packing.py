"""How a batch's work is cut into tasks: the inputs that share a blog form one group (converted
in order by one worker), and small groups are packed together into one task, by bytes, so
that each task is worth the round trip that hands it to a worker and its rows back.

On Dask that round trip is several messages through the scheduler, which on a LocalCluster
runs on the same cores as the workers: a blog of 0.2 MB converts in about 0.05 s, so one
task per blog spent as much as a fifth of a core on handing tasks out. A task of about
``PACK_BYTES`` (a quarter of a second of work) makes it a few percent; a group at least that
large stays a task of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

__all__ = ["PACK_BYTES", "SHRINKING_FROM", "TASKS_PER_WORKER", "groups", "packs"]

PACK_BYTES: Final = 1 << 20
"""Bytes of input a packed task aims at (about 0.25 s of work for exports)."""

SHRINKING_FROM: Final = 4 << 20
"""On Dask, the first packs' bytes (about a second of work), shrinking to ``PACK_BYTES`` as
the work left does (``packs``' ``largest``)."""

TASKS_PER_WORKER: Final = 4
"""At least this many tasks per worker, however small the collection: packed too coarsely, a
worker would be left with the last task while the others wait."""


def groups(folders: Sequence[Sequence[str]]) -> list[list[int]]:
    """Indexes of the inputs (given as the blog folders each holds) that share a blog,
    transitively (a Takeout of blogs A and B joins A's and B's other inputs into one group),
    each in the order given; the groups in the order of their first input."""
    parent = list(range(len(folders)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for i, held in enumerate(folders):
        for folder in held:
            if folder in first:
                parent[root(i)] = root(first[folder])
            else:
                first[folder] = i
    found: dict[int, list[int]] = {}
    for i in range(len(folders)):
        found.setdefault(root(i), []).append(i)
    return sorted(found.values())


def packs(sizes: Sequence[int], workers: int, target: int = PACK_BYTES,
          largest: int = 0) -> list[list[int]]:
    """The groups (given as their bytes) packed into tasks, each a list of group indexes in
    the order given: small groups together until a task holds ``target`` bytes (less when
    the collection is too small for ``TASKS_PER_WORKER`` such tasks per worker); a group of
    ``target`` bytes or more alone, and so is each of the last groups, about one pack per
    worker (``_tail``). ``target`` 0: every group a task of its own.

    ``largest`` above ``target``: a pack aims at the bytes left before the tail over twice
    the workers, at most ``largest``, at least ``target`` (packs shrink as the work left
    does), so there are fewer tasks while each worker is still left enough to keep busy
    while another runs a large one. On Dask, where each task costs the scheduler (in the
    batch's process, on the workers' cores) and each worker a round trip, 200 blogs of
    0.2 MB are 24 tasks instead of 48."""
    if target <= 0:
        return [[g] for g in range(len(sizes))]
    workers = max(1, workers)
    target = max(1, min(target, sum(sizes) // (workers * TASKS_PER_WORKER)))
    tail = _tail(sizes, workers * target)
    left = sum(sizes[:tail])  # bytes not yet packed before the tail
    goal = target  # of the pack being filled: set as each one starts
    tasks: list[list[int]] = []
    current: list[int] = []
    held = 0
    for g, size in enumerate(sizes):
        if not current:
            goal = _goal(left, workers, target, largest)
        if g < tail:
            left -= size
        if size >= target or g >= tail:
            if current and g >= tail:  # the last pack ends where the tail begins
                tasks.append(current)
                current, held = [], 0
            tasks.append([g])
            continue
        current.append(g)
        held += size
        if held >= goal:
            tasks.append(current)
            current, held = [], 0
    if current:
        tasks.append(current)
    return tasks


def _goal(left: int, workers: int, target: int, largest: int) -> int:
    """The bytes the next pack aims at (``packs``)."""
    if largest <= target:
        return target
    return max(target, min(largest, left // (2 * workers)))


def _tail(sizes: Sequence[int], end: int) -> int:
    """Where the last ``end`` bytes of groups begin (at least one group): those go one a
    task. The workers take the tasks in order, so each ends on small tasks and they finish
    within a blog of each other, not up to a whole pack (a quarter of a second) apart, one
    idle meanwhile."""
    g, taken = len(sizes), 0
    while g > 0 and taken < end:
        g -= 1
        taken += sizes[g]
    return g
