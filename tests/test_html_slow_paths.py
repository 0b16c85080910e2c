"""The page reader's work grows with the page, not with its square (issue 15, fuzz finds).

Counted, not timed: the page-wide searches made for a page of many posts, and the searches
for a classic body's end.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from lxml import etree

from blogarchive.readers.html import classic, layouts
from blogarchive.readers.html import page as page_module
from blogarchive.readers.html.page import Page, parse_page
from growth import work

_HEAD = "<html><head><meta content='blogger' name='generator'/></head><body>"


def _layouts_page(days: int) -> bytes:
    """``days`` days of two posts each, the date header before the posts' containers."""
    day = ("<div class='date-outer'><h2 class='date-header'><span>Monday, May {d}, 2006"
           "</span></h2><div class='date-posts'>" + "<div class='post-outer'><div class='post'>"
           "<h3 class='post-title'>t</h3><div class='post-body'>x</div></div></div>" * 2 +
           "</div></div>")
    return (_HEAD + "".join(day.format(d=1 + i % 28) for i in range(days)) +
            "</body></html>").encode()


def _page_wide(monkeypatch: pytest.MonkeyPatch, data: bytes) -> tuple[list[Any], int]:
    """The posts found, and how many queries searched the page outside a post's container."""
    count = 0
    xp = layouts.xp

    def counting(el: etree._Element, query: str) -> list[Any]:
        nonlocal count
        if re.match(r"\s*(?:/|preceding|following|ancestor)", query):
            count += 1
        return xp(el, query)

    monkeypatch.setattr(layouts, "xp", counting)
    return layouts.find_posts(parse_page("page.html", data)), count


def test_date_headers_are_found_in_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``preceding::`` search per post scanned the page before it: 3,000 posts took 29 s."""
    small, small_count = _page_wide(monkeypatch, _layouts_page(25))
    large, large_count = _page_wide(monkeypatch, _layouts_page(100))
    assert len(small) == 50 and len(large) == 200
    assert large_count == small_count  # not one more per post
    days = [post.published.day for post in large if post.published is not None]
    assert days == [1 + i // 2 % 28 for i in range(200)]
    assert {post.precision for post in large} == {"date"}


def test_the_nearest_date_header_before_a_post_is_its_own() -> None:
    """As ``preceding::*[date-header][1]``: the last one opened before the post, not one that
    holds it, and not one holding that last one (it closes later but opened earlier)."""
    data = (_HEAD + "<div class='date-header'>Monday, May 1, 2006"
            "<span class='date-header'>Tuesday, May 2, 2006</span> </div>"
            "<div class='date-header'>Wednesday, May 3, 2006<div class='post'>"
            "<div class='post-body'>x</div></div></div>"
            "<div class='post'><div class='post-body'>y</div></div></body></html>").encode()
    posts = layouts.find_posts(parse_page("page.html", data))
    # The first post's container is inside the May 3 header: May 2 is the nearest before it.
    assert [p.published.day if p.published else None for p in posts] == [2, 3]


class _Counting:
    """A compiled pattern that counts its searches."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.searches = 0

    def search(self, text: str, position: int = 0) -> re.Match[str] | None:
        self.searches += 1
        return self.pattern.search(text, position)


def test_a_classic_body_end_is_searched_once_for_stray_starts(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Each stray start marker searched for the body's end again, to the page's end (a 2 MB
    fuzzed page of 11,773 of them: 27 s). The hostile file fuzz-html-classic-spans.html.gz
    holds 20,000."""
    end = _Counting(classic._END)
    monkeypatch.setattr(classic, "_END", end)
    text = ("<div style='clear:both;'></div>" * 2_000 + "x"
            "<div style='clear:both; padding-bottom:0.25em'></div>")
    spans = classic._spans(text)
    assert len(spans) == 1 and text[spans[0][1]:spans[0][2]] == "x"
    assert end.searches <= 2


# -- one walk, not a search below each of many nested elements (issue 15, seed "final") ------


def _growth(make: Callable[[int], bytes], n: int, read: Callable[[Page], object],
            monkeypatch: pytest.MonkeyPatch) -> float:
    """The reader's work (tests/growth.py) at size 2n over its work at size n."""
    small, large = (parse_page("page.html", make(size)) for size in (n, 2 * n))
    return work(lambda: read(large), monkeypatch) / work(lambda: read(small), monkeypatch)


def _nested_posts(n: int) -> bytes:
    """Two posts, each body ``n`` wrappers deep and its author ``n`` post-author spans deep."""
    post = ("<div class='post-outer'><div class='post'><h3 class='post-title'>t</h3>" +
            "<div>" * n + "<div class='post-body'>x</div>" + "</div>" * n +
            "<div class='post-footer'>" + "<span class='post-author'>" * n +
            "<a href='https://www.blogger.com/profile/1'>Ann</a>" + "</span>" * n +
            "</div></div></div>")
    return (_HEAD + post * 2 + "</body></html>").encode()


def test_posts_nested_deep_are_read_in_linear_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """fuzz-warc-nested-authors.warc (seed final, 5112) and mutant 46528: each ancestor of a
    body searched all its descendants for another body (quadratic in the depth; a 2 MB page
    took minutes), and the nested post-author queries took minutes in libxml2."""
    posts = layouts.find_posts(parse_page("page.html", _nested_posts(150)))
    assert [(p.author, p.author_url) for p in posts] == [
        ("Ann", "https://www.blogger.com/profile/1")] * 2
    assert _growth(_nested_posts, 200, layouts.find_posts, monkeypatch) < 2.3


def _queries(monkeypatch: pytest.MonkeyPatch, data: bytes) -> list[str]:
    """Every XPath the page reader hands to libxml2 for a page."""
    seen: list[str] = []
    compiled = page_module._compiled

    def recording(query: str) -> Any:
        seen.append(query)
        return compiled(query)

    monkeypatch.setattr(page_module, "_compiled", recording)
    layouts.find_posts(parse_page("page.html", data))
    return seen


def test_no_search_below_each_result_of_a_search_reaches_libxml2(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``//x//y`` and ``//x[.//y]`` make libxml2 search below every x and merge the node sets
    (quadratic and worse when the x nest): the readers find the outermost x in one walk."""
    data = _nested_posts(3).replace(b"<body>", b"<body><div id='Header1'><h1>B</h1></div>"
                                    b"<div id='comments'><dl><dt id='c1'>x</dt></dl></div>")
    nested = [q for q in _queries(monkeypatch, data)
              if any(part.count("//") > 1 for part in q.split("|"))]
    assert nested == []


def _thread(n: int) -> bytes:
    """One post whose comments are ``n`` replies, each inside the one before."""
    reply = ("<li class='comment' id='c{i:06}'><div class='comment-block'><cite class='user'>"
             "<a href='https://www.blogger.com/profile/{i}'>U{i}</a></cite>"
             "<p class='comment-content'>said {i}</p><span class='datetime'>"
             "<a href='https://x.blogspot.com/2010/01/p.html?showComment=1262304000000'>"
             "1 January 2010</a></span></div><ol>")
    return (_HEAD + "<div class='post'><div class='post-body'>x</div>"
            "<div id='comments'><ol>" + "".join(reply.format(i=i) for i in range(n)) +
            "</ol></li>" * n + "</ol></div></div></body></html>").encode()


def test_nested_replies_are_read_in_linear_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each comment's fields were searched below it, replies included: a thread nested
    thousands deep was quadratic."""
    (post,) = layouts.find_posts(parse_page("page.html", _thread(100)))
    comments = post.comments
    assert [c.author for c in comments] == [f"U{i}" for i in range(100)]
    assert [c.parent_id for c in comments[:3]] == [None, "000000", "000001"]
    assert [c.content for c in comments[:2]] == ["said 0", "said 1"]
    assert _growth(_thread, 200, layouts.find_posts, monkeypatch) < 2.3
