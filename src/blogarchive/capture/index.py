"""``media.jsonl``: one line per media URL as written, what its capture gave.

Schema-versioned like the data files; the line of a URL is replaced when a later run fetches
it again (``--retry-failed``), every other line is kept as it was. Written whole to a
temporary name and renamed, so a reader never sees half a line.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

from ..errors import ArchiveError
from ..folder import MEDIA_INDEX

__all__ = ["INDEX", "MEDIA_SCHEMA", "MEDIA_SCHEMA_VERSION", "line_head", "media_schema",
           "read_index", "write_index"]

INDEX: Final = MEDIA_INDEX
MEDIA_SCHEMA: Final = "urn:blogarchive:schema:1:media"
MEDIA_SCHEMA_VERSION: Final = "1-1-0"  # 1-1-0: "source"


def media_schema() -> dict[str, Any]:
    """The JSON Schema of one media.jsonl line: shipped as ``schemas/media.json`` and written
    into every archive that holds a capture (documented in docs/archive-format.md)."""

    def text(doc: str) -> dict[str, Any]:
        return {"type": "string", "description": doc}

    def maybe(kind: str, doc: str) -> dict[str, Any]:
        return {"type": [kind, "null"], "description": doc}

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": MEDIA_SCHEMA,
        "title": "blogarchive media.jsonl line",
        "description": "What the capture of one media URL (as written in a post) gave.",
        "type": "object",
        "required": ["schema", "schema_version", "url", "requested", "final", "redirects",
                     "status", "content_type", "length", "sha256", "warc", "fetched",
                     "error", "kind", "posts", "attempts"],
        "additionalProperties": False,
        "properties": {
            "schema": {"const": MEDIA_SCHEMA, "description": "This line's schema id."},
            "schema_version": text("Version of this line's layout (MAJOR-MINOR-PATCH)."),
            "url": text("The URL as written in the post body (made absolute)."),
            "kind": text("image, video, audio, iframe or embed as in the post's "
                         "analysis.media; lightbox for the target of a link around an "
                         "image; avatar for an author's picture."),
            "posts": {"type": "array", "items": {"type": "string"},
                      "description": "Ids of the posts (and pages) that use the URL."},
            "requested": maybe("string", "The URL actually requested for the answer kept "
                               "(original size or as written, after --rewrite)."),
            "final": maybe("string", "The URL of the last answer, after redirects; null "
                           "when no answer came."),
            "redirects": {"type": "array", "description": "Each hop before the last answer.",
                          "items": {
                              "type": "object", "required": ["url", "status"],
                              "additionalProperties": False,
                              "properties": {"url": text("The URL of the hop."),
                                             "status": {"type": "integer",
                                                        "description": "Its HTTP status."}}}},
            "status": maybe("integer", "HTTP status of the last answer."),
            "content_type": maybe("string", "Content-Type of the last answer."),
            "length": maybe("integer", "Bytes of the last answer's payload."),
            "sha256": maybe("string", "SHA-256 of that payload, lowercase hex."),
            "warc": {
                "type": ["object", "null"],
                "description": "The WARC record of the last answer; null when none came.",
                "required": ["file", "record_id", "offset"],
                "additionalProperties": False,
                "properties": {
                    "file": text("The WARC file, relative to the archive: "
                                 "media/media-NNNNN.warc.gz."),
                    "record_id": text("WARC-Record-ID of the response (or revisit) record."),
                    "offset": {"type": "integer", "minimum": 0,
                               "description": "Byte offset of the record's gzip member."},
                    "revisit_of": maybe("string", "For a revisit record: the record id "
                                        "holding the identical payload."),
                }},
            "fetched": maybe("string", "When: the record's WARC-Date (UTC)."),
            "attempts": {"type": "integer", "minimum": 0,
                         "description": "Requests made (redirect hops and retries "
                                        "included); 0 when the line shares the record of "
                                        "another line that requested the same URL."},
            "source": maybe("string", "Set when the record was copied from a WARC source "
                            "of the archive: that file, e.g. originals/site.warc.gz (absent "
                            "or null when fetched)."),
            "error": {
                "type": ["object", "null"],
                "description": "null when captured; else why not.",
                "required": ["kind", "detail"],
                "additionalProperties": False,
                "properties": {
                    "kind": text("dns, tls, connection, timeout, too-large, http-status, "
                                 "too-many-redirects, invalid-url or not-an-image."),
                    "detail": text("The error as met (e.g. HTTP 404)."),
                }},
        },
    }


def line_head(url: str, kind: str, posts: Iterable[str]) -> dict[str, Any]:
    """The fields a media.jsonl line starts with: its schema, and the URL as written."""
    return {"schema": MEDIA_SCHEMA, "schema_version": MEDIA_SCHEMA_VERSION, "url": url,
            "kind": kind, "posts": list(posts)}


def read_index(path: Path) -> dict[str, dict[str, Any]]:
    """The lines of an existing media.jsonl by URL as written; ArchiveError naming the line
    when one is damaged (a capture never guesses over a broken index)."""
    lines: dict[str, dict[str, Any]] = {}
    if not path.is_file():
        return lines
    with path.open(encoding="utf-8") as stream:
        for number, text in enumerate(stream, 1):
            if not text.strip():
                continue
            try:
                data = json.loads(text)
            except ValueError as err:
                raise ArchiveError(f"{path}: line {number}: not JSON: {err}") from None
            if not isinstance(data, dict) or data.get("schema") != MEDIA_SCHEMA or not isinstance(
                    data.get("url"), str):
                raise ArchiveError(f"{path}: line {number}: not a {MEDIA_SCHEMA} line")
            lines[data["url"]] = data
    return lines


def write_index(path: Path, lines: Iterable[dict[str, Any]]) -> None:
    """All lines, sorted by URL, to a temporary name (fsynced) renamed over ``path``."""
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with temp.open("w", encoding="utf-8", newline="\n") as out:
        for line in sorted(lines, key=lambda item: str(item["url"])):
            out.write(json.dumps(line, sort_keys=True, ensure_ascii=False, allow_nan=False))
            out.write("\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(temp, path)
