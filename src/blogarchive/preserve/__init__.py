"""Preservation: originals kept, fixity, provenance, BagIt, validation, redaction.

``convert`` is the one-shot conversion a pipeline embeds: lock the destination, read, merge
with the archive(s) already there (nothing that disappeared from the blog is dropped), redact
if asked or if the archive was written redacted, write data, originals, events, schemas and
manifests (or a bag), and swap it all in atomically. ``package`` makes a bag, or gives a bag
new bag-info; ``archives`` lists the archives of a folder of archives.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from .. import spool
from ..describe import Summary
from ..errors import ArchiveError
from ..folder import archives_in, real_destination, staging
from ..limits import DEFAULT_LIMITS, Limits
from ..model import Archive, Blog, SourceInfo
from ..progress import Progress
from ..reading import ReadReport
from ..sources import Source
from ..store import FILES, SCHEMA_VERSION, load
from ..workers import worker_count
from .bag import (
    bag_in_place,
    bag_info_for,
    carry_for_packing,
    current_bag_info,
    is_bag,
    packing_event,
)
from .lock import locked
from .redact import REDACTIONS, Redactor, redact, redacted_when_written
from .validate import Problem, ValidationReport, validate
from .writer import EVENTS, SCHEMAS, Plan, build, previous_data, write_events, write_schemas

if TYPE_CHECKING:
    from ..capture.report import CaptureReport

__all__ = [
    "REDACTIONS",
    "Converted",
    "Problem",
    "ValidationReport",
    "archives",
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
    summary: Summary
    """What was written: the blog, its counts, notes and skipped entries (as ``info`` of
    the archive would say them, less the saved pages' reports)."""
    events: tuple[dict[str, Any], ...]
    notices: tuple[str, ...] = ()
    """What the run did that was not asked for in so many words (e.g. redaction kept)."""
    capture: CaptureReport | None = None
    """With ``convert(..., capture=...)``: what the capture of this blog's media did."""

    _loaded: dict[Path, Archive] = attrs.field(factory=dict, eq=False, repr=False)

    @property
    def archive(self) -> Archive:
        """The archive written, read back from ``path`` (``load``) when first asked for:
        ``convert`` does not hold the records in memory."""
        if self.path not in self._loaded:
            self._loaded[self.path] = load(self.path)
        return self._loaded[self.path]


def folder_name(archive: Archive | Blog, sources: Sequence[SourceInfo] = ()) -> str:
    """Safe ASCII folder name for one of several blogs: its id, or its source's name."""
    blog = archive.blog if isinstance(archive, Archive) else archive
    if isinstance(archive, Archive):
        sources = archive.sources
    if blog.id:
        return f"blog-{blog.id}"
    name = sources[0].name if sources else "blog"
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in name)


def archives(dest: str | os.PathLike[str]) -> list[Path]:
    """The archives at ``dest``: itself, or each archive of a folder of archives (as
    ``convert`` writes several blogs). Raises ArchiveError when there is none."""
    target = Path(os.fspath(dest))
    found = archives_in(target)
    if not found:
        raise ArchiveError(f"{target}: not a blogarchive archive (no blog.json), nor a folder "
                           "of archives")
    return found


def convert(
    sources: Source | Iterable[Source],
    dest: str | os.PathLike[str],
    *,
    originals: bool = True,
    bag: bool = False,
    bag_info: Mapping[str, str] | None = None,
    redact_emails: bool | None = None,
    blog_url: str | None = None,
    analyse: bool = True,
    report: ReadReport | None = None,
    progress: Progress | None = None,
    options: str = "",
    wait: bool = False,
    notify: Callable[[str], None] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    recover: bool = False,
    capture: Mapping[str, Any] | None = None,
    lock: bool = True,
    jobs: int = 1,
) -> list[Converted]:
    """Convert ``sources`` into a preserved archive at ``dest`` (one per blog).

    Several blogs go to ``dest/blog-<id>/``, a folder of archives; converting into such a
    folder later updates each blog's archive there, or adds one. An archive already at the
    destination is updated: its posts and comments that the new sources lack are kept
    (``retained``), its originals and events are carried over, and a new event records this
    run. Raises ArchiveError when ``dest`` is not an archive, holds another blog, cannot be
    written (read-only, full), or another run is writing it (with ``wait``, wait for that
    run; ``notify`` is told so in one line). A symlink at ``dest`` is followed.

    ``redact_emails``: True removes e-mail addresses (``redact``); None (the default) does
    so when the archive at the destination was written redacted, so a rerun never brings
    the addresses back; False explicitly writes them, even into such an archive.

    ``progress`` is called as ``progress(phase, done, total)`` through reading, analysing and
    writing (see ``blogarchive.progress``). ``limits`` and ``recover`` are as in
    ``read_all``; a recovery is recorded in the event, on its source. ``jobs``: the body
    analysis in that many processes, 0 for one per core (the archive is the same whatever
    the number; ``blogarchive.workers``).

    ``capture``: then capture each written blog's media, as ``blogarchive.capture`` with
    these keyword arguments (``{}`` for its defaults); each result's ``capture`` is its
    report. The capture runs once the conversion is in place (its own lock, ``wait`` as
    given), so an interrupted capture leaves the converted archive.
    ``lock=False`` leaves the destination lock to the caller, who holds it already (``batch``
    holds its OUTDIR's for the whole run and gives each blog to one worker at a time).
    """
    target = real_destination(Path(os.fspath(dest)))
    if target.exists() and not target.is_dir():
        raise ArchiveError(f"{target}: exists and is not a folder; choose another destination")
    worker_count(jobs)  # a bad value is refused before the destination is locked
    if bag_info and not bag and not is_bag(target):
        raise ArchiveError(f"{target}: bag_info applies only to a bag: pass bag=True, or "
                           "convert into an existing bag")
    with locked(target, wait=wait, notify=notify) if lock else contextlib.nullcontext():
        done = _convert(sources, target, report=report, progress=progress, blog_url=blog_url,
                        analyse=analyse, plan=Plan(originals=originals, bag=bag,
                                                   bag_info=dict(bag_info or {}),
                                                   options=options),
                        redact_emails=redact_emails, limits=limits, recover=recover,
                        jobs=jobs)
    if capture is None:
        return done
    from ..capture import capture as capture_media  # the capture package needs preserve

    return [attrs.evolve(result, capture=capture_media(result.path, wait=wait, notify=notify,
                                                       **capture)) for result in done]


def _convert(sources: Source | Iterable[Source], target: Path, *, report: ReadReport | None,
             progress: Progress | None, blog_url: str | None, analyse: bool,
             plan: Plan, redact_emails: bool | None, limits: Limits,
             recover: bool, jobs: int = 1) -> list[Converted]:
    # Out of core (``spool``): records go to disk as they are read, and the data files are
    # written from there, so memory stays flat however large the blog.
    with spool.opened(target) as spooled, spool.analysing(spooled, jobs, analyse) as ahead:
        earlier = spool.gather_previous(target, spooled)
        # Recoveries are listed in a report; without the caller's, one of our own that then
        # raises the first failure, as reading without a report does.
        own = ReadReport() if report is None and recover else None
        collected = report if report is not None else own
        groups, run_notes = spool.gather(sources, spooled, blog_url=blog_url,
                                         report=collected, progress=progress, limits=limits,
                                         recover=recover, ahead=ahead)
        if own is not None and own.failed:
            raise own.failed[0]
        recovered = collected.recovered if collected is not None else []
        collection = bool(earlier) and previous_data(target) is None
        several = len(groups) > 1 or collection
        if len(groups) > 1 and previous_data(target):
            raise ArchiveError(f"{target}: holds one blog's archive, and the sources hold "
                               f"{len(groups)} blogs; write them to another destination")
        warnings = [f"input not read: {p}" for p in (report.failed if report else [])]
        warnings += [f"file skipped: {p}" for p in (report.ignored if report else [])]
        done = []
        for group in groups:
            blog = group.blog()
            where = _where(target, blog, group, earlier) if several else target
            _check_same_blog(where, blog, earlier)
            notices = []
            was_redacted = redacted_when_written(previous_data(where))
            redactor = None
            if redact_emails or (redact_emails is None and was_redacted):
                redactor = Redactor()
                if not redact_emails:
                    notices.append("redaction: e-mail addresses removed, as when this "
                                   "archive was written (--no-redact to keep them)")
            elif was_redacted:
                notices.append("redaction: not applied (--no-redact), though this archive "
                               "was written with --redact emails: addresses are back")
            names = {info.name for info in group.sources}
            run = attrs.evolve(plan, redacted=None if redactor is None else 0,
                               warnings=tuple(warnings),
                               redaction_kept=redactor is not None and not redact_emails,
                               recovered=tuple(s for s in recovered if s.source in names))
            if is_bag(where):  # a bag stays a bag, with the bag-info it was given
                run = attrs.evolve(run, bag=True, bag_kept=current_bag_info(where))
            held = earlier.get(group.key) if blog.id else None
            resolved = spool.resolve(spooled, group.key,
                                     held.number if held is not None else None)
            written: list[spool.Written] = []

            def data(folder: Path, opener: spool.Opener, group: spool.Gathered = group,
                     resolved: spool.Resolved = resolved,
                     redactor: Redactor | None = redactor,
                     written: list[spool.Written] = written) -> spool.Written:
                written.append(spool.write_group(
                    group, resolved, folder, run_notes=run_notes, analyse=analyse,
                    jobs=jobs, redactor=redactor, progress=progress, opener=opener,
                    ahead=ahead))
                return written[-1]

            with staging(where) as temp:
                events = build(data, list(group.raws.values()), temp, previous_data(where),
                               run, progress)
            done.append(Converted(where, written[0].summary, tuple(events), tuple(notices)))
    return done


def _where(target: Path, blog: Blog, group: spool.Gathered,
           earlier: dict[str, spool.Earlier]) -> Path:
    """A blog's folder in a folder of archives: the one that holds it already, or a new one."""
    held = earlier.get(blog.id) if blog.id else None
    return held.folder if held else target / folder_name(blog, group.sources)


def _check_same_blog(where: Path, blog: Blog, earlier: dict[str, spool.Earlier]) -> None:
    if previous_data(where) is None:
        return
    held = next((e.head.blog for e in earlier.values() if e.folder == where), None)
    if held is not None and held.id and blog.id and held.id != blog.id:
        raise ArchiveError(
            f"{where}: holds blog {held.id} ({held.title}); the sources are blog "
            f"{blog.id} ({blog.title}): choose another destination"
        )


def _data_version(data: Path) -> object:
    try:
        return json.loads((data / FILES["blog"]).read_text(encoding="utf-8"))["schema_version"]
    except (OSError, ValueError, KeyError, TypeError):
        return None  # load() has read it already; validate reports what is wrong


def package(dest: str | os.PathLike[str], bag_info: Mapping[str, str] | None = None, *,
            wait: bool = False, notify: Callable[[str], None] | None = None) -> Path:
    """Make the archive at ``dest`` a BagIt 1.0 bag (atomically). A bag is left as it is,
    unless ``bag_info`` is given: then its bag-info.txt gets those labels (others kept), the
    bag is re-made, validated, and a ``metadata modification`` event records it.

    Raises ArchiveError as ``convert`` does (not an archive, cannot be written, another run
    writing it)."""
    target = real_destination(Path(os.fspath(dest)))
    with locked(target, wait=wait, notify=notify):
        return _package(target, dict(bag_info or {}))


def _package(target: Path, bag_info: dict[str, str]) -> Path:
    if previous_data(target) is None:
        raise ArchiveError(f"{target}: not a blogarchive archive (no blog.json)")
    if is_bag(target) and not bag_info:
        return target  # already a bag, and nothing to change
    archive = load(target)
    if is_bag(target):
        # New bag-info for a bag: re-made from its payload, so the tag manifests and
        # Payload-Oxum agree, but only from a bag that is valid now: re-bagging a damaged
        # one would give the damage fresh checksums.
        found = validate(target)
        if not found.valid:
            raise ArchiveError(f"{target}: is not a valid bag, so its bag-info is left as it "
                               f"is: {found.problems[0]}")
        info = {**current_bag_info(target), **bag_info_for(archive, bag_info)}
        labels = ", ".join(sorted(bag_info))
        new_event = packing_event(bag_info, "metadata modification",
                                  f"bag-info.txt updated ({labels}); bag re-made and validated")
        source = target / "data"
    else:
        info = bag_info_for(archive, bag_info)
        new_event = packing_event(bag_info)
        source = target
    with staging(target) as temp:
        carry_for_packing(source, temp)
        if not (temp / SCHEMAS).is_dir() and _data_version(source) == SCHEMA_VERSION:
            write_schemas(temp)  # an archive from before schemas were kept gets them
        write_events(temp / EVENTS, source, [new_event])
        bag_in_place(temp, info)
        made = validate(temp)
        if not made.valid:
            raise ArchiveError(f"{target}: the new bag does not validate, so the archive is "
                               f"left as it was: {made.problems[0]}")
    return target
