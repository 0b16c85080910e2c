"""Every saved page of the optional corpus (conftest.CORPUS, html/) against the values verified
by hand beside it (html/expected/*.json): blog identity, post ids, titles, permalinks, timestamps,
authors, labels, stated comment counts, body text, and comments with their threads."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import blogarchive
from blogarchive._time import parse_time
from blogarchive.analysis import analyse
from conftest import CORPUS, corpus_dir

PAGES = sorted(p.name for p in (CORPUS / "html").glob("*.html")) or ["corpus-absent"]


def _squash(text: str | None) -> str:
    return " ".join((text or "").split())


def _expected(name: str) -> dict[str, Any]:
    path = corpus_dir("html") / "expected" / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _same_time(got: Any, expected: str | None, precision: str | None = None) -> bool:
    if expected is None:
        return got is None
    if got is None:
        return False
    if len(expected) == 10:  # the page gives a day only
        return bool(got.date().isoformat() == expected and precision == "date")
    if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d", expected):
        expected += ":00"
    want = parse_time(expected)
    return bool(got == want and (got.tzinfo is None) == (want.tzinfo is None))


@pytest.mark.parametrize("name", PAGES)
def test_page_matches_hand_verified_values(name: str) -> None:
    expected = _expected(name)
    archive = blogarchive.read(corpus_dir("html") / name)
    blog = expected["blog"]
    assert (archive.blog.id, archive.blog.title, archive.blog.url) == (
        blog["id"], blog["title"], blog["url"])
    assert [p.id for p in archive.posts] != [] and len(archive.posts) == len(expected["posts"])
    assert archive.skipped == ()
    posts = {p.id: p for p in archive.posts}
    for want in expected["posts"]:
        post = posts[want["id"]]
        where = f"{name} post {want['id']}"
        assert _squash(post.title) == _squash(want["title"]), where
        assert post.url == want["url"], where
        assert _same_time(post.published, want["published"], post.published_precision), where
        assert (post.author.name if post.author else None) == want["author"], where
        assert list(post.labels) == want["labels"], where
        assert post.comment_count == want["comment_count_stated"], where
        assert post.analysis is not None
        assert post.analysis.text.startswith(_squash(want["body_starts_with"])), where
        assert post.analysis.text.endswith(_squash(want["body_ends_with"])), where
        blockquotes = [q for q in post.analysis.quotes if q.html.startswith("<blockquote")]
        assert len(blockquotes) == want["blockquotes_in_body"], where
        comments = {c.id: c for c in archive.comments if c.post_id == want["id"]}
        assert len(comments) == len(want["comments"]), where
        for wc in want["comments"]:
            comment = comments[wc["id"]]
            at = f"{where} comment {wc['id']}"
            assert (comment.author.name if comment.author else None) == wc["author"], at
            assert comment.parent_id == wc["parent_id"], at
            assert _same_time(comment.published, wc["published"]), at
            assert analyse(comment.content).text.startswith(_squash(wc["body_starts_with"])), at
        assert post.origin is not None and post.origin.format == "html"


def test_whole_corpus_folder_gives_one_archive_per_blog(tmp_path: Path) -> None:
    """The corpus folder is saved pages of many blogs: read as one source, each blog is its
    own archive (as each file read alone would be), every page is in one, and what is not a
    page is counted."""
    folder = corpus_dir("html")
    report = blogarchive.ReadReport()
    archives = blogarchive.read_all(folder, report=report, analyse=False)
    ids = [a.blog.id for a in archives]
    assert len(archives) > 1 and len(set(ids)) == len(ids)
    assert sum(len(a.sources) for a in archives) == len(PAGES)
    assert not any("a page of another blog" in str(e) for e in report.ignored)
    assert all(str(e).split(":")[0].endswith(("json", "tsv", "md")) for e in report.ignored)
