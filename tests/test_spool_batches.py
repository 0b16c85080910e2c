"""Records spooled a batch at a time (``Spool.add_all``, ``gather._batches``) leave the
spool exactly as one ``add`` per record leaves it, and a batch stays small whatever the
records (issue 12, branch plain12c; the speed is in docs/performance.md, never timed here).
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import attrs
import pytest

import blogarchive
from blogarchive.model import Comment, Post, Skipped
from blogarchive.spool import Spool
from conftest import FIXTURES
from test_determinism import _generator

gather = sys.modules["blogarchive.spool.gather"]  # the package exports the function


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> list[Post | Comment]:
    """A generated export's posts and comments, and the legacy fixtures' (odd values)."""
    path = tmp_path_factory.mktemp("batches") / "blog.xml"
    _generator().generate(0.3, path)
    found: list[Post | Comment] = []
    for source in (path, *sorted((FIXTURES / "legacy").glob("*.xml"))):
        found += [r for r in blogarchive.iter_records(source) if isinstance(r, (Post, Comment))]
    return found


def _spooled(folder: Path) -> tuple[bytes, list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The spool's lines and its index rows, once the spool is closed."""
    with sqlite3.connect(folder / "index.sqlite") as db:
        rows = db.execute("SELECT * FROM rec ORDER BY seq").fetchall()
        labels = db.execute("SELECT * FROM lab ORDER BY seq, name").fetchall()
    return (folder / "records.jsonl").read_bytes(), rows, labels


@pytest.mark.parametrize("size", [1, 7, 32, 1000])
def test_add_all_spools_as_add_does(records: list[Post | Comment], tmp_path: Path,
                                    size: int) -> None:
    one, batched = tmp_path / "one", tmp_path / "batched"
    one.mkdir()
    batched.mkdir()
    spool = Spool(one)
    numbers = [spool.add(record, input=1) for record in records]
    spool.raw(0, 1)  # a read between the writes, as resolving does: nothing may be lost
    spool.flush()
    spool.db.commit()
    spool.close()
    spool = Spool(batched)
    given: list[int] = []
    for start in range(0, len(records), size):
        given += spool.add_all(records[start:start + size], input=1)
    spool.raw(0, 1)
    spool.flush()
    spool.db.commit()
    spool.close()
    assert given == numbers
    assert _spooled(batched) == _spooled(one)


def test_batches_keep_the_order_and_their_bounds(records: list[Post | Comment]) -> None:
    big = attrs.evolve(next(r for r in records if isinstance(r, Post)),
                       content="x" * (3 * gather._BATCH_CHARS))
    extras = attrs.evolve(next(r for r in records if isinstance(r, Comment)),
                          extras=("<x/>" * gather._BATCH_CHARS,))
    given = [*records[:5], big, *records[5:80], extras, *records[80:]]
    batches = list(gather._batches(iter(given)))
    assert [r for batch in batches for r in batch] == given
    for batch in batches:
        assert 0 < len(batch) <= gather._BATCH
        # Only the record that fills a batch may take it past its characters.
        held = sum(len(r.content) + sum(map(len, r.extras)) for r in batch[:-1])
        assert held < gather._BATCH_CHARS
    assert [big] in batches[1:] or batches[0][-1] is big  # a large record ends its batch
    assert any(batch[-1] is extras for batch in batches)
    assert len(batches) > len(given) // gather._BATCH  # bounded by the count too


def test_an_input_s_skipped_entries_set_apart_from_its_batches(
        records: list[Post | Comment], tmp_path: Path) -> None:
    skips = [Skipped(source="blog.xml", entry=n, line=None, reason=f"bad {n}")
             for n in range(3)]
    mixed = [skips[0], *records[:50], skips[1], *records[50:], skips[2]]
    spool = Spool(tmp_path)
    taken = gather._Taken(spool, iter(mixed), None)
    spool.flush()
    ids = [row[0] for row in spool.db.execute("SELECT id FROM rec ORDER BY seq")]
    spool.close()
    assert taken.skipped == skips
    assert ids == [r.id for r in records]
