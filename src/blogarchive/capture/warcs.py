"""WARC 1.1 files of a capture run: ``media/media-NNNNN.warc.gz``, written with warcio.

Each hop of a fetch is a ``request`` and a ``response`` record (a redirect is a response too,
so replay tools follow the same chain). A payload already stored under another URL (same
SHA-256) becomes a ``revisit`` record (identical-payload-digest profile) pointing at the first
record. Each record is its own gzip member, so the offset media.jsonl gives is where a reader
can start. A new file is begun once the current one passes the rotation size, and at each
checkpoint of the run (``finish``): a file, once committed to the archive, is never appended to
again, so the manifests that list it stay true. Every record is flushed to the file as it is
written, so a run killed at any moment leaves whole records up to the last one it wrote.
"""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Final

import attrs

from ..folder import MEDIA

if TYPE_CHECKING:
    from warcio.recordloader import ArcWarcRecord
    from warcio.warcwriter import WARCWriter

    from .fetch import Exchange

__all__ = ["MEDIA", "Stored", "WarcSink", "next_number", "warc_digest"]

_NAME: Final = re.compile(r"^media-(\d{5,})\.warc\.gz$")
# Hop-by-hop framing that no longer describes the stored body (httpx undid the chunking).
_FRAMING: Final = frozenset({"transfer-encoding"})


def warc_digest(sha256_hex: str) -> str:
    """A WARC digest label for a SHA-256 (``sha256:`` + base32, as warcio writes sha1)."""
    return "sha256:" + base64.b32encode(bytes.fromhex(sha256_hex)).decode("ascii")


def next_number(folder: Path) -> int:
    """One above the highest media-NNNNN.warc.gz in ``folder`` (1 when there is none)."""
    numbers = [int(m[1]) for p in folder.glob("media-*.warc.gz") if (m := _NAME.match(p.name))]
    return max(numbers, default=0) + 1


@attrs.frozen
class Stored:
    """Where a response (or revisit) record went."""

    file: str
    """Path relative to the archive: ``media/media-00001.warc.gz``."""
    record_id: str
    offset: int
    date: str
    """WARC-Date of the record."""
    revisit_of: str | None = None

    def ref(self) -> dict[str, Any]:
        """The ``warc`` value of a media.jsonl line."""
        return {"file": self.file, "record_id": self.record_id, "offset": self.offset,
                "revisit_of": self.revisit_of}


class WarcSink:
    """Appends records to the run's WARC files under ``folder``, rotating at ``rotate_at``."""

    def __init__(self, folder: Path, first_number: int, rotate_at: int, software: str) -> None:
        self.folder = folder
        self.number = first_number
        self.rotate_at = rotate_at
        self.software = software
        self.written: list[Path] = []
        self._finished = 0  # how many of ``written`` ``finish`` has handed out
        self._file: BinaryIO | None = None
        self._end = 0  # where the last whole record ends (asked of the file once a record)
        self._writer: WARCWriter | None = None

    def _open(self) -> WARCWriter:
        if self._writer is not None and self._tell() < self.rotate_at:
            return self._writer
        # warcio is imported by the first record written, not with the package: most runs
        # (every convert without --capture) write no WARC.
        from warcio.warcwriter import WARCWriter

        self.close()
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"media-{self.number:05d}.warc.gz"
        self.number += 1
        path = self.folder / name
        stream = path.open("xb")  # never overwrite: the numbers continue from earlier runs
        self._file = stream
        self.written.append(path)
        writer = WARCWriter(stream, gzip=True, warc_version="1.1")
        info = writer.create_warcinfo_record(name, {
            "software": self.software,
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/"
                          "warc-format/warc-1.1/",
            "description": "media of a blogarchive archive (see media.jsonl)",
        })
        writer.write_record(info)
        self._writer = writer
        self._flushed()
        return writer

    def _tell(self) -> int:
        return self._end if self._file is not None else 0

    def _flushed(self) -> None:
        """The record just written goes to the file; note where it ends."""
        assert self._file is not None
        self._file.flush()  # whole records in the file whenever the process dies
        self._end = self._file.tell()

    def close(self) -> None:
        """Flush and fsync the current file."""
        stream = self._file
        if stream is not None:
            stream.flush()
            os.fsync(stream.fileno())
            stream.close()
        self._file = self._writer = None

    def finish(self) -> list[Path]:
        """Close the current file (fsynced); the files written since the last call. The next
        record begins a new file."""
        self.close()
        done, self._finished = self.written[self._finished:], len(self.written)
        return done

    def position(self) -> tuple[Path, int]:
        """The current file and its size: where the last record written ends."""
        return self.written[-1], self._tell()

    def _relative(self) -> str:
        return f"{MEDIA}/{self.written[-1].name}"

    def write(self, hop: Exchange, revisit_of: Stored | None = None,
              revisit_uri: str | None = None) -> Stored:
        """The request and response (or revisit) records of one hop."""
        from warcio.statusandheaders import StatusAndHeaders

        writer = self._open()
        date = _warc_date(hop)
        http = StatusAndHeaders(
            f"{hop.status} {hop.reason}".strip(),
            [(k, v) for k, v in hop.response_headers if k.lower() not in _FRAMING],
            protocol=_protocol(hop.http_version),
        )
        digest = warc_digest(hop.sha256)
        offset = self._tell()
        if revisit_of is not None:
            record = writer.create_revisit_record(
                hop.url, digest, revisit_uri or hop.url, revisit_of.date, http_headers=http,
                warc_headers_dict={"WARC-Date": date,
                                   "WARC-Refers-To": revisit_of.record_id})
            writer.write_record(record)
        else:
            with hop.body.open("rb") as body:
                record = writer.create_warc_record(
                    hop.url, "response", payload=body, length=hop.length, http_headers=http,
                    warc_headers_dict={"WARC-Date": date, "WARC-Payload-Digest": digest})
                writer.write_record(record)
        record_id = record.rec_headers.get_header("WARC-Record-ID")
        request = writer.create_warc_record(
            hop.url, "request",
            http_headers=StatusAndHeaders(f"GET {_path(hop.url)} HTTP/1.1",
                                          hop.request_headers, is_http_request=True),
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": record_id})
        writer.write_record(request)
        self._flushed()
        return Stored(self._relative(), record_id, offset, date,
                      revisit_of.record_id if revisit_of else None)


    def copy(self, record: ArcWarcRecord) -> Stored:
        """``record`` (read from another WARC file, not yet consumed) as it is: the same
        headers, record id and date, the same block."""
        writer = self._open()
        offset = self._tell()
        writer.write_record(record)
        self._flushed()
        headers = record.rec_headers
        return Stored(self._relative(), headers.get_header("WARC-Record-ID"), offset,
                      headers.get_header("WARC-Date"))


def _warc_date(hop: Exchange) -> str:
    return hop.date.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _protocol(version: str) -> str:
    return version if version.startswith("HTTP/") else "HTTP/1.1"


def _path(url: str) -> str:
    """The request target as sent: path and query."""
    rest = url.split("://", 1)[-1]
    slash = rest.find("/")
    return rest[slash:] if slash >= 0 else "/"
