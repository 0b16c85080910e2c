"""Pages (and feeds) inside WARC web archives, as inputs like any saved file.

Read with warcio: ``response`` records with HTTP 200 and ``resource`` records whose type is
HTML, XHTML, Atom, RSS or XML become inputs; each opens lazily (the file is re-read at the
record's offset), so a WARC of any size is never held in memory. A ``revisit`` record says
its payload equals an earlier capture: when that capture is in the same file, the revisit
adds nothing and is counted as resolved; otherwise it is reported as not materialised.
Redirects, errors, images, scripts and styles are counted, not read.
"""

from __future__ import annotations

import gzip
import io
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Final

from ._time import parse_time
from .errors import ParseError
from .sources import Input, RawFile

__all__ = ["is_warc", "warc_inputs"]

_READABLE: Final = ("text/html", "application/xhtml", "application/atom", "application/rss",
                    "application/xml", "text/xml")


def is_warc(head: bytes) -> bool:
    """Does this file start a WARC (plain, or record-at-a-time gzip)?"""
    if head.startswith(b"WARC/"):
        return True
    if head.startswith(b"\x1f\x8b"):
        try:
            return gzip.GzipFile(fileobj=io.BytesIO(head)).read(5) == b"WARC/"
        except (OSError, EOFError):
            return False
    return False


def _payload_opener(path: Path, offset: int) -> Any:
    def open_payload() -> IO[bytes]:
        from warcio.archiveiterator import ArchiveIterator

        with path.open("rb") as stream:
            stream.seek(offset)
            record = next(iter(ArchiveIterator(stream)))
            return io.BytesIO(record.content_stream().read())

    return open_payload


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parse_time(value)
    except ValueError:
        return None


def warc_inputs(path: Path) -> tuple[list[Input], list[str]]:
    """The readable captures in a WARC, and notes on what was passed over."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    raw = (RawFile(path.name, lambda: path.open("rb")),)
    inputs: list[Input] = []
    skipped: Counter[str] = Counter()
    digests: set[str] = set()
    revisits: Counter[str] = Counter()
    try:
        with path.open("rb") as stream:
            records = ArchiveIterator(stream)
            for record in records:
                kind = record.rec_type
                headers = record.rec_headers
                if kind == "revisit":
                    digest = headers.get_header("WARC-Payload-Digest") or ""
                    revisits["resolved" if digest in digests else "unresolved"] += 1
                    continue
                if kind not in ("response", "resource"):
                    continue
                uri = headers.get_header("WARC-Target-URI") or ""
                if kind == "response":
                    http = record.http_headers
                    status = http.get_statuscode() if http is not None else None
                    if status != "200":
                        skipped[f"HTTP {status or '?'}"] += 1
                        continue
                    ctype = (http.get_header("Content-Type") or "").lower()
                else:
                    ctype = (headers.get_header("Content-Type") or "").lower()
                if not ctype.startswith(_READABLE):
                    skipped[ctype.split(";")[0] or "no type"] += 1
                    continue
                digest = headers.get_header("WARC-Payload-Digest")
                if digest:
                    digests.add(digest)
                offset = records.get_record_offset()
                inputs.append(Input(
                    f"{path.name}!{uri or headers.get_header('WARC-Record-ID')}",
                    _payload_opener(path, offset),
                    raw=raw,
                    capture={"warc_record": headers.get_header("WARC-Record-ID"),
                             "captured": _when(headers.get_header("WARC-Date")),
                             "target_url": uri or None},
                ))
    except ArchiveLoadFailed as err:
        raise ParseError(path.name, f"damaged WARC: {err.msg}") from None
    notes = []
    if skipped:
        detail = ", ".join(f"{n} {what}" for what, n in sorted(skipped.items()))
        notes.append(f"{path.name}: {sum(skipped.values())} WARC record(s) not pages or feeds, "
                     f"not read ({detail})")
    if revisits["resolved"]:
        notes.append(f"{path.name}: {revisits['resolved']} revisit record(s) repeat a capture "
                     "read from the same file")
    if revisits["unresolved"]:
        notes.append(f"{path.name}: {revisits['unresolved']} revisit record(s) refer to "
                     "captures not in this file: not materialised")
    return inputs, notes
