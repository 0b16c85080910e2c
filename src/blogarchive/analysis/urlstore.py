"""The URL map's posts in an SQLite file: ``convert``'s map in the same memory at any size.

``UrlMap.build`` keeps the post ids by URL key in a dict, about 200 bytes a post: fine for an
archive held in memory (``read``), not for ``convert`` of a blog of a million posts, where
each ``--jobs`` worker also held a copy. ``StoredPosts`` is the same mapping in a file of its
own (in the spool's folder), looked up through an LRU cache of the keys last asked for. It
pickles as its path: a worker opens the file read-only instead of receiving a copy.
"""

from __future__ import annotations

import functools
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Final

__all__ = ["CACHED", "StoredPosts"]

CACHED: Final = 4096
"""Keys whose answer (an id, or none) is kept in memory: about a megabyte at most."""

_PAGES: Final = "cache_size=-1024"  # SQLite's own page cache: 1 MiB a connection


class StoredPosts(Mapping[str, str]):
    """Post ids by URL key, in the SQLite file at ``path`` (made by ``build``).

    Iterates in key order (not the order the keys were added: nothing that reads a URL map
    iterates it). Lookups may come from several threads; ``close`` when done.
    """

    def __init__(self, path: Path, count: int, db: sqlite3.Connection | None = None) -> None:
        self.path = path
        self._count = count
        self._db = db if db is not None else _read_only(path)
        self._lock = threading.Lock()  # one statement at a time on the connection
        self._get = functools.lru_cache(maxsize=CACHED)(self._lookup)

    @classmethod
    def build(cls, items: Iterable[tuple[str, str]], path: Path) -> StoredPosts:
        """``(key, post id)`` pairs, streamed into a new file at ``path`` (replacing any file
        there); the first id given for a key is kept, as ``dict.setdefault`` keeps it."""
        path.unlink(missing_ok=True)
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        # A scratch file, rebuilt by any later run: no journal, no syncs.
        for pragma in ("journal_mode=OFF", "synchronous=OFF", _PAGES):
            db.execute(f"PRAGMA {pragma}")
        db.execute("CREATE TABLE posts(key TEXT PRIMARY KEY, id TEXT NOT NULL) WITHOUT ROWID")
        db.execute("BEGIN")
        db.executemany("INSERT OR IGNORE INTO posts VALUES (?, ?)", items)
        db.execute("COMMIT")  # committed before any worker opens the file
        count: int = db.execute("SELECT count(*) FROM posts").fetchone()[0]
        return cls(path, count, db)

    def _lookup(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT id FROM posts WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        found = self._get(key)
        return default if found is None else found

    def __getitem__(self, key: str) -> str:
        found = self._get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._get(key) is not None

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[str]:
        after = ""  # a page of keys at a time: never every key in memory
        while True:
            with self._lock:
                keys = self._db.execute("SELECT key FROM posts WHERE key > ? ORDER BY key "
                                        "LIMIT 512", (after,)).fetchall()
            if not keys:
                return
            yield from (str(key) for (key,) in keys)
            after = keys[-1][0]

    def close(self) -> None:
        """Close the file (its answers cached so far are forgotten too)."""
        self._get.cache_clear()
        self._db.close()

    def __reduce__(self) -> tuple[object, tuple[str, int]]:
        # Its path, not its contents: the receiving process opens the file read-only.
        return _reopened, (str(self.path), self._count)


def _read_only(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                         isolation_level=None, check_same_thread=False)
    db.execute(f"PRAGMA {_PAGES}")
    return db


def _reopened(path: str, count: int) -> StoredPosts:
    return StoredPosts(Path(path), count)
