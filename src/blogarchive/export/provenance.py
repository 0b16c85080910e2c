"""What the access copy says about where it came from: the footer on every page and the
"About this copy" page.

Read from the archive itself: the sources in blog.json, the PREMIS-shaped events of
events.jsonl (the last conversion's date, its event id, the program), and the identifier a
bag's bag-info.txt gives (``External-Identifier``), else the one a bag would get
(``blogger:blog-<id>``). A damaged event line is skipped and counted: the copy still says
what it can, and ``blogarchive validate`` names the damage.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

import attrs

from ..folder import EVENTS, data_dir
from ..model import Archive

__all__ = ["Event", "Provenance", "provenance"]

_FOOTER_SOURCES: Final = 3  # source names the footer lists; the about page lists them all
_CONVERTING: Final = ("migration", "ingestion", "creation")


@attrs.frozen
class Event:
    when: str
    type: str
    outcome: str
    note: str
    identifier: str


@attrs.frozen
class Provenance:
    archive_id: str
    sources: tuple[str, ...]
    converted: str | None  # the last conversion's date (UTC, as the event wrote it)
    conversion_event: str | None
    program: str | None
    events: tuple[Event, ...]
    unreadable_events: int

    @property
    def footer_sources(self) -> tuple[str, ...]:
        return self.sources[:_FOOTER_SOURCES]

    @property
    def more_sources(self) -> int:
        return max(0, len(self.sources) - _FOOTER_SOURCES)


def _bag_identifier(dest: Path) -> str | None:
    info = dest / "bag-info.txt"
    if not info.is_file():
        return None
    try:
        text = info.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        label, _, value = line.partition(":")
        if label.strip().lower() == "external-identifier" and value.strip():
            return value.strip()
    return None


def _event(data: dict[str, Any]) -> Event:
    outcome = data.get("eventOutcomeInformation") or {}
    detail = outcome.get("eventOutcomeDetail") or {}
    return Event(when=str(data.get("eventDateTime") or ""), type=str(data.get("eventType") or ""),
                 outcome=str(outcome.get("eventOutcome") or ""),
                 note=str(detail.get("eventOutcomeDetailNote") or ""),
                 identifier=str((data.get("eventIdentifier") or {})
                                .get("eventIdentifierValue") or ""))


def provenance(dest: Path, archive: Archive) -> Provenance:
    events: list[Event] = []
    unreadable = 0
    program: str | None = None
    path = data_dir(dest) / EVENTS
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    for line in lines:
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            events.append(_event(data))
        except (ValueError, AttributeError, TypeError):
            unreadable += 1
            continue
        if events[-1].type in _CONVERTING:
            agent = data.get("agent") if isinstance(data.get("agent"), dict) else {}
            program = " ".join(str(agent[k]) for k in ("agentName", "agentVersion")
                               if agent.get(k)) or program
    converting = [e for e in events if e.type in _CONVERTING]
    last = converting[-1] if converting else None
    blog_id = archive.blog.id
    identifier = (_bag_identifier(dest) or (f"blogger:blog-{blog_id}" if blog_id else None)
                  or (f"urn:uuid:{last.identifier}" if last and last.identifier else "unknown"))
    return Provenance(archive_id=identifier, sources=tuple(s.name for s in archive.sources),
                      converted=last.when if last else None,
                      conversion_event=last.identifier if last else None, program=program,
                      events=tuple(events), unreadable_events=unreadable)
