"""``info`` on saved pages (issue 14): per page, the template generation it was read as and
which fields fell back or stayed empty; ``origin.template`` on every post read from a page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest

import blogarchive
from blogarchive.cli import main
from blogarchive.pagecheck import page_lines, page_reports
from conftest import CORPUS, FIXTURES, as_written_at, corpus_dir

MIRROR = FIXTURES / "html" / "mirror"


def test_info_on_a_mirror_says_what_to_check_per_page(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", str(MIRROR)]) == 0  # not -q: the summary is what is checked
    out = capsys.readouterr().out.splitlines()
    at = out.index("saved pages: 3, posts kept from 2 (layouts 1, 2017+ 1); 1 with fields to "
                   "check")
    # The archive page's second post has no abbr.published and no author: its time is the
    # shared date header's day with the visible time.
    assert out[at + 1] == (
        "  mirror/2010_09_archive.html: layouts index page, 2 posts; fell back: published: "
        "date-header+byline-time (1 of 2 posts); empty: author (1 of 2 posts)")
    assert not out[at + 2].startswith("  ")  # the item page has nothing to check


def test_info_json_lists_every_page(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", "--json", str(MIRROR)]) == 0
    pages = json.loads(capsys.readouterr().out)["pages"]
    assert [(p["source"], p["template"], p["kind"], p["posts"]) for p in pages] == [
        ("mirror/2010_09_archive.html", "layouts", "index", 2),
        ("mirror/water-report-read-closely.html", "2017+", "item", 1),
    ]
    assert pages[1]["fell_back"] == [] and pages[1]["empty"] == []


def test_exports_have_no_page_lines(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", str(FIXTURES / "takeout" / "Takeout")]) == 0
    assert "saved pages:" not in capsys.readouterr().out


def test_only_twenty_pages_are_named(tmp_path: Path) -> None:
    html = (FIXTURES / "html" / "classic-minima-comments.html").read_text(encoding="utf-8")
    posts = []
    for n in range(23):
        page = tmp_path / f"copy-{n:02}.html"
        # Each page's time is a date header's day with the byline's time: a fallback.
        page.write_text(html.replace("116215497439342629", f"1162154974393426{n:02}"),
                        encoding="utf-8")
        posts.extend(blogarchive.read(page, analyse=False).posts)
    reports = page_reports(posts)
    assert len(reports) == 23 and not any(r.clean for r in reports)
    lines = page_lines(reports, 23)
    assert lines[0].startswith("saved pages: 23, posts kept from 23 (classic 23); 23 with")
    assert len(lines) == 1 + 20 + 1 and lines[-1] == (
        "  ... and 3 more pages (info --json lists them all)")


GENERATIONS = {"classic": "classic", "layouts-googleblog": "google", "thirdparty": "third-party",
               "layouts": "layouts"}


@pytest.mark.parametrize("name", sorted(p.name for p in (CORPUS / "html").glob("*.html"))
                         or ["corpus-absent"])
def test_each_corpus_page_is_read_as_its_generation(name: str) -> None:
    archive = blogarchive.read(corpus_dir("html") / name, analyse=False)
    want = next(gen for prefix, gen in GENERATIONS.items() if name.startswith(prefix))
    assert {p.origin.template for p in archive.posts if p.origin is not None} == {want}


def test_a_field_filled_from_another_copy_keeps_its_rule() -> None:
    from blogarchive.assemble import _page_merge

    (item,) = blogarchive.read(FIXTURES / "html" / "classic-minima-comments.html",
                               analyse=False).posts
    assert item.field_sources is not None and item.field_sources.author == "byline-text"
    assert item.origin is not None
    bare = attrs.evolve(item, author=None, labels=(), content=item.content + " and more",
                        field_sources=blogarchive.FieldSources(url="byline-time-link"))
    merged = _page_merge(bare, item)
    assert merged.author == item.author and merged.labels == item.labels
    assert merged.field_sources == blogarchive.FieldSources(
        author="byline-text", url="byline-time-link", labels="post-labels")


def test_an_archive_written_at_1_4_0_still_loads(tmp_path: Path) -> None:
    """Schema 1-5-0 added ``field_sources`` and ``origin.template``: lines without them (and
    saying 1-4-0) load, the fields as null."""
    archive = blogarchive.read(FIXTURES / "html" / "classic-minima-comments.html")
    blogarchive.write(archive, tmp_path / "arch")

    def before(data: dict[str, Any]) -> None:
        data.pop("field_sources", None)
        data["origin"].pop("template")

    as_written_at(tmp_path / "arch", "1-4-0", before)
    loaded = blogarchive.load(tmp_path / "arch")
    (post,) = loaded.posts
    assert post.field_sources is None and post.origin is not None
    assert post.origin.template is None and post.author == archive.posts[0].author


def test_convert_reports_per_page_what_info_says(tmp_path: Path) -> None:
    # convert writes from its spool, not from an Archive in memory: its page reports are
    # gathered a post at a time, and must be what the reports of the posts read give.
    converted = blogarchive.convert(MIRROR, tmp_path / "archive")
    read = blogarchive.read(MIRROR)
    assert converted[0].summary.pages == page_reports(read.posts)
    assert [p.source for p in converted[0].summary.pages] == [
        "mirror/2010_09_archive.html", "mirror/water-report-read-closely.html"]
