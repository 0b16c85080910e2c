"""The generated line encoder (``_lines``) writes exactly what cattrs + sorted json.dumps
wrote: every record of every fixture and corpus file, and records built to be awkward."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import attrs
import pytest

import blogarchive
from blogarchive._lines import sorted_deep
from blogarchive.analysis import analyse
from blogarchive.model import Author, Comment, Location, Post, Thumbnail
from blogarchive.store import _reference_line, dumps_line
from conftest import CORPUS, EXAMPLE, FIXTURES

SOURCES = [EXAMPLE, FIXTURES / "legacy", FIXTURES / "takeout" / "Takeout", FIXTURES / "feeds",
           FIXTURES / "html"]
SOURCES += sorted(p for p in (CORPUS / "atom").glob("*") if p.suffix in (".xml", ".atom"))


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_every_record_is_written_as_the_reference_writes_it(source: Path) -> None:
    archives = blogarchive.read_all(source, report=blogarchive.ReadReport())
    records = [r for a in archives for r in (*a.posts, *a.comments)]
    assert records
    for record in records:
        assert dumps_line(record) == _reference_line(record), record.id


def test_awkward_values_are_written_as_the_reference_writes_them() -> None:
    odd = "\x00\x1f\"\\ \u2028 \ud800 \U0001f600 é </script>"
    when = datetime(2010, 3, 1, 12, 0, 0, 123000, tzinfo=timezone(timedelta(hours=-8)))
    post = Post(
        id="1", kind="post", status="live", title=odd, content=f"<p>{odd}</p>", url=None,
        path=odd, published=when, updated=datetime(2010, 3, 1, tzinfo=timezone.utc),
        created=None, author=Author(name=odd, uri=None, extras=(odd, "")),
        labels=(odd, "b", "a"), location=Location(name=odd, latitude="1.0"),
        thumbnail=Thumbnail(url=odd), comment_count=0, content_partial=True,
    )
    analysed = attrs.evolve(post, analysis=analyse(
        '<blockquote>"quoted"</blockquote><a href="/x">x</a><img src="y.jpg">',
        "https://b.blogspot.com/2010/03/p.html"))
    comment = Comment(id="2", post_id="1", parent_id=None, status="live", content=odd,
                      published=when)
    for record in (post, analysed, comment):
        assert dumps_line(record) == _reference_line(record)


def test_sorted_deep_sorts_every_object() -> None:
    assert list(sorted_deep({"b": [{"d": 1, "c": 2}], "a": ()})) == ["a", "b"]
    assert list(sorted_deep({"b": [{"d": 1, "c": 2}]})["b"][0]) == ["c", "d"]


def test_the_text_functions_write_every_example_record_without_the_dict_route() -> None:
    from blogarchive._lines import _TextBuilder
    from blogarchive.store import SCHEMA_IDS, SCHEMA_VERSION, converter

    archive = blogarchive.read(EXAMPLE)
    for cls, kind, records in ((Post, "post", archive.posts),
                               (Comment, "comment", archive.comments)):
        text = _TextBuilder(converter).function(
            cls, {"schema": SCHEMA_IDS[kind], "schema_version": SCHEMA_VERSION})
        assert records
        for record in records:
            assert text(record) == _reference_line(record), record.id


def test_values_not_of_their_declared_types_are_written_as_the_reference_writes_them() -> None:
    when = datetime(2010, 3, 1, tzinfo=timezone.utc)
    odd: list[Post | Comment] = [
        Post(id="1", kind="post", status="live", title=None,  # type: ignore[arg-type]
             content="c", url=None, path=None, published=when, updated=None),
        Post(id="1", kind="post", status="live", title="t", content="c", url=None,
             path=None, published=when, updated=None, comment_count=True,
             content_partial=1, labels=["a", "b"]),  # type: ignore[arg-type]
        Post(id="1", kind="post", status="live", title="t", content="c", url=None,
             path=None, published=when, updated=None, comment_count=2.5),  # type: ignore[arg-type]
        Comment(id=2, post_id="1", parent_id=None, status="live",  # type: ignore[arg-type]
                content="c", published=None),
    ]
    for record in odd:
        assert dumps_line(record) == _reference_line(record)


def test_a_shared_author_is_written_once_and_its_text_reused() -> None:
    from blogarchive._lines import _Remembered

    made: list[object] = []

    def text(record: object) -> str:
        made.append(record)
        return f"<{len(made)}>"

    remembered = _Remembered(text)
    ann, bob = Author(name="Ann"), Author(name="Bob")
    assert [remembered(a) for a in (ann, bob, ann, ann)] == ["<1>", "<2>", "<1>", "<1>"]
    assert made == [ann, bob]
    equal = Author(name="Ann")  # an equal value, another object: made again
    assert remembered(equal) == "<3>"
    for n in range(_Remembered.MOST + 10):
        remembered(Author(name=f"a{n}"))
    assert len(remembered._memo) <= _Remembered.MOST


def test_records_sharing_an_author_are_written_as_the_reference_writes_them() -> None:
    ann = Author(name="Ann", uri="https://x/p", extras=("<x/>",))
    when = datetime(2010, 3, 1, tzinfo=timezone.utc)
    records: list[Post | Comment] = [
        *(Post(id=str(n), kind="post", status="live", title="t", content="c", url=None,
               path=None, published=when, updated=None, author=ann) for n in range(3)),
        Comment(id="9", post_id="1", parent_id=None, status="live", content="c",
                published=when, author=ann),
        Post(id="8", kind="post", status="live", title="t", content="c", url=None, path=None,
             published=when, updated=None, author=Author(name=3)),  # type: ignore[arg-type]
    ]
    for record in records:
        assert dumps_line(record) == _reference_line(record)
