"""The archive folder on disk: what blogarchive puts in one, and replacing it atomically.

A new archive is built in a hidden sibling folder (``.DEST.tmp-<n>-<pid>``) and exchanged with
DEST in one step (``renameat2(RENAME_EXCHANGE)``; two renames where that is missing, whose
window ``recover`` repairs on the next run). A symlink at DEST is followed, so the archive it
points to is replaced and the link stays. Errors that are the destination's fault
(read-only, full, not permitted) become one-line ArchiveErrors.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import itertools
import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Final, NoReturn

from .durable import deferred, sync_tree
from .errors import ArchiveError

__all__ = [
    "BATCH_FILES",
    "CAPTURED",
    "EVENTS",
    "FILES",
    "KNOWN_NAMES",
    "MEDIA",
    "MEDIA_INDEX",
    "archives_in",
    "cannot_write",
    "data_dir",
    "handing_off",
    "is_archive",
    "real_destination",
    "recover",
    "replaceable",
    "staging",
]

FILES: Final = {"blog": "blog.json", "post": "posts.jsonl", "comment": "comments.jsonl"}


def real_destination(target: Path) -> Path:
    """``target``, or the folder it links to: a symlinked destination is updated where it
    points (the swap happens there), and the link itself stays as it is."""
    return Path(os.path.realpath(target)) if target.is_symlink() else target


# A full or read-only file system is the destination's fault whatever file the error names
# (reading a source never fails so); a permission error only when it names the destination.
_FULL_OR_READ_ONLY: Final = frozenset({errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
_NOT_PERMITTED: Final = frozenset({errno.EACCES, errno.EPERM})


def cannot_write(target: Path, err: OSError) -> ArchiveError | None:
    """A one-line ArchiveError when ``err`` is the destination's fault (read-only, full, no
    permission), else None (e.g. a source that could not be read while its copy was kept)."""
    if err.filename is None:
        ours = True  # a write or fsync into the staging folder
    else:
        path, dest = (Path(os.path.abspath(p)) for p in (os.fsdecode(err.filename), target))
        # DEST, what is in it, its parent (created), or the run's own siblings of DEST
        # (.DEST.tmp-<n>-<pid>, .DEST.lock, ...); not a source that happens to lie beside DEST.
        ours = path.is_relative_to(dest) or path == dest.parent or any(
            p.parent == dest.parent and p.name.startswith(f".{dest.name}.")
            for p in (path, *path.parents))
    if err.errno in _FULL_OR_READ_ONLY or (err.errno in _NOT_PERMITTED and ours):
        return ArchiveError(f"{target}: cannot write the archive: {err.strerror or err}")
    return None


@contextlib.contextmanager
def staging(target: Path) -> Iterator[Path]:
    """A fresh hidden sibling folder to build the archive in, swapped into place on success
    and removed on any failure, so ``target`` is always the previous archive or the new one.

    A symlink at ``target`` is followed. Raises ArchiveError (not OSError) when the
    destination is read-only, full or not writable."""
    target = real_destination(target)
    recover(target)
    if target.exists() and not replaceable(target):
        raise ArchiveError(
            f"{target}: exists and is not a blogarchive archive; choose another destination"
        )
    # a name of its own per staging, not per process: a batch worker's commit of one archive
    # may still be pending (``handing_off``) when it stages the next, and two destinations
    # can be one folder on a case-insensitive file system (the pid stays last: ``recover``)
    temp = target.parent / f".{target.name}.tmp-{next(_STAGED)}-{os.getpid()}"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if temp.exists():
            shutil.rmtree(temp)
        temp.mkdir()
    except OSError as err:
        raise cannot_write(target, err) or err from None
    try:
        # Its files are fsynced together, not one by one as each is written (``durable``).
        with deferred():
            yield temp
    except BaseException as err:
        _failed(temp, target, err)
    take = _HANDOFF.get()
    if take is None:
        _commit(temp, target)
        return
    try:
        take(lambda: _commit(temp, target))
    except BaseException as err:  # not handed over (say, the committing thread is gone)
        _failed(temp, target, err)


_STAGED = itertools.count()
_HANDOFF: ContextVar[Callable[[Callable[[], None]], None] | None] = ContextVar(
    "blogarchive_commit_handoff", default=None)


@contextlib.contextmanager
def handing_off(take: Callable[[Callable[[], None]], None]) -> Iterator[None]:
    """While this block runs (in this thread), a staging folder's commit (its fsyncs, the
    swap into place and the parent's fsync) is not run as ``staging`` ends but given to
    ``take``, which must run it once, before anything relies on the archive being in
    place; it raises what ``staging`` would have raised. A batch's worker runs it in a
    thread while it converts the next blog: the fsyncs wait on the disk, not the CPU."""
    token = _HANDOFF.set(take)
    try:
        yield
    finally:
        _HANDOFF.reset(token)


def _commit(temp: Path, target: Path) -> None:
    """The staging folder ``temp`` fsynced whole and swapped into place at ``target``."""
    try:
        sync_tree(temp)
        _swap(temp, target)
    except BaseException as err:
        _failed(temp, target, err)


def _failed(temp: Path, target: Path, err: BaseException) -> NoReturn:
    """The staging folder removed; ``err`` raised again, as ArchiveError when it says the
    destination cannot be written (read-only, full)."""
    shutil.rmtree(temp, ignore_errors=True)
    problem = cannot_write(target, err) if isinstance(err, OSError) else None
    if problem is None:
        raise err
    raise problem from None


# The provenance log: every run appends its events, nothing rewrites earlier ones.
EVENTS: Final = "events.jsonl"

# What `blogarchive capture` adds to an archive: its WARC files, and their index.
MEDIA: Final = "media"
MEDIA_INDEX: Final = "media.jsonl"
CAPTURED: Final = (MEDIA, MEDIA_INDEX)

# Everything blogarchive itself puts in an archive folder (plain or bagged).
KNOWN_NAMES: Final = frozenset({
    *FILES.values(), EVENTS, "originals", "schemas", "data", "bagit.txt",
    "bag-info.txt", "fetch.txt", *CAPTURED,
})


def data_dir(folder: Path) -> Path:
    """Where the data files are: the folder itself, or ``data/`` in a BagIt bag."""
    return folder / "data" if (folder / "bagit.txt").is_file() else folder


def is_archive(folder: Path) -> bool:
    """Does ``folder`` hold an archive (plain, or a bag)?"""
    return (data_dir(folder) / FILES["blog"]).is_file()


# What `blogarchive batch` keeps beside the archives of its OUTDIR: still a folder of archives.
BATCH_FILES: Final = frozenset({"batch.jsonl", "catalog.jsonl"})


def archives_in(path: Path) -> list[Path]:
    """The archives at ``path``: ``[path]`` when it is one; when it is a folder of archives
    (every visible entry an archive folder, as ``convert`` writes several blogs), each of
    them in name order; else ``[]``. Hidden entries (a run's lock or half-built folder) do
    not count. The one place that decides what a folder of archives is, so validate, info,
    list and convert agree."""
    if is_archive(path):
        return [path]
    if not path.is_dir():
        return []
    entries = [p for p in path.iterdir()
               if not p.name.startswith(".") and p.name not in BATCH_FILES]
    if entries and all(p.is_dir() and is_archive(p) for p in entries):
        return sorted(entries)
    return []


def replaceable(target: Path) -> bool:
    """Is ``target`` empty, or an archive blogarchive wrote (nothing else in it)?"""
    if not target.is_dir():
        return False
    names = {p.name for p in target.iterdir()}
    if not names:
        return True
    if not (data_dir(target) / FILES["blog"]).is_file():
        return False
    return all(n in KNOWN_NAMES or re.fullmatch(r"(tag)?manifest-\w+\.txt", n) for n in names)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one atomic step (Linux renameat2 RENAME_EXCHANGE)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return bool(done == 0)


def _swap(temp: Path, target: Path) -> None:
    if target.exists():
        if _exchange(temp, target):  # temp now holds the previous archive
            shutil.rmtree(temp, ignore_errors=True)
        else:
            # Two renames: a kill between them leaves the previous archive as .old, which
            # recover() puts back on the next run.
            old = target.parent / f".{target.name}.old-{os.getpid()}"
            os.replace(target, old)
            os.replace(temp, target)
            shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(temp, target)
    _fsync_dir(target.parent)


def recover(target: Path) -> None:
    """Undo what an interrupted run left beside ``target``: put a previous archive back if
    the run died between the two renames of a swap; remove half-built temporary folders."""
    parent = target.parent
    # One listing of the parent, names compared as text: in a batch's OUTDIR of thousands
    # of archives this runs twice per blog, and three globs each (a listing and a regular
    # expression compiled for this name, every time) cost about a millisecond per 200
    # archives. Also right for a name holding a glob's special characters ("[").
    try:
        with os.scandir(parent) as entries:
            mine = sorted(e.name for e in entries if e.name.startswith(f".{target.name}."))
    except (FileNotFoundError, NotADirectoryError):
        return
    for leftover in [parent / n for n in mine if n.startswith(f".{target.name}.old-")]:
        if not target.exists() and (data_dir(leftover) / FILES["blog"]).is_file():
            os.replace(leftover, target)
        else:
            shutil.rmtree(leftover, ignore_errors=True)
    leftovers = [parent / n for n in mine
                 if n.startswith((f".{target.name}.tmp-", f".{target.name}.spool-"))]
    for leftover in leftovers:  # half-built archives, and spools (``blogarchive.spool``)
        pid = leftover.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
