"""What the site export skips doing without changing a byte (issue 11's CPU): plain text nh3
would give back unchanged, and the header and footer, the same on every page of a depth.
That the files did not move is test_export_golden.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nh3
import pytest

import blogarchive
from blogarchive.export import site
from blogarchive.export.sanitise import _CLEANED
from export_archive import written


def test_plain_text_nh3_would_not_change_is_every_code_point_but_the_checked_ones() -> None:
    cleaner = nh3.Cleaner()
    kept = [chr(n) for n in range(0x110000) if not _CLEANED.search(chr(n))]
    assert len(kept) > 1_000_000
    for start in range(0, len(kept), 4096):  # each character at a text's start and inside
        chunk = kept[start:start + 4096]
        text = "x".join(chunk)
        assert cleaner.clean(text) == text and cleaner.clean("".join(chunk)) == "".join(chunk)
    # and the checked characters are ones nh3 changes (or refuses: lone surrogates)
    for char in "<>&\r\x00\xa0\ufeff":
        assert cleaner.clean(f"{char}a{char}") != f"{char}a{char}"


def test_the_header_and_footer_are_rendered_once_per_depth(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[site._Chrome] = []
    original = site._Chrome.__init__

    def keep(self: site._Chrome, *args: Any) -> None:
        original(self, *args)
        made.append(self)

    monkeypatch.setattr(site._Chrome, "__init__", keep)
    report = blogarchive.export(written(tmp_path / "archive"), tmp_path / "out")
    (chrome,) = made
    depths = {path.relative_to(tmp_path / "out").as_posix().count("/")
              for path in (tmp_path / "out").rglob("*.html")}
    # a header per depth, and one for each page a link marks as current (the archive has
    # one static page): not one per page
    assert report.files > 20
    assert len(chrome._footers) == len(depths)
    assert len(depths) <= len(chrome._headers) <= len(depths) + len(site._CURRENT) + 1


def test_a_chrome_of_the_users_is_rendered_for_each_page(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "_chrome.html").write_text(
        "{% macro header(root, path) %}<p>header of {{ path }}</p>{% endmacro %}\n"
        "{% macro footer(root) %}<p>footer {{ root }}</p>{% endmacro %}\n")
    blogarchive.export(written(tmp_path / "archive"), tmp_path / "out", templates=mine)
    for page in ("about.html", "labels/index.html"):
        text = (tmp_path / "out" / page).read_text()
        assert f"<p>header of {page}</p>" in text
    assert "<p>footer ../</p>" in (tmp_path / "out" / "labels/index.html").read_text()


def test_records_pickled_by_their_values_come_back_equal() -> None:
    import pickle

    from blogarchive.analysis.records import BodyLink, Quote
    from blogarchive.export.siteindex import Page
    from blogarchive.export.spool import _TABLE, dumps
    from blogarchive.model import Author, Comment, Post
    from export_archive import archive

    assert {Post, Comment, Author, Quote, BodyLink} <= set(_TABLE)
    made = blogarchive.analyse_archive(archive())
    for record in (*made.posts, *made.comments):
        back = pickle.loads(dumps(record))
        assert back == record and type(back) is type(record)
    post = next(p for p in made.posts if p.analysis and p.analysis.quotes)
    assert post.analysis is not None
    page = Page(post.id, post.kind, post.url, post.content, post.labels, post.analysis.text,
                post.analysis.quotes)
    assert pickle.loads(dumps(page)) == page
