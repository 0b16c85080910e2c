"""What ``convert`` does per saved page costs the same for every page (issue 12): nothing it
does for one page goes over every page read before it, and a post is not made again from
its line to be checked. Counted, not timed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import blogarchive
from blogarchive.model import SourceInfo
from blogarchive.pagecheck import PageChecks, page_reports
from blogarchive.preserve import writer
from blogarchive.preserve.names import unique_path
from blogarchive.spool import output
from blogarchive.store import dumps_line
from conftest import FIXTURES

MIRROR = FIXTURES / "html" / "mirror"


class _NotWalked(set[str]):
    """A set a lookup may use, but that must not be gone through."""

    def __iter__(self) -> Iterator[str]:
        raise AssertionError("every name in use gone through for one more name")


def test_a_name_is_made_unique_by_lookups_not_by_going_through_every_name() -> None:
    taken = _NotWalked({"pages/a.html", "pages/a-2.html"})
    assert unique_path("pages/b.html", taken) == "pages/b.html"
    assert unique_path("Pages/A.html", taken) == "Pages/A-3.html"  # case-insensitive


def test_the_formats_of_each_file_are_those_of_the_sources_read_from_it() -> None:
    names = ["a.html", "a.html!x", "b.zip!feed.xml", "b.zip!c.zip!d.html", "b.zip!c.zip",
             "wow!.html", "wow!.html!in.xml", "b", "b.zipper"]
    sources = [SourceInfo(name=n, format=f"f{i}", size=1, sha256="0", entries=0)
               for i, n in enumerate(names)]
    found = writer.formats_by_file(sources)
    files = [*names, "b.zip", "wow", "c.zip", "nothing"]
    for raw in files:  # the rule it replaces, as the oracle: the source, and what is in it
        wanted = {s.format for s in sources if s.name == raw or s.name.startswith(raw + "!")}
        assert found.get(raw, set()) == wanted, raw
    assert found["b.zip"] == {"f2", "f3", "f4"}


def test_convert_checks_each_page_s_posts_without_making_them_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made = 0
    parse_line = output.parse_line

    def counting(*args: Any) -> Any:
        nonlocal made
        made += 1
        return parse_line(*args)

    monkeypatch.setattr(output, "parse_line", counting)
    converted = blogarchive.convert(MIRROR, tmp_path / "archive")
    assert made == 0
    assert converted[0].summary.pages == page_reports(blogarchive.read(MIRROR).posts)
    assert [p.posts for p in converted[0].summary.pages] == [2, 1]


def test_a_line_is_checked_as_its_post_is() -> None:
    posts = blogarchive.read(MIRROR).posts
    by_post, by_line = PageChecks(), PageChecks()
    for post in posts:
        by_post.add(post)
        by_line.add_line(json.loads(dumps_line(post)))
    assert by_line.reports() == by_post.reports()
    assert any(not r.clean for r in by_post.reports())
