"""The media ``capture`` stored, out of the archive's WARC files and into OUT/media/.

A URL as a post wrote it maps to its media.jsonl line; a captured line names the WARC record
holding the payload (a revisit names the response record holding the same bytes). The payload
is copied out once per distinct content, named by its SHA-256 (``media/ab/abcdef....jpg``), so
two URLs of one image share a file and no URL can make a path outside OUT. Nothing is
extracted until a format asks for a URL, so an export uses only what its pages show.
"""

from __future__ import annotations

import hashlib
import mimetypes
import posixpath
import zlib
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from ..capture.index import read_index
from ..folder import MEDIA_INDEX, data_dir

__all__ = ["MEDIA_FOLDER", "MediaFiles"]

MEDIA_FOLDER: Final = "media"
_BLOCK = 1 << 20


class MediaFiles:
    """``local(url)``: the path under OUT of a captured URL's payload, or None."""

    def __init__(self, dest: Path, out: Path) -> None:
        self._data = data_dir(dest)
        self._out = out
        self._lines: dict[str, dict[str, Any]] = read_index(self._data / MEDIA_INDEX)
        self._by_record = {line["warc"]["record_id"]: line for line in self._lines.values()
                           if line.get("warc") and not line["warc"].get("revisit_of")}
        self._written: dict[str, str | None] = {}  # sha256 -> path under OUT
        self.extracted = 0
        self.bytes = 0

    def any(self) -> bool:
        """Whether the archive holds any captured payload at all (no capture: no lookups)."""
        return bool(self._by_record)

    def captured(self, url: str) -> bool:
        """Whether ``url`` (as written, made absolute) has a payload in the archive."""
        return self._holder(url) is not None

    def local(self, url: str) -> str | None:
        """The POSIX path under OUT of ``url``'s payload, extracted on first use; None when
        it was not captured (or its record cannot be read: the caller leaves it remote)."""
        holder = self._holder(url)
        if holder is None:
            return None
        digest = str(holder["sha256"])
        if digest not in self._written:
            self._written[digest] = self._extract(holder, digest)
        return self._written[digest]

    def _holder(self, url: str) -> dict[str, Any] | None:
        line = self._lines.get(url)
        if not line or not line.get("warc") or not line.get("sha256"):
            return None
        # A capture keeps error replies too (a 410's body, a 404 page): evidence of what the
        # server said, not the image. Only a success is shown as the image.
        status = line.get("status")
        if line.get("error") or not isinstance(status, int) or not 200 <= status < 300:
            return None
        warc = line["warc"]
        if warc.get("revisit_of"):
            return self._by_record.get(warc["revisit_of"])
        return line

    def _extract(self, line: dict[str, Any], digest: str) -> str | None:
        from warcio.archiveiterator import ArchiveIterator
        from warcio.exceptions import ArchiveLoadFailed
        from warcio.statusandheaders import StatusAndHeadersParserException

        relative = f"{MEDIA_FOLDER}/{digest[:2]}/{digest}{_extension(line)}"
        target = self._out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        warc = line["warc"]
        hasher, size = hashlib.sha256(), 0
        try:
            with (self._data / warc["file"]).open("rb") as stream:
                stream.seek(int(warc["offset"]))
                record = next(iter(ArchiveIterator(stream)), None)
                if record is None or record.rec_type != "response":
                    return None
                payload = record.content_stream()
                with target.open("wb") as copy:
                    while block := payload.read(_BLOCK):
                        hasher.update(block)
                        size += len(block)
                        copy.write(block)
        except (ArchiveLoadFailed, StatusAndHeadersParserException, OSError, EOFError,
                ValueError, zlib.error):  # damaged: validate names it; the export links the URL
            target.unlink(missing_ok=True)
            return None
        if hasher.hexdigest() != digest:  # changed since capture: never show other bytes
            target.unlink(missing_ok=True)
            return None
        self.extracted += 1
        self.bytes += size
        return relative


def _extension(line: dict[str, Any]) -> str:
    """A file extension browsers and static hosts agree on: from the content type, else the
    URL's own, else none."""
    kind = str(line.get("content_type") or "").split(";")[0].strip().lower()
    guessed = mimetypes.guess_extension(kind) if kind else None
    if guessed:
        return ".jpg" if guessed in (".jpe", ".jpeg") else guessed
    suffix = posixpath.splitext(urlsplit(str(line.get("final") or line["url"])).path)[1]
    return suffix.lower() if suffix[1:].isalnum() and len(suffix) <= 6 else ""
