"""The site export's CPU (issue 11, branch exp11e): what it does faster must give the same
bytes as what it replaced. That the exported files did not move is test_export_golden.py;
these check each faster path against the slower one it stands for."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import attrs
import jinja2
import markupsafe
import pytest
from markupsafe import Markup

import export_archive
from blogarchive import Author, Comment
from blogarchive.analysis.urls import UrlMap
from blogarchive.annotate import url_map
from blogarchive.export import site, sitefiles
from blogarchive.export.sanitise import Bodies
from blogarchive.export.sitetext import (
    CommentView,
    comment_record,
    comment_view,
    shown_comment,
    thread,
    when,
)
from blogarchive.export.spool import Spool, UrlIndex
from blogarchive.model import Archive


class _Html:
    def __html__(self) -> str:
        return "<b>already safe</b>"


class _Text(str):
    pass


@pytest.mark.parametrize("value", [
    "", "plain", "<a href=\"x\">Tom & Jerry's</a>", "\ud800 lone surrogate", "é ∑ 😀",
    Markup("<i>safe</i>"), Markup(""), _Text("<sub>class</sub>"), _Html(), 0, 12, 3.5, None,
    True, ["<list>"],
])
def test_escape_gives_what_markupsafe_gives(value: object) -> None:
    mine = site.escape(value)
    theirs = markupsafe.escape(value)
    assert type(mine) is Markup and mine == theirs


def test_the_templates_escape_through_it(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text("{{ value }}|{{ safe }}|{{ number }}")
    env = site._environment(tmp_path)
    template = env.get_template("page.html")
    assert template.root_render_func.__globals__["escape"] is site.escape
    assert template.render(value="<&>\"'", safe=Markup("<b>"), number=7) == \
        "&lt;&amp;&gt;&#34;&#39;|<b>|7"
    # a template compiled from a string is made by the same class
    assert env.from_string("{{ v }}").root_render_func.__globals__["escape"] is site.escape
    assert isinstance(template, jinja2.Template)


@pytest.mark.parametrize("pieces", [
    [], [""], ["one piece\n"], ["é", "∑\n", "😀", "x" * 100_000],
    [f"<p>{n}</p>\n" for n in range(10_000)],  # more pieces than one join takes
])
def test_a_page_is_written_as_a_text_file_would_be(tmp_path: Path, pieces: list[str]) -> None:
    mine, theirs = tmp_path / "mine.html", tmp_path / "theirs.html"
    theirs.write_text("stale content, longer than some pages " * 100)
    mine.write_text("stale content, longer than some pages " * 100)  # truncated, as "w" does
    sitefiles.write_page(str(mine), iter(pieces))
    with theirs.open("w", encoding="utf-8") as stream:
        stream.write("".join(pieces))
    assert mine.read_bytes() == theirs.read_bytes()


def test_a_page_that_cannot_be_encoded_fails_as_before(tmp_path: Path) -> None:
    with pytest.raises(UnicodeEncodeError):
        sitefiles.write_page(str(tmp_path / "page.html"), iter(["a", "\udc80"]))


def _view_from_the_comment(archive: Archive, comment: Comment, bodies: Bodies, page: str,
                           post_url: str | None) -> CommentView:
    """What ``comment_view`` made of a whole comment before the spool kept less of it."""
    removed = comment.status == "removed"
    author = comment.author
    return CommentView(
        id=comment.id, author=(author.name if author and author.name else "Anonymous"),
        author_url=author.uri if author and author.uri else None,
        when=when(archive, comment.published), removed=removed,
        body="" if removed else bodies.render(comment.content, base=post_url or comment.url,
                                              page=page))


def _odd_comments() -> list[Comment]:
    utc = datetime(2011, 7, 1, 12, 30, tzinfo=timezone.utc)
    return [
        Comment(id="c1", post_id="p", parent_id=None, status="live",
                content="<p>a <a href='/x'>link</a></p>", published=utc, author=Author(name="Ann", uri="https://ann.example/")),
        Comment(id="c2", post_id="p", parent_id="c1", status="removed", content="gone text",
                published=None, author=None),
        Comment(id="c3\ud800", post_id="p", parent_id="c2", status="live", content="plain",
                published=datetime(2011, 7, 1, 12, 30), url="https://b.example/c3",
                author=Author(name="", uri="")),
        Comment(id="c4", post_id="p", parent_id="c9", status="spam", content="<b>x</b>",
                published=datetime(1999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=9)))),
    ]


@pytest.mark.parametrize("zone", [None, "America/Los_Angeles", "Asia/Kolkata", "Not/AZone"])
def test_a_shown_comment_is_shown_as_the_whole_comment_was(zone: str | None) -> None:
    archive = export_archive.archive()
    archive = attrs.evolve(archive, blog=attrs.evolve(archive.blog, time_zone=zone))
    bodies = Bodies(urls=UrlMap(posts={}), posts={}, labels={}, media=None)
    record = comment_record(archive)
    comments = [*archive.comments, *_odd_comments()]
    assert len(comments) > 8
    for comment in comments:
        for post_url in (None, "https://migrate-example.blogspot.com/2010/03/a-table.html"):
            shown = shown_comment(record(comment))
            assert (shown.id, shown.parent_id) == (comment.id, comment.parent_id)
            assert comment_view(shown, bodies, "2010/03/a.html", post_url) == \
                _view_from_the_comment(archive, comment, bodies, "2010/03/a.html", post_url)


def test_thread_takes_shown_comments_as_it_took_comments() -> None:
    comments = _odd_comments()
    record = comment_record(export_archive.archive())
    shown = [shown_comment(record(c)) for c in comments]
    assert [(step, c.id if c else None) for step, c in thread(shown)] == \
        [(step, c.id if c else None) for step, c in thread(comments)]


def test_the_spool_keeps_what_a_format_asks_of_each_comment(tmp_path: Path) -> None:
    dest = export_archive.written(tmp_path / "archive")
    with Spool(dest) as whole:
        whole.read()
        kept = whole.comments_on("1002", ("live", "removed"))
        assert kept and all(isinstance(c, Comment) for c in kept)
    with Spool(dest) as spool:
        spool.read(comment_record=lambda c: f"{c.id}|{c.status}".encode())
        assert spool.comment_records("1002", ("live", "removed")) == \
            [f"{c.id}|{c.status}".encode() for c in kept]


def test_the_exports_url_map_is_the_one_convert_builds(tmp_path: Path) -> None:
    home = export_archive.HOST
    archive = export_archive.archive()
    extra = [  # a path under the home only; a second post claiming a permalink; an empty URL;
        # a path a permalink claims already (the permalink wins); no URL at all
        attrs.evolve(archive.posts[0], id="9001", url=None, path="/p/only-a-path.html"),
        attrs.evolve(archive.posts[0], id="9002"),
        attrs.evolve(archive.posts[0], id="9003", url="", path="/2010/02/plain-post.html"),
        attrs.evolve(archive.posts[0], id="9004", url=None, path=None),
        attrs.evolve(archive.posts[0], id="9005", url="http://other.example/x.html", path=None),
    ]
    archive = attrs.evolve(archive, posts=(*archive.posts, *extra))
    with Spool(export_archive.written(tmp_path / "unused")) as spool:
        index = UrlIndex(spool)
        for seq, post in enumerate(archive.posts, 1):
            index.visit(seq, post)
        mine = index.finish()
        theirs = url_map(archive)
        assert dict(mine.posts.items()) == dict(theirs.posts.items())
        assert mine.hosts == theirs.hosts
        assert len(mine.posts) > 8 and mine.post_id(f"{home}/p/only-a-path.html") == "9001"
        assert mine.post_id(f"{home}/2010/02/plain-post.html") == archive.posts[0].id
        for url in (f"{home}/p/only-a-path.html", f"{home}/2010/02/plain-post.html",
                    "https://other.example/x.html", f"{home}/2010/03/a-table.html?m=1"):
            assert mine.classify(url) == theirs.classify(url)
