"""What expanding a source produces (``Input``, ``RawFile``) and the streams behind them.

Kept apart from ``sources`` so the container modules (``zips``, ``warc``) and ``sources``,
which dispatches to them, share these without importing each other.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import IO, Any, Final

import attrs

from .errors import ParseError, SourceError
from .sniff import HEAD

__all__ = [
    "THEMES", "Input", "Opener", "RawFile", "Tally", "decoded", "head", "one_line", "path_opener",
    "refused", "shared_opener", "takeout_feeds",
]

Opener = Callable[[], IO[bytes]]

_GZIP: Final = b"\x1f\x8b"
# Takeout keeps each blog's theme beside its feed; it is the blog's template.
THEMES: Final = ("theme-layouts.xml", "theme-classic.html")


@attrs.frozen
class RawFile:
    """A file as it lies on disk (or as handed over), before any decoding: what a
    preserved archive keeps as an original. A zip's members share the zip's RawFile."""

    name: str
    opener: Opener


@attrs.frozen
class Input:
    """One document to read, with the files Takeout keeps beside it."""

    name: str
    opener: Opener
    size: int | None = None
    settings: Opener | None = None
    theme: tuple[str, Opener] | None = None
    raw: tuple[RawFile, ...] = ()
    """The original files this document was read from (itself, or its zip; its companions)."""
    capture: dict[str, Any] = attrs.field(factory=dict, hash=False)
    """For a page from a WARC: ``warc_record``, ``captured`` and ``target_url``."""
    notes: tuple[str, ...] = ()
    """What expanding the container noticed (WARC records passed over, revisits)."""


def refused(name: str, error: SourceError) -> Input:
    """An entry of a folder or container that is not read: opening it raises ``error``, so
    the reading loop counts and reports it like any other unreadable member."""

    def opener() -> IO[bytes]:
        raise error

    return Input(name, opener)


def path_opener(path: Path) -> Opener:
    return lambda: path.open("rb")


class _Prefixed(io.RawIOBase):
    """Bytes already read from a stream, then the rest of the stream."""

    def __init__(self, prefix: bytes, rest: IO[bytes]) -> None:
        self._prefix = prefix
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._prefix:
            n = min(len(buffer), len(self._prefix))
            buffer[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._rest.close()
        super().close()


# What a damaged compressed stream raises while it is read (gzip, zip members).
_DAMAGE: Final = (EOFError, zlib.error, gzip.BadGzipFile, zipfile.BadZipFile)


class _Guarded(io.RawIOBase):
    """A decoded stream whose decompression failures become ParseErrors naming the file."""

    def __init__(self, stream: IO[bytes], name: str) -> None:
        self._stream = stream
        self._name = name

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        try:
            data = self._stream.read(len(buffer))
        except _DAMAGE as err:
            raise damaged(self._name, "compressed data", err) from None
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._stream.close()
        super().close()


def one_line(text: str, limit: int = 160) -> str:
    """A library's message as one printable line (some quote the damaged bytes)."""
    flat = " ".join(text.split())
    return "".join(c if c.isprintable() else "?" for c in flat)[:limit]


def damaged(name: str, what: str, err: BaseException) -> ParseError:
    """A one-line "damaged ..." error, whatever the library's message holds."""
    return ParseError(name, f"damaged {what}: {one_line(str(err)) or type(err).__name__}")


def decoded(raw: Opener, name: str) -> Opener:
    """An opener that undoes gzip when the bytes say gzip (whatever the file is called)."""

    def open_decoded() -> IO[bytes]:
        stream = raw()
        try:
            magic = stream.read(2)
        except _DAMAGE as err:  # a damaged zip member can fail on its first read
            stream.close()
            raise damaged(name, "compressed data", err) from None
        except OSError as err:
            stream.close()
            raise SourceError(name, f"cannot be read: {err.strerror or err}") from None
        chained = io.BufferedReader(_Prefixed(magic, stream), buffer_size=HEAD)
        inner: IO[bytes] = chained
        if magic == _GZIP:
            inner = gzip.GzipFile(fileobj=chained, mode="rb")  # type: ignore[assignment]
        return io.BufferedReader(_Guarded(inner, name), buffer_size=HEAD)

    return open_decoded


class _View(io.RawIOBase):
    """A read position of its own over a seekable file that several openers share (a spool,
    a caller's file object): each read seeks first, so two streams open at once (a reader
    re-reading for namespace repair) never disturb each other. The file is never closed
    here: it lives as long as the openers do."""

    def __init__(self, shared: IO[bytes], start: int) -> None:
        self._shared = shared
        self._start = start
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            self._pos = offset
        elif whence == io.SEEK_CUR:
            self._pos += offset
        else:
            self._pos = self._shared.seek(0, io.SEEK_END) - self._start + offset
        return self._pos

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        self._shared.seek(self._start + self._pos)
        data = self._shared.read(len(buffer))
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)


def shared_opener(shared: IO[bytes], start: int = 0) -> Opener:
    """Independent streams over one seekable file, from ``start`` on."""
    return lambda: io.BufferedReader(_View(shared, start))


class Tally:
    """Wraps an opener: hashes and counts the bytes the last opened stream gave."""

    def __init__(self, opener: Opener, progress: Callable[[int], None] | None = None) -> None:
        self._opener = opener
        self._progress = progress
        self.size = 0
        self.sha256 = hashlib.sha256()

    def __call__(self) -> IO[bytes]:
        self.size = 0
        self.sha256 = hashlib.sha256()
        return self._Stream(self, self._opener())  # type: ignore[return-value]

    class _Stream:
        def __init__(self, tally: Tally, stream: IO[bytes]) -> None:
            self._tally = tally
            self._stream = stream

        def read(self, size: int = -1) -> bytes:
            data = self._stream.read(size)
            tally = self._tally
            tally.size += len(data)
            tally.sha256.update(data)
            if tally._progress is not None:
                tally._progress(len(data))
            return data

        def close(self) -> None:
            self._stream.close()


def head(opener: Opener) -> bytes:
    """The leading bytes ``sniff`` decides by."""
    stream = opener()
    try:
        return stream.read(HEAD)
    finally:
        stream.close()


def takeout_feeds(names: list[str]) -> list[str]:
    """Takeout's feed.atom files (Blogs first, then Comments), if this is a Takeout layout."""
    feeds = [n for n in names if PurePosixPath(n).name == "feed.atom"]
    return sorted(feeds, key=lambda n: ("/Comments/" in f"/{n}", n))
