"""One writer per destination: an advisory lock beside it, held from reading to swapping.

A run reads the archive already at DEST, merges, builds, and swaps the result in. Two runs at
once would each build from the same old archive and the second swap would drop the first
run's records and event (a lost update). So a run holds ``fcntl.flock`` on ``.DEST.lock``,
in DEST's parent folder (never inside DEST: the swap exchanges that folder, and a lock file
there would end up in manifests and bags), for the whole run; an archive inside a folder of
archives shares the folder's lock. The lock file says who holds
it, so the run that finds it taken can name the other run. The kernel drops the lock when a
process dies, however it dies; the holder removes the file when it is done, and a run that
locked a file just removed starts again on the new one.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from ..errors import ArchiveError
from ..folder import archives_in, is_archive

__all__ = ["lock_path", "locked"]

_HELD: set[int] = set()
"""The descriptors of the locks this process holds. A forked child (a batch's worker process)
closes its copies at once: were its parent killed, it would otherwise keep the lock for as
long as it lives, and every later run into DEST would be refused."""


def _drop_in_child() -> None:
    for fd in _HELD:
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()


os.register_at_fork(after_in_child=_drop_in_child)


def lock_path(target: Path) -> Path:
    """``.DEST.lock`` beside DEST; for an archive inside a folder of archives, the folder's
    lock, so a run into ``multi/blog-1/`` and a run into ``multi/`` exclude each other."""
    parent = target.parent
    if parent != target and archives_in(parent) and not is_archive(parent):
        target = parent
    return target.parent / f".{target.name}.lock"


def _holder(fd: int) -> str:
    """Who holds the lock, from what it wrote into the file (best effort)."""
    try:
        data = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
        return (f"pid {data['pid']} on {data['host']}, started {data['started']}: "
                f"{data['command']}")
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"


def _me() -> bytes:
    command = " ".join(["blogarchive", *sys.argv[1:]]) if sys.argv else "blogarchive"
    return json.dumps({
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "command": command[:200],
    }).encode("utf-8")


@contextlib.contextmanager
def locked(target: Path, *, wait: bool = False,
           notify: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the destination lock of ``target``. When another run holds it: raise
    ArchiveError naming that run, or with ``wait`` wait for it (``notify`` hears why)."""
    path = lock_path(target)
    while True:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            raise ArchiveError(f"{target}: cannot write here: "
                               f"{err.strerror or err} ({path})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            if not wait:
                os.close(fd)
                raise ArchiveError(
                    f"{target}: another blogarchive run is writing it ({holder}); "
                    "try again when it has finished, or wait for it with --wait") from None
            if notify is not None:
                notify(f"waiting for the run writing {target} to finish ({holder})")
            fcntl.flock(fd, fcntl.LOCK_EX)
        if _same_file(fd, path):
            break
        os.close(fd)  # the holder removed the file as it finished: lock the current one
    _HELD.add(fd)
    try:
        with contextlib.suppress(OSError):  # only a courtesy to the next run; a full disk
            os.ftruncate(fd, 0)             # shows itself when the archive is written
            os.pwrite(fd, _me(), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()  # while still holding it, so nobody locks a removed file for good
        _HELD.discard(fd)
        os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        here, there = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)
