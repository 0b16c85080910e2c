"""The body analysis run while the sources are read (``convert --jobs N``, N > 1).

The analysis is a pure function of (body, base URL, URL map). The map is known only once
every record is read and resolved, so ``output`` used to analyse only then, and the reading
and the analysis never overlapped. Here the map is guessed (``guess``: the posts'
permalinks from a scan of the sources' bytes, and those of the archive at the destination,
in a child process while this one starts reading), worker processes are started with it,
and each post is sent to them the moment it is spooled (those spooled before the guess was
made are read back from the spool: the backlog); each result comes back as its line's JSON
text (and the totals the counts need), written to a file of the spool with its offset in a
table. When the data files are written, the guessed map is compared with the resolved one
(``resolved_map``: the same pairs; else ``same_map``, the same keys naming the same posts,
the same hosts): equal, a post read ahead gets the analysis made for it (its base URL
checked too), and the others (copies folded into a new record, posts kept from the
earlier archive) go to the same workers; not equal, ``output`` analyses as it always did.
Either way the bytes are those of ``--jobs 1`` (tests/test_ahead.py).
"""

from __future__ import annotations

import marshal
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import Final

from .._inputs import Input
from ..analysis import UrlMap
from ..model import Post
from ..stats import AnalysisTotals
from ..workers import (
    CHUNK,
    Encoded,
    Numbered,
    Spooled,
    analyse_encoded,
    analyse_lines,
    context,
    numbered,
    start,
    worker_count,
)
from .guess import Guessing, keep_earlier, pairs_db
from .records import Spool
from .resolve import Resolved

__all__ = ["Ahead", "Analysed", "same_map"]

_TABLE: Final = """
CREATE TABLE ahead(seq INTEGER PRIMARY KEY, off INTEGER, len INTEGER, totals BLOB,
                   from_home INTEGER)
"""
_BATCH: Final = 512  # pairs per ``executemany`` as the resolved pairs are compared

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
        self._guessing: Guessing | None = None
        self._plain = False  # the guess's URLs and ids are one to one (see ``resolved_map``)
        self._pool: ProcessPoolExecutor | None = None
        self._chunk: list[Numbered] = []
        self._homed: set[int] = set()  # posts whose base URL was the guessed home
        self._pending: deque[Future[list[Encoded]]] = deque()
        # Posts spooled while the map was guessed: numbers ``_backlog[0]`` to
        # ``_backlog[1]``, read back from the spool to be analysed (memory stays flat).
        self._backlog: list[int] | None = None
        self._added = 0
        self._out = (spool.folder / "ahead.jsonl").open("w+b")  # read by ``os.pread``
        self._end = 0

    def begin(self, sources: list[list[Input]]) -> None:
        """Start guessing the map from ``sources`` (as ``expand_all`` gives them) and the
        archive at the destination (spooled already): in a child while the sources are
        read (``guess.Guessing``); the workers start when it is made. Nothing is analysed
        ahead when the sources cannot be scanned (see ``urlscan.scan``)."""
        if self.workers < 2:
            return
        self.spool.flush()
        keep_earlier(self.spool.folder, self.spool.db.execute(
            "SELECT id, url, path FROM rec WHERE prev IS NOT NULL AND tbl = 'post' "
            "ORDER BY seq"))
        self._guessing = Guessing([item for inputs in sources for item in inputs],
                                  self.spool.folder)
        self._started()

    def _started(self, wait: bool = False) -> None:
        """Start the workers if the guess is made (``wait``: once it is)."""
        guessing = self._guessing
        if guessing is None or not (wait or guessing.poll()):
            return
        self._guessing = None
        found = guessing.wait()
        if found is None:
            self._backlog = None
            return
        self.blog, self.home, self.urls, self._plain = (found.blog, found.home, found.urls,
                                                         found.plain)
        self.spool.flush()  # the backlog's rows, for ``_from_backlog``
        self._pool = ProcessPoolExecutor(self.workers, mp_context=context(),
                                         initializer=start, initargs=(self.urls,))
        # Not ``executescript``: it would commit the spool's open transaction, and every
        # batch of rows after it would be a transaction of its own (slower by a third).
        self.spool.db.execute(_TABLE)

    def add(self, number: int, post: Post) -> None:
        """Send post ``number`` of the spool to the workers (when the map was guessed; while
        it is guessed, the post waits in the spool)."""
        if self._guessing is not None:
            if not post.url:
                self._homed.add(number)
            if self._backlog is None:
                self._backlog = [number, number]
            self._backlog[1] = number
            self._added += 1
            if self._added % CHUNK == 0:
                self._started()
            return
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
        while self._backlog is not None and len(self._pending) < self.in_flight:
            self._pending.append(self._pool.submit(analyse_lines, self._from_backlog(),
                                                   self.home))
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

    def _from_backlog(self) -> list[Spooled]:
        """The next posts of the backlog (at most ``CHUNK``), as their spooled lines."""
        assert self._backlog is not None
        first, last = self._backlog
        rows = self.spool.db.execute(
            "SELECT seq, off, len FROM rec WHERE tbl = 'post' AND prev IS NULL "
            "AND seq BETWEEN ? AND ? ORDER BY seq LIMIT ?", (first, last, CHUNK)).fetchall()
        if not rows or rows[-1][0] >= last:
            self._backlog = None
        else:
            self._backlog[0] = rows[-1][0] + 1
        return [(seq, self.spool.raw(off, length)) for seq, off, length in rows]

    def _help(self, chunk: list[Numbered]) -> None:
        """Analyse ``chunk`` here (benchmarks/run.py times this: the analysis the main
        process took on)."""
        self._keep(analyse_encoded(chunk, self.urls))

    def _keep(self, results: list[Encoded]) -> None:
        rows = []
        for number, text, totals in results:
            blob = text.encode("utf-8")
            self._out.write(blob)  # appended: ``taken`` reads by offset (``os.pread``)
            rows.append((number, self._end, len(blob), marshal.dumps(tuple(totals)),
                         number in self._homed))
            self._end += len(blob)
        self.spool.db.executemany("INSERT INTO ahead VALUES (?,?,?,?,?)", rows)

    def finish(self) -> None:
        """Every post sent is analysed and kept (the sources are read)."""
        self._started(wait=True)
        if self._pool is None:
            return
        self._send()
        while self._backlog is not None:  # this process takes its share of the rest
            if len(self._pending) >= self.in_flight:
                self._help(numbered(self._from_backlog(), self.home))
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
        db = pairs_db(self.spool.folder)  # the guess's pairs are there (``guess``)
        try:
            db.execute("DROP TABLE IF EXISTS resolved_pairs")
            db.execute("CREATE TABLE resolved_pairs(url TEXT, id TEXT)")
            db.execute("BEGIN")
            pairs = resolved.url_pairs(home)
            while batch := list(islice(pairs, _BATCH)):
                db.executemany("INSERT INTO resolved_pairs VALUES (?, ?)", batch)
            db.execute("COMMIT")
            for one, other in (("resolved_pairs", "guessed"), ("guessed", "resolved_pairs")):
                if db.execute(f"SELECT 1 FROM (SELECT url, id FROM {one} EXCEPT "
                              f"SELECT url, id FROM {other}) LIMIT 1").fetchone() is not None:
                    return None
        finally:
            db.close()
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
        """Stop the workers (and a guess under way), close the guessed map; the files go
        with the spool."""
        if self._guessing is not None:
            self._guessing.close()
            self._guessing = None
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
