"""validate checks blog.json's author list against the posts (issue 15, branch debt15), and
reads blog.json once. The list is what the writer makes of the posts (``store._authors``):
each distinct post author (name and uri) once, with the posts they wrote, in order of name
then uri; comments' authors are not in it."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

import blogarchive
from blogarchive import Archive, Author, Blog, Comment, Label, Post
from blogarchive.assemble import label_index
from blogarchive.cli import main
from blogarchive.preserve.fixity import write_manifests

WHEN = datetime(2010, 3, 1, 9, 0, tzinfo=timezone.utc)
ANN = Author(name="Ann", uri="https://www.blogger.com/profile/1")
BOB = Author(name="Bob")
CAROL = Author(name="Carol", uri="https://www.blogger.com/profile/3")  # comments only


def _post(pid: str, author: Author | None) -> Post:
    return Post(id=pid, kind="post", status="live", title=f"Post {pid}", content="<p>a</p>",
                url=None, path=None, published=WHEN, updated=WHEN, author=author)


def _written(dest: Path) -> Path:
    posts = [_post("1", ANN), _post("2", BOB), _post("3", ANN), _post("4", None)]
    comments = [Comment(id="10", post_id="1", parent_id=None, status="live", content="c",
                        published=WHEN, post_kind="post", author=CAROL)]
    labels = tuple(Label(name, tuple(ids)) for name, ids in sorted(label_index(posts).items()))
    return blogarchive.write(Archive(blog=Blog(id="1", title="t"), posts=tuple(posts),
                                     comments=tuple(comments), labels=labels), dest)


def _rewrite(dest: Path, name: str, edit: Callable[[Any], Any]) -> None:
    """Change blog.json (``edit(document)``) or each line of a records file
    (``edit(record)``), then the manifests, as a hand edit that "fixed" the fixity would."""
    path = dest / name
    if name == "blog.json":
        path.write_text(json.dumps(edit(json.loads(path.read_text("utf-8")))), "utf-8")
    else:
        lines = path.read_text("utf-8").splitlines()
        path.write_text("".join(json.dumps(edit(json.loads(line))) + "\n" for line in lines),
                        "utf-8")
    write_manifests(dest, [p.relative_to(dest).as_posix() for p in dest.rglob("*")
                           if p.is_file() and not p.name.startswith("manifest-")])


def _authors(edit: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]
             ) -> Callable[[Any], Any]:
    def change(document: Any) -> Any:
        document["authors"] = edit(document["authors"])
        return document
    return change


def _problems(dest: Path) -> list[str]:
    return [str(p) for p in blogarchive.validate(dest).problems]


def test_the_written_list_agrees_and_names_the_posts_authors_only(tmp_path: Path) -> None:
    dest = _written(tmp_path / "a")
    stored = json.loads((dest / "blog.json").read_text("utf-8"))["authors"]
    assert stored == [{"name": "Ann", "uri": ANN.uri, "posts": 2},
                      {"name": "Bob", "uri": None, "posts": 1}]
    assert _problems(dest) == []


MISMATCH = "blog.json: the author list does not match the posts' authors: "


@pytest.mark.parametrize(("edit", "said"), [
    (lambda a: [{**a[0], "posts": 3}, a[1]],
     "'Ann' (https://www.blogger.com/profile/1) listed with 3 posts, wrote 2"),
    (lambda a: [*a, {"name": "Dan", "uri": None, "posts": 1}],
     "'Dan' listed with 1 posts, wrote none"),
    (lambda a: [a[0]], "'Bob' wrote 1 posts, not listed"),
    (lambda a: [a[0], a[0], a[1]],
     "'Ann' (https://www.blogger.com/profile/1) listed more than once"),
    (lambda a: [a[1], a[0]], "not in order of name, then uri"),
    (lambda a: [{**a[0], "uri": None}, a[1]],
     "'Ann' listed with 2 posts, wrote none; "
     "'Ann' (https://www.blogger.com/profile/1) wrote 2 posts, not listed"),
    (lambda a: [*a, {"name": "Carol", "uri": CAROL.uri, "posts": 0}],
     "'Carol' (https://www.blogger.com/profile/3) listed with 0 posts, wrote none"),
])
def test_a_damaged_list_is_reported_with_what_is_wrong(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        edit: Callable[[list[dict[str, Any]]], list[dict[str, Any]]], said: str) -> None:
    dest = _written(tmp_path / "a")
    _rewrite(dest, "blog.json", _authors(edit))
    assert _problems(dest) == [MISMATCH + said]
    assert main(["validate", str(dest)]) == 1
    assert MISMATCH + said in capsys.readouterr().out


def test_a_post_whose_author_was_changed_is_caught(tmp_path: Path) -> None:
    dest = _written(tmp_path / "a")

    def renamed(post: dict[str, Any]) -> dict[str, Any]:
        if post["id"] == "2":
            post["author"]["name"] = "Robert"
        return post

    _rewrite(dest, "posts.jsonl", renamed)
    assert _problems(dest) == [MISMATCH + "'Bob' listed with 1 posts, wrote none; "
                               "'Robert' wrote 1 posts, not listed"]


def test_a_list_the_schema_refuses_is_said_once(tmp_path: Path) -> None:
    dest = _written(tmp_path / "a")
    _rewrite(dest, "blog.json", _authors(lambda a: [{"name": "Ann", "posts": 2}, a[1]]))
    found = _problems(dest)
    assert len(found) == 1 and found[0].startswith("blog.json: does not match the schema")


def test_blog_json_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from blogarchive import _blogjson, loading

    validating = sys.modules["blogarchive.preserve.validate"]  # the name is the function's
    dest = _written(tmp_path / "a")
    read: list[Path] = []

    def counted(path: Path, **options: Any) -> Any:
        read.append(path)
        return _blogjson.read_document(path, **options)

    for module in (validating, loading):
        monkeypatch.setattr(module, "read_document", counted)
    assert blogarchive.validate(dest).valid
    assert read == [dest / "blog.json"]


def test_blog_json_not_json_is_still_said_twice_as_before(tmp_path: Path) -> None:
    dest = _written(tmp_path / "a")
    (dest / "blog.json").write_text("{not json", "utf-8")
    write_manifests(dest, [p.relative_to(dest).as_posix() for p in dest.rglob("*")
                           if p.is_file() and not p.name.startswith("manifest-")])
    found = _problems(dest)
    assert [p.split(":")[1].strip() for p in found] == ["not JSON", "cannot be loaded"]
    assert found[1].startswith(f"blog.json: cannot be loaded: {dest / 'blog.json'}: unreadable:")
