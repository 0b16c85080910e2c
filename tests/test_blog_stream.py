"""blog.json with its label index streamed (``store.write_blog(..., labels=STREAM)``, what
``convert`` writes from the spool): the same bytes as the whole document dumped at once."""

from __future__ import annotations

import tempfile
from pathlib import Path

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

import blogarchive
from blogarchive.model import Label
from blogarchive.store import blog_document, write_blog
from conftest import EXAMPLE

HEAD = attrs.evolve(blogarchive.read(EXAMPLE), posts=(), comments=())
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
INDEX = st.lists(st.tuples(TEXT, st.lists(TEXT, max_size=4)), max_size=5)


def _both(labels: list[tuple[str, list[str]]], title: str) -> tuple[bytes, bytes]:
    """blog.json written whole and streamed, for a head with this label index and title."""
    head = attrs.evolve(HEAD, blog=attrs.evolve(HEAD.blog, title=title), labels=tuple(
        Label(name=name, post_ids=tuple(ids)) for name, ids in labels))
    document = blog_document(head)
    with tempfile.TemporaryDirectory(prefix="blog-stream-") as scratch:
        whole, streamed = Path(scratch, "whole"), Path(scratch, "streamed")
        whole.mkdir()
        streamed.mkdir()
        write_blog(whole, document)
        write_blog(streamed, {**document, "labels": []},
                   ((name, iter(ids)) for name, ids in labels))
        return (whole / "blog.json").read_bytes(), (streamed / "blog.json").read_bytes()


@settings(max_examples=60, deadline=None)
@given(labels=INDEX, title=TEXT)
def test_a_streamed_label_index_is_the_same_bytes(labels: list[tuple[str, list[str]]],
                                                  title: str) -> None:
    whole, streamed = _both(labels, title)
    assert streamed == whole


def test_the_shapes_json_spells_apart() -> None:
    """No labels (``[]``), a label with no posts (``[]`` in the label), escapes and
    non-ASCII text, and the example's own label index."""
    cases: list[list[tuple[str, list[str]]]] = [
        [], [("empty", [])], [("a\"b\\c\n\u2028", ["1", "é\t"]), ("東京", ["2"])],
        [(label.name, list(label.post_ids)) for label in blogarchive.read(EXAMPLE).labels],
    ]
    assert cases[-1], "the example has labels"
    for labels in cases:
        whole, streamed = _both(labels, "A title")
        assert streamed == whole, labels
        assert b'"labels": [' in whole


def test_a_value_that_reads_as_the_mark_is_written_whole() -> None:
    """A blog whose title is the text that marks where the index goes: the document is
    then written whole (the mark is found twice), still the same bytes."""
    from blogarchive.store import _LABELS_HERE

    whole, streamed = _both([("rain", ["1", "2"])], _LABELS_HERE)
    assert streamed == whole
    assert _LABELS_HERE.encode() in whole
