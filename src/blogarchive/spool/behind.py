"""A data file's bytes written (and digested) by a thread while the lines are made.

With ``--jobs``, once the sources are read the workers are idle and only this process
writes posts.jsonl and comments.jsonl: the two digests of every byte (``fixity``) and the
writes were a third of that phase. ``hashlib`` and file writes release the GIL for a
large block, so a thread of their own takes them to the second core. Lines are gathered
into blocks of ``BLOCK``; at most ``QUEUED`` blocks wait for the thread: memory is
bounded. The bytes, and so the digests, are those written without it.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:  # output uses this module
    from .output import Opener, Sink

__all__ = ["BLOCK", "QUEUED", "Behind", "behind"]

BLOCK: Final = 1 << 20  # as ``fixity``'s: each block goes to the file as it is given
QUEUED: Final = 2  # blocks waiting: with the one held and the one written, 4 MiB at most


class Behind:
    """A ``Sink`` whose blocks go to ``out`` from a thread, started with the first block
    (so that nothing forks a worker while it runs: ``workers.context``); ``close`` waits
    for the thread and raises what ``out`` raised."""

    def __init__(self, out: Sink) -> None:
        self._out = out
        self._held: list[bytes] = []
        self._size = 0
        self._queue: queue.Queue[bytes | None] = queue.Queue(QUEUED)
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def write(self, data: bytes, /) -> None:
        self._held.append(data)
        self._size += len(data)
        if self._size >= BLOCK:
            self._pass()

    def _pass(self) -> None:
        if not self._held:
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="blogarchive-writer",
                                            daemon=True)
            self._thread.start()
        self._queue.put(b"".join(self._held))
        self._held.clear()
        self._size = 0

    def _run(self) -> None:
        while (block := self._queue.get()) is not None:
            if self._error is None:  # after a failure, the blocks are only taken off
                try:
                    self._out.write(block)
                except BaseException as error:  # raised again by ``close``
                    self._error = error

    def close(self, *, failed: bool = False) -> None:
        """Write what is held (unless the lines ``failed``), wait for the thread, raise
        what the writing raised."""
        if not failed:
            self._pass()
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        if self._error is not None and not failed:
            raise self._error


def behind(opener: Opener) -> Opener:
    """``opener``'s files written through a ``Behind``."""

    @contextlib.contextmanager
    def opened(path: Path) -> Iterator[Sink]:
        with opener(path) as out:
            sink = Behind(out)
            try:
                yield sink
            except BaseException:
                sink.close(failed=True)
                raise
            sink.close()

    return opened
