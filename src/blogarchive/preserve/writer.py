"""The preserved archive: data files, originals, provenance and fixity, built and swapped in
as one step (``blogarchive.convert``), optionally as a BagIt bag; ``package`` bags one that
exists.

    DEST/blog.json, posts.jsonl, comments.jsonl   the normalised data (byte-identical reruns)
    DEST/originals/...                            the sources exactly as read
    DEST/events.jsonl                             PREMIS-shaped events, one per line, appended
    DEST/schemas/*.json                           the JSON Schemas of the data files and events
    DEST/manifest-sha512.txt, manifest-sha256.txt every file above, BagIt line format

With a bag, all of it sits in ``DEST/data/`` and ``bag.py`` writes the bag's own manifests,
``bagit.txt`` and ``bag-info.txt`` at the top.
"""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Final

import attrs

from .._inputs import resumed
from .._words import counted
from ..durable import sync
from ..folder import CAPTURED, EVENTS, MEDIA_INDEX
from ..model import Archive, SourceInfo
from ..progress import Progress, counter
from ..readers import Salvage
from ..sources import RawFile
from ..spool import Opener, Written
from ..store import FILES, SCHEMA_VERSION, data_dir
from .bag import bag_in_place, bag_info_for, packing_event
from .events import PUID_HEAD, dumps_event, event, object_ref
from .fixity import (
    Fixity,
    copy_with_fixity,
    data_fixity,
    digesting,
    file_fixity,
    link_or_copy,
    payload_files,
    write_manifests,
    write_synced,
)
from .names import safe_path, unique_path

__all__ = [
    "EVENTS",
    "MEDIA_SCHEMA_FILE",
    "ORIGINALS",
    "PACKAGED_SCHEMAS",
    "SCHEMAS",
    "SCHEMA_FILES",
    "Plan",
    "build",
    "formats_by_file",
    "previous_data",
    "write_events",
    "write_schemas",
]

ORIGINALS = "originals"
SCHEMAS = "schemas"
# The JSON Schemas of the version this blogarchive writes, shipped in the package; copied
# into every archive so it can be checked and understood without blogarchive.
PACKAGED_SCHEMAS: Final = Path(__file__).resolve().parent.parent / "schemas"
SCHEMA_FILES: Final = ("blog.json", "post.json", "comment.json", "event.json")
# One line of media.jsonl: in an archive that holds a capture (capture writes it; a
# conversion that carries the capture over writes it again).
MEDIA_SCHEMA_FILE: Final = "media.json"


@attrs.frozen
class Plan:
    """What one run asks for, beyond the data: kept in the provenance event."""

    originals: bool = True
    bag: bool = False
    bag_info: Mapping[str, str] = attrs.field(factory=dict)
    """The bag-info labels given for this run (recorded in the packing event)."""
    bag_kept: Mapping[str, str] = attrs.field(factory=dict)
    """Labels of the bag being replaced, kept unless this run gives them anew."""
    redacted: int | None = None
    """Addresses removed by ``--redact emails``; None when no redaction was asked for."""
    redaction_kept: bool = False
    """Redacted because the archive was written redacted, not because this run asked."""
    options: str = ""
    warnings: tuple[str, ...] = ()
    recovered: tuple[Salvage, ...] = ()
    """Damaged sources read with ``--recover``: recorded on their source objects."""


def _summary(written: Written) -> str:
    c = written.counts
    parts = []
    for kind, statuses in c["posts"].items():
        detail = ", ".join(f"{s} {n:,}" for s, n in statuses.items())
        parts.append(counted(sum(statuses.values()), kind) + (f" ({detail})" if detail else ""))
    parts.append(counted(c["comments"]["total"], "comment"))
    parts.append(counted(c["skipped"], "entry", "entries") + " skipped")
    retained = written.retained
    if retained:
        parts.append(f"{counted(retained, 'record')} retained from earlier conversions")
    return "; ".join(parts)


def _warnings(archive: Archive, plan: Plan) -> list[str]:
    found = list(plan.warnings)
    for skip in archive.skipped:
        found.append(f"skipped: {skip.source} (entry {skip.entry}, line {skip.line}): "
                     f"{skip.reason}")
    found.extend(f"note: {n}" for n in archive.notes)
    return found


# An original up to this size (a saved page, a feed) is read whole: one read gives its
# digests, its format's first bytes and the copy, which is written straight to its stored
# name (or not at all when the same bytes are kept already). Larger ones are streamed.
_WHOLE: Final = 1 << 20


class _Originals:
    """The originals folder of the new archive: carried over, then the new sources added;
    each file's fixity, taken as it is copied, goes to ``known``."""

    def __init__(self, payload: Path, known: dict[Path, Fixity]) -> None:
        self.root = payload / ORIGINALS
        self.by_digest: dict[str, str] = {}
        self.taken: set[str] = set()  # the stored paths, lower-cased (``unique_path``)
        self.known = known
        self._folders: set[Path] = set()  # made already: not made again for each page

    def carry_over(self, previous: Path) -> None:
        folder = previous / ORIGINALS
        if not folder.is_dir():
            return
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            rel = path.relative_to(folder).as_posix()
            link_or_copy(path, self.root / rel)
            self.taken.add(rel.lower())
            fixity = self.known[self.root / rel] = file_fixity(path)
            self.by_digest.setdefault(fixity.sha512, rel)

    def add(self, raw: RawFile) -> tuple[str, Fixity, bytes | None]:
        """Store ``raw`` (unless the same bytes are already kept); its path, its fixity and
        its first bytes (its format's, ``PUID_HEAD`` of them). ``raw`` is opened once."""
        staging = self.root / f".incoming-{os.getpid()}"
        stream = raw.opener()
        try:
            start = stream.read(_WHOLE)
            whole = len(start) < _WHOLE
        except BaseException:
            stream.close()
            raise
        head = start[:PUID_HEAD] if whole or len(start) >= PUID_HEAD else None
        if whole:
            stream.close()
            fixity = data_fixity(start)
        else:
            fixity = copy_with_fixity(resumed(start, stream, raw.opener), staging)
        kept = self.by_digest.get(fixity.sha512)
        if kept is not None:
            if not whole:
                staging.unlink()
            return kept, fixity, head
        rel = unique_path(safe_path(raw.name), self.taken)
        target = self.root / rel
        if target.parent not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(target.parent)
        if whole:
            write_synced(target, start)
        else:
            os.replace(staging, target)
        self.taken.add(rel.lower())
        self.by_digest[fixity.sha512] = rel
        self.known[target] = fixity
        return rel, fixity, head


def build(
    data: Callable[[Path, Opener], Written],
    raws: Iterable[RawFile],
    temp: Path,
    previous: Path | None,
    plan: Plan,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """Fill the staging folder ``temp``; returns the events written for this run.

    ``data`` writes the three data files into the folder it is given (``spool.write_group``),
    the JSON Lines files through the opener it is given, and says what it wrote
    (``progress`` follows its analysis). ``previous`` is the data
    folder of the archive being replaced (its originals and events are carried over), or
    None. ``progress("writing", files, total)`` follows the steps.
    """
    payload = temp
    raws = list(raws)
    # The digests of the files taken as they were written or copied: the manifests and the
    # event's outcome objects use them instead of reading those files again.
    known: dict[Path, Fixity] = {}

    def fixity_of(path: Path) -> Fixity:
        if path not in known:  # blog.json, the events, the schemas: small; read once
            known[path] = file_fixity(path)
        return known[path]

    written = data(payload, functools.partial(digesting, found=known))
    step = counter(progress, "writing", 3 + len(raws))  # data, originals, events, manifests
    archive = written.head
    if plan.redacted is not None and written.redacted is not None:
        plan = attrs.evolve(plan, redacted=written.redacted)
    step(1)
    objects: list[dict[str, Any]] = []
    originals = _Originals(payload, known)
    keep = plan.originals and plan.redacted is None
    if previous is not None and plan.redacted is None:
        # Earlier runs' originals stay even with --no-originals: that option is about this
        # run's sources. Only redaction drops them, as they hold the addresses.
        originals.carry_over(previous)
    if previous is not None:
        carry_captured(previous, payload)
    if keep:
        detected = formats_by_file(archive.sources)
        for raw in raws:
            rel, fixity, head = originals.add(raw)
            stored = originals.root / rel
            formats = sorted(detected.get(raw.name, ()))
            objects.append(object_ref("source", raw.name, f"{ORIGINALS}/{rel}", fixity,
                                      stored, ", ".join(formats) or None, head=head))
            step(1)
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
        objects.append(object_ref("outcome", name, name, fixity_of(payload / name),
                                  payload / name))
    warnings = _warnings(archive, plan)
    outcome = "warning" if warnings else "success"
    from .. import __version__

    detail = f'program="blogarchive"; version="{__version__}"; options="{plan.options}"'
    if not keep:
        why = "--no-originals" if not plan.originals else "redaction (originals hold the addresses)"
        warnings.append(f"originals not kept: {why}")
    events = [event("migration", detail, outcome, note=_summary(written), warnings=warnings,
                    objects=objects, extra={"blog": {"id": archive.blog.id,
                                                     "title": archive.blog.title,
                                                     "url": archive.blog.url},
                                            "schema_version_written": SCHEMA_VERSION})]
    if plan.redacted is not None:
        why = "; kept from the archive's earlier conversion" if plan.redaction_kept else ""
        events.append(event(
            "redaction", 'program="blogarchive"; redaction="emails"', "success",
            note=counted(plan.redacted, "distinct e-mail address", "distinct e-mail addresses")
            + f" removed from authors and settings; bodies untouched; originals not kept{why}",
            objects=[o for o in objects if o["linkingObjectRole"] == "outcome"],
        ))
    if plan.bag:
        events.append(packing_event(plan.bag_info))
    write_events(payload / EVENTS, previous, events)
    write_schemas(payload)
    step(1)
    if plan.bag:
        bag_in_place(temp, {**plan.bag_kept, **bag_info_for(archive, plan.bag_info)})
    else:
        write_manifests(temp, payload_files(temp), fixity=fixity_of)
    step(1)
    return events


def formats_by_file(sources: Iterable[SourceInfo]) -> dict[str, set[str]]:
    """The formats read from each file: a source's own, and its members' (``a.zip!b.xml``
    is read from ``a.zip``; so is ``a.zip!b.zip!c.xml``, and from ``a.zip!b.zip`` too).

    Made once for all the files: searching every source for each file was quadratic."""
    found: dict[str, set[str]] = {}
    for source in sources:
        name = source.name
        found.setdefault(name, set()).add(source.format)
        at = name.find("!")
        while at >= 0:  # each prefix before a "!" is a file the source lies in
            found.setdefault(name[:at], set()).add(source.format)
            at = name.find("!", at + 1)
    return found


def carry_captured(previous: Path, payload: Path) -> None:
    """The media a capture stored in the archive being replaced, into ``payload``.

    A conversion rewrites the data files but never drops what a capture fetched (the pages
    it came from may be gone): these are carried over like the originals and the events."""
    for name in CAPTURED:
        found = previous / name
        paths = sorted(p for p in found.rglob("*") if p.is_file()) if found.is_dir() else (
            [found] if found.is_file() else [])
        for path in paths:
            link_or_copy(path, payload / path.relative_to(previous))


def write_schemas(payload: Path) -> None:
    """The schemas of the files this version writes, into ``payload/schemas/``."""
    (payload / SCHEMAS).mkdir(exist_ok=True)
    captured = (payload / MEDIA_INDEX).is_file()
    for name in (*SCHEMA_FILES, *([MEDIA_SCHEMA_FILE] if captured else [])):
        shutil.copyfile(PACKAGED_SCHEMAS / name, payload / SCHEMAS / name)


def write_events(path: Path, previous: Path | None, new: list[dict[str, Any]]) -> None:
    """The earlier events exactly as they were, then this run's."""
    old = (previous / EVENTS).read_bytes() if previous and (previous / EVENTS).is_file() else b""
    if old and not old.endswith(b"\n"):
        old += b"\n"
    with path.open("wb") as out:
        out.write(old)
        for item in new:
            out.write(dumps_event(item).encode("utf-8") + b"\n")
        sync(out)


def previous_data(target: Path) -> Path | None:
    """The data folder of an archive already at ``target``, if there is one."""
    folder = data_dir(target)
    return folder if (folder / FILES["blog"]).is_file() else None

