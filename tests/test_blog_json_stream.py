"""blog.json decoded as a stream (``_blogjson.read_document``, what ``store.load_head``
reads it with): the value ``json.loads`` gives of the whole text, its errors when the file
is damaged, and a peak that does not grow with the label index (issue 11, branch exp11f)."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blogarchive import _blogjson
from blogarchive._blogjson import read_document
from blogarchive.errors import ArchiveError
from blogarchive.model import Archive, Blog, Label
from blogarchive.store import blog_document, load_head, write_blog

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=10)
SCALARS = st.none() | st.booleans() | st.integers() | TEXT
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(TEXT, inner, max_size=3), max_leaves=8)
# the label index as blogarchive writes it, and shapes it does not write
LABEL = st.fixed_dictionaries({"name": TEXT, "post_ids": st.lists(TEXT, max_size=6)})
ODD_LABEL = LABEL | st.dictionaries(st.sampled_from(["name", "post_ids", "other"]), VALUES,
                                    max_size=3) | VALUES


def _names_only(document: Any) -> Any:
    """What ``load_head(label_posts=False)`` is to read: each label of the usual shape
    with ``post_ids`` empty."""
    if isinstance(document, dict) and isinstance(document.get("labels"), list):
        for label in document["labels"]:
            if isinstance(label, dict) and len(label) == 2 and "name" in label \
                    and isinstance(label.get("post_ids"), list):
                label["post_ids"] = []
    return document


def _same_as_json(path: Path, *, streamed: bool = False) -> None:
    """``read_document`` gives ``json.loads``' value; ``streamed``: without falling back
    on reading the whole text (the shape blogarchive writes)."""
    for label_posts in (True, False):
        expected = json.loads(path.read_text(encoding="utf-8"))
        if not label_posts:
            expected = _names_only(expected)
        whole = json.loads
        if streamed:
            json.loads = _not_whole  # type: ignore[assignment]
        try:
            found = read_document(path, label_posts=label_posts)
        finally:
            json.loads = whole
        assert found == expected
        assert json.dumps(found) == json.dumps(expected)  # key order too


def _not_whole(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("read whole: the usual shape should have been streamed")


@pytest.fixture(params=[7, 64 * 1024], ids=["7-char-chunks", "usual-chunks"])
def chunk(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Chunks of 7 characters cut ids, escapes, numbers and names at every place."""
    monkeypatch.setattr(_blogjson, "_CHUNK", request.param)
    return int(request.param)


@settings(max_examples=80, deadline=None)
@given(labels=st.lists(LABEL, max_size=4), rest=st.dictionaries(TEXT, VALUES, max_size=3),
       indent=st.sampled_from([None, 0, 1, 3]))
def test_the_usual_shape_reads_as_json_loads(tmp_path_factory: pytest.TempPathFactory,
                                             labels: list[dict[str, Any]],
                                             rest: dict[str, Any], indent: int | None) -> None:
    path = tmp_path_factory.mktemp("usual") / "blog.json"
    for size in (5, 64 * 1024):
        _blogjson._CHUNK = size  # type: ignore[misc]
        try:
            path.write_text(json.dumps({**rest, "labels": labels}, indent=indent,
                                       ensure_ascii=False), encoding="utf-8")
            _same_as_json(path, streamed=True)
        finally:
            _blogjson._CHUNK = 64 * 1024  # type: ignore[misc]


@settings(max_examples=80, deadline=None)
@given(labels=VALUES | st.lists(ODD_LABEL, max_size=3), top=VALUES)
def test_other_shapes_read_as_json_loads(tmp_path_factory: pytest.TempPathFactory,
                                         labels: Any, top: Any) -> None:
    # what blogarchive does not write (labels with other keys, non-string ids, a
    # document that is not an object) is json.loads' value all the same
    path = tmp_path_factory.mktemp("odd") / "blog.json"
    for document in ({"labels": labels, "b": top}, top):
        path.write_text(json.dumps(document), encoding="utf-8")
        _same_as_json(path)


@pytest.mark.parametrize("text", [
    '{"labels": [{"name": "a", "post_ids": ["1", "2"', '{"labels": [}', '{"a": 1} x',
    '{"labels": [{"name": "a", "post_ids": ["1\x01"]}]}', '\ufeff{"a": 1}', "",
    '{"labels": [{"name": "a", "post_ids": ["\\q"]}]}', '{"a": 1,}', '{"a": 12', "[1, 2",
    '{"labels": [{"name": "a", "post_ids": ["1"] "x": 2}]}',
])
def test_a_damaged_file_gets_json_loads_own_error(tmp_path: Path, chunk: int,
                                                  text: str) -> None:
    path = tmp_path / "blog.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError) as expected:
        json.loads(text)
    for label_posts in (True, False):
        with pytest.raises(ValueError) as found:
            read_document(path, label_posts=label_posts)
        assert str(found.value) == str(expected.value)


def test_text_that_is_not_utf8_gets_the_same_error(tmp_path: Path, chunk: int) -> None:
    path = tmp_path / "blog.json"
    path.write_bytes(b'{"labels": [{"name": "a", "post_ids": ["1", "\xff"]}]}')
    with pytest.raises(UnicodeDecodeError) as expected:
        path.read_text(encoding="utf-8")
    with pytest.raises(UnicodeDecodeError) as found:
        read_document(path)
    assert str(found.value) == str(expected.value)


def test_edge_values_read_as_json_loads(tmp_path: Path, chunk: int) -> None:
    path = tmp_path / "blog.json"
    for text in ['{}', ' { "n" : 123456789 } ', '{"labels": []}', '{"labels": null}',
                 '{"labels": [{"post_ids": [], "name": "x"}]}',
                 '{"labels": [{"name": "a", "post_ids": ["\\u00e9\\"", "2"]}], "z": -1.5e3}',
                 '{"labels": [{"name": "a", "post_ids": ["1"]}], "labels": [{"name": "b",'
                 ' "post_ids": ["2"]}]}', '\r\n{"a":\r"b"}\r\n', '{"a": [1, {"b": [true]}]}']:
        path.write_text(text, encoding="utf-8", newline="")
        _same_as_json(path)


def _head_with(folder: Path, posts: int) -> Path:
    """An archive's blog.json alone, ten labels over ``posts`` post ids (each id under
    two labels, as a blog's label index grows)."""
    folder.mkdir()
    labels = tuple(Label(name=f"label {n}", post_ids=tuple(
        str(10**15 + i) for i in range(posts) if i % 10 in (n, (n + 1) % 10)))
        for n in range(10))
    write_blog(folder, blog_document(Archive(blog=Blog(id="9", title="Labels"),
                                             labels=labels)))
    return folder


def _peak(folder: Path) -> int:
    tracemalloc.start()
    try:
        head = load_head(folder, label_posts=False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [label.post_ids for label in head.labels] == [()] * 10
    return peak


def test_load_head_holds_the_same_whatever_the_label_index(tmp_path: Path) -> None:
    # blog.json read whole held its text (about 25 bytes an id here: 1.2 MB more for the
    # larger) and, briefly, every id: the streamed read holds a chunk and one label's name
    small = _head_with(tmp_path / "small", 10_000)
    large = _head_with(tmp_path / "large", 60_000)
    assert (large / "blog.json").stat().st_size > 5 * (small / "blog.json").stat().st_size
    _peak(small)  # warm: imports and the decoder's caches
    grown = _peak(large) - _peak(small)
    assert grown < 128 * 1024, grown


def test_load_head_reads_the_index_it_streams(tmp_path: Path) -> None:
    folder = _head_with(tmp_path / "head", 300)
    whole = json.loads((folder / "blog.json").read_text(encoding="utf-8"))
    head = load_head(folder)
    assert [[label.name, list(label.post_ids)] for label in head.labels] == [
        [label["name"], label["post_ids"]] for label in whole["labels"]]
    (folder / "blog.json").write_text('{"schema": "urn:blogarchive:schema:1:blog", "blog":',
                                      encoding="utf-8")
    with pytest.raises(ArchiveError, match="unreadable: Expecting value"):
        load_head(folder)
