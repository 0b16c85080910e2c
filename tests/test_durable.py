"""Durability: every file and folder of an archive is on disk (fsynced) before the archive is
swapped into place, and the swap itself is made durable after; within a staging folder the
writers leave their fsyncs to its commit, which does them all at once (``durable``)."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import blogarchive.folder as folder
from blogarchive.durable import deferred, sync, sync_tree
from blogarchive.preserve import convert
from conftest import EXAMPLE

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="names a descriptor's file through /proc/self/fd")


class Journal:
    """What was fsynced (by path) and when the swaps happened, in order."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def note(self, what: str, path: str) -> None:
        with self._lock:
            self.steps.append((what, path))

    def synced_before_swap(self) -> tuple[set[str], set[str]]:
        """The paths fsynced before the first swap, and after it."""
        swap = next(i for i, (what, _) in enumerate(self.steps) if what == "swap")
        before = {path for what, path in self.steps[:swap] if what == "fsync"}
        after = {path for what, path in self.steps[swap:] if what == "fsync"}
        return before, after


@pytest.fixture
def journal(monkeypatch: pytest.MonkeyPatch) -> Iterator[Journal]:
    found = Journal()
    real_fsync, real_swap = os.fsync, folder._swap

    def fsync(fd: int) -> None:
        found.note("fsync", os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    def swap(temp: Path, target: Path) -> None:
        found.note("swap", str(temp))
        real_swap(temp, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(folder, "_swap", swap)
    yield found


def _everything(root: Path) -> set[str]:
    return {str(root), *(str(p) for p in root.rglob("*"))}


@pytest.mark.parametrize("how", ["new", "again", "bag"])
def test_every_file_is_fsynced_before_the_swap_and_the_swap_after(
        tmp_path: Path, journal: Journal, how: str) -> None:
    dest = tmp_path / "shelf" / "a"
    if how == "again":  # the originals and events carried over from the archive there
        convert(EXAMPLE, dest)
        journal.steps.clear()
    convert(EXAMPLE, dest, bag=how == "bag")

    found = journal
    temp = next(path for what, path in found.steps if what == "swap")
    before, after = found.synced_before_swap()
    # Each thing in the archive now, named where it was built (the staging folder).
    wanted = {path.replace(str(dest), temp, 1) for path in _everything(dest)}
    assert len(wanted) > 10  # data, originals, events, schemas, manifests and their folders
    assert wanted <= before, sorted(wanted - before)
    assert str(dest.parent) in after  # the swap's rename, made durable


def test_sync_leaves_the_fsync_to_the_commit_only_within_deferred(
        tmp_path: Path, journal: Journal) -> None:
    with (tmp_path / "now").open("w") as out:
        out.write("x")
        sync(out)
    with deferred(), (tmp_path / "later").open("w") as out:
        out.write("x")
        sync(out)
        elsewhere = threading.Thread(target=sync, args=(out,))  # a thread of its own
        elsewhere.start()
        elsewhere.join()
    synced = [path for what, path in journal.steps if what == "fsync"]
    assert synced == [str(tmp_path / "now"), str(tmp_path / "later")]
    assert (tmp_path / "later").read_text() == "x"  # flushed all the same


def test_sync_tree_fsyncs_every_file_and_folder(tmp_path: Path, journal: Journal) -> None:
    root = tmp_path / "root"
    (root / "a" / "b").mkdir(parents=True)
    for name in ("one", "a/two", "a/b/three"):
        (root / name).write_text(name)
    (root / "link").symlink_to(tmp_path)  # not followed: the folder it names is not ours
    sync_tree(root)
    synced = [path for what, path in journal.steps if what == "fsync"]
    assert sorted(synced) == sorted(str(root / p) for p in (
        "", "a", "a/b", "one", "a/two", "a/b/three"))


def test_sync_tree_raises_what_fsync_raised(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(20):
        (tmp_path / f"f{n}").write_text("x")

    def broken(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(OSError, match="Input/output error"):
        sync_tree(tmp_path)
