"""Pages (and feeds) inside WARC web archives, as inputs like any saved file.

Read with warcio: ``response`` records with HTTP 200 and ``resource`` records whose type is
HTML, XHTML, Atom, RSS or XML become inputs; each opens lazily (the file is re-read at the
record's offset), so a WARC of any size is never held in memory. A ``revisit`` record says
its payload equals an earlier capture: when that capture is in the same file, the revisit
adds nothing and is counted as resolved; otherwise it is reported as not materialised.
Redirects, errors, images, scripts and styles are counted, not read. A damaged record (no
Content-Length, cut inside its headers, a length past the end of the file, anything warcio
cannot parse) ends the listing: the captures before it are read, and the damage is reported
as "damaged WARC" with the record's byte offset.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections import Counter
from datetime import datetime
from typing import IO, Any, Final

from ._inputs import Input, Opener, RawFile, damaged, one_line, refused
from ._time import parse_time
from ._words import counted
from .errors import ParseError

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
        except (OSError, EOFError, zlib.error):
            return False
    return False


def _payload_opener(name: str, opener: Opener, offset: int) -> Any:
    def open_payload() -> IO[bytes]:
        from warcio.archiveiterator import ArchiveIterator

        with opener() as stream:
            stream.seek(offset)
            try:
                record = next(iter(ArchiveIterator(stream)))
                return io.BytesIO(record.content_stream().read())
            except Exception as err:  # warcio fails in many ways on damage
                raise damaged(name, f"WARC record at byte {offset}", err) from None

    return open_payload


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parse_time(value)
    except ValueError:
        return None


# What warcio's bare exceptions mean for a user.
_WHY: Final = {
    AttributeError: "a required header such as WARC-Target-URI is missing, or the record is "
                    "cut inside its headers",
    OverflowError: "its Content-Length is impossibly large",
}


class _Damage(Exception):
    """A record warcio could not parse, or that is cut short."""


def warc_inputs(name: str, opener: Opener, raw: RawFile) -> tuple[list[Input], list[str]]:
    """The readable captures in a WARC (``opener`` gives its raw, seekable bytes), and notes
    on what was passed over. A damaged record ends the reading: the captures before it are
    kept, and the damage is one more input that fails with "damaged WARC" when read (a
    ParseError at once when there is nothing before it)."""
    from warcio.archiveiterator import ArchiveIterator

    inputs: list[Input] = []
    skipped: Counter[str] = Counter()
    digests: set[str] = set()
    revisits: Counter[str] = Counter()
    at = 0  # where the record being read starts
    damage: ParseError | None = None
    with opener() as stream:
        size = stream.seek(0, io.SEEK_END)
        stream.seek(0)
        records = ArchiveIterator(stream)
        try:
            for record in records:
                headers = record.rec_headers
                length = headers.get_header("Content-Length")
                if length is None or not length.strip().isdigit():
                    raise _Damage(f"no valid Content-Length ({length!r}): cut inside its headers?")
                kind = record.rec_type
                offset = records.get_record_offset()  # reads the record to its end
                missing = getattr(record.raw_stream, "limit", 0)
                if missing:
                    raise _Damage(f"cut short: {missing} of its {length.strip()} bytes are "
                                  "missing (a truncated file?)")
                start, at = at, offset + records.get_record_length()
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
                record_id = headers.get_header("WARC-Record-ID") or f"record at byte {start}"
                inputs.append(Input(
                    f"{name}!{uri or record_id}",
                    _payload_opener(name, opener, offset),
                    raw=(raw,),
                    capture={"warc_record": headers.get_header("WARC-Record-ID"),
                             "captured": _when(headers.get_header("WARC-Date")),
                             "target_url": uri or None},
                ))
        except _Damage as err:
            damage = ParseError(name, f"damaged WARC: the record at byte {at}: {err}")
        except Exception as err:  # warcio fails in many ways on damage
            why = _WHY.get(type(err), f"{type(err).__name__}: {one_line(str(err))}")
            damage = ParseError(name, f"damaged WARC: the record at byte {at} cannot be "
                                      f"parsed ({why})")
        if damage is None:
            # warcio stops quietly at what it cannot even start to read (a record cut in
            # its first bytes, garbage): whatever follows the last record must be blank.
            stream.seek(at)
            if stream.read(64).strip(b"\r\n"):
                damage = ParseError(name, f"damaged WARC: the bytes from byte {at} on are not "
                                          "a WARC record (a truncated or corrupt file?)")
    if damage is not None:
        if not inputs:
            raise damage
        lost = ParseError(name, f"{damage.problem}; the {counted(len(inputs), 'capture')} before "
                                f"it {'is' if len(inputs) == 1 else 'are'} read, nothing from byte "
                                f"{at} to the end ({size} bytes)")
        inputs.append(refused(f"{name}@{at}", lost))
    notes = []
    if skipped:
        detail = ", ".join(f"{n} {what}" for what, n in sorted(skipped.items()))
        notes.append(f"{name}: {counted(sum(skipped.values()), 'WARC record')} not pages or feeds, "
                     f"not read ({detail})")
    if revisits["resolved"]:
        n = revisits["resolved"]
        notes.append(f"{name}: {counted(n, 'revisit record')} "
                     f"{'repeats' if n == 1 else 'repeat'} a capture "
                     "read from the same file")
    if revisits["unresolved"]:
        n = revisits["unresolved"]
        notes.append(f"{name}: {counted(n, 'revisit record')} "
                     f"{'refers' if n == 1 else 'refer'} to "
                     "captures not in this file: not materialised")
    return inputs, notes
