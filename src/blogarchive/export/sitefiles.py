"""The access copy's pages written to disk: a file per page, thousands of them.

Each file is written through its file descriptor (``os.open``, ``os.write``, ``os.close``), as
``open(target, "w", encoding="utf-8")`` would write the text: no text and buffer layers, and
their ``fstat``, ``ioctl`` and ``lseek``, for each file.

The pages are created a batch at a time (``PageFiles``): rendered and encoded as they come,
kept, and created together, up to ``BATCH_FILES`` pages or ``BATCH_BYTES``. The kernel's work
per file is the same either way, but it costs less CPU when the files are created one after
the other than when each is created between two pages' rendering, whose Python work leaves
the kernel's code and data out of the processor's caches: on a 20 MB export's 3,262 files,
the files' CPU went from 0.41-1.24 to 0.27-0.77 s (twelve exports alternated in one
process). A page longer than ``KEPT_BYTES`` (a label's or a month's list, mostly) is not
kept: it is written as it is rendered, so no such page is ever held whole, and what is held
does not grow with a list.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Final

__all__ = ["BATCH_BYTES", "BATCH_FILES", "KEPT_BYTES", "PageFiles", "write_page"]

BATCH_FILES: Final = 64
BATCH_BYTES: Final = 1 << 20
KEPT_BYTES: Final = 64 << 10  # a post page is 5 to 20 KB
# rendered pieces joined per write: few writes, and a bounded string (a list page's
# pieces are its entries, a KB or two each: 4,096 of them were 4 to 8 MB at once)
_CHUNKS: Final = 256
_CREATE: Final = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)


def _encoded(text: str) -> bytes:
    return (text if os.linesep == "\n" else text.replace("\n", os.linesep)).encode()


def _pieces(chunks: Iterator[str]) -> Iterator[bytes]:
    """The rendered ``chunks``, joined ``_CHUNKS`` at a time and encoded."""
    while text := "".join(islice(chunks, _CHUNKS)):
        yield _encoded(text)


def _create(target: str, parts: Iterable[bytes]) -> None:
    fd = os.open(target, _CREATE, 0o666)
    try:
        for data in parts:
            view = memoryview(data)
            while view:  # a regular file takes all of it at once, but write may say less
                view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def write_page(target: str, chunks: Iterator[str]) -> None:
    """The rendered ``chunks`` in ``target`` now, written as they are rendered."""
    _create(target, _pieces(chunks))


class PageFiles:
    """Pages rendered and kept, then created a batch at a time (see the module's text);
    ``flush`` creates what is kept, and must be called once the last page is given."""

    def __init__(self) -> None:
        self._pending: list[tuple[str, list[bytes]]] = []
        self._size = 0

    def write(self, target: str, chunks: Iterator[str]) -> None:
        parts: list[bytes] = []
        size = 0
        pieces = _pieces(chunks)
        for data in pieces:
            parts.append(data)
            size += len(data)
            if size > KEPT_BYTES:  # a long page: the rest written as it is rendered
                self.flush()
                _create(target, _chained(parts, pieces))
                return
        self._pending.append((target, parts))
        self._size += size
        if len(self._pending) >= BATCH_FILES or self._size > BATCH_BYTES:
            self.flush()

    def flush(self) -> None:
        pending, self._pending, self._size = self._pending, [], 0
        for target, parts in pending:
            _create(target, parts)


def _chained(parts: list[bytes], rest: Iterator[bytes]) -> Iterator[bytes]:
    yield from parts
    parts.clear()  # written: not held while the rest is rendered
    yield from rest
