"""Open anything a user may hand over and find the Blogger documents in it.

A source is a path (file, folder, Takeout folder, zip, WARC, or a pipe such as
``/dev/stdin``), bytes, or a binary file object. ``expand`` turns it into ``Input``s, each able
to open a fresh decoded byte stream (gzip is undone, whatever the file is called) as often as
a reader needs. Every file is classified by its bytes the same way wherever it lies: a zip
or a WARC given directly, inside a folder, piped or handed over as bytes is expanded into its
documents alike. ``sniff`` says from the first bytes what a document is, never from its name.
``Tally`` hashes and counts what a reader actually read, for the archive's record of its
sources.
"""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path, PurePosixPath
from typing import IO, Final

import attrs

from ._inputs import (
    THEMES,
    Input,
    Opener,
    RawFile,
    Seekable,
    Shared,
    Spool,
    Tally,
    decoded,
    head,
    path_opener,
    refused,
    shared_opener,
    takeout_feeds,
)
from .errors import SourceError, UnsupportedFormat
from .folders import walk
from .sniff import sniff
from .warc import is_warc, warc_inputs
from .zips import zip_inputs

__all__ = ["Input", "Opener", "RawFile", "Source", "Tally", "expand", "head", "sniff"]

Source = str | os.PathLike[str] | bytes | IO[bytes]

_ZIP: Final = b"PK\x03\x04"


def expand(source: Source) -> list[Input]:
    """The documents inside ``source``. Raises SourceError when it cannot be opened at all."""
    if isinstance(source, bytes):
        data = source
        return file_inputs("<bytes>", "input.bin", lambda: io.BytesIO(data), len(data))
    if hasattr(source, "read"):
        return _from_file_object(source)  # type: ignore[arg-type]
    path = Path(os.fspath(source))
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise SourceError(str(path), "no such file or folder") from None
    except OSError as err:
        raise SourceError(str(path), f"cannot be read: {err.strerror or err}") from None
    if stat.S_ISDIR(mode):
        return _from_folder(path)
    if not stat.S_ISREG(mode):
        # Its size is unknown until it is read: nothing reads it ahead of the readers.
        return file_inputs(path.name, path.name, shared_opener(_pipe(path)), None)
    return file_inputs(path.name, path.name, path_opener(path), path.stat().st_size, path)


def file_inputs(name: str, raw_name: str, opener: Opener, size: int | None,
                path: Path | None = None) -> list[Input]:
    """The documents in one file, whatever holds it: a zip's members, a WARC's captures, or
    the file itself. ``opener`` gives its raw bytes (seekable); ``raw_name`` names it as an
    original; ``path`` lets a zip be opened by name."""
    raw = RawFile(raw_name, opener)
    try:
        with opener() as stream:
            start = stream.read(512)
    except OSError as err:
        raise SourceError(name, f"cannot be read: {err.strerror or err}") from None
    if start.startswith(_ZIP):
        return zip_inputs(name, path or opener, raw)
    if is_warc(start):
        inputs, notes = warc_inputs(name, opener, raw)
        if not inputs:
            raise UnsupportedFormat(name, "a WARC with no page or feed captures in it"
                                    + (f" ({'; '.join(notes)})" if notes else ""))
        return [attrs.evolve(i, notes=tuple(notes)) for i in inputs]
    return [Input(name, decoded(opener, name), size, raw=(raw,))]


# Pipes already opened, by device and inode: a pipe gives its bytes once, and a source may be
# expanded more than once (the command line sizes its sources for the progress bar first).
_PIPES: Final[dict[tuple[int, int], Spool]] = {}


def _pipe(path: Path) -> Spool:
    """A pipe or device (`<(cat export.xml)`, /dev/stdin), kept as it is read: readers open
    a source more than once."""
    try:
        info = path.stat()
        key = (info.st_dev, info.st_ino)
        if key not in _PIPES:
            _PIPES[key] = Spool(path.open("rb"), close=True)
    except OSError as err:
        raise SourceError(str(path), f"cannot be read: {err.strerror or err}") from None
    return _PIPES[key]


def _from_file_object(stream: IO[bytes]) -> list[Input]:
    name = str(getattr(stream, "name", "<stream>"))
    name = os.path.basename(name) if name and not name.startswith("<") else name
    if isinstance(stream.read(0), str):  # io.TextIOBase, or any text-mode reader
        raise SourceError(name, "the file object was opened in text mode: open the file in "
                                "binary mode ('rb')")
    shared: Shared
    try:
        shared = Seekable(stream, stream.seek(stream.tell()))
        size: int | None = shared.end()
    except (AttributeError, OSError, ValueError):
        shared, size = Spool(stream, close=False), None
    raw_name = name if not name.startswith("<") else "input.bin"
    return file_inputs(name, raw_name, shared_opener(shared), size)


def _from_folder(folder: Path) -> list[Input]:
    label = folder.name or str(folder)
    found = walk(folder)
    rel = [name for name, _ in found.files]
    paths = dict(found.files)
    feeds = takeout_feeds(rel)
    if found.unreadable[:1] and not found.unreadable[0][0]:
        raise SourceError(str(folder), found.unreadable[0][1])
    inputs = [refused(f"{label}/{name}", UnsupportedFormat(f"{label}/{name}", why))
              for name, why in found.passed_over]
    inputs += [refused(f"{label}/{name}", SourceError(f"{label}/{name}", why))
               for name, why in found.unreadable]
    for name in rel if not feeds else feeds + [n for n in rel if _is_container(paths[n])]:
        path = paths[name]
        if name not in feeds:
            try:
                inputs.extend(file_inputs(f"{label}/{name}", f"{label}/{name}",
                                          path_opener(path), path.stat().st_size, path))
            except SourceError as err:  # one damaged zip or WARC: reported, the rest is read
                inputs.append(refused(f"{label}/{name}", err))
            continue
        inputs.append(_takeout_feed(label, name, paths))
    if not inputs:
        raise SourceError(str(folder), "the folder holds no files")
    return inputs


def _is_container(path: Path) -> bool:
    """A zip or a WARC (read in a Takeout folder too, as it would be given directly)."""
    try:
        with path.open("rb") as stream:
            start = stream.read(512)
    except OSError:
        return False
    return start.startswith(_ZIP) or is_warc(start)


def _takeout_feed(label: str, name: str, paths: dict[str, Path]) -> Input:
    """A Takeout feed.atom, with the settings.csv and theme beside it (only when the walk
    allowed them: a companion that is a link out of the folder is not read)."""
    folder = PurePosixPath(name).parent
    settings = str(folder / "settings.csv")
    theme = next((str(folder / t) for t in THEMES if str(folder / t) in paths), None)
    companions = [n for n in (settings, theme) if n is not None and n in paths]
    path = paths[name]
    return Input(
        f"{label}/{name}",
        decoded(path_opener(path), f"{label}/{name}"),
        path.stat().st_size,
        settings=path_opener(paths[settings]) if settings in paths else None,
        theme=(PurePosixPath(theme).name, path_opener(paths[theme])) if theme else None,
        raw=tuple(RawFile(f"{label}/{n}", path_opener(paths[n])) for n in [name, *companions]),
    )
