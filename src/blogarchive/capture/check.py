"""Does every media.jsonl line still match its WARC record? (for ``validate`` to call)

Each line that names a record is checked at its offset: the record is there, has the record
id, target URI and type the line says, and (for a response) its payload has the length and
SHA-256 the line gives; a revisit must name a record some line holds. Every line is checked
against the archive's own ``schemas/media.json`` (the packaged one for an archive captured
before it was kept there). Problems come as ``(file, line, reason)``, the shape of
``validate``'s problems, so a tampered or missing WARC is named with the line that needs it.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from .index import INDEX, media_schema

__all__ = ["check_media"]

_BLOCK = 1 << 20


def check_media(folder: Path) -> list[tuple[str, int | None, str]]:
    """Problems of ``folder``'s media.jsonl and WARC files (``folder``: the data folder)."""
    path = folder / INDEX
    if not path.is_file():
        return []
    import jsonschema

    problems: list[tuple[str, int | None, str]] = []
    kept = folder / "schemas" / "media.json"
    found = media_schema()
    if kept.is_file():
        try:
            found = json.loads(kept.read_text(encoding="utf-8"))
            jsonschema.Draft202012Validator.check_schema(found)
        except (ValueError, UnicodeDecodeError, jsonschema.SchemaError) as err:
            problems.append(("schemas/media.json", None,
                             f"not a JSON Schema: {str(err).splitlines()[0][:200]}"))
            found = media_schema()
    schema = jsonschema.Draft202012Validator(found)
    lines: list[tuple[int, dict[str, Any]]] = []
    with path.open(encoding="utf-8") as stream:
        for number, text in enumerate(stream, 1):
            try:
                data = json.loads(text)
            except ValueError as err:
                problems.append((INDEX, number, f"not JSON: {err}"))
                continue
            errors = sorted(schema.iter_errors(data), key=lambda e: list(e.path))
            if errors:
                where = "/".join(str(p) for p in errors[0].path) or "the line"
                problems.append((INDEX, number, f"{where}: {errors[0].message}"))
                continue
            lines.append((number, data))
    held = {d["warc"]["record_id"] for _, d in lines if d["warc"]}
    for number, data in lines:
        for reason in _check_line(folder, data, held):
            problems.append((INDEX, number, reason))
    return problems


def _check_line(folder: Path, line: dict[str, Any], held: set[str]) -> Iterator[str]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed
    from warcio.statusandheaders import StatusAndHeadersParserException

    warc = line["warc"]
    if warc is None:
        if line["error"] is None:
            yield f"{line['url']}: captured, but no WARC record named"
        return
    name = warc["file"]
    if not (folder / name).is_file():
        yield f"{line['url']}: {name} is missing"
        return
    try:
        with (folder / name).open("rb") as stream:
            stream.seek(warc["offset"])
            record = next(iter(ArchiveIterator(stream)), None)
            if record is None:
                yield f"{line['url']}: no WARC record starts at offset {warc['offset']} of {name}"
                return
            yield from _compare(line, record, held, name)
    except (ArchiveLoadFailed, StatusAndHeadersParserException, OSError, EOFError,
            ValueError, zlib.error) as err:  # a damaged gzip member or record header
        said = (str(err).splitlines() or [""])[0][:60]  # warcio quotes the raw bytes
        yield (f"{line['url']}: no WARC record starts at offset {warc['offset']} of {name} "
               f"({type(err).__name__}: {said})")


def _compare(line: dict[str, Any], record: Any, held: set[str], name: str) -> Iterator[str]:
    warc = line["warc"]
    headers = record.rec_headers
    where = f"{name} at offset {warc['offset']}"
    if headers.get_header("WARC-Record-ID") is None:
        yield f"{line['url']}: no WARC record starts at offset {warc['offset']} of {name}"
        return
    if headers.get_header("WARC-Record-ID") != warc["record_id"]:
        yield f"{line['url']}: {where} is record {headers.get_header('WARC-Record-ID')}, " \
              f"not {warc['record_id']}"
        return
    if headers.get_header("WARC-Target-URI") != line["final"]:
        yield f"{line['url']}: {where} is for {headers.get_header('WARC-Target-URI')}, " \
              f"not {line['final']}"
    if warc["revisit_of"] is not None:
        if record.rec_type != "revisit":
            yield f"{line['url']}: {where} is a {record.rec_type} record, not a revisit"
        if warc["revisit_of"] not in held:
            yield f"{line['url']}: revisits {warc['revisit_of']}, which no line holds"
        return
    if record.rec_type != "response":
        yield f"{line['url']}: {where} is a {record.rec_type} record, not a response"
        return
    size, digest = _digest(record.content_stream())
    if line["sha256"] is not None and digest != line["sha256"]:
        yield f"{line['url']}: payload in {where} changed: sha256 {digest[:16]}... is not " \
              f"the {line['sha256'][:16]}... in {INDEX}"
    elif line["length"] is not None and size != line["length"]:
        yield f"{line['url']}: payload in {where} is {size} bytes, not {line['length']}"


def _digest(stream: IO[bytes]) -> tuple[int, str]:
    hasher, size = hashlib.sha256(), 0
    while block := stream.read(_BLOCK):
        size += len(block)
        hasher.update(block)
    return size, hasher.hexdigest()
