"""The site export's narrow reader (``narrow.py``, issue 11): the fields it reads of each
line have the model's names, types and defaults, and the values of the whole records
``load`` makes, over the test archives, the corpus and a generated export; a value cattrs
coerces is coerced the same, a damaged field it reads stops it with ``load``'s words."""

from __future__ import annotations

import json
import sys
import typing
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import blogarchive
from blogarchive import narrow, store
from blogarchive.analysis.records import BodyAnalysis, BodyLink
from blogarchive.errors import ArchiveError
from blogarchive.model import Author, Comment, Post
from conftest import EXAMPLE, FIXTURES, ROOT, corpus_dir
from export_archive import written

# each narrow class, the model's class it reads, and the narrow stand-ins of nested records
PAIRS = [(narrow.Byline, Author), (narrow.Linked, BodyLink),
         (narrow.SiteAnalysis, BodyAnalysis), (narrow.SitePost, Post),
         (narrow.SiteComment, Comment)]
STANDS_FOR = {narrow.Byline: Author, narrow.Linked: BodyLink,
              narrow.SiteAnalysis: BodyAnalysis}


def _model_type(tp: Any) -> Any:
    """``tp`` with each narrow class replaced by the model's class it reads."""
    if tp in STANDS_FOR:
        return STANDS_FOR[tp]
    args = typing.get_args(tp)
    if not args:
        return tp
    mapped = tuple(_model_type(arg) for arg in args)
    if typing.get_origin(tp) is tuple:
        return tuple[mapped]  # type: ignore[valid-type]
    return typing.Union[mapped]  # noqa: UP007 (built from a tuple of types)


@pytest.mark.parametrize(("slim", "whole"), PAIRS, ids=lambda cls: cls.__name__)
def test_each_narrow_field_is_the_models(slim: type, whole: type) -> None:
    mine, theirs = typing.get_type_hints(slim), typing.get_type_hints(whole)
    wholes = {field.name: field for field in attrs.fields(whole)}
    for field in attrs.fields(slim):
        assert field.name in wholes, field.name
        assert _model_type(mine[field.name]) == theirs[field.name], field.name
        assert field.default == wholes[field.name].default, field.name  # required: NOTHING


def _archives(tmp_path: Path) -> list[Path]:
    found = [written(tmp_path / "migration"),
             blogarchive.write(blogarchive.read(EXAMPLE), tmp_path / "example"),
             blogarchive.write(blogarchive.read(FIXTURES / "export" / "site-blog.xml"),
                               tmp_path / "site-blog")]
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import generate  # the benchmark's export, small
    generate(0.3, tmp_path / "generated.xml")
    blogarchive.convert(tmp_path / "generated.xml", tmp_path / "generated")
    found.append(tmp_path / "generated")
    return found


def _same(dest: Path) -> int:
    posts = list(narrow.site_posts(dest))
    assert posts == [narrow.post_of(post) for post in store.iter_posts(dest)]
    comments = list(narrow.site_comments(dest))
    assert comments == [narrow.comment_of(comment) for comment in store.iter_comments(dest)]
    return len(posts) + len(comments)


def test_the_values_are_the_whole_records(tmp_path: Path) -> None:
    archives = _archives(tmp_path)
    counted = [_same(dest) for dest in archives]
    assert all(counted) and counted[-1] > 50
    # links pointing at archived posts, quotes and authors were read, not left empty
    posts = [post for dest in archives for post in narrow.site_posts(dest)]
    assert any(post.analysis and post.analysis.quotes for post in posts)
    assert any(post.analysis and any(link.post_id for link in post.analysis.links)
               for post in posts)
    assert any(post.author and post.author.uri for post in posts)


def test_the_values_are_the_whole_records_over_the_corpus(tmp_path: Path) -> None:
    folder = corpus_dir("atom")
    sources = sorted(p for p in folder.iterdir() if p.suffix in (".xml", ".atom"))
    for number, source in enumerate(sources):
        archive = blogarchive.read(source)
        if archive.posts or archive.comments:
            _same(blogarchive.write(archive, tmp_path / str(number)))


def _set(path: Path, field: str, value: Any) -> None:
    """The first line of ``path`` with ``field`` set to ``value`` (``KeyError``: taken
    out)."""
    first, rest = path.read_text(encoding="utf-8").split("\n", 1)
    data = json.loads(first)
    data.pop(field, None)
    if value is not KeyError:
        data[field] = value
    path.write_text(json.dumps(data) + "\n" + rest, encoding="utf-8")


# values for the fields the narrow reader reads: exact ones, ones cattrs coerces, damage
ODD = st.one_of(st.none(), st.integers(-3, 3), st.booleans(), st.text(max_size=4),
                st.lists(st.text(max_size=2), max_size=2),
                st.just("2011-03-05T10:00:00+01:00"), st.just("2011-03-05"),
                st.just({"name": "a"}), st.just({"name": 5, "uri": None}),
                st.just({"text": "t", "links": [{"post_id": 7}]}),
                st.just({"text": "t", "quotes": [{"kind": "k", "text": "t", "html": 1}]}),
                st.just(KeyError))
POST_FIELDS = [f.name for f in attrs.fields(narrow.SitePost)]
COMMENT_FIELDS = [f.name for f in attrs.fields(narrow.SiteComment)]


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return blogarchive.write(blogarchive.read(EXAMPLE), tmp_path_factory.mktemp("narrow"))


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_an_odd_value_gives_what_the_whole_record_gives(
        example: Path, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    dest = tmp_path_factory.mktemp("odd")
    for name in ("blog.json", "posts.jsonl", "comments.jsonl"):
        (dest / name).write_bytes((example / name).read_bytes())
    kind = data.draw(st.sampled_from(["posts.jsonl", "comments.jsonl"]))
    field = data.draw(st.sampled_from(POST_FIELDS if kind == "posts.jsonl"
                                      else COMMENT_FIELDS))
    _set(dest / kind, field, data.draw(ODD))
    whole, slim, of = ((store.iter_posts, narrow.site_posts, narrow.post_of)
                       if kind == "posts.jsonl" else
                       (store.iter_comments, narrow.site_comments, narrow.comment_of))
    try:
        expected = [of(record) for record in whole(dest)]
    except ArchiveError as err:
        with pytest.raises(ArchiveError) as narrowed:
            list(slim(dest))
        assert str(narrowed.value) == str(err)  # load's words
    else:
        assert list(slim(dest)) == expected


def test_damage_in_a_field_the_site_does_not_read_is_not_checked(tmp_path: Path) -> None:
    dest = blogarchive.write(blogarchive.read(EXAMPLE), tmp_path / "archive")
    _set(dest / "posts.jsonl", "updated", "yesterday")
    with pytest.raises(ArchiveError, match="field updated"):
        store.load(dest)
    lines = (dest / "posts.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(list(narrow.site_posts(dest))) == len(lines)  # every line, none lost


def test_a_bad_line_or_a_missing_file_is_named_as_load_names_it(tmp_path: Path) -> None:
    dest = blogarchive.write(blogarchive.read(EXAMPLE), tmp_path / "archive")
    with (dest / "posts.jsonl").open("a", encoding="utf-8") as lines:
        lines.write("{not json\n")
    with pytest.raises(ArchiveError) as loading:
        list(store.iter_posts(dest))
    with pytest.raises(ArchiveError) as narrowed:
        list(narrow.site_posts(dest))
    assert str(narrowed.value) == str(loading.value)
    (dest / "comments.jsonl").unlink()
    with pytest.raises(ArchiveError, match=r"comments\.jsonl: missing"):
        list(narrow.site_comments(dest))
