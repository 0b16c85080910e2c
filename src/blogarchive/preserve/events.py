"""Provenance: PREMIS-shaped events, one JSON object per line of ``events.jsonl``.

There is no official PREMIS JSON; these objects use PREMIS 3 semantic-unit names
(``eventIdentifier``, ``eventType``, ``eventDateTime``, ``eventDetailInformation``,
``eventOutcomeInformation``, ``linkingAgentIdentifier``, ``linkingObjectIdentifier``) so a
pipeline can map them to PREMIS XML mechanically. Event types are terms of the Library of
Congress preservation event-type vocabulary. Everything run-specific (the date, the versions,
the warnings) lives here and only here, so the data files stay byte-identical across reruns.
"""

from __future__ import annotations

import contextlib
import functools
import json
import platform
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Final

from lxml import etree

from .fixity import Fixity

__all__ = [
    "EVENT_SCHEMA",
    "PUID_HEAD",
    "agent",
    "dumps_event",
    "event",
    "event_schema",
    "object_ref",
    "puid_for",
]

EVENT_SCHEMA: Final = "urn:blogarchive:schema:1:event"
# 1-1-0 documents keys 1-0-0 events already had (schema_version_written, blog, agent) and
# bagInfo; events written as 1-0-0 are valid 1-1-0 events.
EVENT_SCHEMA_VERSION: Final = "1-1-0"

# PRONOM identifiers (The National Archives' format registry) where one applies unambiguously.
PUIDS: Final = {
    "xml": ("fmt/101", "Extensible Markup Language 1.0"),
    "json": ("fmt/817", "JSON Data Interchange Format"),
    "html": ("fmt/96", "Hypertext Markup Language"),
    "zip": ("x-fmt/263", "ZIP Format"),
    "gzip": ("x-fmt/266", "GZIP Format"),
    "csv": ("x-fmt/18", "Comma Separated Values"),
    "warc": ("fmt/289", "WARC"),
}


# On a source read with `convert --recover`: what of it is in the archive and what was lost.
_RECOVERED: Final = {
    "description": "The source was damaged and read with --recover: the complete entries "
                   "before the damage were kept, everything from `line`/`offset` to the end "
                   "(`size` bytes after decompression) was lost; `error` is the damage.",
    "type": "array",
    "items": {"type": "object",
              "required": ["source", "entries", "line", "offset", "size", "error"],
              "properties": {"source": {"type": "string"}, "entries": {"type": "integer"},
                             "line": {"type": "integer"}, "offset": {"type": "integer"},
                             "size": {"type": "integer"}, "error": {"type": "string"}}},
}


def event_schema() -> dict[str, Any]:
    """The JSON Schema of one events.jsonl line (open to additions: readers ignore extras)."""
    text = {"type": "string"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": EVENT_SCHEMA,
        "title": "blogarchive provenance event",
        "description": "One PREMIS-shaped event (PREMIS 3 semantic-unit names) in events.jsonl.",
        "type": "object",
        "required": ["schema", "schema_version", "eventIdentifier", "eventType",
                     "eventDateTime", "eventDetailInformation", "eventOutcomeInformation",
                     "linkingAgentIdentifier", "linkingObjectIdentifier"],
        "properties": {
            "schema": {"const": EVENT_SCHEMA},
            "schema_version": {"description": "SchemaVer of this event's own shape (the event "
                                              "schema), not of the data files.", **text},
            "schema_version_written": {
                "description": "Migration events: the SchemaVer of the data files (blog.json, "
                               "posts.jsonl, comments.jsonl) this run wrote.", **text},
            "blog": {"description": "Migration events: the blog this run wrote (id, title, "
                                    "url).", "type": "object"},
            "bagInfo": {"description": "Bag events: the bag-info.txt labels given for this "
                                       "run.", "type": "object",
                        "additionalProperties": {"type": "string"}},
            "agent": {"description": "blogarchive as a PREMIS software agent, with the "
                                     "versions that can change a result.", "type": "object"},
            "eventIdentifier": {
                "type": "object", "required": ["eventIdentifierType", "eventIdentifierValue"],
                "properties": {"eventIdentifierType": text, "eventIdentifierValue": text},
            },
            "eventType": {"description": "LC preservation event type term, e.g. migration, "
                                         "redaction, information package creation.", **text},
            "eventDateTime": {"type": "string",
                              "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$"},
            "eventDetailInformation": {"type": "object", "required": ["eventDetail"],
                                       "properties": {"eventDetail": text}},
            "eventOutcomeInformation": {
                "type": "object", "required": ["eventOutcome"],
                "properties": {"eventOutcome": {"enum": ["success", "warning", "failure"]}},
            },
            "linkingAgentIdentifier": {"type": "array", "minItems": 1},
            "linkingObjectIdentifier": {
                "type": "array",
                "items": {"type": "object", "required": ["linkingObjectRole", "name"],
                          "properties": {"linkingObjectRole": {"enum": ["source", "outcome"]},
                                         "name": text,
                                         "path": {"type": ["string", "null"]},
                                         "recovered": _RECOVERED}},
            },
        },
    }


PUID_HEAD: Final = 2048
"""How many of a file's first bytes ``puid_for`` decides by."""


def puid_for(path: Path, head: bytes | None = None) -> tuple[str, str] | None:
    """``(puid, name)`` for a stored file, from its first bytes (not its name): ``head``
    when the caller has them (at least ``PUID_HEAD`` of them, or the whole file), else read."""
    if head is None:
        with path.open("rb") as stream:
            head = stream.read(PUID_HEAD)
    head = head[:PUID_HEAD]
    if head.startswith(b"PK\x03\x04"):
        return PUIDS["zip"]
    if head.startswith(b"\x1f\x8b"):
        return PUIDS["gzip"]
    if head.startswith(b"WARC/"):
        return PUIDS["warc"]
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"{", b"[")):
        return PUIDS["json"]
    if text.startswith(b"<!doctype html") or b"<html" in text[:1024]:
        return PUIDS["html"]
    if text.startswith(b"<"):
        return PUIDS["xml"]
    if path.suffix.lower() == ".csv":
        return PUIDS["csv"]
    return None


def agent() -> dict[str, Any]:
    """blogarchive as a software agent, with the versions that change what it produces."""
    from .. import __version__

    return {
        "agentIdentifier": {
            "agentIdentifierType": "URI",
            "agentIdentifierValue": f"https://pypi.org/project/blogarchive/{__version__}/",
        },
        "agentName": "blogarchive",
        "agentType": "software",
        "agentVersion": __version__,
        "agentNote": _versions(),
    }


@functools.cache
def _versions() -> str:
    """The versions, looked up once per process: ``importlib.metadata`` reads the installed
    distributions' metadata for each (about 2 ms of CPU per event, a twentieth of a small
    blog's conversion in a batch), and they do not change while the process runs."""
    # Imported here: importlib.metadata (and the email package it needs) is a tenth of
    # `import blogarchive`, and only a conversion's event needs it.
    from importlib import metadata

    libxml2 = ".".join(str(n) for n in etree.LIBXML_VERSION)
    parts = [f"lxml {etree.__version__} / libxml2 {libxml2}"]
    for dist in ("bagit", "cattrs", "attrs", "beautifulsoup4"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            parts.append(f"{dist} {metadata.version(dist)}")
    parts.append(f"python {platform.python_version()}")
    return "; ".join(parts)


def object_ref(role: str, name: str, path: str | None, fixity: Fixity | None,
               stored: Path | None = None, detected: str | None = None,
               head: bytes | None = None) -> dict[str, Any]:
    """A linking object: an input (``source``) or an output (``outcome``); ``head``: the
    stored file's first bytes, when the caller has them (``puid_for``)."""
    ref: dict[str, Any] = {
        "linkingObjectIdentifier": {"linkingObjectIdentifierType": "local path",
                                    "linkingObjectIdentifierValue": path or name},
        "linkingObjectRole": role,
        "name": name,
        "path": path,
    }
    if fixity is not None:
        ref["size"] = fixity.size
        ref["fixity"] = {"sha512": fixity.sha512, "sha256": fixity.sha256}
    if stored is not None:
        found = puid_for(stored, head)
        if found:
            ref["format"] = {"formatRegistryName": "PRONOM", "formatRegistryKey": found[0],
                             "formatName": found[1]}
    if detected:
        ref["detected"] = detected
    return ref


def event(
    event_type: str,
    detail: str,
    outcome: str,
    *,
    note: str,
    warnings: list[str] | None = None,
    objects: list[dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
    when: datetime | None = None,
) -> dict[str, Any]:
    """One PREMIS-shaped event object."""
    moment = (when or datetime.now(timezone.utc)).astimezone(timezone.utc)
    who = agent()
    data: dict[str, Any] = {
        "schema": EVENT_SCHEMA,
        "schema_version": EVENT_SCHEMA_VERSION,
        "eventIdentifier": {"eventIdentifierType": "UUID",
                            "eventIdentifierValue": str(uuid.uuid4())},
        "eventType": event_type,
        "eventDateTime": moment.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "eventDetailInformation": {"eventDetail": detail},
        "eventOutcomeInformation": {
            "eventOutcome": outcome,
            "eventOutcomeDetail": {"eventOutcomeDetailNote": note,
                                   "warnings": list(warnings or [])},
        },
        "linkingAgentIdentifier": [{
            **who["agentIdentifier"], "linkingAgentRole": "executing program",
        }],
        "agent": who,
        "linkingObjectIdentifier": list(objects or []),
    }
    if extra:
        data.update(extra)
    return data


def dumps_event(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, allow_nan=False)
