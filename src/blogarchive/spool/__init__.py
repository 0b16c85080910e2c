"""Out-of-core assembly for ``convert``: any size of blog in bounded memory.

``read`` builds an Archive in memory (``assemble``); ``convert`` need not hold one. Records
are spooled to disk as they are read (``records``: JSON lines and an SQLite index), by blog
(``gather``); the assembler's rules are applied as queries over the index (``resolve``);
and the data files are written from the spool in the archive's order, analysed and counted
on the way (``output``). The files are byte for byte those ``store.write_data`` writes of
the Archive ``read`` gives (tests/test_spool.py, tests/test_determinism.py). With several
jobs, the posts are analysed while they are read (``ahead``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from ..errors import ArchiveError
from ..folder import cannot_write, recover
from ..workers import worker_count
from .ahead import Ahead
from .gather import Earlier, Gathered, gather, gather_previous
from .output import Opener, Redacting, Written, write_group
from .records import Spool
from .resolve import Resolved, resolve

__all__ = ["Ahead", "Earlier", "Gathered", "Opener", "Redacting", "Resolved", "Spool",
           "Written", "analysing", "gather", "gather_previous", "opened", "resolve",
           "write_group"]


@contextlib.contextmanager
def opened(target: Path) -> Iterator[Spool]:
    """A spool in a hidden sibling folder of ``target`` (``.DEST.spool-<pid>``: the same
    file system as the archive, not a RAM-backed /tmp), removed however the run ends, and
    by ``folder.recover`` after a run that was killed."""
    folder = target.parent / f".{target.name}.spool-{os.getpid()}"
    try:
        recover(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir()
    except OSError as err:
        problem: ArchiveError | None = cannot_write(target, err)
        if problem is None:
            raise
        raise problem from None
    spool = Spool(folder)
    try:
        yield spool
    finally:
        spool.close()
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def analysing(spool: Spool, jobs: int, analyse: bool) -> Iterator[Ahead | None]:
    """Workers that analyse the posts while they are read (``jobs`` > 1, with the
    analysis), stopped however the run ends; None when the analysis is not shared."""
    if not analyse or worker_count(jobs) < 2:
        yield None
        return
    found = Ahead(spool, jobs)
    try:
        yield found
    finally:
        found.close()
