"""Blogger API v3 responses read into the records of the same blog's export, field by field.

fixtures/json/api-*.json are written from the API's discovery document (resources Post, Page,
Comment and their lists, as `posts.list`, `posts.get?maxComments=`, `pages.list`,
`comments.list` and `posts.list?view=ADMIN&status=draft&status=scheduled` return them);
api-twin.atom is the same blog's "Back up content" export, written by hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest

import blogarchive
from blogarchive.model import Archive, Comment, Post
from conftest import FIXTURES

JSON = FIXTURES / "json"
LISTS = [JSON / n for n in ("api-posts-page1.json", "api-posts-page2.json",
                            "api-drafts-admin.json", "api-pages.json", "api-comments.json")]
API = "https://www.googleapis.com/blogger/v3/blogs/4444444444444444444"

# What the two forms cannot share, and why. Every other field must be equal.
NOT_IN_THE_API = {
    "atom_id": "the API has no Atom ids",
    "links": "the API's links are its own URLs (selfLink, replies.selfLink)",
    "extras": "each form keeps its own unmapped members (the API's etag, images, ...)",
    "url": "comments: the API gives no comment permalink",
    "generated_title": "comments: the export's truncated body; the API has none",
    "in_reply_to": "comments: `thr:in-reply-to` is Atom's",
    "analysis": "derived from content and url, compared through them",
}


def comparable(record: Post | Comment) -> Any:
    """The record without its origin, its author's e-mail (exports write noreply@),
    author extras (the API's author id) and avatar size (the API gives only its URL), and a
    location's span (georss has none)."""
    author = record.author and attrs.evolve(record.author, email=None, extras=(),
                                            image_rel=None, image_width=None,
                                            image_height=None)
    record = attrs.evolve(record, author=author, origin=None)
    if isinstance(record, Post) and record.location is not None:
        record = attrs.evolve(record, location=attrs.evolve(record.location, span=None))
    return record


def differences(a: Post | Comment, b: Post | Comment) -> list[str]:
    a, b = comparable(a), comparable(b)
    return [f"{a.id} {f.name}: {getattr(a, f.name)!r} != {getattr(b, f.name)!r}"
            for f in attrs.fields(type(a))
            if f.name not in NOT_IN_THE_API and getattr(a, f.name) != getattr(b, f.name)]


def test_api_responses_read_as_the_blogs_export_field_by_field() -> None:
    api = blogarchive.read(LISTS)
    export = blogarchive.read(JSON / "api-twin.atom")
    # the export has no scheduled post; everything else is in both
    assert [p.id for p in api.posts] == [p.id for p in export.posts] + ["104"]
    assert [c.id for c in api.comments] == [c.id for c in export.comments] == ["301", "302"]
    for post in export.posts:
        assert differences(api.post(post.id), post) == []  # type: ignore[arg-type]
    for a, b in zip(api.comments, export.comments, strict=True):
        assert differences(a, b) == []
    assert api.labels == tuple(lb for lb in export.labels)
    assert api.blog.id == export.blog.id == "4444444444444444444"
    assert {s.format for s in api.sources} == {"blogger-api"}
    assert api.skipped == () and not [n for n in api.notes if "wrong" in n]
    # the fields left out above hold the API's own values, not nothing
    hello = api.post("101")
    assert hello is not None and hello.atom_id is None
    assert [(link.rel, link.href) for link in hello.links] == [
        ("self", f"{API}/posts/101"), ("replies", f"{API}/posts/101/comments")]
    assert hello.author is not None and hello.author.extras == ('{"id":"7"}',)
    assert hello.location is not None and hello.location.span == "0.05,0.08"


def test_a_post_fetched_with_its_comments_gives_them_as_the_comment_list_does() -> None:
    single = blogarchive.read(JSON / "api-post.json")
    listed = blogarchive.read([JSON / "api-posts-page2.json", JSON / "api-comments.json"])
    assert [p.id for p in single.posts] == ["101"]
    assert [(c.id, c.post_id, c.parent_id, c.orphan) for c in single.comments] == [
        ("301", "101", None, False), ("302", "101", "301", False)]
    for a, b in zip(single.comments, listed.comments, strict=True):
        assert attrs.evolve(a, origin=None) == attrs.evolve(b, origin=None)
    assert [c.origin.entry for c in single.comments if c.origin] == [1, 2]
    assert single.sources[0].entries == 3
    post = single.post("101")
    assert post is not None and post.comment_count == 2


def test_pages_of_a_list_in_one_file_read_as_the_same_pages_saved_apart() -> None:
    together = blogarchive.read(JSON / "api-posts-pages.json")
    apart = blogarchive.read([JSON / "api-posts-page1.json", JSON / "api-posts-page2.json"])
    assert [attrs.evolve(p, origin=None) for p in together.posts] == [
        attrs.evolve(p, origin=None) for p in apart.posts]
    assert [p.id for p in together.posts] == ["101", "102"]
    assert together.sources[0].entries == 2
    # the lists' own members (paging tokens, etags) are kept with the blog
    kept = [json.loads(x) for x in together.blog.extras]
    assert {"nextPageToken": "CgkIChiAkceVjiYQ0b2SAQ"} in kept
    assert {"prevPageToken": "CgkIChiAkceVjiYQ0b2SAQ"} in kept


def test_drafts_and_scheduled_posts_of_an_admin_view() -> None:
    archive = blogarchive.read(JSON / "api-drafts-admin.json")
    assert [(p.id, p.status, p.url, p.labels) for p in archive.posts] == [
        ("103", "draft", None, ("plans",)), ("104", "scheduled", None, ())]


def test_unmapped_members_are_kept_as_one_member_json_objects() -> None:
    post = blogarchive.read(JSON / "api-post.json").post("101")
    assert post is not None
    kept = [json.loads(x) for x in post.extras]
    assert kept == [
        {"etag": '"etag-101"'},
        {"images": [{"url": "https://blogger.googleusercontent.com/img/hello.jpg"}]},
        {"titleLink": "http://example.org/hello"},
        {"readerComments": "ALLOW"},
        {"customMetaData": '{"x":1}'},
    ]


def _read(tmp_path: Path, value: Any) -> Archive:
    path = tmp_path / "api.json"
    path.write_text(json.dumps(value), encoding="utf-8")
    return blogarchive.read(path)


def _post(**members: Any) -> dict[str, Any]:
    return {"kind": "blogger#post", "id": "1", "blog": {"id": "9"}, **members}


def test_members_of_the_wrong_type_are_kept_and_noted(tmp_path: Path) -> None:
    archive = _read(tmp_path, {"kind": "blogger#postList", "items": [_post(
        title={"not": "text"}, labels="news", published="yesterday", content="body")]})
    (post,) = archive.posts
    assert (post.title, post.labels, post.published, post.content) == ("", (), None, "body")
    assert sorted(post.extras) == sorted(json.dumps({k: v}, separators=(",", ":")) for k, v in
                                         [("title", {"not": "text"}), ("labels", "news"),
                                          ("published", "yesterday")])
    assert [n.split(": ", 1)[1] for n in archive.notes] == [
        "entry 0: $.items[0].title: expected text, found an object; kept as written in the "
        "record's extras",
        "entry 0: $.items[0].published: unreadable timestamp 'yesterday'; kept as written in "
        "the record's extras",
        "entry 0: $.items[0].labels: expected an array, found text; kept as written in the "
        "record's extras",
    ]


@pytest.mark.parametrize("item, reason", [
    ("text", "$.items[0]: expected an object, found text"),
    ({"kind": "blogger#post", "title": "no id"}, "$.items[0]: a blogger#post with no id"),
    ({"kind": "blogger#postUserInfo"},
     "$.items[0]: a Blogger API object of kind 'blogger#postUserInfo', which holds no post, "
     "page or comment"),
])
def test_items_that_cannot_be_records_are_skipped_by_path(tmp_path: Path, item: Any,
                                                         reason: str) -> None:
    archive = _read(tmp_path, {"kind": "blogger#postList", "items": [item, _post()]})
    assert [p.id for p in archive.posts] == ["1"]
    assert [(s.entry, s.reason) for s in archive.skipped] == [(0, reason)]


def test_a_blog_resource_names_the_blog_and_brings_its_posts(tmp_path: Path) -> None:
    archive = _read(tmp_path, {
        "kind": "blogger#blog", "id": "9", "name": "Nine", "url": "http://nine.blogspot.com/",
        "description": "d", "locale": {"language": "en"},
        "posts": {"totalItems": "1", "items": [_post(url="http://nine.blogspot.com/a.html")]},
    })
    blog = archive.blog
    assert (blog.id, blog.title, blog.url, blog.description) == (
        "9", "Nine", "http://nine.blogspot.com/", "d")
    assert [json.loads(x) for x in blog.extras] == [
        {"locale": {"language": "en"}}, {"posts": {"totalItems": "1"}}]
    assert [(p.id, p.status, p.path) for p in archive.posts] == [("1", "live", "/a.html")]


def test_comment_statuses_of_an_admin_view(tmp_path: Path) -> None:
    archive = _read(tmp_path, {"kind": "blogger#commentList", "items": [
        {"kind": "blogger#comment", "id": str(n), "post": {"id": "1"}, "status": status}
        for n, status in enumerate(["LIVE", "EMPTIED", "PENDING", "SPAM"])]})
    assert [c.status for c in archive.comments] == ["live", "removed", "PENDING", "SPAM"]


def test_list_pages_saved_as_json_lines_or_with_a_bom_read_alike(tmp_path: Path) -> None:
    pages = [json.loads((JSON / f"api-posts-page{n}.json").read_text()) for n in (1, 2)]
    lines = "\n".join(json.dumps(p) for p in pages) + "\n"
    expected = [attrs.evolve(p, origin=None)
                for p in blogarchive.read(JSON / "api-posts-pages.json").posts]
    for name, data in (("lines.jsonl", lines.encode()),
                       ("bom.json", b"\xef\xbb\xbf" + json.dumps(pages).encode()),
                       ("utf16.json", json.dumps(pages).encode("utf-16"))):
        (tmp_path / name).write_bytes(data)
        archive = blogarchive.read(tmp_path / name)
        assert [attrs.evolve(p, origin=None) for p in archive.posts] == expected, name
