"""Before converting: what each input is (its SHA-256, for resuming) and which blogs it holds
(so that inputs of the same blog are converted one after the other, never at once).

The blogs are found cheaply where the format allows: an Atom export or feed names its blog in
the feed's ``<id>`` before the first entry, within the first 64 KiB. Anything else (pages,
WARCs, RSS, a feed without its id up front) is read without the body analysis, which is
what decides its blogs for ``convert`` too.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Final

import attrs

from ..errors import BlogarchiveError
from ..limits import DEFAULT_LIMITS, Limits
from ..preserve import folder_name
from ..readers._common import blog_id_of
from ..reading import ReadReport, read_groups
from ..sniff import root_name, sniffable
from ..sources import expand, head

__all__ = ["Surveyed", "blog_folders", "source_sha256", "survey", "survey_many"]

_FEED_ID: Final = re.compile(rb"<id>\s*([^<]{1,300}?)\s*</id>")
_CHUNK: Final = 1 << 20


@attrs.frozen
class Surveyed:
    """What the survey found of one input: its SHA-256 (None when unreadable) and the folder
    names of its blogs (``blog-<id>``), in order; empty when none could be told."""

    sha256: str | None
    folders: tuple[str, ...]
    size: int = 0
    """Its bytes (a folder's: its files'), 0 when unreadable: what a batch packs tasks by."""


def survey(source: str, blog_url: str | None = None,
           limits: Limits = DEFAULT_LIMITS) -> Surveyed:
    """SHA-256 and blogs of ``source``; never raises for a bad input (the conversion then
    reports it as ``convert`` does)."""
    try:
        sha, size = source_sha256(Path(source))
    except OSError:
        sha, size = None, 0
    try:
        folders = blog_folders(source, blog_url, limits)
    except (BlogarchiveError, OSError):
        folders = ()
    return Surveyed(sha, folders, size)


def source_sha256(path: Path) -> tuple[str, int]:
    """A file's SHA-256 and bytes; for a folder, the SHA-256 of its files' relative names
    and SHA-256s in name order (so a changed, added or removed file changes it), and its
    files' bytes added up. One walk, one read per file: the size is what the hash read."""
    if not path.is_dir():
        return _file_sha256(path)
    digest = hashlib.sha256()
    size = 0
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            full = Path(root, name)
            sha, read = _file_sha256(full)
            digest.update(full.relative_to(path).as_posix().encode("utf-8", "surrogateescape"))
            digest.update(b"\0" + sha.encode("ascii") + b"\n")
            size += read
    return digest.hexdigest(), size


def _file_sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def blog_folders(source: str, blog_url: str | None = None,
                 limits: Limits = DEFAULT_LIMITS) -> tuple[str, ...]:
    """The folders ``convert`` would write the blogs of ``source`` to, in a folder of
    archives. Raises SourceError when it cannot be opened at all."""
    found: set[str] = set()
    for item in expand(source):
        folder = _atom_folder(head(item.opener))
        if folder is None:
            break
        found.add(folder)
    else:
        return tuple(sorted(found))
    groups = read_groups(source, blog_url=blog_url, report=ReadReport(), analyse=False,
                         limits=limits, compact=False)  # held for their names only
    return tuple(sorted(folder_name(archive) for archive, _ in groups))


def _atom_folder(data: bytes) -> str | None:
    """``blog-<id>`` from an Atom document's feed-level id, or None when it is not one."""
    text = sniffable(data)
    if root_name(text) != b"feed":
        return None
    found = _FEED_ID.search(text.split(b"<entry", 1)[0])
    blog = blog_id_of(found.group(1).decode("utf-8", "replace")) if found else None
    return f"blog-{blog}" if blog else None


def survey_many(asked: list[tuple[str, str | None, Limits]]) -> list[Surveyed]:
    """``survey`` of each input, its arguments in a picklable tuple: one task of a worker
    pool surveys a chunk of the inputs."""
    return [survey(*args) for args in asked]
