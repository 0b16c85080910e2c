"""The documents inside a zip (a Takeout download, or any zip of exports and pages).

A zip's central directory is read once: every member opens through the same ``ZipFile``.
Opening the zip again for each member made a zip of n members cost n^2 (20,000 small members
never finished). A few recently used zips stay open, so a folder of many zips holds few
files open at once.
"""

from __future__ import annotations

import zipfile
import zlib
from collections import OrderedDict
from pathlib import Path, PurePosixPath
from typing import IO, ClassVar, Final

from ._inputs import (
    THEMES,
    Input,
    Opener,
    RawFile,
    damaged,
    decoded,
    guarded,
    one_line,
    takeout_feeds,
)
from .errors import SourceError

__all__ = ["zip_inputs"]

_KEEP_OPEN: Final = 4
_DAMAGE: Final = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError)


class _Zip:
    """One zip file, opened once and shared by the openers of all its members."""

    _open: ClassVar[OrderedDict[_Zip, zipfile.ZipFile]] = OrderedDict()  # most recently used last

    def __init__(self, name: str, file: Path | Opener) -> None:
        self.name = name
        self._file = file

    def archive(self) -> zipfile.ZipFile:
        archive = self._open.pop(self, None)
        if archive is None:
            file = self._file
            archive = zipfile.ZipFile(file if isinstance(file, Path) else file())
        self._open[self] = archive
        while len(self._open) > _KEEP_OPEN:
            # Streams still open on an evicted zip keep working: ZipFile closes its file
            # only when the last of them is closed.
            self._open.popitem(last=False)[1].close()
        return archive

    def member(self, name: str) -> Opener:
        def open_member() -> IO[bytes]:
            where = f"{self.name}!{name}"
            try:
                # Guarded: a member's CRC is checked at its end, long after it opened.
                return guarded(self.archive().open(name), where)
            except _DAMAGE as err:
                raise damaged(where, "zip member", err) from None
            except NotImplementedError as err:  # a method zipfile lacks (before its base class)
                raise SourceError(where, f"a zip member that cannot be decompressed "
                                         f"({one_line(str(err))}); extract it with another "
                                         "tool and give the file") from None
            except RuntimeError:  # zipfile's "password required"
                raise SourceError(where, "an encrypted zip member: blogarchive does not "
                                         "decrypt; extract it with its password and give "
                                         "the file") from None

        return open_member


def zip_inputs(name: str, file: Path | Opener, raw: RawFile) -> list[Input]:
    """The members of the zip ``file`` (shown as ``name``), Takeout's feeds with their
    companions when it is a Takeout download. ``raw`` is the zip as an original file."""
    holder = _Zip(name, file)
    try:
        infos = [i for i in holder.archive().infolist() if not i.is_dir()]
    except _DAMAGE as err:
        raise damaged(name, "zip file", err) from None
    except NotImplementedError as err:  # e.g. "zip file version 14.8": damaged, or exotic
        raise SourceError(name, f"a zip file that cannot be read ({one_line(str(err))}); "
                                "damaged, or made by a tool zipfile does not follow") from None
    names = [i.filename for i in infos]
    sizes = {i.filename: i.file_size for i in infos}
    feeds = takeout_feeds(names)
    present = set(names)
    inputs = []
    for member in feeds or names:
        folder = str(PurePosixPath(member).parent)
        settings = f"{folder}/settings.csv"
        theme = next((f"{folder}/{t}" for t in THEMES if f"{folder}/{t}" in present), None)
        inputs.append(
            Input(
                f"{name}!{member}",
                decoded(holder.member(member), f"{name}!{member}"),
                sizes[member],
                settings=holder.member(settings) if feeds and settings in present else None,
                theme=(PurePosixPath(theme).name, holder.member(theme))
                if feeds and theme else None,
                raw=(raw,),
            )
        )
    if not inputs:
        raise SourceError(name, "the zip file holds no files")
    return inputs
