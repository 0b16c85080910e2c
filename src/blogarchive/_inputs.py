"""What expanding a source produces (``Input``, ``RawFile``) and the streams behind them.

Kept apart from ``sources`` so the container modules (``zips``, ``warc``) and ``sources``,
which dispatches to them, share these without importing each other.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import IO, Any, Final, Protocol

import attrs

from .errors import ParseError, SourceError
from .sniff import HEAD

__all__ = [
    "THEMES",
    "Input",
    "Opener",
    "RawFile",
    "Seekable",
    "Shared",
    "Spool",
    "Tally",
    "decoded",
    "guarded",
    "head",
    "one_line",
    "path_opener",
    "refused",
    "resumed",
    "shared_opener",
    "takeout_feeds",
]

Opener = Callable[[], IO[bytes]]

_GZIP: Final = b"\x1f\x8b"
_SPOOL_IN_MEMORY: Final = 64 * 1024 * 1024
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
    """A decoded stream whose failures (damaged compressed data, read errors) become
    SourceErrors naming the file."""

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
        except OSError as err:  # a disk error, or a zip member whose offsets lead nowhere
            raise SourceError(self._name, f"cannot be read: {err.strerror or err}") from None
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._stream.close()
        super().close()


def guarded(stream: IO[bytes], name: str) -> IO[bytes]:
    """``stream`` whose read failures (a zip member's bad CRC at its end, damaged data)
    become SourceErrors naming ``name``."""
    return io.BufferedReader(_Guarded(stream, name), buffer_size=HEAD)


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
        return guarded(inner, name)

    return open_decoded


class Shared(Protocol):
    """A file several openers read at positions of their own."""

    def read_at(self, position: int, size: int) -> bytes: ...

    def end(self) -> int: ...


class Seekable:
    """A caller's seekable file object, from ``start`` on (never closed here)."""

    def __init__(self, stream: IO[bytes], start: int) -> None:
        self._stream = stream
        self._start = start

    def read_at(self, position: int, size: int) -> bytes:
        self._stream.seek(self._start + position)
        return self._stream.read(size)

    def end(self) -> int:
        return self._stream.seek(0, io.SEEK_END) - self._start


class Spool:
    """A stream that gives its bytes once (a pipe, an unseekable file object), kept as it is
    read: in memory up to 64 MiB, then in a temporary file. Bytes are taken from the stream
    only as far as someone reads, so a source refused from its first bytes (/dev/zero,
    /dev/urandom) is never read to an end it does not have."""

    def __init__(self, stream: IO[bytes], *, close: bool) -> None:
        self._stream = stream
        self._close = close
        self._file = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115 - lives as long as the openers
        self._filled = 0
        self._done = False

    def _fill(self, upto: int | None) -> None:
        while not self._done and (upto is None or self._filled < upto):
            chunk = self._stream.read(1 << 20)
            if not chunk:
                self._done = True
                if self._close:
                    self._stream.close()
                break
            self._file.seek(self._filled)
            self._file.write(chunk)
            self._filled += len(chunk)

    def read_at(self, position: int, size: int) -> bytes:
        self._fill(position + size)
        self._file.seek(position)
        return self._file.read(min(size, max(self._filled - position, 0)))

    def end(self) -> int:
        self._fill(None)
        return self._filled


class _View(io.RawIOBase):
    """A read position of its own over a file that several openers share: two streams open
    at once (a reader re-reading for namespace repair) never disturb each other. The file is
    never closed here: it lives as long as the openers do."""

    def __init__(self, shared: Shared) -> None:
        self._shared = shared
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
            self._pos = self._shared.end() + offset
        return self._pos

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._shared.read_at(self._pos, len(buffer))
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)


def shared_opener(shared: Shared) -> Opener:
    """Independent streams over one shared file."""
    return lambda: io.BufferedReader(_View(shared))


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


def resumed(start: bytes, stream: IO[bytes], opener: Opener) -> Opener:
    """An opener whose first stream is ``stream``, of which ``start`` was read already (its
    bytes given again first), and whose later ones are ``opener``'s. A page's head read to
    sniff it is then not read again, nor the file opened again, to read the whole page."""
    first: list[IO[bytes]] = [io.BufferedReader(_Prefixed(start, stream), buffer_size=HEAD)]

    def open_again() -> IO[bytes]:
        return first.pop() if first else opener()

    return open_again


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
