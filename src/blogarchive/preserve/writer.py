"""The preserved archive: data files, originals, provenance and fixity, built and swapped in
as one step (``blogarchive.convert``), optionally as a BagIt bag; ``package`` bags one that
exists.

    DEST/blog.json, posts.jsonl, comments.jsonl   the normalised data (byte-identical reruns)
    DEST/originals/...                            the sources exactly as read
    DEST/events.jsonl                             PREMIS-shaped events, one per line, appended
    DEST/manifest-sha512.txt, manifest-sha256.txt every file above, BagIt line format

With a bag, all of it sits in ``DEST/data/`` and bagit-python writes the bag's own manifests,
``bagit.txt`` and ``bag-info.txt`` at the top.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from ..errors import ArchiveError
from ..model import Archive
from ..readers import Salvage
from ..sources import RawFile
from ..stats import counts
from ..store import FILES, SCHEMA_VERSION, data_dir, write_data
from .events import dumps_event, event, object_ref
from .fixity import (
    ALGORITHMS,
    Fixity,
    copy_with_fixity,
    file_fixity,
    link_or_copy,
    manifest_name,
    payload_files,
    write_manifests,
)
from .names import safe_path, unique_path

__all__ = [
    "EVENTS",
    "ORIGINALS",
    "Plan",
    "bag_in_place",
    "bag_info_for",
    "build",
    "carry_for_packing",
    "packing_event",
    "previous_data",
    "write_events",
]

EVENTS = "events.jsonl"
ORIGINALS = "originals"


@attrs.frozen
class Plan:
    """What one run asks for, beyond the data: kept in the provenance event."""

    originals: bool = True
    bag: bool = False
    bag_info: Mapping[str, str] = attrs.field(factory=dict)
    redacted: int | None = None
    """Addresses removed by ``--redact emails``; None when no redaction was asked for."""
    options: str = ""
    warnings: tuple[str, ...] = ()
    recovered: tuple[Salvage, ...] = ()
    """Damaged sources read with ``--recover``: recorded on their source objects."""


def _summary(archive: Archive) -> str:
    c = counts(archive)
    parts = []
    for kind, statuses in c["posts"].items():
        detail = ", ".join(f"{s} {n}" for s, n in statuses.items())
        parts.append(f"{sum(statuses.values())} {kind}s" + (f" ({detail})" if detail else ""))
    parts.append(f"{c['comments']['total']} comments")
    parts.append(f"{c['skipped']} entries skipped")
    retained = sum(p.retained for p in archive.posts) + sum(c.retained for c in archive.comments)
    if retained:
        parts.append(f"{retained} records retained from earlier conversions")
    return "; ".join(parts)


def _warnings(archive: Archive, plan: Plan) -> list[str]:
    found = list(plan.warnings)
    for skip in archive.skipped:
        found.append(f"skipped: {skip.source} (entry {skip.entry}, line {skip.line}): "
                     f"{skip.reason}")
    found.extend(f"note: {n}" for n in archive.notes)
    return found


class _Originals:
    """The originals folder of the new archive: carried over, then the new sources added."""

    def __init__(self, payload: Path) -> None:
        self.root = payload / ORIGINALS
        self.by_digest: dict[str, str] = {}
        self.taken: set[str] = set()

    def carry_over(self, previous: Path) -> None:
        folder = previous / ORIGINALS
        if not folder.is_dir():
            return
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            rel = path.relative_to(folder).as_posix()
            link_or_copy(path, self.root / rel)
            self.taken.add(rel)
            self.by_digest.setdefault(file_fixity(path).sha512, rel)

    def add(self, raw: RawFile) -> tuple[str, Fixity]:
        """Store ``raw`` (unless the same bytes are already kept); its path and fixity."""
        staging = self.root / f".incoming-{os.getpid()}"
        fixity = copy_with_fixity(raw.opener, staging)
        known = self.by_digest.get(fixity.sha512)
        if known is not None:
            staging.unlink()
            return known, fixity
        rel = unique_path(safe_path(raw.name), self.taken)
        (self.root / rel).parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging, self.root / rel)
        self.taken.add(rel)
        self.by_digest[fixity.sha512] = rel
        return rel, fixity


def build(
    archive: Archive,
    raws: Iterable[RawFile],
    temp: Path,
    previous: Path | None,
    plan: Plan,
) -> list[dict[str, Any]]:
    """Fill the staging folder ``temp``; returns the events written for this run.

    ``previous`` is the data folder of the archive being replaced (its originals and events
    are carried over), or None.
    """
    payload = temp
    write_data(archive, payload)
    objects: list[dict[str, Any]] = []
    originals = _Originals(payload)
    keep = plan.originals and plan.redacted is None
    if previous is not None and plan.redacted is None:
        # Earlier runs' originals stay even with --no-originals: that option is about this
        # run's sources. Only redaction drops them, as they hold the addresses.
        originals.carry_over(previous)
    detected = {s.name: s.format for s in archive.sources}
    if keep:
        for raw in raws:
            rel, fixity = originals.add(raw)
            stored = originals.root / rel
            formats = sorted({f for n, f in detected.items()
                              if n == raw.name or n.startswith(raw.name + "!")})
            objects.append(object_ref("source", raw.name, f"{ORIGINALS}/{rel}", fixity,
                                      stored, ", ".join(formats) or None))
    else:
        for info in archive.sources:
            objects.append(object_ref("source", info.name, None, None, detected=info.format)
                           | {"size": info.size, "fixity": {"sha256": info.sha256}})
    for ref in objects:
        lost = [attrs.asdict(s) for s in plan.recovered
                if s.source == ref["name"] or s.source.startswith(ref["name"] + "!")]
        if lost:
            ref["recovered"] = lost
    for name in FILES.values():
        objects.append(object_ref("outcome", name, name, file_fixity(payload / name),
                                  payload / name))
    warnings = _warnings(archive, plan)
    outcome = "warning" if warnings else "success"
    from .. import __version__

    detail = f'program="blogarchive"; version="{__version__}"; options="{plan.options}"'
    if not keep:
        why = "--no-originals" if not plan.originals else "redaction (originals hold the addresses)"
        warnings.append(f"originals not kept: {why}")
    events = [event("migration", detail, outcome, note=_summary(archive), warnings=warnings,
                    objects=objects, extra={"blog": {"id": archive.blog.id,
                                                     "title": archive.blog.title,
                                                     "url": archive.blog.url},
                                            "schema_version_written": SCHEMA_VERSION})]
    if plan.redacted is not None:
        events.append(event(
            "redaction", 'program="blogarchive"; redaction="emails"', "success",
            note=f"{plan.redacted} distinct e-mail address(es) removed from authors and "
                 "settings; bodies untouched; originals not kept",
            objects=[o for o in objects if o["linkingObjectRole"] == "outcome"],
        ))
    if plan.bag:
        events.append(packing_event(plan.bag_info))
    write_events(payload / EVENTS, previous, events)
    if plan.bag:
        bag_in_place(temp, bag_info_for(archive, plan.bag_info))
    else:
        write_manifests(temp, payload_files(temp))
    return events


def packing_event(bag_info: Mapping[str, str]) -> dict[str, Any]:
    return event("information package creation",
                 'program="bagit-python" via blogarchive; profile="BagIt 1.0"', "success",
                 note="BagIt 1.0 bag: payload in data/, sha512 and sha256 manifests",
                 extra={"bagInfo": dict(bag_info)} if bag_info else None)


def write_events(path: Path, previous: Path | None, new: list[dict[str, Any]]) -> None:
    """The earlier events exactly as they were, then this run's."""
    old = (previous / EVENTS).read_bytes() if previous and (previous / EVENTS).is_file() else b""
    if old and not old.endswith(b"\n"):
        old += b"\n"
    with path.open("wb") as out:
        out.write(old)
        for item in new:
            out.write(dumps_event(item).encode("utf-8") + b"\n")
        out.flush()
        os.fsync(out.fileno())


def bag_info_for(archive: Archive, given: Mapping[str, str]) -> dict[str, str]:
    blog = archive.blog
    info = {
        "External-Description": (
            f"Blogger blog {blog.title or '(untitled)'!r} (id {blog.id or 'unknown'}"
            + (f", {blog.url}" if blog.url else "")
            + f"): blogarchive JSON archive, schema {SCHEMA_VERSION}, with originals and "
            "PREMIS-shaped provenance in events.jsonl"
        ),
    }
    if blog.id:
        info["External-Identifier"] = f"blogger:blog-{blog.id}"
    info.update(given)
    return info


def bag_in_place(folder: Path, info: Mapping[str, str]) -> None:
    """Make ``folder`` a BagIt 1.0 bag with bagit-python (payload moved into data/)."""
    import bagit

    logging.getLogger("bagit").setLevel(logging.ERROR)  # it logs every file at INFO
    for name in (manifest_name(a) for a in ALGORITHMS):
        (folder / name).unlink(missing_ok=True)  # the bag's own manifests replace ours
    try:
        bagit.make_bag(str(folder), dict(info), processes=1, checksums=list(ALGORITHMS))
    except (bagit.BagError, OSError) as err:
        raise ArchiveError(f"{folder}: could not be bagged: {err}") from None


def carry_for_packing(source: Path, temp: Path) -> None:
    """An existing plain archive's files into ``temp`` (links), but not its manifests."""
    skip = {manifest_name(a) for a in ALGORITHMS} | {EVENTS}
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        rel = path.relative_to(source)
        if rel.as_posix() not in skip:
            link_or_copy(path, temp / rel)


def previous_data(target: Path) -> Path | None:
    """The data folder of an archive already at ``target``, if there is one."""
    folder = data_dir(target)
    return folder if (folder / FILES["blog"]).is_file() else None

