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

__all__ = ["INDEX", "MEDIA_SCHEMA", "MEDIA_SCHEMA_VERSION", "media_schema", "read_index",
           "write_index"]

INDEX: Final = MEDIA_INDEX
MEDIA_SCHEMA: Final = "urn:blogarchive:schema:1:media"
MEDIA_SCHEMA_VERSION: Final = "1-0-0"


def media_schema() -> dict[str, Any]:
    """The JSON Schema of one media.jsonl line (documented in docs/capture.md)."""
    text, maybe_text = {"type": "string"}, {"type": ["string", "null"]}
    maybe_int = {"type": ["integer", "null"]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": MEDIA_SCHEMA,
        "title": "blogarchive media capture line",
        "type": "object",
        "required": ["schema", "schema_version", "url", "requested", "final", "redirects",
                     "status", "content_type", "length", "sha256", "warc", "fetched",
                     "error", "kind", "posts"],
        "properties": {
            "schema": {"const": MEDIA_SCHEMA},
            "schema_version": text,
            "url": {"description": "The URL as written in the post body (made absolute).",
                    **text},
            "kind": text,
            "posts": {"type": "array", "items": text},
            "requested": {"description": "The URL actually requested (after --rewrite).",
                          **maybe_text},
            "final": {"description": "The URL of the last response, after redirects.",
                      **maybe_text},
            "redirects": {"type": "array", "items": {
                "type": "object", "required": ["url", "status"],
                "properties": {"url": text, "status": {"type": "integer"}}}},
            "status": maybe_int,
            "content_type": maybe_text,
            "length": maybe_int,
            "sha256": maybe_text,
            "warc": {"type": ["object", "null"], "required": ["file", "record_id", "offset"],
                     "properties": {"file": text, "record_id": text,
                                    "offset": {"type": "integer"},
                                    "revisit_of": maybe_text}},
            "fetched": maybe_text,
            "attempts": {"type": "integer"},
            "error": {"type": ["object", "null"], "required": ["kind", "detail"],
                      "properties": {"kind": text, "detail": text}},
        },
    }


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
