"""GData JSON feeds (`?alt=json`, `?alt=json-in-script`) read into the records of their Atom twins.

The fixtures in fixtures/json are written from GData's documented JSON shape (FORMATS.md
section 4: `$t` text, `prefix$name` members, `xmlns$prefix` declarations); each has an Atom
twin in fixtures/feeds holding the same feed, written by hand as Blogger serves it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest

import blogarchive
from blogarchive.errors import ParseError, UnsupportedFormat
from blogarchive.model import Archive
from conftest import FIXTURES

JSON = FIXTURES / "json"
FEEDS = FIXTURES / "feeds"


def differences(a: Any, b: Any) -> list[str]:
    """Every field (but `origin`: it names the source) where two records differ."""
    assert type(a) is type(b)
    return [f"{a.id} {f.name}: {getattr(a, f.name)!r} != {getattr(b, f.name)!r}"
            for f in attrs.fields(type(a))
            if f.name != "origin" and getattr(a, f.name) != getattr(b, f.name)]


def same_records(json_form: Archive, atom_form: Archive) -> None:
    assert [p.id for p in json_form.posts] == [p.id for p in atom_form.posts]
    assert [c.id for c in json_form.comments] == [c.id for c in atom_form.comments]
    for a, b in zip(json_form.posts + json_form.comments,  # type: ignore[operator]
                    atom_form.posts + atom_form.comments, strict=True):
        assert differences(a, b) == []
    assert differences(json_form.blog, atom_form.blog) == []
    assert json_form.labels == atom_form.labels
    assert json_form.skipped == atom_form.skipped == ()


def test_a_json_feed_page_reads_as_its_atom_twin_field_by_field() -> None:
    json_form = blogarchive.read(JSON / "gdata-posts-page1.json")
    atom_form = blogarchive.read(FEEDS / "posts-page1.atom")
    same_records(json_form, atom_form)
    assert [s.format for s in json_form.sources] == ["public-feed-json"]
    post = json_form.post("3")
    assert post is not None and post.origin is not None
    assert (post.origin.format, post.origin.entry) == ("public-feed-json", 0)
    # what no field maps (openSearch paging) is kept as the same XML as the Atom form's
    assert any("openSearch:totalResults" in x for x in json_form.blog.extras)


def test_paged_json_saves_merge_as_the_atom_pages_do_one_of_them_a_script() -> None:
    json_form = blogarchive.read([JSON / "gdata-posts-page1.json", JSON / "gdata-posts-page2.js"])
    atom_form = blogarchive.read([FEEDS / "posts-page1.atom", FEEDS / "posts-page2.atom"])
    same_records(json_form, atom_form)
    assert json_form.post("2").content == "<p>edited copy</p>"  # type: ignore[union-attr]
    assert any("read more than once" in n for n in json_form.notes)
    assert any("json-in-script" in n and "handle(...)" in n for n in json_form.notes)


def test_a_json_comment_feed_threads_as_the_atom_one() -> None:
    json_form = blogarchive.read(JSON / "gdata-comments-post3.json")
    same_records(json_form, blogarchive.read(FEEDS / "comments-post3.atom"))
    first, reply = json_form.comments
    assert (first.post_id, reply.post_id, reply.parent_id) == ("3", "3", "71")
    assert json_form.sources[0].format == "comment-feed-json"


def test_a_lone_json_entry_is_the_same_post_as_in_the_feed() -> None:
    lone = blogarchive.read(JSON / "gdata-entry.json")
    (post,) = lone.posts
    assert differences(post, blogarchive.read(FEEDS / "posts-page1.atom").post("3")) == []
    assert lone.blog.id == "3333333333333333333"


def _one(tmp_path: Path, text: str, name: str = "feed.json") -> Archive:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return blogarchive.read(path)


def test_json_feed_members_map_and_unknown_ones_are_kept(tmp_path: Path) -> None:
    archive = _one(tmp_path, """{"version":"1.0","encoding":"UTF-8","feed":{
      "xmlns":"http://www.w3.org/2005/Atom","xmlns$gd":"http://schemas.google.com/g/2005",
      "id":{"$t":"tag:blogger.com,1999:blog-5"},"title":{"type":"text","$t":"T"},
      "entry":[{"id":{"$t":"tag:blogger.com,1999:blog-5.post-9"},
        "published":{"$t":"2020-01-02T03:04:05.000+01:00"},
        "title":{"type":"text","$t":"Draft"},"content":{"type":"html","$t":"<b>x</b>"},
        "app$control":{"xmlns$app":"http://purl.org/atom/app#","app$draft":{"$t":"yes"}},
        "gd$extendedProperty":[{"name":"commentSource","value":"1"}],
        "georss$featurename":{"$t":"Oslo"},"georss$point":{"$t":"59.9 10.7"},
        "blogger$unknown":{"$t":"kept"}}]}}""")
    (post,) = archive.posts
    assert (post.status, post.content, post.title) == ("draft", "<b>x</b>", "Draft")
    assert post.properties[0].name == "commentSource"
    assert post.location is not None and post.location.latitude == "59.9"
    assert len(post.extras) == 1 and "kept</blogger:unknown>" in post.extras[0]


@pytest.mark.parametrize("entry, problem", [
    ('"x"', "$.feed.entry[0]: expected an object, found text"),
    ('{"id":{"$t":"tag:blogger.com,1999:blog-5.post-1"},"title":{"$t":null}}',
     "$.feed.entry[0].title.$t: expected text, found null"),
    ('{"id":{"$t":"tag:blogger.com,1999:blog-5.post-1"},"bad name":{"$t":"x"}}',
     "$.feed.entry[0].bad name: 'bad name' is not an element name"),
])
def test_a_malformed_entry_is_skipped_with_its_path(tmp_path: Path, entry: str,
                                                    problem: str) -> None:
    archive = _one(tmp_path, '{"feed":{"id":{"$t":"tag:blogger.com,1999:blog-5"},'
                             f'"entry":[{entry},{{"id":{{"$t":"tag:blogger.com,1999:blog-5.'
                             'post-2"}}]}}')
    assert [p.id for p in archive.posts] == ["2"]
    assert [(s.entry, s.reason) for s in archive.skipped] == [(0, problem)]


def test_control_characters_xml_cannot_hold_are_replaced_and_noted(tmp_path: Path) -> None:
    archive = _one(tmp_path, '{"feed":{"id":{"$t":"tag:blogger.com,1999:blog-5"},"entry":'
                             '[{"id":{"$t":"tag:blogger.com,1999:blog-5.post-1"},'
                             '"content":{"$t":"a\\u0001b"}}]}}')
    assert archive.posts[0].content == "a\ufffdb"
    assert any("1 character that XML cannot hold" in n for n in archive.notes)


def test_a_json_feed_not_from_blogger_is_named(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormat, match="a GData JSON feed, but not from Blogger"):
        _one(tmp_path, '{"feed":{"id":{"$t":"urn:other"},"entry":[{"id":{"$t":"x"}}]}}')


def test_a_namespace_lxml_refuses_is_a_clean_error(tmp_path: Path) -> None:
    # found by fuzzing: lxml raises ValueError for a URI libxml2 cannot parse
    with pytest.raises(ParseError, match=r"\$\.feed\.xmlns\$blogger: .* is not a namespace URI"):
        _one(tmp_path, '{"feed":{"xmlns$blogger":"http://a.c]om/x",'
                       '"id":{"$t":"tag:blogger.com,1999:blog-5"}}}')
    archive = _one(tmp_path, '{"feed":{"id":{"$t":"tag:blogger.com,1999:blog-5"},"entry":['
                             '{"id":{"$t":"tag:blogger.com,1999:blog-5.post-1"},'
                             '"x":{"xmlns$y":"a]b"}}]}}')
    assert [s.reason for s in archive.skipped] == [
        "$.feed.entry[0].x.xmlns$y: 'a]b' is not a namespace URI"]
