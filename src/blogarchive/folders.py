"""Which files of a source folder may be read, and which are passed over and why.

The walk is iterative (a folder nested thousands of levels deep is no recursion problem) and
stays inside the folder: a symbolic link is followed only when its target lies inside the
folder too, each folder is entered once (so link loops end), and a link leaving the folder
is reported, never read (a link to /etc/passwd once had its first bytes stored). Hidden
entries (``.name``: staging folders, lock files, editor backups) are passed over silently.
A blogarchive archive inside the folder (often the destination of this very conversion)
is not read back in as a source: it is reported once, as a whole.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import attrs

__all__ = ["Walk", "is_archive", "walk"]


@attrs.define
class Walk:
    """The readable files (relative POSIX path, path), sorted; what was passed over on
    purpose, and what could not be read (relative path, why; "" is the folder itself)."""

    files: list[tuple[str, Path]] = attrs.Factory(list)
    passed_over: list[tuple[str, str]] = attrs.Factory(list)
    unreadable: list[tuple[str, str]] = attrs.Factory(list)


def is_archive(folder: Path) -> bool:
    """A folder written by blogarchive (blog.json + posts.jsonl), or a bag of one."""
    for data in (folder, folder / "data"):
        blog = data / "blog.json"
        if blog.is_file() and (data / "posts.jsonl").is_file():
            return _has_schema_id(blog)
    return False


def _has_schema_id(blog: Path) -> bool:
    # blogarchive writes its schema id into blog.json (keys sorted: near the end, so scan).
    marker = b'"urn:blogarchive:schema:'
    tail = b""
    try:
        with blog.open("rb") as stream:
            while chunk := stream.read(1 << 20):
                if marker in tail + chunk:
                    return True
                tail = chunk[-len(marker):]
    except OSError:
        return False
    return False


def walk(folder: Path) -> Walk:
    """The files of ``folder`` a conversion may read (see the module's rules)."""
    root = folder.resolve()
    out = Walk()
    seen: set[tuple[int, int]] = set()
    pending: list[tuple[Path, str]] = [(folder, "")]
    while pending:
        here, rel = pending.pop()
        try:
            info = here.stat()
            if (info.st_dev, info.st_ino) in seen:
                continue  # reached again through a link: read once
            seen.add((info.st_dev, info.st_ino))
            entries = sorted(os.scandir(here), key=lambda e: e.name)
        except OSError as err:
            out.unreadable.append((rel.rstrip("/"),
                                   f"folder cannot be read: {err.strerror or err}"))
            continue
        for entry in entries:
            name = f"{rel}{entry.name}"
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            why = _outside(path, root) if entry.is_symlink() else None
            if why:
                out.passed_over.append((name, why))
                continue
            try:
                mode = path.stat().st_mode
            except OSError as err:
                out.unreadable.append((name, f"cannot be read: {err.strerror or err}"))
                continue
            if stat.S_ISDIR(mode):
                if is_archive(path):
                    out.passed_over.append((name, "a blogarchive archive (blog.json, "
                                                  "posts.jsonl): not read back in as a source"))
                else:
                    pending.append((path, f"{name}/"))
            elif stat.S_ISREG(mode):
                out.files.append((name, path))
            else:
                out.passed_over.append((name, "not a regular file (a pipe, socket or device)"))
    out.files.sort(key=lambda item: item[0].split("/"))
    out.passed_over.sort()
    out.unreadable.sort()
    return out


def _outside(link: Path, root: Path) -> str | None:
    """Why a symbolic link must not be followed, or None when it stays inside ``root``."""
    try:
        target = link.resolve(strict=True)
    except (OSError, RuntimeError):  # dangling, or a loop of links
        return "a symbolic link that leads nowhere (dangling, or a loop)"
    if target == root or root in target.parents:
        return None
    return f"a symbolic link to {target}, outside the folder"
