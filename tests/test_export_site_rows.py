"""The post pages' rows read back from the spool (issue 11, branch exp11m): each page comes
with its comments and whether a post links to it, joined to its row, where the site export
asked the spool three more times a post (its file, its comments, its backlinks). These
check the joined rows against those three questions, on an archive with every case they
must keep apart: a post with several comments, one with none, a page with comments, a
post linked to (and one linked to by a draft only), an id published twice."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import attrs

import blogarchive
import export_archive
from blogarchive.annotate import analyse_archive
from blogarchive.export import site
from blogarchive.export.spool import Spool

SHOWN = site.SHOWN_COMMENTS


def _archive(dest: Path) -> Path:
    archive = export_archive.archive()
    posts = archive.posts
    first = posts[0]
    more = (
        # a page with comments, and a draft linking to post 1003 (no backlink from it)
        attrs.evolve(posts[0], id="4001", kind="page", path="/p/guest.html",
                     url=f"{export_archive.HOST}/p/guest.html", labels=()),
        attrs.evolve(posts[6], id="4002", content=f'<a href="{export_archive.HOST}'
                     '/2010/03/a-quoted-list.html">a list</a>'),
        # post 1005 again, later in the archive and published: its last copy is the page's
        attrs.evolve(posts[4], title="Floated again", path="/2010/06/floated-again.html",
                     url=f"{export_archive.HOST}/2010/06/floated-again.html",
                     published=datetime(2010, 6, 1, tzinfo=timezone.utc)),
    )
    comments = (*archive.comments,
                *(attrs.evolve(archive.comments[0], id=f"g{n}", post_id="4001", parent_id=None)
                  for n in range(3)),
                attrs.evolve(archive.comments[0], id="f1", post_id="1005", parent_id=None))
    archive = analyse_archive(attrs.evolve(archive, posts=(*posts, *more), comments=comments))
    assert first.id == "1001"
    blogarchive.write(archive, dest)
    return dest


def test_each_page_comes_with_its_comments_its_links_and_its_file(tmp_path: Path) -> None:
    with Spool(_archive(tmp_path / "archive")) as spool:
        index = site.prepare(spool)
        rows = list(index.pages(SHOWN))
        assert rows, "no page"
        for row in rows:
            ident = row.page.id
            assert row.comments == spool.comment_records(ident, SHOWN)
            assert row.summary.path == index.paths.posts[ident]
            if index.backlinks(ident):
                assert row.linked
        # c1, c2 and c3 (removed: shown as a note); three on the page; none
        counts = {row.page.id: len(row.comments) for row in rows}
        assert counts["1001"] == 3 and counts["4001"] == 3 and counts["1003"] == 0
        linked = {row.page.id for row in rows if row.linked}
        assert "1001" in linked  # 1002 links to it
        assert not index.backlinks("1003")  # only a draft links to it: read, none found
        assert [row.page.id for row in rows].count("1005") == 2  # an id published twice
        assert {row.summary.title for row in rows if row.page.id == "1005"} == \
            {"Floated again"}


def test_the_neighbours_are_the_listings(tmp_path: Path) -> None:
    with Spool(_archive(tmp_path / "archive")) as spool:
        index = site.prepare(spool)
        listed = [row for row in index.pages(SHOWN) if row.page.kind == "post"]
        assert len(listed) > 3
        around = zip([None, *listed[:-1]], listed, [*listed[1:], None], strict=True)
        for newer, row, older in around:
            assert (row.newer.id if row.newer else None) == (newer.page.id if newer else None)
            assert (row.older.id if row.older else None) == (older.page.id if older else None)


def test_home_entries_unlisted_give_the_lists_html(tmp_path: Path) -> None:
    # the built-in home.html takes the entries' kept HTML and asks only whether there are
    # any: given them lazily (as_list=False), not as a list of summaries nothing reads
    with Spool(_archive(tmp_path / "archive")) as spool:
        index = site.prepare(spool)
        index.keep_html(lambda summary, root: f"<li>{root}{summary.path}</li>")
        per_page = 2
        pages = -(-index.listed // per_page)
        assert index.listed % per_page  # the last page is not full: its count must say so
        for number in range(1, pages + 2):
            listed = index.home(number, per_page)
            lazy = index.home(number, per_page, as_list=False)
            assert isinstance(listed, list) and not isinstance(lazy, list)
            assert len(lazy) == len(listed) and bool(lazy) == bool(listed)
            assert [summary.id for summary in lazy] == [summary.id for summary in listed]
            assert list(lazy.fragments("../")) == list(listed.fragments("../"))  # type: ignore[union-attr]


def test_a_users_home_page_still_indexes_its_entries(tmp_path: Path) -> None:
    archive = _archive(tmp_path / "archive")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "home.html").write_text(
        '{% extends "base.html" %}{% block main %}first: {{ entries[0].title }} of '
        "{{ entries|length }}{% endblock %}")
    blogarchive.export(archive, tmp_path / "out", templates=mine)
    assert "first: Floated again of " in (tmp_path / "out" / "index.html").read_text()
