"""The spool: every post and comment read, written to one file as its JSON line as the
readers yield it, with an SQLite index of where each lies and the few fields the
assembler's rules, the counts and the summary need (so that a line nothing changes is
copied to the archive without being decoded).

Memory holds one record at a time; the index (stdlib ``sqlite3``, a small page cache, its
sorts spilled to temporary files) holds the rest on disk. The line is the one the archive
will hold (``store.dumps_line``), so a record the rules leave as it is, most comments, is
copied to the archive as it stands, and one they change is changed as data (``json.loads``,
a value set, encoded again: ``store.encode_line``), never made again field by field; a
record is rebuilt from its line (``store.parse_line``) only for the rare rules that need
it whole (copies of one id to fold, redaction). Sort keys are byte strings that order as
the assembler's Python keys do (``assemble.sort_time``, ``assemble.id_key``), so
``ORDER BY`` gives the archive's order.
"""

from __future__ import annotations

import functools
import marshal
import os
import sqlite3
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from ..assemble import id_key, sort_time
from ..model import Comment, Post
from ..store import dumps_line, parse_line

__all__ = ["COMMENT", "POST", "Spool", "order_key"]

POST: Final = "post"
COMMENT: Final = "comment"

_SCHEMA: Final = """
CREATE TABLE inputs(input INTEGER PRIMARY KEY, grp TEXT, rank INTEGER);
CREATE TABLE rec(
    seq INTEGER PRIMARY KEY, input INTEGER, prev INTEGER, tbl TEXT, id TEXT,
    off INTEGER, len INTEGER, key BLOB, kind TEXT, url TEXT, path TEXT, post_id TEXT,
    parent_id TEXT, retained INTEGER, src TEXT, entry INTEGER, facts BLOB);
CREATE TABLE lab(seq INTEGER, name TEXT, PRIMARY KEY (seq, name)) WITHOUT ROWID;
"""
# The columns the rules' queries use, then ``facts``: what is only read back with the row
# (``marshal``, one value for SQLite to bind instead of nine, the larger part of the
# cost of a row): a post's publication instant, status, author's name and URI, untitled,
# read from a page, analysed (what blog.json's counts and authors and the summary take
# from it, so that its line is not decoded for them: ``spool.resolve.PostFacts``); a
# comment's instant, status, post kind and orphan mark as its line holds them. A post's
# labels go to ``lab``, each once (``Resolved.labels``).



_DOUBLE: Final = struct.Struct(">d")
_BITS: Final = struct.Struct(">Q")
_SIGN: Final = 1 << 63
_HEAD: Final = struct.Struct(">BQB")  # sort_time's flag, the instant, id_key's number
_LENGTH: Final = struct.Struct(">Q")


def _float_bits(value: float) -> int:
    """An int whose eight big-endian bytes compare as the floats do (IEEE 754, the sign
    folded in: negatives inverted, positives with the top bit set)."""
    bits: int = _BITS.unpack(_DOUBLE.pack(value + 0.0))[0]  # + 0.0: -0.0 is 0.0, as compared
    return bits ^ 0xFFFF_FFFF_FFFF_FFFF if bits & _SIGN else bits | _SIGN


def _text(value: str) -> bytes:
    """A string's code points in order, ended so that a prefix sorts first."""
    return value.encode("utf-8", "surrogatepass").replace(b"\x00", b"\x00\x01") + b"\x00\x00"


def order_key(record: Post | Comment, when: tuple[int, float] | None = None) -> bytes:
    """The record's place in its file as bytes: (published, id[, kind]) as the assembler
    sorts them (``Assembler.archive``). ``when``: ``sort_time(record.published)``, when
    the caller has it already."""
    flag, stamp = sort_time(record.published) if when is None else when
    number, length, text = id_key(record.id)
    key = _HEAD.pack(flag, _float_bits(stamp), number)  # one pack: a fifth of the time
    key += _LENGTH.pack(length) + text.encode("ascii") if number == 0 else _text(text)
    return key + _kind_text(record.kind) if isinstance(record, Post) else key


@functools.lru_cache(maxsize=64)
def _kind_text(kind: str) -> bytes:
    """``_text`` of a post's kind (``post``, ``page``): made once each."""
    return _text(kind)


def _post_facts(post: Post, instant: float | None) -> bytes:
    """The post's ``facts``: (instant, status, author, author URI, untitled, page,
    analysed)."""
    author = post.author
    origin = post.origin
    return marshal.dumps((instant, post.status, author.name if author is not None else None,
                          author.uri if author is not None else None, not post.title.strip(),
                          origin is not None and origin.format == "html",
                          post.analysis is not None))


class Spool:
    """Records on disk in ``folder`` (``records.jsonl``) and their index
    (``index.sqlite``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        # Lines are appended through a buffer and read back by offset (``os.pread``): one
        # handle for both would flush the buffer at each seek, a system call per record.
        self._data = (folder / "records.jsonl").open("wb", buffering=1 << 20)
        self._read = os.open(folder / "records.jsonl", os.O_RDONLY)
        self._unread = False  # lines still in the buffer
        self._end = 0
        self.db = sqlite3.connect(folder / "index.sqlite", isolation_level=None)
        # A scratch database: nothing to recover after a crash, so no journal or syncs;
        # a small cache (4 MiB, full at any size of blog), and sorts and temporary tables
        # on disk, keep memory flat.
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "temp_store=FILE",
                       "cache_size=-4096"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.executescript(_SCHEMA)
        self.db.execute("BEGIN")
        self._inputs = 0
        self._ranks = 0
        self._seq = 0
        self._pending: list[tuple[Any, ...]] = []
        self._labels: list[tuple[int, str]] = []
        self.hold = False
        """True while a query reads the index: rows wait (``flush``) until it is done."""

    def close(self) -> None:
        self.db.close()
        self._data.close()
        os.close(self._read)

    def put(self, record: Post | Comment) -> tuple[int, int]:
        """Write ``record``'s line; its offset and length in the spool file."""
        blob = dumps_line(record).encode("utf-8")
        return self._write([blob]), len(blob)

    def _write(self, blobs: list[bytes]) -> int:
        """Append the lines ``blobs`` to the spool file; the offset of the first."""
        self._data.writelines(blobs)
        self._unread = True
        start = self._end
        self._end += sum(map(len, blobs))
        return start

    def raw(self, offset: int, length: int) -> bytes:
        """The line written at ``offset``, as its UTF-8 bytes."""
        if self._unread:
            self._data.flush()
            self._unread = False
        found = os.pread(self._read, length, offset)
        if len(found) != length:  # pragma: no cover - the spool was changed under us
            raise OSError(f"{self.folder}: the spool ends before offset {offset + length}")
        return found

    def line(self, offset: int, length: int) -> str:
        """The line written at ``offset``."""
        return self.raw(offset, length).decode("utf-8")

    def get(self, offset: int, length: int, table: str) -> Any:
        """The record (of ``table``: POST or COMMENT) written at ``offset``."""
        return parse_line(self.line(offset, length), table)

    def add(self, record: Post | Comment, *, input: int | None = None,
            prev: int | None = None) -> int:
        """Spool ``record`` read from ``input`` (or held by previous archive ``prev``), with
        its index row; the row's number."""
        offset, length = self.put(record)
        return self._index(record, offset, length, input, prev)

    def add_all(self, records: Sequence[Post | Comment], *, input: int | None = None,
                prev: int | None = None) -> list[int]:
        """Spool ``records`` as ``add`` spools each, in order (the same lines, offsets and
        rows); their rows' numbers.

        One step at a time over the whole batch: every line, written, then every row. Run
        between two entries of the reader, each step evicted the other's code and data from
        the processor's caches (docs/performance.md, branch plain12c)."""
        blobs = [dumps_line(record).encode("utf-8") for record in records]
        offset = self._write(blobs)
        numbers = []
        for record, blob in zip(records, blobs, strict=True):
            numbers.append(self._index(record, offset, len(blob), input, prev))
            offset += len(blob)
        return numbers

    def _index(self, record: Post | Comment, offset: int, length: int, input: int | None,
               prev: int | None) -> int:
        """The index row of ``record``, whose line is at ``offset``; the row's number."""
        origin = record.origin
        when = flag, stamp = sort_time(record.published)
        instant = None if flag else stamp
        self._seq += 1
        if isinstance(record, Post):
            own: tuple[str | None, ...] = (record.kind, record.url, record.path, None, None)
            table = POST
            facts = _post_facts(record, instant)
            # Each label once, as assemble.label_index lists them.
            self._labels.extend((self._seq, name) for name in dict.fromkeys(record.labels))
        else:
            own = (None, None, None, record.post_id, record.parent_id)
            table = COMMENT
            facts = marshal.dumps((instant, record.status, record.post_kind, record.orphan))
        self._pending.append(
            (self._seq, input, prev, table, record.id, offset, length, order_key(record, when),
             *own, record.retained, origin.source if origin is not None else None,
             origin.entry if origin is not None else None, facts))
        if len(self._pending) >= 256 and not self.hold:
            self.flush()
        return self._seq

    def flush(self) -> None:
        """Index the rows not yet written (in batches: one statement per row costs more
        than the rest of spooling a record)."""
        self.db.executemany(
            "INSERT INTO rec(seq, input, prev, tbl, id, off, len, key, kind, url, path, "
            "post_id, parent_id, retained, src, entry, facts) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", self._pending)
        self._pending.clear()
        self.db.executemany("INSERT INTO lab(seq, name) VALUES (?,?)", self._labels)
        self._labels.clear()

    def new_input(self) -> int:
        """A number for the records of one input, not yet part of any blog."""
        self._inputs += 1
        self.db.execute("INSERT INTO inputs(input) VALUES (?)", (self._inputs,))
        return self._inputs

    def place(self, input: int, group: str) -> None:
        """The input's records belong to blog ``group``, after those placed before them
        (the order in which the assembler would have been given them)."""
        self._ranks += 1
        self.db.execute("UPDATE inputs SET grp = ?, rank = ? WHERE input = ?",
                        (group, self._ranks, input))
