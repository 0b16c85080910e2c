"""validate reads the records one at a time (preserve/consistency.py, debt14): the same
problems, in the same order, as when it loaded the whole archive, and a memory that does
not grow with the posts' text."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import blogarchive
from blogarchive import Archive, Blog, Comment, Label, Post
from blogarchive.assemble import label_index
from blogarchive.preserve.fixity import write_manifests

WHEN = datetime(2010, 3, 1, 9, 0, tzinfo=timezone.utc)


def _post(pid: str, body: str = "<p>a body</p>", labels: tuple[str, ...] = ()) -> Post:
    return Post(id=pid, kind="post", status="live", title=f"Post {pid}", content=body,
                url=None, path=None, published=WHEN, updated=WHEN, labels=labels)


def _comment(cid: str, post_id: str, parent: str | None = None) -> Comment:
    return Comment(id=cid, post_id=post_id, parent_id=parent, status="live",
                   content="a comment", published=WHEN, post_kind="post")


def _written(dest: Path, posts: list[Post], comments: list[Comment]) -> Path:
    labels = tuple(Label(name, tuple(ids)) for name, ids in sorted(label_index(posts).items()))
    archive = Archive(blog=Blog(id="1", title="t"), posts=tuple(posts),
                      comments=tuple(comments), labels=labels)
    return blogarchive.write(archive, dest)


def _edit(dest: Path, name: str, edit: Callable[[list[str]], list[str]]) -> None:
    """Rewrite one data file's lines (``edit(lines) -> lines``), then the manifests as if
    someone "fixed" the fixity after the hand edit: only the consistency checks speak."""
    path = dest / name
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = edit(lines)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    write_manifests(dest, [p.relative_to(dest).as_posix() for p in dest.rglob("*")
                           if p.is_file() and not p.name.startswith("manifest-")])


def _set(line: str, **changes: object) -> str:
    record = json.loads(line)
    record.update(changes)
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _problems(dest: Path) -> list[str]:
    return [str(p) for p in blogarchive.validate(dest).problems]


def test_a_consistent_archive_is_valid_and_counted(tmp_path: Path) -> None:
    dest = _written(tmp_path / "a", [_post("1", labels=("x",)), _post("2")],
                    [_comment("10", "1"), _comment("11", "1", parent="10")])
    report = blogarchive.validate(dest)
    assert report.valid, report.problems
    assert report.checked["posts"] == 2 and report.checked["comments"] == 2


def test_reference_problems_in_the_order_they_always_came(tmp_path: Path) -> None:
    posts = [_post("1", labels=("x",)), _post("2", labels=("x", "y")), _post("3")]
    comments = [_comment("10", "1", parent="12"),  # its parent comes later: not lost
                _comment("11", "2"), _comment("12", "3"), _comment("13", "1", parent="99"),
                _comment("14", "2")]
    dest = _written(tmp_path / "a", posts, comments)
    _edit(dest, "posts.jsonl", lambda lines: [*lines, lines[2]])  # post 3 again
    _edit(dest, "comments.jsonl", lambda lines: [
        lines[0], _set(lines[1], post_id="404"), lines[2],
        lines[3], _set(lines[4], post_kind="page"), _set(lines[2], orphan=True), lines[1]])
    assert _problems(dest) == [
        "posts.jsonl: post id 3 appears 2 times",
        "comments.jsonl: comment id 11 appears 2 times",
        "comments.jsonl: comment id 12 appears 2 times",
        "comments.jsonl (line 2): comment 11: its post 404 is not in the archive, and it "
        "is not marked orphan",
        "comments.jsonl (line 5): comment 14: post_kind 'page', but 2 is a post",
        "comments.jsonl (line 6): comment 12: marked orphan, but its post 3 is in the archive",
        "comments.jsonl: 1 reply name a parent comment that is not in the archive, and "
        "blog.json does not record it",
        "blog.json: counts do not match the records (posts, comments, labels, skipped or "
        "analysis totals differ)",
    ]


def test_the_label_index_checked_against_the_posts_read(tmp_path: Path) -> None:
    dest = _written(tmp_path / "a", [_post("1", labels=("x",)), _post("2", labels=("y",))],
                    [])
    _edit(dest, "posts.jsonl", lambda lines: [_set(lines[0], labels=["x", "z"]), lines[1]])
    assert _problems(dest) == [
        "blog.json: the label index does not match the posts' labels: 'z'"]


def test_a_label_s_posts_compared_in_order_and_whole(tmp_path: Path) -> None:
    # each label's ids are compared as digests: the order counts, and ids do not run on
    # into each other ("12", "3" is not "1", "23")
    dest = _written(tmp_path / "a", [_post("12", labels=("x",)), _post("3", labels=("x",)),
                                     _post("4", labels=("y",))], [])
    assert _problems(dest) == []
    _edit(dest, "posts.jsonl", lambda lines: [lines[1], lines[0], lines[2]])
    assert _problems(dest) == [
        "blog.json: the label index does not match the posts' labels: 'x'"]
    _edit(dest, "posts.jsonl", lambda lines: [lines[1], lines[0], lines[2]])

    def stored(ids: list[str]) -> None:
        document = json.loads((dest / "blog.json").read_text(encoding="utf-8"))
        document["labels"][0]["post_ids"] = ids
        (dest / "blog.json").write_text(json.dumps(document), encoding="utf-8")
        _edit(dest, "posts.jsonl", lambda lines: lines)  # the manifests again

    stored(["1", "23"])
    assert _problems(dest) == [
        "blog.json: the label index does not match the posts' labels: 'x'"]
    stored(["12", "3"])
    assert _problems(dest) == []


def test_a_line_that_cannot_be_loaded_is_all_the_consistency_check_says(
        tmp_path: Path) -> None:
    # the first comment is an orphan not marked so, but the last line is damaged: the
    # archive cannot be loaded, and nothing is said of its references
    dest = _written(tmp_path / "a", [_post("1")], [_comment("10", "1"), _comment("11", "1")])
    _edit(dest, "comments.jsonl", lambda lines: [_set(lines[0], post_id="404"), lines[1][:-9]])
    found = _problems(dest)
    assert len(found) == 2, found
    assert found[0].startswith("comments.jsonl (line 2): not JSON: ")
    assert found[1].startswith("blog.json: cannot be loaded: ")
    assert "comments.jsonl: line 2: not JSON" in found[1]
    assert not any("orphan" in p for p in found)


def _peak(dest: Path) -> int:
    tracemalloc.start()
    try:
        report = blogarchive.validate(dest)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert report.valid, report.problems
    return peak


def test_memory_does_not_grow_with_the_posts(tmp_path: Path) -> None:
    # 100 and 300 posts of 30 KB: loading the archive whole held 6 MB of bodies more for the
    # larger; read one at a time, both hold one body (and the fixity check's 1 MiB block)
    body, labels = "<p>" + "x" * 30_000 + "</p>", ("a", "b")
    small = _written(tmp_path / "small", [_post(str(n), body, labels) for n in range(100)], [])
    large = _written(tmp_path / "large", [_post(str(n), body, labels) for n in range(300)], [])
    assert (large / "posts.jsonl").stat().st_size > 9_000_000
    _peak(small)  # warm: imports, compiled schemas
    grown = _peak(large) - _peak(small)
    assert grown < 1_000_000, grown
