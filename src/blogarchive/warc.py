"""Pages (and feeds) inside WARC web archives, as inputs like any saved file.

Read with warcio: ``response`` records with HTTP 200 and ``resource`` records whose type is
HTML, XHTML, Atom, RSS or XML become inputs; each opens lazily (the file is re-read at the
record's offset), so a WARC of any size is never held in memory. A ``revisit`` record says
its payload equals an earlier capture: when that capture is in the same file, the revisit
adds nothing and is counted as resolved; otherwise it is reported as not materialised.
Redirects, errors, images, scripts and styles are counted, not read. A damaged record (no
Content-Length, cut inside its headers, a length past the end of the file, anything warcio
cannot parse) ends the listing: the captures before it are read, and the damage is reported
as "damaged WARC" with the record's byte offset. warcio's own warnings, which it writes to
stderr itself, are caught and said the blogarchive way: a record whose compressed data is
corrupt is a "damaged WARC" error of its own (the records after it are read), a record not
followed by its blank line (a wrong Content-Length) a note.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr
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


_LISTED: Final = 20  # records noted one by one for a missing blank line, the rest counted

# warcio's warning for a record not followed by the blank line that ends it (archiveiterator
# INC_RECORD): three indented lines, the second giving the offset of what follows.
_NO_NEWLINE: Final = re.compile(
    r"[ \t]*WARNING: Record not followed by newline[^\n]*\n[ \t]*Offset: (\d+)\n"
    r"[ \t]*Remainder: [^\n]*\n?")


@contextmanager
def _warcio_output() -> Iterator[io.StringIO]:
    """What warcio writes to sys.stderr itself while reading: caught, so that the command line
    prints only its own one-line problems (and a library user's stderr stays theirs)."""
    caught = io.StringIO()
    with redirect_stderr(caught):
        yield caught


def _no_newline(output: str) -> tuple[list[int], str]:
    """warcio's output split into the offsets of its missing-newline warnings and the rest
    (zlib's message for corrupt gzip data, after which warcio gives no more of the record)."""
    offsets = [int(m.group(1)) for m in _NO_NEWLINE.finditer(output)]
    return offsets, _NO_NEWLINE.sub("", output).strip()


def _payload_opener(name: str, opener: Opener, offset: int, record_id: str | None) -> Any:
    def open_payload() -> IO[bytes]:
        from warcio.archiveiterator import ArchiveIterator

        with opener() as stream, _warcio_output() as output:
            stream.seek(offset)
            try:
                record = next(iter(ArchiveIterator(stream)))
                payload = record.content_stream().read()
                found = record.rec_headers.get_header("WARC-Record-ID")
            except Exception as err:  # warcio fails in many ways on damage
                raise damaged(name, f"WARC record at byte {offset} (read again)", err) from None
        if found != record_id:  # another record, or an ARC line warcio took for one
            raise damaged(name, f"WARC record at byte {offset} (read again)", ValueError(
                f"the record there is not the one listed ({found or 'no WARC-Record-ID'} for "
                f"{record_id or 'none'}): has the file changed?"))
        _, rest = _no_newline(output.getvalue())
        if rest:  # the payload stops where the corrupt data starts: not given as whole
            raise damaged(name, f"WARC record at byte {offset} (read again)", ValueError(rest))
        return io.BytesIO(payload)

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
    unended: list[tuple[int, int]] = []  # (record, where its blank line was expected)
    one_stream = False  # the whole WARC gzipped as one stream, not record by record
    with opener() as stream, _warcio_output() as output:
        size = stream.seek(0, io.SEEK_END)
        stream.seek(0)
        records = ArchiveIterator(stream)
        heard = 0  # warcio output already looked at
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
                read = records.get_record_length()
                if read < 0:
                    # warcio's sign that the gzip member goes on past the record: the file is
                    # one gzip stream, in which no later record has a byte offset to read at.
                    one_stream = True
                start, at = at, offset + max(read, 0)
                said = output.getvalue()[heard:]
                heard += len(said)
                ends, corrupt = _no_newline(said)
                unended.extend((offset, end) for end in ends)
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
                if corrupt:  # warcio gave the record up to the corrupt data, silently cut
                    inputs.append(refused(f"{name}!{uri or record_id}", damaged(
                        name, f"WARC: the record at byte {offset} has corrupt compressed data, "
                        "not read", ValueError(corrupt))))
                    continue
                inputs.append(Input(
                    f"{name}!{uri or record_id}",
                    _payload_opener(name, opener, offset,
                                    headers.get_header("WARC-Record-ID")),
                    raw=(raw,),
                    capture={"warc_record": headers.get_header("WARC-Record-ID"),
                             "captured": _when(headers.get_header("WARC-Date")),
                             "target_url": uri or None},
                ))
        except _Damage as err:
            damage = ParseError(name, f"damaged WARC: the record at byte {at}: {err}")
        except Exception as err:  # warcio fails in many ways on damage
            if one_stream:
                damage = ParseError(
                    name, "damaged WARC: the file is compressed as one gzip stream, not one gzip "
                    "member per record, so only its first record can be read in place "
                    "('warcio recompress' rewrites it record by record)")
            else:
                why = _WHY.get(type(err), f"{type(err).__name__}: {one_line(str(err))}")
                damage = ParseError(name, f"damaged WARC: the record at byte {at} cannot be "
                                          f"parsed ({why})")
        ends, corrupt = _no_newline(output.getvalue()[heard:])  # said after the last record
        unended.extend((at, end) for end in ends)
        if corrupt and damage is None:
            damage = damaged(name, f"WARC: the record at byte {at}", ValueError(corrupt))
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
        rest = (f"nothing after it ({size} bytes in all)" if one_stream
                else f"nothing from byte {at} to the end ({size} bytes)")
        lost = ParseError(name, f"{damage.problem}; the {counted(len(inputs), 'capture')} before "
                                f"it {'is' if len(inputs) == 1 else 'are'} read, {rest}")
        inputs.append(refused(f"{name}@{at}", lost))
    notes = [f"{name}: the WARC record at byte {offset} is not followed by the blank line that "
             f"ends a record (at byte {end}): its Content-Length may be wrong"
             for offset, end in unended[:_LISTED]]
    if len(unended) > _LISTED:  # one note each would cost as much as the records
        notes.append(f"{name}: {len(unended):,} WARC records are not followed by the blank line "
                     f"that ends a record; the first {_LISTED} are noted, the other "
                     f"{len(unended) - _LISTED:,} only counted")
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
