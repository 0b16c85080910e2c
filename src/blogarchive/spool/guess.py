"""The URL map ``ahead`` analyses against, guessed from the sources' bytes, in a process of
its own while this one starts reading them.

The scan (``urlscan``) and the map made from its pairs (``annotate.url_pairs``, the keys
into an SQLite file: ``urlstore``) took about 0.7 s at 100 MB, all before the first record
was read, with the workers idle. Now a forked child does both while this process reads and
spools; the posts spooled meanwhile are analysed once the map is there (``ahead``'s
backlog). The child's files, in the spool's folder: ``guess-pairs.sqlite`` (DEST's posts,
given by this process before the fork; the scan's pairs; the guess's pairs, which
``Ahead.resolved_map`` compares with the resolved ones) and ``guess.sqlite`` (the map).
Where workers cannot be forked (``workers.context``: another thread runs), or the inputs
cannot be had by a child, the same is done here, before reading, as before.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Final

import attrs

from .._inputs import Input
from ..analysis import UrlMap
from ..annotate import url_pairs
from ..workers import context
from .urlscan import scan

__all__ = ["PAIRS", "Guess", "Guessing", "guess", "keep_earlier", "pairs_db"]

PAIRS: Final = "guess-pairs.sqlite"
_BATCH: Final = 512  # pairs per ``executemany``


@attrs.frozen
class Guess:
    """The blog the sources hold, its home, the map guessed (its posts on disk), and
    whether its URLs and post ids are one to one (``Ahead.resolved_map``)."""

    blog: str
    home: str | None
    urls: UrlMap
    plain: bool


def pairs_db(folder: Path) -> sqlite3.Connection:
    """The guess's pairs file (a scratch file: no journal, no syncs)."""
    db = sqlite3.connect(folder / PAIRS, isolation_level=None)
    for pragma in ("journal_mode=OFF", "synchronous=OFF", "temp_store=FILE",
                   "cache_size=-2048"):
        db.execute(f"PRAGMA {pragma}")
    return db


def keep_earlier(folder: Path, posts: Iterable[tuple[str, str | None, str | None]]) -> None:
    """DEST's posts as (id, permalink, path), in the spool's order, for ``guess``."""
    db = pairs_db(folder)
    try:
        db.execute("CREATE TABLE earlier(id TEXT, url TEXT, path TEXT)")
        db.execute("BEGIN")
        db.executemany("INSERT INTO earlier VALUES (?, ?, ?)", posts)
        db.execute("COMMIT")
    finally:
        db.close()


def guess(inputs: list[Input], folder: Path) -> Guess | None:
    """The map of ``inputs``' posts (``urlscan.scan``) and DEST's posts they do not hold
    (``keep_earlier``), by ``annotate.url_pairs``; None when the inputs are not scanned or
    hold no permalink."""
    db = pairs_db(folder)
    try:
        db.execute("CREATE TABLE IF NOT EXISTS earlier(id TEXT, url TEXT, path TEXT)")
        db.execute("CREATE TABLE scanned(url TEXT, id TEXT)")
        db.execute("CREATE TABLE guessed(url TEXT, id TEXT)")
        db.execute("BEGIN")
        found = scan(inputs, lambda pairs: db.executemany(
            "INSERT INTO scanned VALUES (?, ?)", pairs))
        if found is None or not found.pairs:
            return None
        db.execute("CREATE INDEX scanned_id ON scanned(id)")

        def posts() -> Iterator[tuple[str, str | None, str | None]]:
            """The scan's posts in the order read, then DEST's the sources do not hold."""
            yield from db.cursor().execute("SELECT id, url, NULL FROM scanned ORDER BY rowid")
            yield from db.cursor().execute(
                "SELECT id, url, path FROM earlier WHERE id NOT IN (SELECT id FROM scanned) "
                "ORDER BY rowid")

        def kept() -> Iterator[tuple[str, str]]:
            """The guess's pairs, also kept in ``guessed``."""
            held: list[tuple[str, str]] = []
            for pair in url_pairs(posts, found.home):
                held.append(pair)
                if len(held) >= _BATCH:
                    db.executemany("INSERT INTO guessed VALUES (?, ?)", held)
                    held.clear()
                yield pair
            db.executemany("INSERT INTO guessed VALUES (?, ?)", held)

        urls = UrlMap.build(kept(), found.home, store=folder / "guess.sqlite")
        distinct_urls, ids, pairs = db.execute(
            "SELECT count(DISTINCT url), count(DISTINCT id), "
            "(SELECT count(*) FROM (SELECT DISTINCT url, id FROM guessed)) FROM guessed"
        ).fetchone()
        db.execute("COMMIT")
        return Guess(found.blog, found.home, urls,
                     distinct_urls == ids == pairs == len(urls.posts))
    finally:
        db.close()


def _child(inputs: list[Input], folder: Path, out: Connection) -> None:
    """The forked process: the guess (its map pickles as its file's path), or None."""
    found = None
    try:
        found = guess(inputs, folder)
    finally:
        out.send(found)  # None too when it failed: the readers will say what is wrong
        out.close()
        if found is not None:
            found.urls.close()


class Guessing:
    """``guess`` under way: in a forked child when workers are forked, else done here."""

    def __init__(self, inputs: list[Input], folder: Path) -> None:
        self._done: Guess | None = None
        self._child: BaseProcess | None = None
        self._from: Connection | None = None
        self.waiting = False
        """The guess is being made (``poll`` or ``wait`` for it)."""
        starting = context()
        if starting.get_start_method() != "fork":
            self._done = guess(inputs, folder)
            return
        self._from, out = starting.Pipe(duplex=False)
        self._child = starting.Process(  # type: ignore[attr-defined]
            target=_child, args=(inputs, folder, out), name="blogarchive-scan", daemon=True)
        self._child.start()
        out.close()
        self.waiting = True

    def poll(self) -> bool:
        """Is the guess made (``wait`` will not wait)?"""
        return not self.waiting or (self._from is not None and self._from.poll())

    def wait(self) -> Guess | None:
        """The guess (None: no guess), waited for."""
        if self.waiting:
            self.waiting = False
            assert self._from is not None and self._child is not None
            try:
                self._done = self._from.recv()
            except (EOFError, OSError):  # the child died: no guess, nothing lost
                self._done = None
            self._from.close()
            self._child.join()
        return self._done

    def close(self) -> None:
        """Stop the child if it still runs (the run ended first)."""
        if self._child is not None and self.waiting:
            with contextlib.suppress(OSError, ValueError):
                self._child.terminate()
                self._child.join()
        if self._from is not None:
            self._from.close()
        self.waiting = False
