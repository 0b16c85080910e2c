"""Preservation: originals kept, fixity, provenance, BagIt, validation, redaction.

``convert`` is the one-shot conversion a pipeline embeds: read, merge with the archive already
at the destination (nothing that disappeared from the blog is dropped), redact if asked,
write data, originals, events and manifests (or a bag), and swap it all in atomically.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from ..errors import ArchiveError
from ..limits import DEFAULT_LIMITS, Limits
from ..model import Archive
from ..reading import ReadReport, read_groups
from ..sources import Source
from ..store import data_dir, load, staging
from .redact import REDACTIONS, redact
from .validate import Problem, ValidationReport, validate
from .writer import (
    Plan,
    bag_in_place,
    bag_info_for,
    build,
    carry_for_packing,
    packing_event,
    previous_data,
    write_events,
)

__all__ = [
    "REDACTIONS",
    "Converted",
    "Problem",
    "ValidationReport",
    "convert",
    "folder_name",
    "package",
    "redact",
    "validate",
]


@attrs.frozen
class Converted:
    """One blog written by ``convert``."""

    path: Path
    archive: Archive
    events: tuple[dict[str, Any], ...]


def folder_name(archive: Archive) -> str:
    """Safe ASCII folder name for one of several blogs: its id, or its source's name."""
    if archive.blog.id:
        return f"blog-{archive.blog.id}"
    name = archive.sources[0].name if archive.sources else "blog"
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in name)


def _previous(dest: Path) -> dict[str, tuple[Path, Archive]]:
    """Archives already at ``dest`` (itself, or ``dest/blog-*/``), by blog id."""
    found: dict[str, tuple[Path, Archive]] = {}
    candidates = [dest] if previous_data(dest) else (
        sorted(p for p in dest.iterdir() if p.is_dir()) if dest.is_dir() else []
    )
    for folder in candidates:
        if previous_data(folder) is None:
            continue
        archive = load(folder)
        found[archive.blog.id or f"~{folder.name}"] = (folder, archive)
    return found


def convert(
    sources: Source | Iterable[Source],
    dest: str | os.PathLike[str],
    *,
    originals: bool = True,
    bag: bool = False,
    bag_info: Mapping[str, str] | None = None,
    redact_emails: bool = False,
    blog_url: str | None = None,
    analyse: bool = True,
    report: ReadReport | None = None,
    progress: Callable[[int], None] | None = None,
    options: str = "",
    limits: Limits = DEFAULT_LIMITS,
    recover: bool = False,
) -> list[Converted]:
    """Convert ``sources`` into a preserved archive at ``dest`` (one per blog).

    Several blogs go to ``dest/blog-<id>/``. An archive already at the destination is
    updated: its posts and comments that the new sources lack are kept (``retained``), its
    originals and events are carried over, and a new event records this run. Raises
    ArchiveError when ``dest`` is not an archive, or holds another blog. ``limits`` and
    ``recover`` are as in ``read_all``; a recovery is recorded in the event, on its source.
    """
    target = Path(os.fspath(dest))
    if target.exists() and not target.is_dir():
        raise ArchiveError(f"{target}: exists and is not a folder; choose another destination")
    earlier = _previous(target)
    # Recoveries are listed in a report; without the caller's, one of our own that then
    # raises the first failure, as reading without a report does.
    own = ReadReport() if report is None and recover else None
    collected = report if report is not None else own
    groups = read_groups(
        sources, blog_url=blog_url, report=collected, progress=progress,
        analyse=analyse, previous=[a for _, a in earlier.values()], limits=limits,
        recover=recover,
    )
    if own is not None and own.failed:
        raise own.failed[0]
    recovered = collected.recovered if collected is not None else []
    several = len(groups) > 1
    if several and previous_data(target):
        raise ArchiveError(f"{target}: holds one blog's archive, and the sources hold "
                           f"{len(groups)} blogs; write them to another destination")
    warnings = [f"input not read: {p}" for p in (report.failed if report else [])]
    warnings += [f"file skipped: {p}" for p in (report.ignored if report else [])]
    done = []
    for archive, raws in groups:
        where = target / folder_name(archive) if several else target
        _check_same_blog(where, archive, earlier)
        redacted = None
        if redact_emails:
            archive, redacted = redact(archive, "emails")
        names = {info.name for info in archive.sources}
        plan = Plan(originals=originals, bag=bag, bag_info=dict(bag_info or {}),
                    redacted=redacted, options=options, warnings=tuple(warnings),
                    recovered=tuple(s for s in recovered if s.source in names))
        with staging(where) as temp:
            events = build(archive, raws, temp, previous_data(where), plan)
        done.append(Converted(where, archive, tuple(events)))
    return done


def _check_same_blog(where: Path, archive: Archive,
                     earlier: dict[str, tuple[Path, Archive]]) -> None:
    if previous_data(where) is None:
        return
    held = next((a for p, a in earlier.values() if p == where), None)
    if held is not None and held.blog.id and archive.blog.id and held.blog.id != archive.blog.id:
        raise ArchiveError(
            f"{where}: holds blog {held.blog.id} ({held.blog.title}); the sources are blog "
            f"{archive.blog.id} ({archive.blog.title}): choose another destination"
        )


def package(dest: str | os.PathLike[str], bag_info: Mapping[str, str] | None = None) -> Path:
    """Make the archive at ``dest`` a BagIt 1.0 bag (atomically); a bag is left as it is."""
    target = Path(os.fspath(dest))
    if previous_data(target) is None:
        raise ArchiveError(f"{target}: not a blogarchive archive (no blog.json)")
    if data_dir(target) != target:
        return target  # already a bag
    archive = load(target)
    with staging(target) as temp:
        carry_for_packing(target, temp)
        write_events(temp / "events.jsonl", target, [packing_event(dict(bag_info or {}))])
        bag_in_place(temp, bag_info_for(archive, dict(bag_info or {})))
    return target

