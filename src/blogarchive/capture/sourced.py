"""Media already inside a WARC source: taken from it, not fetched again.

A blog converted from a web archive (``convert site.warc.gz``) keeps the WARC in
``originals/``; a crawl usually holds the posts' images too. Before fetching, a capture looks
there for each target's URLs (the original size first, then the URL as written, before any
``--rewrite``): an HTTP 200 ``response`` record that is not a text page is copied, as it is,
into the capture's own WARC (the same record id, date, headers and block), and the target's
media.jsonl line names it, with ``source`` giving the file it came from and ``attempts`` 0.

Copied, not referenced: ``media/*.warc.gz`` then holds every captured image, so replay tools
and ``validate`` need nothing else (a source WARC compressed as one gzip stream cannot be
read at an offset, and originals are not kept with ``--no-originals`` or ``--redact``), and
the record stays the evidence of the original crawl, not of a new fetch. An archive written
without originals has nothing to take: its media are fetched.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import attrs

from ..folder import data_dir
from ..warc import is_warc
from .index import line_head
from .plan import Target
from .warcs import Stored, WarcSink

__all__ = ["Found", "find_in_sources", "source_warcs", "take"]

ORIGINALS = "originals"
_HEAD = 512


def source_warcs(data: Path) -> list[Path]:
    """The WARC files among the archive's originals (plain or gzipped, by their bytes)."""
    folder = data / ORIGINALS
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []:
        with path.open("rb") as stream:
            if is_warc(stream.read(_HEAD)):
                found.append(path)
    return found


@attrs.frozen
class Found:
    """An image response record in a source WARC."""

    path: Path
    record_id: str
    """Its WARC-Record-ID: how the copying pass knows it (an offset would need the record
    read to its end, which leaves nothing to copy)."""
    uri: str
    content_type: str | None
    length: int
    sha256: str


def _records(path: Path) -> Iterator[Any]:
    from warcio.archiveiterator import ArchiveIterator

    with path.open("rb") as stream:
        yield from ArchiveIterator(stream)


def _digest(stream: IO[bytes]) -> tuple[int, str]:
    hasher, size = hashlib.sha256(), 0
    while block := stream.read(1 << 20):
        size += len(block)
        hasher.update(block)
    return size, hasher.hexdigest()


def find_in_sources(warcs: Sequence[Path], wanted: set[str]) -> dict[str, Found]:
    """The first usable record of each wanted URL in ``warcs``: a ``response`` with HTTP 200
    whose type is not text (a login page or "not found" page answered for an image is no
    capture of it). A damaged source ends its own search, not the capture."""
    from warcio.exceptions import ArchiveLoadFailed

    found: dict[str, Found] = {}
    for path in warcs:
        try:
            for record in _records(path):
                uri = record.rec_headers.get_header("WARC-Target-URI")
                if (record.rec_type != "response" or uri not in wanted or uri in found
                        or record.http_headers is None
                        or record.http_headers.get_statuscode() != "200"):
                    continue
                kind = record.http_headers.get_header("Content-Type")
                if (kind or "").lower().startswith("text/"):
                    continue
                length, sha256 = _digest(record.content_stream())
                found[uri] = Found(path, record.rec_headers.get_header("WARC-Record-ID"), uri,
                                   kind, length, sha256)
        except (ArchiveLoadFailed, OSError, EOFError, ValueError):
            continue
    return found


def take(target: Path, todo: Sequence[Target], sink: WarcSink
         ) -> tuple[dict[str, dict[str, Any]], list[Target]]:
    """Lines for the targets found in the archive's source WARCs (their records copied into
    ``sink``), and the targets still to fetch."""
    data = data_dir(target)
    warcs = source_warcs(data)
    if not warcs:
        return {}, list(todo)
    found = find_in_sources(warcs, {url for item in todo for url in item.written})
    chosen = {item.url: next((found[u] for u in item.written if u in found), None)
              for item in todo}
    copies = _copy({f for f in chosen.values() if f is not None}, sink)
    lines = {}
    rest = []
    for item in todo:
        record = chosen[item.url]
        if record is None or record not in copies:  # not there, or not read the second time
            rest.append(item)
            continue
        lines[item.url] = _line(item, record, copies[record],
                                record.path.relative_to(data).as_posix())
    return lines, rest


def _copy(records: set[Found], sink: WarcSink) -> dict[Found, Stored]:
    """Copy the records, one pass over each source file in order (any compression)."""
    stored: dict[Found, Stored] = {}
    by_file: dict[Path, dict[str, Found]] = {}
    for record in records:
        by_file.setdefault(record.path, {})[record.record_id] = record
    from warcio.exceptions import ArchiveLoadFailed

    for path, wanted in sorted(by_file.items()):
        try:
            for record in _records(path):
                found = wanted.pop(record.rec_headers.get_header("WARC-Record-ID"), None)
                if found is not None:
                    stored[found] = sink.copy(record)
        except (ArchiveLoadFailed, OSError, EOFError, ValueError):
            continue  # what was not copied is fetched
    return stored


def _line(item: Target, record: Found, stored: Stored, source: str) -> dict[str, Any]:
    return {
        **line_head(item.url, item.kind, item.posts),
        "requested": record.uri,
        "final": record.uri,
        "redirects": [],
        "status": 200,
        "content_type": record.content_type,
        "length": record.length,
        "sha256": record.sha256,
        "warc": stored.ref(),
        "fetched": stored.date,
        "attempts": 0,
        "error": None,
        "source": source,
    }
