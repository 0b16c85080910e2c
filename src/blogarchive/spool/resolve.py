"""One blog's spooled records assembled by the assembler's rules, as queries on the index.

``assemble.Assembler`` applies its rules to dicts in memory; here the same rules give a
table ``win`` of the records the archive holds, one per (file, id):

- copies of one id, in the order the assembler would have been given them, folded with
  ``assemble.merged_copy`` (the copy updated last wins; pages' copies merge); only the
  copies of that one id are in memory, and a merged copy is spooled anew;
- an earlier archive's records the sources lack, marked retained (``keep_previous``);
- each record's place in its source (``_order``: for "comes before its post").

Then ``posts`` and ``comments`` give the rows in the archive's order (sort key, then first
arrival, as the assembler's stable sort of its insertion-ordered dicts), each comment with
the kind of the post it names (None: an orphan) and whether it came before that post.
"""

from __future__ import annotations

import marshal
from collections import Counter
from collections.abc import Iterator
from typing import Any, Final, NamedTuple

from ..annotate import url_pairs
from ..assemble import merged_copy
from ..model import Comment, Post
from .records import COMMENT, POST, Spool

__all__ = ["PostFacts", "Resolved", "Row", "resolve"]

_RETAINED_RANK: Final = 1 << 62  # after every record of the sources, as keep_previous adds

_WIN: Final = """
CREATE TEMP TABLE win(
    tbl TEXT, id TEXT, seq INTEGER, arank INTEGER, aseq INTEGER, osrc TEXT, oentry INTEGER,
    retained INTEGER, PRIMARY KEY (tbl, id)) WITHOUT ROWID;
"""


class PostFacts(NamedTuple):
    """What the counts, the label index and the summary take from a post, from its index
    row (``records``): its line need not be decoded for them."""

    id: str
    kind: str
    status: str
    author: str | None
    """The author's name; None without an author."""
    author_uri: str | None
    untitled: bool
    """Its title is empty or blank."""
    page: bool
    """Read from a saved page (``origin.format`` "html")."""
    analysed: bool
    """Its line holds a body analysis."""


class Row(NamedTuple):
    """A record the archive holds: where its line is, what the rules decided, and what the
    line says already (so an unchanged line is copied as it is)."""

    off: int
    length: int
    retained: bool
    """Marked retained in the archive (held so, or kept from the previous archive)."""
    post_kind: str | None
    """Comments: the kind of their post; None when it is absent (an orphan)."""
    early: bool
    """Comments: read before their post in the same source."""
    stamp: float | None
    """The publication instant (``assemble.sort_time``); None without one."""
    was: tuple[Any, ...]
    """What the line holds: (retained,) for a post; (retained, post_kind, orphan,
    parent_id, status) for a comment."""
    post: PostFacts | None = None
    """Posts: what the counts and the summary need of them."""
    seq: int = 0
    """Posts: the record's number in the spool (``ahead`` keeps its analysis by it)."""


class Resolved:
    """One blog's records, decided: what to write, in which order, and the counts the
    assembler's notes need."""

    def __init__(self, spool: Spool, group: str) -> None:
        self.spool = spool
        self.group = group
        self.duplicates = Counter[str]()
        self.kept = Counter[str]()

    def posts(self) -> Iterator[Row]:
        for off, length, retained, was, ident, kind, facts, seq in self._rows(
            "SELECT r.off, r.len, w.retained OR r.retained, r.retained, r.id, r.kind, r.facts, "
            "r.seq FROM win w JOIN rec r ON r.seq = w.seq "
            "WHERE w.tbl = 'post' ORDER BY r.key, w.arank, w.aseq"
        ):
            stamp, *rest = marshal.loads(facts)  # records.Spool.add
            yield Row(off, length, bool(retained), None, False, stamp, (bool(was),),
                      PostFacts(ident, kind, *rest), seq)

    def comments(self) -> Iterator[Row]:
        for off, length, retained, kind, early, was, parent_id, facts in self._rows(
            "SELECT c.off, c.len, w.retained OR c.retained, p.kind, "
            "p.kind IS NOT NULL AND w.osrc IS NOT NULL AND w.osrc = wp.osrc "
            "AND w.oentry < wp.oentry, c.retained, c.parent_id, c.facts "
            "FROM win w JOIN rec c ON c.seq = w.seq "
            "LEFT JOIN win wp ON wp.tbl = 'post' AND wp.id = c.post_id "
            "LEFT JOIN rec p ON p.seq = wp.seq "
            "WHERE w.tbl = 'comment' ORDER BY c.key, w.arank, w.aseq"
        ):
            stamp, status, post_kind, orphan = marshal.loads(facts)  # records.Spool.add
            yield Row(off, length, bool(retained), kind, bool(early), stamp,
                      (bool(was), post_kind, orphan, parent_id, status))

    def labels(self) -> Iterator[tuple[str, str]]:
        """(label, post id) pairs by label (code point order, as Python sorts strings and
        SQLite compares UTF-8), each label's posts in the archive's order: the label index
        (``assemble.label_index``) streamed."""
        yield from self._rows(
            "SELECT l.name, r.id FROM lab l JOIN rec r ON r.seq = l.seq "
            "JOIN win w ON w.tbl = 'post' AND w.id = r.id AND w.seq = l.seq "
            "ORDER BY l.name, r.key, w.arank, w.aseq")

    def label_counts(self) -> tuple[int, tuple[tuple[str, int], ...]]:
        """How many labels the index has, and the ten most used with their posts
        (``describe.top_labels``' order), counted in SQLite: no list of every label."""
        used = ("SELECT l.name AS name, count(*) AS n FROM lab l JOIN rec r ON r.seq = l.seq "
                "JOIN win w ON w.tbl = 'post' AND w.id = r.id AND w.seq = l.seq "
                "GROUP BY l.name")
        # One pass over the join: the number of labels is a window over every group,
        # computed before the LIMIT keeps the ten.
        top = self.spool.db.execute(
            f"SELECT name, n, count(*) OVER () FROM ({used}) ORDER BY n DESC, name LIMIT 10"
        ).fetchall()
        number = top[0][2] if top else 0
        return int(number), tuple((str(name), int(n)) for name, n, _ in top)

    def url_pairs(self, home: str | None) -> Iterator[tuple[str, str]]:
        """(URL, post id) pairs of the URL map, by ``annotate.url_pairs``'s rule, the posts
        in the archive's order; streamed from the index, never a list of every post."""
        return url_pairs(lambda: self._rows(
            "SELECT r.id, r.url, r.path FROM win w JOIN rec r ON r.seq = w.seq "
            "WHERE w.tbl = 'post' ORDER BY r.key, w.arank, w.aseq"), home)

    def count(self, table: str) -> int:
        """How many posts (or comments) the archive holds."""
        found: int = self.spool.db.execute("SELECT count(*) FROM win WHERE tbl = ?",
                                           (table,)).fetchone()[0]
        return found

    def missing_parents(self) -> int:
        """Replies whose parent comment the archive does not hold."""
        found: int = self.spool.db.execute(
            "SELECT count(*) FROM win w JOIN rec c ON c.seq = w.seq WHERE w.tbl = 'comment' "
            "AND c.parent_id IS NOT NULL AND c.parent_id != '' AND NOT EXISTS "
            "(SELECT 1 FROM win p WHERE p.tbl = 'comment' AND p.id = c.parent_id)"
        ).fetchone()[0]
        return found

    def has_post_url(self, url: str) -> bool:
        self.spool.db.execute("CREATE INDEX IF NOT EXISTS rec_url ON rec(url)")
        return self.spool.db.execute(
            "SELECT 1 FROM win w JOIN rec r ON r.seq = w.seq WHERE w.tbl = 'post' "
            "AND r.url = ? LIMIT 1", (url,)).fetchone() is not None

    def _rows(self, query: str) -> Iterator[Any]:
        # A cursor of its own: the caller may spool (and so write to the index) meanwhile.
        cursor = self.spool.db.cursor()
        yield from cursor.execute(query)


def resolve(spool: Spool, group: str, previous: int | None) -> Resolved:
    """Decide blog ``group``'s records; ``previous`` is the spool number of the archive at
    the destination whose records it keeps (``Earlier.number``), if any."""
    db = spool.db
    db.execute("DROP TABLE IF EXISTS temp.win")
    db.executescript(_WIN)
    found = Resolved(spool, group)
    spool.flush()
    # An id read once (nearly all): its record, decided in one statement.
    db.execute(
        "INSERT INTO win SELECT r.tbl, r.id, r.seq, i.rank, r.seq, r.src, r.entry, 0 "
        "FROM rec r JOIN inputs i ON i.input = r.input "
        "WHERE i.grp = ? AND i.rank IS NOT NULL GROUP BY r.tbl, r.id HAVING count(*) = 1",
        (group,))
    # Ids read more than once: their copies in the order the assembler gets them.
    copies = db.cursor().execute(
        "SELECT r.tbl, r.id, r.seq, i.rank, r.src, r.entry, r.off, r.len FROM rec r "
        "JOIN inputs i ON i.input = r.input WHERE i.grp = ? AND i.rank IS NOT NULL "
        "AND (r.tbl, r.id) IN (SELECT r2.tbl, r2.id FROM rec r2 JOIN inputs i2 "
        "ON i2.input = r2.input WHERE i2.grp = ? AND i2.rank IS NOT NULL "
        "GROUP BY r2.tbl, r2.id HAVING count(*) > 1) "
        "ORDER BY r.tbl, r.id, i.rank, r.seq", (group, group))
    run: list[tuple[Any, ...]] = []
    spool.hold = True  # merged copies are spooled anew: indexed once the query is done
    try:
        for row in copies:
            if run and (row[0], row[1]) != (run[0][0], run[0][1]):
                _decide(spool, found, run)
                run = []
            run.append(row)
        if run:
            _decide(spool, found, run)
    finally:
        spool.hold = False
    spool.flush()
    if previous is not None:
        for table in (POST, COMMENT):
            kept = db.execute(
                "INSERT INTO win SELECT r.tbl, r.id, min(r.seq), ?, min(r.seq), NULL, NULL, 1 "
                "FROM rec r WHERE r.prev = ? AND r.tbl = ? AND NOT EXISTS "
                "(SELECT 1 FROM win w WHERE w.tbl = r.tbl AND w.id = r.id) "
                "GROUP BY r.tbl, r.id", (_RETAINED_RANK, previous, table))
            found.kept[table] = kept.rowcount
    return found


def _decide(spool: Spool, found: Resolved, run: list[tuple[Any, ...]]) -> None:
    """The record one id's copies leave, as ``Assembler.add`` would leave it."""
    table, ident, seq, rank, src, entry = run[0][:6]
    if len(run) > 1:
        found.duplicates[table] += len(run) - 1
        held: Post | Comment = spool.get(run[0][6], run[0][7], table)
        chosen = seq
        order = (src, entry)
        for _, _, other, _, _, _, off, length in run[1:]:
            copy = spool.get(off, length, table)
            merged = merged_copy(held, copy)
            if merged is None:
                continue
            held = merged
            chosen = other if merged is copy else None
            if merged.origin is not None:
                order = (merged.origin.source, merged.origin.entry)
        if chosen is None:  # pages' copies merged into a new record
            chosen = spool.add(held)
        src, entry = order
        seq_of = chosen
    else:  # pragma: no cover - ids read once are decided in SQL (resolve)
        seq_of = seq
    spool.db.execute("INSERT INTO win VALUES (?,?,?,?,?,?,?,0)",
                     (table, ident, seq_of, rank, seq, src, entry))
