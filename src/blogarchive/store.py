"""Archive <-> the normalised JSON archive on disk (docs/archive-format.md).

    DEST/blog.json        the blog, labels, authors, counts, sources, skipped entries, notes
    DEST/posts.jsonl      one post or page per line
    DEST/comments.jsonl   one comment per line

UTF-8, keys sorted, no floats, ids as strings, RFC 3339 times with their own offsets, a
``schema`` id and ``schema_version`` in every document and every line. Nothing run-specific
is written, so the same input gives byte-identical files. The archive is written into a
temporary sibling folder and swapped into place, so an interrupted run leaves either the
previous archive or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import re
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import cattrs

from ._time import format_time, parse_time
from .errors import ArchiveError
from .model import Archive, Blog, Comment, Label, Post, Skipped, SourceInfo
from .stats import counts

__all__ = [
    "FILES",
    "SCHEMA_IDS",
    "SCHEMA_VERSION",
    "data_dir",
    "dumps_line",
    "load",
    "replaceable",
    "staging",
    "write",
    "write_data",
]

SCHEMA_VERSION: Final = "1-3-0"  # SchemaVer MODEL-REVISION-ADDITION
SCHEMA_IDS: Final = {
    "blog": "urn:blogarchive:schema:1:blog",
    "post": "urn:blogarchive:schema:1:post",
    "comment": "urn:blogarchive:schema:1:comment",
}
FILES: Final = {"blog": "blog.json", "post": "posts.jsonl", "comment": "comments.jsonl"}

_converter = cattrs.Converter()
_converter.register_unstructure_hook(datetime, format_time)
_converter.register_structure_hook(datetime, lambda value, _type: parse_time(value))


def _dumps(value: Any, indent: int | None = None) -> str:
    return json.dumps(
        value,
        sort_keys=True,
        ensure_ascii=False,
        allow_nan=False,
        indent=indent,
        separators=(",", ": ") if indent else (",", ":"),
    )


def dumps_line(record: Post | Comment) -> str:
    """One JSON Lines line (without the newline) for a post or comment."""
    kind = "comment" if isinstance(record, Comment) else "post"
    data = _converter.unstructure(record)
    data["schema"] = SCHEMA_IDS[kind]
    data["schema_version"] = SCHEMA_VERSION
    return _dumps(data)


def _authors(archive: Archive) -> list[dict[str, Any]]:
    """Distinct post authors, with how many posts each wrote (derived: ignored by load)."""
    seen: dict[tuple[str, str | None], int] = {}
    for post in archive.posts:
        if post.author is not None:
            key = (post.author.name, post.author.uri)
            seen[key] = seen.get(key, 0) + 1
    return [
        {"name": name, "uri": uri, "posts": n}
        for (name, uri), n in sorted(seen.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))
    ]


def blog_document(archive: Archive) -> dict[str, Any]:
    return {
        "schema": SCHEMA_IDS["blog"],
        "schema_version": SCHEMA_VERSION,
        "blog": _converter.unstructure(archive.blog),
        "labels": _converter.unstructure(archive.labels),
        "authors": _authors(archive),
        "counts": counts(archive),
        "sources": _converter.unstructure(archive.sources),
        "skipped": _converter.unstructure(archive.skipped),
        "notes": list(archive.notes),
    }


def write(archive: Archive, dest: str | os.PathLike[str]) -> Path:
    """Write ``archive`` as a JSON archive folder at ``dest``, atomically. Returns the path.

    The folder holds the three data files and their manifests (``manifest-sha512.txt``,
    ``manifest-sha256.txt``). An existing ``dest`` is replaced only if it is an earlier
    blogarchive archive or empty; any other existing path raises ArchiveError, so a typo never
    overwrites unrelated files. ``blogarchive.convert`` writes the fuller preserved form
    (originals, provenance, optionally a BagIt bag).
    """
    from .preserve.fixity import write_manifests

    target = Path(os.fspath(dest))
    if target.is_dir() and any((target / n).exists() for n in ("events.jsonl", "originals",
                                                              "bagit.txt")):
        raise ArchiveError(
            f"{target}: is a preserved archive (originals, provenance or a bag) that write() "
            "would reduce to its data files; update it with blogarchive.convert()"
        )
    with staging(target) as temp:
        write_data(archive, temp)
        write_manifests(temp, FILES.values())
    return target


def write_data(archive: Archive, folder: Path) -> None:
    """The three data files into ``folder`` (fsynced); blog.json last."""
    _write_lines(folder / FILES["post"], archive.posts)
    _write_lines(folder / FILES["comment"], archive.comments)
    # blog.json last: a folder with a blog.json is a complete archive.
    _write_text(folder / FILES["blog"], _dumps(blog_document(archive), indent=1) + "\n")


@contextlib.contextmanager
def staging(target: Path) -> Iterator[Path]:
    """A fresh hidden sibling folder to build the archive in, swapped into place on success
    and removed on any failure, so ``target`` is always the previous archive or the new one."""
    recover(target)
    if target.exists() and not replaceable(target):
        raise ArchiveError(
            f"{target}: exists and is not a blogarchive archive; choose another destination"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.parent / f".{target.name}.tmp-{os.getpid()}"
    if temp.exists():
        shutil.rmtree(temp)
    temp.mkdir()
    try:
        yield temp
        _fsync_dir(temp)
        _swap(temp, target)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


# Everything blogarchive itself puts in an archive folder (plain or bagged).
KNOWN_NAMES: Final = frozenset({
    *FILES.values(), "events.jsonl", "originals", "data", "bagit.txt", "bag-info.txt",
    "media", "media.jsonl",  # blogarchive capture
    "fetch.txt",
})


def data_dir(folder: Path) -> Path:
    """Where the data files are: the folder itself, or ``data/`` in a BagIt bag."""
    return folder / "data" if (folder / "bagit.txt").is_file() else folder


def replaceable(target: Path) -> bool:
    """Is ``target`` empty, or an archive blogarchive wrote (nothing else in it)?"""
    if not target.is_dir():
        return False
    names = {p.name for p in target.iterdir()}
    if not names:
        return True
    if not (data_dir(target) / FILES["blog"]).is_file():
        return False
    return all(n in KNOWN_NAMES or re.fullmatch(r"(tag)?manifest-\w+\.txt", n) for n in names)


def _write_lines(path: Path, records: tuple[Post, ...] | tuple[Comment, ...]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for record in records:
            out.write(dumps_line(record))
            out.write("\n")
        out.flush()
        os.fsync(out.fileno())


def _write_text(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one atomic step (Linux renameat2 RENAME_EXCHANGE)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return bool(done == 0)


def _swap(temp: Path, target: Path) -> None:
    if target.exists():
        if _exchange(temp, target):  # temp now holds the previous archive
            shutil.rmtree(temp, ignore_errors=True)
        else:
            # Two renames: a kill between them leaves the previous archive as .old, which
            # recover() puts back on the next run.
            old = target.parent / f".{target.name}.old-{os.getpid()}"
            os.replace(target, old)
            os.replace(temp, target)
            shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(temp, target)
    _fsync_dir(target.parent)


def recover(target: Path) -> None:
    """Undo what an interrupted run left beside ``target``: put a previous archive back if
    the run died between the two renames of a swap; remove half-built temporary folders."""
    parent = target.parent
    if not parent.is_dir():
        return
    for leftover in sorted(parent.glob(f".{target.name}.old-*")):
        if not target.exists() and (data_dir(leftover) / FILES["blog"]).is_file():
            os.replace(leftover, target)
        else:
            shutil.rmtree(leftover, ignore_errors=True)
    for leftover in parent.glob(f".{target.name}.tmp-*"):
        pid = leftover.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# -- loading ---------------------------------------------------------------------------------


def load(dest: str | os.PathLike[str]) -> Archive:
    """Read a JSON archive back into the records that were written.

    Raises ArchiveError naming the file and line when something is missing or damaged.
    """
    folder = data_dir(Path(os.fspath(dest)))
    blog_path = folder / FILES["blog"]
    if not blog_path.is_file():
        raise ArchiveError(f"{folder}: not a blogarchive archive (no blog.json)")
    try:
        document = json.loads(blog_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise ArchiveError(f"{blog_path}: unreadable: {err}") from None
    _check_schema(document, "blog", str(blog_path))
    try:
        blog = _converter.structure(document["blog"], Blog)
        labels = _converter.structure(document.get("labels", []), tuple[Label, ...])
        sources = _converter.structure(document.get("sources", []), tuple[SourceInfo, ...])
        skipped = _converter.structure(document.get("skipped", []), tuple[Skipped, ...])
        notes = tuple(document.get("notes", []))
    except (KeyError, ValueError, TypeError, cattrs.BaseValidationError) as err:
        raise ArchiveError(f"{blog_path}: does not match the schema: {err}") from None
    return Archive(
        blog=blog,
        posts=tuple(_load_lines(folder / FILES["post"], "post", Post)),
        comments=tuple(_load_lines(folder / FILES["comment"], "comment", Comment)),
        labels=labels,
        sources=sources,
        skipped=skipped,
        notes=notes,
    )


def _check_schema(data: Any, kind: str, where: str) -> None:
    if not isinstance(data, dict) or data.get("schema") != SCHEMA_IDS[kind]:
        found = data.get("schema") if isinstance(data, dict) else type(data).__name__
        raise ArchiveError(f"{where}: expected schema {SCHEMA_IDS[kind]}, found {found!r}")


def _load_lines(path: Path, kind: str, cls: type[Any]) -> list[Any]:
    if not path.is_file():
        raise ArchiveError(f"{path}: missing")
    records = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            where = f"{path}: line {number}"
            try:
                data = json.loads(line)
            except ValueError as err:
                raise ArchiveError(f"{where}: not JSON: {err}") from None
            _check_schema(data, kind, where)
            data.pop("schema")
            data.pop("schema_version", None)
            try:
                records.append(_converter.structure(data, cls))
            except (ValueError, TypeError, KeyError, cattrs.BaseValidationError) as err:
                raise ArchiveError(f"{where}: does not match the schema: {err}") from None
    return records

