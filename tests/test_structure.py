"""The records' generated structuring functions (``_structure.py``): the record cattrs makes
from every line, and where they are unsure, cattrs itself, with ``load``'s words."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import blogarchive
from blogarchive import store
from blogarchive._structure import Unsure, structurer
from blogarchive.errors import ArchiveError
from blogarchive.model import Comment, Post
from conftest import EXAMPLE, FIXTURES
from export_archive import archive as migration_archive

CLASSES = {"post": Post, "comment": Comment}


def _lines(archive: blogarchive.Archive) -> list[tuple[type, dict[str, Any]]]:
    found = []
    for record in (*archive.posts, *archive.comments):
        data = json.loads(store.dumps_line(record))
        data.pop("schema")
        data.pop("schema_version", None)
        found.append((type(record), data))
    return found


@pytest.mark.parametrize("source", ["example", "site-blog", "migration"])
def test_every_record_is_the_one_cattrs_makes(source: str) -> None:
    archive = (blogarchive.read(EXAMPLE) if source == "example"
               else blogarchive.read(FIXTURES / "export" / "site-blog.xml")
               if source == "site-blog" else blogarchive.analyse_archive(migration_archive()))
    lines = _lines(archive)
    assert len(lines) > 5 and any(cls is Comment for cls, _ in lines)
    for cls, data in lines:
        made = structurer(cls)(data)
        assert made == store.converter.structure(data, cls)
        assert type(made) is cls


def test_what_it_does_not_take_is_left_to_cattrs() -> None:
    (cls, data), *_ = _lines(blogarchive.read(EXAMPLE))
    fast = structurer(cls)
    for field, value in [("title", 5), ("labels", "ab"), ("retained", 1), ("published", 7),
                         ("author", ["x"])]:
        changed = dict(data, **{field: value})
        with pytest.raises(Unsure):
            fast(changed)
    with pytest.raises(KeyError):
        fast({k: v for k, v in data.items() if k != "content"})
    with pytest.raises(ValueError):
        fast(dict(data, published="yesterday"))


def _written(tmp_path: Path) -> Path:
    return blogarchive.write(blogarchive.read(EXAMPLE), tmp_path / "archive")


def _edit(path: Path, number: int, **changes: Any) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    data = json.loads(lines[number - 1])
    for field, value in changes.items():
        if value is KeyError:
            del data[field]
        else:
            data[field] = value
    lines[number - 1] = json.dumps(data) + "\n"
    path.write_text("".join(lines), encoding="utf-8")


def test_a_value_cattrs_accepts_is_structured_as_cattrs_does(tmp_path: Path) -> None:
    dest = _written(tmp_path)
    _edit(dest / "posts.jsonl", 1, title=1984, labels="ab")
    post = next(store.iter_posts(dest))
    assert (post.title, post.labels) == ("1984", ("a", "b"))  # cattrs' str() and tuple()


@pytest.mark.parametrize(("name", "changes", "words"), [
    ("posts.jsonl", {"content": KeyError}, "field content: required field missing"),
    ("posts.jsonl", {"published": "yesterday"}, "field published: invalid value"),
    ("comments.jsonl", {"author": {"name": "a", "extras": 5}}, "field author.extras"),
    ("posts.jsonl", {"links": [{"rel": None}]}, "field links[0].href: required field missing"),
])
def test_a_damaged_line_gets_loads_words(tmp_path: Path, name: str, changes: dict[str, Any],
                                         words: str) -> None:
    dest = _written(tmp_path)
    _edit(dest / name, 2, **changes)
    with pytest.raises(ArchiveError) as loading:
        store.load(dest)
    message = str(loading.value)
    assert f"{name}: line 2" in message and words in message
    reader = store.iter_posts if name == "posts.jsonl" else store.iter_comments
    with pytest.raises(ArchiveError) as streaming:
        list(reader(dest))
    assert str(streaming.value) == message
