"""The archive an export reads, one record at a time, with what it needs across records kept
on disk: memory stays the same whatever the archive's size (issue 11).

``Spool(dest)`` reads blog.json (``store.load_head``), then streams posts.jsonl and
comments.jsonl once each (``store.iter_posts`` / ``iter_comments``: every line checked and
structured, with ``load``'s errors, before the export writes anything) into an SQLite
database in a temporary folder: each record pickled, by its place in the archive, with the
columns the formats look records up by. A format then walks the posts in the archive's order
(or any other), fetches one post's comments, and keeps its own cross-post tables (paths,
backlinks, list pages) in the same database through ``SqlMap`` and ``execute``.

Text keys are stored as UTF-8 BLOBs (``surrogatepass``): an id or label may hold a lone
surrogate that SQLite's text type refuses, and byte order is code-point order.
"""

from __future__ import annotations

import copyreg
import io
import pickle
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar

import attrs

from .. import model
from ..analysis import records
from ..analysis.urls import UrlMap, url_key
from ..annotate import url_pairs
from ..model import Archive, Comment, Post
from ..store import iter_comments, iter_posts, load_head

if TYPE_CHECKING:  # annotations only: the site's narrow records
    from ..narrow import SitePost

__all__ = ["Spool", "SqlMap", "SqlSet", "UrlIndex", "dumps", "key", "text"]

_BATCH: Final = 500  # rows per executemany: few round trips, little held at once
_CACHE_KIB: Final = 16 * 1024  # SQLite's page cache: bounded, whatever the archive's size
# the page cache while an index is built: SQLite's sorter keeps up to the cache's size in
# memory besides the cache (16 + 16 MiB at 1 GB), at least 250 pages (4 MiB) of it
_SORTING_KIB: Final = 4 * 1024
_PICKLE: Final = pickle.HIGHEST_PROTOCOL
T = TypeVar("T")


class _Filed(Protocol):
    """What the spool files a post or comment by (``Post``, ``Comment``, or a format's
    narrower record of one)."""

    @property
    def id(self) -> str: ...

    @property
    def status(self) -> str: ...


class _FiledPost(_Filed, Protocol):
    @property
    def kind(self) -> str: ...


class _FiledComment(_Filed, Protocol):
    @property
    def post_id(self) -> str | None: ...


P = TypeVar("P", bound=_FiledPost)
C = TypeVar("C", bound=_FiledComment)


def _reducer(cls: type) -> Callable[[Any], tuple[Any, ...]] | None:
    """``cls``'s records pickled as the class and its values in field order, rebuilt by
    calling the class: attrs' own ``__setstate__`` sets each field through Python, a third
    of an export's unpickling. Only for a class whose ``__init__`` takes every field as it
    is stored (no converter, no private name)."""
    fields = attrs.fields(cls)
    if not fields or any(not f.init or f.converter is not None or f.alias != f.name
                         for f in fields):
        return None
    values = attrgetter(*(f.name for f in fields))
    if len(fields) == 1:
        return lambda record: (cls, (values(record),))
    return lambda record: (cls, values(record))


def _table() -> dict[type, Any]:
    table: dict[type, Any] = dict(copyreg.dispatch_table)
    for module in (model, records):
        for cls in vars(module).values():
            if isinstance(cls, type) and attrs.has(cls) and cls.__module__ == module.__name__ \
                    and (reduce := _reducer(cls)) is not None:
                table[cls] = reduce
    return table


_TABLE: Final = _table()


def dumps(value: Any) -> bytes:
    """``value`` pickled, the model's records as their class and values (``_reducer``);
    ``pickle.loads`` reads it back."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, _PICKLE)
    pickler.dispatch_table = _TABLE
    pickler.dump(value)
    return buffer.getvalue()


def key(text: str) -> bytes:
    """``text`` as a key column's value (see the module's note on surrogates)."""
    return text.encode("utf-8", "surrogatepass")


def text(value: bytes) -> str:
    return value.decode("utf-8", "surrogatepass")


def _batched(rows: Iterable[T]) -> Iterator[list[T]]:
    batch: list[T] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


class Spool:
    """An archive's records on disk; ``head``: blog.json as an Archive with no records."""

    def __init__(self, dest: Path) -> None:
        # the labels' names alone: their post ids (the whole blog again) are not needed
        self.head: Archive = load_head(dest, label_posts=False)
        self.dest = dest
        self._folder = tempfile.TemporaryDirectory(prefix="blogarchive-export-")
        self.db = sqlite3.connect(Path(self._folder.name) / "spool.sqlite",
                                  isolation_level=None)  # autocommit; BEGIN around loads
        self.posts = self.comments = 0
        self._statuses: Counter[str] = Counter()  # the comments', counted as they are read
        self._whole = True  # the comments stored whole (``read``'s comment_record)
        self._later: dict[str, list[tuple[Any, ...]]] = {}
        self._pending = 0
        try:
            for pragma in ("page_size = 16384", "journal_mode = OFF", "synchronous = OFF",
                           "temp_store = FILE",
                           f"cache_size = -{_CACHE_KIB}"):
                self.db.execute(f"PRAGMA {pragma}")
            self.db.execute("CREATE TABLE posts (seq INTEGER PRIMARY KEY, id BLOB, kind BLOB,"
                            " status BLOB, record BLOB)")
            self.db.execute("CREATE TABLE comments (seq INTEGER PRIMARY KEY, post_id BLOB,"
                            " status BLOB, id BLOB, record BLOB)")
        except BaseException:
            self.close()
            raise

    def read(self, visit: Callable[[int, Post], None] | None = None, *,
             keep_posts: bool = True, comment_record: Callable[[Comment], bytes] = dumps,
             ) -> None:
        """Stream posts.jsonl and comments.jsonl in (ArchiveError at the first bad line, as
        ``load``); ``visit(seq, post)`` sees each post as it goes by, so a format gathers
        what it needs across posts without a second walk. ``keep_posts=False``: the posts
        are not stored (the format's ``visit`` keeps what it needs of them).
        ``comment_record``: what is stored of each comment (``comment_records`` gives it
        back); the whole comment, pickled, unless the format needs less (the calls that
        give back Comment records then refuse: ``_whole_comments``)."""
        self.read_records(iter_posts(self.dest), visit, dumps if keep_posts else None,
                          iter_comments(self.dest), comment_record)
        self._whole = comment_record is dumps

    def read_records(self, posts: Iterable[P], visit: Callable[[int, P], None] | None,
                     post_record: Callable[[P], bytes] | None, comments: Iterable[C],
                     comment_record: Callable[[C], bytes]) -> None:
        """``read`` from records the format reads itself (the site: ``narrow``'s, a few
        fields each): ``post_record`` gives what is stored of a post (None: nothing, and
        ``iter_posts`` and ``post`` are not to be called); the comments' records are the
        format's own (``comment_records`` gives them back, the calls that give back
        Comment records refuse)."""
        self._whole = False
        self.db.execute("BEGIN")
        for batch in _batched(posts):
            rows = []
            for post in batch:
                self.posts += 1
                rows.append((self.posts, key(post.id), key(post.kind), key(post.status),
                             None if post_record is None else post_record(post)))
                if visit is not None:
                    visit(self.posts, post)
            self.db.executemany("INSERT INTO posts VALUES (?, ?, ?, ?, ?)", rows)
        self.flush()
        for some in _batched(comments):
            self.db.executemany("INSERT INTO comments VALUES (?, ?, ?, ?, ?)", [
                (self.comments + n, None if c.post_id is None else key(c.post_id),
                 key(c.status), key(c.id), comment_record(c))
                for n, c in enumerate(some, 1)])
            self.comments += len(some)
            self._statuses.update(c.status for c in some)
        self.sort("CREATE INDEX comments_by_post ON comments (post_id, seq)")
        self.db.execute("COMMIT")

    def sort(self, sql: str) -> None:
        """Runs ``sql``, a sort of a whole table (an index built), with the page cache cut
        to ``_SORTING_KIB`` meanwhile: the cache and the sort's memory together stay
        within the cache's usual bound, whatever the table's size."""
        self.db.execute(f"PRAGMA cache_size = -{_SORTING_KIB}")
        try:
            self.db.execute(sql)
        finally:
            self.db.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")

    def later(self, sql: str, row: tuple[Any, ...]) -> None:
        """``sql`` with ``row``, run with others in one ``executemany`` (at the latest when
        ``read`` ends): for rows nothing reads back while the posts go by."""
        self._later.setdefault(sql, []).append(row)
        self._pending += 1
        if self._pending >= _BATCH:
            self.flush()

    def flush(self) -> None:
        for sql, rows in self._later.items():
            self.db.executemany(sql, rows)
        self._later.clear()
        self._pending = 0

    def iter_posts(self) -> Iterator[Post]:
        """The posts and pages in the archive's order."""
        for (record,) in self.db.execute("SELECT record FROM posts ORDER BY seq"):
            yield pickle.loads(record)

    def post(self, seq: int) -> Post:
        (record,) = self.db.execute("SELECT record FROM posts WHERE seq = ?", (seq,)).fetchone()
        found: Post = pickle.loads(record)
        return found

    def iter_comments(self) -> Iterator[Comment]:
        self._whole_comments()
        for (record,) in self.db.execute("SELECT record FROM comments ORDER BY seq"):
            yield pickle.loads(record)

    def comments_on(self, post_id: str, statuses: tuple[str, ...]) -> list[Comment]:
        """The comments on one post with one of ``statuses``, in the archive's order."""
        self._whole_comments()
        return [pickle.loads(record) for record in self.comment_records(post_id, statuses)]

    def comment_records(self, post_id: str, statuses: tuple[str, ...]) -> list[bytes]:
        """What ``read`` stored of the comments on one post with one of ``statuses``
        (``comment_record``), in the archive's order."""
        marks = ", ".join("?" * len(statuses))
        return [record for (record,) in self.db.execute(
            f"SELECT record FROM comments WHERE post_id = ? AND status IN ({marks}) "
            "ORDER BY seq", (key(post_id), *map(key, statuses)))]

    def comments_of(self, post_id: str) -> Iterator[Comment]:
        """Every comment on one post, in the archive's order (those naming no post count as
        on a post whose id is empty, as ``post_id or ""`` files them)."""
        self._whole_comments()
        where = "post_id = ? OR post_id IS NULL" if post_id == "" else "post_id = ?"
        for (record,) in self.db.execute(
                f"SELECT record FROM comments WHERE {where} ORDER BY seq", (key(post_id),)):
            yield pickle.loads(record)

    def _whole_comments(self) -> None:
        if not self._whole:  # a format's own record is not a pickled Comment
            raise RuntimeError("this spool stored its own comment records (comment_record): "
                               "read them with comment_records")

    def comment_statuses(self) -> Counter[str]:
        """How many comments have each status (counted as they were read: SQLite's GROUP
        BY sorted every comment's status in memory)."""
        return Counter(self._statuses)

    def execute(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
        return self.db.execute(sql, tuple(params))

    def close(self) -> None:
        self.db.close()
        self._folder.cleanup()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SqlMap(MutableMapping[str, str]):
    """A str -> str mapping held in a table of the spool (a dict's semantics: a second
    ``set`` of a key replaces its value)."""

    def __init__(self, spool: Spool, name: str) -> None:
        self._db = spool.db
        self._name = name
        self._db.execute(f"CREATE TABLE {name} (k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID")

    def __getitem__(self, item: str) -> str:
        found: str | None = self.get(item)
        if found is None:
            raise KeyError(item)
        return found

    def get(self, item: str, default: Any = None) -> Any:  # one query, no KeyError raised
        row = self._db.execute(f"SELECT v FROM {self._name} WHERE k = ?", (key(item),)
                               ).fetchone()
        return default if row is None else text(row[0])

    def __contains__(self, item: object) -> bool:
        return isinstance(item, str) and self._db.execute(
            f"SELECT 1 FROM {self._name} WHERE k = ?", (key(item),)).fetchone() is not None

    def __setitem__(self, item: str, value: str) -> None:
        self._db.execute(f"INSERT OR REPLACE INTO {self._name} VALUES (?, ?)",
                         (key(item), key(value)))

    def setdefault(self, item: str, value: str = "") -> str:
        self.keep_first(item, value)
        return self[item]

    def keep_first(self, item: str, value: str) -> None:
        """``setdefault`` without reading the value back: one query."""
        self._db.execute(f"INSERT OR IGNORE INTO {self._name} VALUES (?, ?)",
                         (key(item), key(value)))

    def __delitem__(self, item: str) -> None:
        if item not in self:
            raise KeyError(item)
        self._db.execute(f"DELETE FROM {self._name} WHERE k = ?", (key(item),))

    def __iter__(self) -> Iterator[str]:
        for (k,) in self._db.execute(f"SELECT k FROM {self._name} ORDER BY k"):
            yield text(k)

    def __len__(self) -> int:
        (count,) = self._db.execute(f"SELECT COUNT(*) FROM {self._name}").fetchone()
        return int(count)


class SqlSet:
    """Distinct strings, counted: ``add`` and ``len`` of a set, held in the spool."""

    def __init__(self, spool: Spool, name: str) -> None:
        self._db = spool.db
        self._name = name
        self._db.execute(f"CREATE TABLE {name} (k BLOB PRIMARY KEY) WITHOUT ROWID")

    def add(self, item: str) -> None:
        self._db.execute(f"INSERT OR IGNORE INTO {self._name} VALUES (?)", (key(item),))

    def __len__(self) -> int:
        (count,) = self._db.execute(f"SELECT COUNT(*) FROM {self._name}").fetchone()
        return int(count)


class UrlIndex:
    """``annotate.url_map`` of the posts ``visit`` is given (in the archive's order), held in
    the spool: each post's permalink and path kept as it goes by, and the pairs taken from
    them by ``annotate.url_pairs``, the one statement of which URL names which post (the
    map ``convert`` builds follows it too). ``finish`` gives the map."""

    def __init__(self, spool: Spool) -> None:
        self._spool = spool
        self._home = spool.head.blog.url
        spool.execute("CREATE TABLE post_urls (seq INTEGER PRIMARY KEY, id BLOB, url BLOB,"
                      " path BLOB)")
        self._urls = SqlMap(spool, "urls")

    def visit(self, seq: int, post: Post | SitePost) -> None:
        if post.url or post.path:  # a post with neither gives no pair
            self._spool.later("INSERT INTO post_urls VALUES (?, ?, ?, ?)", (
                seq, key(post.id), key(post.url) if post.url else None,
                key(post.path) if post.path else None))

    def _posts(self) -> Iterator[tuple[str, str | None, str | None]]:
        for ident, url, path in self._spool.execute(
                "SELECT id, url, path FROM post_urls ORDER BY seq"):
            yield (text(ident), text(url) if url is not None else None,
                   text(path) if path is not None else None)

    def finish(self) -> UrlMap:
        self._spool.flush()
        hosts: set[str] = set()

        def keyed() -> Iterator[tuple[bytes, bytes]]:
            for url, ident in url_pairs(self._posts, self._home):
                found = url_key(url)
                if found is not None:
                    hosts.add(found.split("/", 1)[0])
                    yield key(found), key(ident)

        for rows in _batched(keyed()):  # the first id of a key wins, as UrlMap.build keeps
            self._spool.db.executemany("INSERT OR IGNORE INTO urls VALUES (?, ?)", rows)
        home_key = url_key(self._home) if self._home else None
        if home_key is not None:
            hosts.add(home_key.split("/", 1)[0])
        return UrlMap(posts=self._urls, hosts=frozenset(hosts))
