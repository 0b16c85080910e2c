"""The body analysis run while the sources are read (``convert --jobs N``, N > 1).

The analysis is a pure function of (body, base URL, URL map). The map is known only once
every record is read and resolved, so ``output`` used to analyse only then, and the reading
and the analysis never overlapped. Here the map is guessed first (``urlscan``: the posts'
permalinks from a scan of the sources' bytes, and those of the archive at the destination),
worker processes are started with it, and each post is sent to them the moment it is
spooled; each result comes back as its line's JSON text (and the totals the counts need),
written to a file of the spool with its offset in a table. When the data files are
written, the guessed map is compared with the resolved one (``UrlMap`` equality: the same
keys naming the same posts, the same hosts): equal, a post read ahead gets the analysis made
for it (its base URL checked too), and the others (copies folded into a new record, posts
kept from the earlier archive) go to the same workers; not equal, ``output`` analyses as it
always did. Either way the bytes are those of ``--jobs 1`` (tests/test_ahead.py).
"""

from __future__ import annotations

import marshal
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import Final

from .._inputs import Input
from ..analysis import UrlMap
from ..annotate import url_pairs
from ..model import Post
from ..stats import AnalysisTotals
from ..workers import CHUNK, Encoded, Numbered, analyse_encoded, context, start, worker_count
from .records import Spool
from .resolve import Resolved
from .urlscan import scan

__all__ = ["Ahead", "Analysed", "same_map"]

_TABLE: Final = """
CREATE TABLE ahead(seq INTEGER PRIMARY KEY, off INTEGER, len INTEGER, totals BLOB,
                   from_home INTEGER)
"""
# The scan's (permalink, id) pairs as found, then the guessed map's pairs (``url_pairs``
# over the scan's and those of the archive at DEST): on disk, not in memory.
_SCANNED: Final = "CREATE TABLE scanned(url TEXT, id TEXT)"
_GUESSED: Final = "CREATE TABLE guessed(url TEXT, id TEXT)"
_BATCH: Final = 512  # pairs per ``executemany`` as the guessed map is written

Analysed = tuple[str, AnalysisTotals]
"""A post's analysis as its line holds it (JSON text) and its totals."""


class Ahead:
    """Posts analysed as they are spooled, in ``jobs`` worker processes; their results kept
    in the spool until the data files are written."""

    def __init__(self, spool: Spool, jobs: int) -> None:
        self.spool = spool
        self.workers = worker_count(jobs)
        self.urls: UrlMap | None = None
        """The guessed map (None: nothing is analysed ahead); its posts on disk."""
        self.blog: str | None = None
        self.home: str | None = None
        self._plain = False  # the guess's URLs and ids are one to one (see ``resolved_map``)
        self._pool: ProcessPoolExecutor | None = None
        self._chunk: list[Numbered] = []
        self._homed: set[int] = set()  # posts whose base URL was the guessed home
        self._pending: deque[Future[list[Encoded]]] = deque()
        self._out = (spool.folder / "ahead.jsonl").open("w+b")
        self._end = 0

    def begin(self, sources: list[list[Input]]) -> None:
        """Guess the map from ``sources`` (as ``expand_all`` gives them) and the archive at
        the destination (spooled already), and start the workers; nothing when the
        sources cannot be scanned (see ``urlscan.scan``)."""
        if self.workers < 2:
            return
        db = self.spool.db
        # Not ``executescript``: it would commit the spool's open transaction, and every
        # batch of rows after it would be a transaction of its own (slower by a third).
        db.execute(_SCANNED)
        found = scan((item for inputs in sources for item in inputs),
                     lambda pairs: db.executemany("INSERT INTO scanned VALUES (?, ?)", pairs))
        if found is None or not found.pairs:
            return
        self.blog, self.home = found.blog, found.home
        self.spool.flush()
        db.execute("CREATE INDEX scanned_id ON scanned(id)")
        db.execute(_GUESSED)

        def posts() -> Iterator[tuple[str, str | None, str | None]]:
            """The scan's posts in the order read, then DEST's the sources do not hold."""
            yield from db.cursor().execute("SELECT id, url, NULL FROM scanned ORDER BY rowid")
            yield from db.cursor().execute(
                "SELECT id, url, path FROM rec WHERE prev IS NOT NULL AND tbl = 'post' "
                "AND id NOT IN (SELECT id FROM scanned) ORDER BY seq")

        def kept() -> Iterator[tuple[str, str]]:
            """The guess's pairs, also kept in ``guessed`` (``resolved_map`` compares)."""
            held: list[tuple[str, str]] = []
            for pair in url_pairs(posts, self.home):
                held.append(pair)
                if len(held) >= _BATCH:
                    db.executemany("INSERT INTO guessed VALUES (?, ?)", held)
                    held.clear()
                yield pair
            db.executemany("INSERT INTO guessed VALUES (?, ?)", held)

        self.urls = UrlMap.build(kept(), self.home, store=self.spool.folder / "guess.sqlite")
        urls, ids, pairs = db.execute(
            "SELECT count(DISTINCT url), count(DISTINCT id), "
            "(SELECT count(*) FROM (SELECT DISTINCT url, id FROM guessed)) FROM guessed"
        ).fetchone()
        self._plain = urls == ids == pairs == len(self.urls.posts)
        self._pool = ProcessPoolExecutor(self.workers, mp_context=context(),
                                         initializer=start, initargs=(self.urls,))
        db.execute(_TABLE)

    def add(self, number: int, post: Post) -> None:
        """Send post ``number`` of the spool to the workers (when the map was guessed)."""
        if self._pool is None:
            return
        base = post.url or self.home
        if not post.url:
            self._homed.add(number)
        self._chunk.append((number, post.content, base, post.content_type))
        if len(self._chunk) >= CHUNK:
            self._send()

    def _send(self) -> None:
        assert self._pool is not None
        while self._pending and self._pending[0].done():
            self._keep(self._pending.popleft().result())
        if not self._chunk:
            return
        if len(self._pending) < self.in_flight:
            self._pending.append(self._pool.submit(analyse_encoded, self._chunk))
        else:
            # The workers are behind (slower than the reading, or given less of the
            # machine): rather than wait for them, this process analyses the chunk itself.
            # Which process analysed a post does not change a byte.
            self._help(self._chunk)
        self._chunk = []

    def _help(self, chunk: list[Numbered]) -> None:
        """Analyse ``chunk`` here (benchmarks/run.py times this: the analysis the main
        process took on)."""
        self._keep(analyse_encoded(chunk, self.urls))

    def _keep(self, results: list[Encoded]) -> None:
        rows = []
        for number, text, totals in results:
            blob = text.encode("utf-8")
            self._out.seek(self._end)
            self._out.write(blob)
            rows.append((number, self._end, len(blob), marshal.dumps(tuple(totals)),
                         number in self._homed))
            self._end += len(blob)
        self.spool.db.executemany("INSERT INTO ahead VALUES (?,?,?,?,?)", rows)

    def finish(self) -> None:
        """Every post sent is analysed and kept (the sources are read)."""
        if self._pool is None:
            return
        self._send()
        while self._pending:
            self._keep(self._pending.popleft().result())
        self._out.flush()  # ``taken`` reads the file by offset

    def resolved_map(self, resolved: Resolved, home: str | None) -> UrlMap | None:
        """The guessed map, if it is blog ``resolved``'s (``Resolved.url_pairs`` against
        ``home``), proved without building that map: the same (URL, id) pairs, as sets,
        and the guess's one to one (no URL named twice or folded into another's key, no
        post under two URLs), so that which pair comes first, the one thing the two orders
        could change, decides nothing. None when that does not show it (``fits`` then
        compares the maps themselves)."""
        if (self._pool is None or self.urls is None or not self._plain
                or resolved.group != self.blog or home != self.home):
            return None
        db = self.spool.db
        db.execute("DROP TABLE IF EXISTS temp.resolved_pairs")
        db.execute("CREATE TEMP TABLE resolved_pairs(url TEXT, id TEXT)")
        pairs = resolved.url_pairs(home)
        while batch := list(islice(pairs, _BATCH)):
            db.executemany("INSERT INTO resolved_pairs VALUES (?, ?)", batch)
        for one, other in (("resolved_pairs", "guessed"), ("guessed", "resolved_pairs")):
            if db.execute(f"SELECT 1 FROM (SELECT url, id FROM {one} EXCEPT "
                          f"SELECT url, id FROM {other}) LIMIT 1").fetchone() is not None:
                return None
        return self.urls

    def fits(self, group: str, urls: UrlMap, home: str | None) -> bool:
        """May blog ``group``'s posts, analysed against ``urls`` and ``home``, take what
        was analysed ahead? Only if the guess was this very map (``resolved_map`` gave
        it, or ``same_map`` finds it equal)."""
        return (self._pool is not None and group == self.blog and self.urls is not None
                and (urls is self.urls or same_map(self.urls, urls)))

    def taken(self, numbers: list[int], home: str | None) -> dict[int, Analysed]:
        """The analyses made ahead of posts ``numbers``, by number (one made against the
        guessed home for a post without a permalink only if ``home`` is that); call only
        once ``fits``. One query for them all: a query a post cost more than the rest."""
        marks = ",".join("?" * len(numbers))
        found = {}
        for number, off, length, totals, homed in self.spool.db.execute(
                f"SELECT seq, off, len, totals, from_home FROM ahead WHERE seq IN ({marks})",
                numbers):
            if homed and home != self.home:
                continue
            quotes, media, *counts = marshal.loads(totals)
            found[number] = (os.pread(self._out.fileno(), length, off).decode("utf-8"),
                             AnalysisTotals(quotes, media, *counts))
        return found

    def submit(self, bodies: list[Numbered]) -> Future[list[Encoded]]:
        """Analyse ``bodies`` in the workers (against the guessed map: only once
        ``fits``)."""
        assert self._pool is not None
        return self._pool.submit(analyse_encoded, bodies)

    def stop(self, group: str) -> None:
        """Stop the workers if blog ``group`` was the one guessed: nothing else would use
        them (called when the guess did not fit)."""
        if group == self.blog and self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def close(self) -> None:
        """Stop the workers, close the guessed map; the files go with the spool."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self.urls is not None:
            self.urls.close()
        self._out.close()

    @property
    def in_flight(self) -> int:
        return 2 * self.workers


def same_map(guess: UrlMap, final: UrlMap) -> bool:
    """``guess == final``, with ``final``'s posts looked up one URL at a time: they may be a
    file on disk (``urlstore``) that ``==`` (``Mapping.__eq__``) would copy whole into
    memory. Keys are unique on both sides, so as many posts and every guessed one found
    with the same id is equality."""
    if guess.hosts != final.hosts or len(guess.posts) != len(final.posts):
        return False
    found = final.posts.get
    return all(found(key) == ident for key, ident in guess.posts.items())
