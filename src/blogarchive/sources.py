"""Open anything a user may hand over and find the Blogger documents in it.

A source is a path (file, folder, Takeout folder, `.zip`), bytes, or a binary file object.
``expand`` turns it into ``Input``s, each able to open a fresh decoded byte stream (gzip is
undone here, whatever the file is called) as often as a reader needs. ``sniff`` says from the
first bytes what a document is, never from its name. ``Tally`` hashes and counts what a reader
actually read, for the archive's record of its sources.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import IO, Any, Final

import attrs

from .errors import ParseError, SourceError, UnsupportedFormat
from .sniff import HEAD, sniff

__all__ = ["Input", "RawFile", "Source", "Tally", "expand", "head", "sniff"]

Source = str | os.PathLike[str] | bytes | IO[bytes]
Opener = Callable[[], IO[bytes]]

_GZIP: Final = b"\x1f\x8b"
_ZIP: Final = b"PK\x03\x04"
# Takeout keeps each blog's theme beside its feed; it is the blog's template.
_THEMES: Final = ("theme-layouts.xml", "theme-classic.html")


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


def _decoded(raw: Opener) -> Opener:
    """An opener that undoes gzip when the bytes say gzip."""

    def open_decoded() -> IO[bytes]:
        stream = raw()
        magic = stream.read(2)
        chained = io.BufferedReader(_Prefixed(magic, stream), buffer_size=HEAD)
        if magic == _GZIP:
            return gzip.GzipFile(fileobj=chained, mode="rb")  # type: ignore[return-value]
        return chained

    return open_decoded


class _Unclosed(io.RawIOBase):
    """A caller's file object, readable from where it stood, never closed by us."""

    def __init__(self, stream: IO[bytes], start: int) -> None:
        self._stream = stream
        stream.seek(start)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


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


# -- what a document is ----------------------------------------------------------------------


def head(opener: Opener) -> bytes:
    """The leading bytes ``sniff`` decides by."""
    stream = opener()
    try:
        return stream.read(HEAD)
    finally:
        stream.close()


# -- expanding a source into documents -------------------------------------------------------


def expand(source: Source) -> list[Input]:
    """The documents inside ``source``. Raises SourceError when it cannot be opened at all."""
    if isinstance(source, bytes):
        data = source
        raw = RawFile("input.bin", lambda: io.BytesIO(data))
        return [Input("<bytes>", _decoded(raw.opener), len(data), raw=(raw,))]
    if hasattr(source, "read"):
        return [_from_file_object(source)]  # type: ignore[arg-type]
    path = Path(os.fspath(source))
    if not path.exists():
        raise SourceError(str(path), "no such file or folder")
    if path.is_dir():
        return _from_folder(path)
    try:
        with path.open("rb") as stream:
            magic = stream.read(4)
    except OSError as err:
        raise SourceError(str(path), f"cannot be read: {err.strerror or err}") from None
    if magic == _ZIP:
        return _from_zip(path)
    from .warc import is_warc, warc_inputs

    with path.open("rb") as stream:
        head = stream.read(512)
    if is_warc(head):
        inputs, notes = warc_inputs(path)
        if not inputs:
            raise UnsupportedFormat(path.name, "a WARC with no page or feed captures in it"
                                    + (f" ({'; '.join(notes)})" if notes else ""))
        return [attrs.evolve(i, notes=tuple(notes)) for i in inputs]
    raw = RawFile(path.name, _path_opener(path))
    return [Input(path.name, _decoded(raw.opener), path.stat().st_size, raw=(raw,))]


def _from_file_object(stream: IO[bytes]) -> Input:
    name = str(getattr(stream, "name", "<stream>"))
    name = os.path.basename(name) if name and not name.startswith("<") else name
    try:
        start = stream.tell()
        stream.seek(start)
        seekable = True
    except (AttributeError, OSError, ValueError):
        seekable = False
    if not seekable:
        # Readers may need a second pass (namespace repair): keep a copy, on disk if large.
        spool = tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024)  # noqa: SIM115 - lives as long as the Input
        while chunk := stream.read(1 << 20):
            spool.write(chunk)
        stream, start = spool, 0
    kept = stream
    raw = RawFile(name if not name.startswith("<") else "input.bin",
                  lambda: _Unclosed(kept, start))  # type: ignore[arg-type,return-value]
    return Input(name, _decoded(raw.opener), raw=(raw,))


def _takeout_feeds(names: list[str]) -> list[str]:
    """Takeout's feed.atom files (Blogs first, then Comments), if this is a Takeout layout."""
    feeds = [n for n in names if PurePosixPath(n).name == "feed.atom"]
    return sorted(feeds, key=lambda n: ("/Comments/" in f"/{n}", n))


def _from_folder(folder: Path) -> list[Input]:
    files = sorted(
        p for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )
    rel = [p.relative_to(folder).as_posix() for p in files]
    label = folder.name or str(folder)
    feeds = _takeout_feeds(rel)
    chosen = feeds if feeds else rel
    inputs = []
    for name in chosen:
        path = folder / name
        sibling = path.parent
        settings = sibling / "settings.csv"
        theme = next((sibling / t for t in _THEMES if (sibling / t).is_file()), None)
        has_settings = bool(feeds) and settings.is_file()
        has_theme = bool(feeds) and theme is not None
        raw = [RawFile(f"{label}/{name}", _path_opener(path))]
        if has_settings:
            raw.append(RawFile(f"{label}/{settings.relative_to(folder).as_posix()}",
                               _path_opener(settings)))
        if has_theme:
            assert theme is not None
            raw.append(RawFile(f"{label}/{theme.relative_to(folder).as_posix()}",
                               _path_opener(theme)))
        inputs.append(
            Input(
                f"{label}/{name}",
                _decoded(_path_opener(path)),
                path.stat().st_size,
                settings=_path_opener(settings) if has_settings else None,
                theme=(theme.name, _path_opener(theme)) if has_theme and theme else None,
                raw=tuple(raw),
            )
        )
    if not inputs:
        raise SourceError(str(folder), "the folder holds no files")
    return inputs


def _path_opener(path: Path) -> Opener:
    return lambda: path.open("rb")


def _from_zip(path: Path) -> list[Input]:
    try:
        archive = zipfile.ZipFile(path)
        infos = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError) as err:
        raise ParseError(path.name, f"damaged zip file: {err}") from None
    names = [i.filename for i in infos]
    feeds = _takeout_feeds(names)
    chosen = feeds if feeds else names
    present = set(names)

    def member(name: str) -> Opener:
        return lambda: zipfile.ZipFile(path).open(name)

    inputs = []
    whole = (RawFile(path.name, _path_opener(path)),)
    for name in chosen:
        folder = str(PurePosixPath(name).parent)
        settings = f"{folder}/settings.csv"
        theme = next((f"{folder}/{t}" for t in _THEMES if f"{folder}/{t}" in present), None)
        inputs.append(
            Input(
                f"{path.name}!{name}",
                _decoded(member(name)),
                archive.getinfo(name).file_size,
                settings=member(settings) if feeds and settings in present else None,
                theme=(PurePosixPath(theme).name, member(theme)) if feeds and theme else None,
                raw=whole,
            )
        )
    archive.close()
    if not inputs:
        raise SourceError(path.name, "the zip file holds no files")
    return inputs

