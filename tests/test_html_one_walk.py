"""A page is walked once for all its posts, and what nests too deep leaves few marks (issue 15);
what the page reader does for every page costs less (issue 12).

fuzz-warc-deep-page-slow.warc.gz (fuzz seed final6, mutant 32050) nests 540,000 elements in
a comment's author: about 30 s of CPU went in a dozen walks of the page (the post bodies, the
date headers, each post's Scope, its label links, two walks for its comments), each going
through a marker per tag set aside. Counted, not timed: the elements the walks visit.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from typing import Any

import pytest
from lxml import etree

from blogarchive.analysis._nesting import parse_bounded
from blogarchive.readers.html import classic, comments, layouts
from blogarchive.readers.html.generation import generation
from blogarchive.readers.html.index import Index
from blogarchive.readers.html.page import FLAT, parse_page
from conftest import FIXTURES
from growth import work

_HEAD = "<html><head><meta content='blogger' name='generator'/></head><body>"
_PARSER = etree.HTMLParser(encoding="utf-8", no_network=True, recover=True, huge_tree=True)


def _post(i: int) -> str:
    """A widget-engine post with a date header, labels in a footer, and a reply thread."""
    return (
        f"<div class='date-outer'><h2 class='date-header'><span>Monday, May {1 + i % 28}, "
        "2006</span></h2><div class='date-posts'><div class='post-outer'><div class='post'>"
        f"<a name='{1000000 + i}'></a><h3 class='post-title'>Post {i}</h3>"
        "<div class='post-body'><p>body</p></div><div class='post-footer'>"
        "<span class='post-author'><a href='https://www.blogger.com/profile/1'>Ann</a></span>"
        "<span class='post-labels'><a href='/search/label/one' rel='tag'>one</a>, "
        "<a href='/search/label/two' rel='tag'>two</a></span></div>"
        f"<div class='comments'><ol><li class='comment' id='c{2000000 + i}'>"
        "<div class='comment-block'><cite class='user'><a href='https://www.blogger.com/"
        f"profile/2'>Bo</a></cite><p class='comment-content'>first</p></div><ol>"
        f"<li class='comment' id='c{3000000 + i}'><div class='comment-block'><cite "
        "class='user'>Cy</cite><p class='comment-content'>reply</p></div></li></ol></li>"
        "</ol></div></div></div></div></div>")


def _page(posts: int) -> bytes:
    return (_HEAD + "".join(_post(i) for i in range(posts)) + "</body></html>").encode()


def _walked(monkeypatch: pytest.MonkeyPatch, call: Any) -> tuple[Any, int]:
    """What ``call()`` returns, and how many elements the reader's walks visited."""
    visited = 0
    iterwalk = etree.iterwalk

    def counting(*args: Any, **kwargs: Any) -> Iterator[tuple[str, Any]]:
        nonlocal visited
        for event, el in iterwalk(*args, **kwargs):
            visited += event == "start"
            yield event, el

    monkeypatch.setattr(etree, "iterwalk", counting)
    return call(), visited


def test_a_page_is_walked_once_for_all_its_posts(monkeypatch: pytest.MonkeyPatch) -> None:
    page = parse_page("page.html", _page(40))
    size = sum(1 for _ in page.root.iter())
    found, visited = _walked(monkeypatch, lambda: layouts.find_posts(page))
    assert [p.labels for p in found] == [["one", "two"]] * 40
    assert [p.sources.get("labels") for p in found] == ["post-labels"] * 40
    assert [p.published.day for p in found if p.published] == [1 + i % 28 for i in range(40)]
    assert [[(c.author, c.parent_id) for c in p.comments] for p in found[:1]] == [
        [("Bo", None), ("Cy", "2000000")]]
    # One walk of the page (and the threads' li elements, walked by tag): each post's
    # Scope, label links and comment fields walked its container again, four times.
    lis = sum(1 for _ in page.root.iter("li"))
    assert visited <= size + lis


def test_reading_a_page_of_posts_grows_with_the_page(monkeypatch: pytest.MonkeyPatch) -> None:
    small, large = (parse_page("page.html", _page(n)) for n in (50, 100))
    ratio = (work(lambda: layouts.find_posts(large), monkeypatch)
             / work(lambda: layouts.find_posts(small), monkeypatch))
    assert ratio < 2.2


def test_a_comments_section_outside_the_index_is_indexed_for_its_threads() -> None:
    """Classic pages hand find_comments a tree of their own: it is indexed there."""
    root = etree.fromstring(_page(1), _PARSER)
    section = root.find(".//div[@class='comments']")
    assert section is not None
    found = comments.find_comments(section)
    assert [(c.id, c.author, c.parent_id, c.content) for c in found] == [
        ("2000000", "Bo", None, "first"), ("3000000", "Cy", "2000000", "reply")]


def _marks(text: str) -> tuple[etree._Element, int]:
    root, flattened = parse_bounded(text, _PARSER, marker=f"<{FLAT}></{FLAT}>")
    assert root is not None and flattened is not None and flattened.complete
    return root, sum(1 for _ in root.iter(FLAT))


@pytest.mark.parametrize("between", ["", "word ", "<b>bold</b>", "</x><x>"])
def test_a_run_of_tags_set_aside_leaves_one_mark(between: str) -> None:
    """Nothing but text (and other tags set aside) between them: no element can hold one
    mark of the run and not the others, so one says it all."""
    text = _HEAD + "<div><x>" * 3000 + "deep" + (between + "<x>") * 3000 + "</body></html>"
    root, marks = _marks(text)
    assert marks == 1
    assert "deep" in "".join(root.itertext())


def test_a_tag_kept_between_tags_set_aside_ends_the_run() -> None:
    text = _HEAD + "<div>" * 3000 + "<x><br>" * 1000 + "</body></html>"
    root, marks = _marks(text)
    # Each <br> is kept, so each <x> after one is a mark of its own.
    assert marks == 1000 and sum(1 for _ in root.iter("br")) == 1000


def test_the_deep_page_fixture_is_read_in_few_walks(monkeypatch: pytest.MonkeyPatch) -> None:
    from warcio.archiveiterator import ArchiveIterator

    path = FIXTURES / "hostile" / "fuzz-warc-deep-page-slow.warc.gz"
    with path.open("rb") as raw:
        pages = [r.content_stream().read() for r in ArchiveIterator(raw)
                 if r.rec_type == "response"]
    deep = max(pages, key=len)
    page = parse_page("page.html", deep)
    assert any("nested more than 448 levels deep" in note for note in page.notes)
    # 540,000 tags set aside, one mark for them all: the tree is small again.
    assert sum(1 for _ in page.root.iter()) < 1000
    (post,), visited = _walked(monkeypatch, lambda: layouts.find_posts(page))
    assert [c.author for c in post.comments][-1].startswith("Anonymous")
    assert visited <= 2 * sum(1 for _ in page.root.iter())


def test_a_link_closed_before_a_mobile_index_title_does_not_hold_it() -> None:
    root = etree.fromstring(
        b"<html><body><div><a href='/a'>one</a><a href='/b'><span class='mobile-index-title'>"
        b"t</span></a><span class='mobile-index-title'>u</span></div></body></html>", _PARSER)
    index = Index(root)
    assert [a.get("href") for a in index.holding] == ["/b"]


# The generation checks as they were written: one pattern each, tried in turn (the oracle).
_CLASS = r"""class=["'][^"']{0,400}"""
_OLD_CHECKS = (
    ("2017+", re.compile(_CLASS + r"""\bpost-outer-container\b|"""
                         r"""<body[^>]{0,2000}\bclass=["'][^"']{0,400}\bversion-1-\d""", re.I)),
    ("mobile", re.compile(_CLASS + r"""\b(?:mobile-date-outer|mobile-post-outer|"""
                          r"""mobile-index-title|mobile-index-contents)\b""", re.I)),
    ("google", re.compile(r"""<script[^>]{0,2000}type=["']text/template["']|"""
                          + _CLASS + r"""\bpublishdate\b""", re.I)),
    ("third-party", re.compile(_CLASS + r"""\b(?:blog-post|item-post)\b""", re.I)),
    ("layouts", re.compile(_CLASS + r"""\b(?:widget Blog|post-outer|hentry)\b|"""
                           r"""_WidgetManager""", re.I)),
)
_PIECES = (
    'class="', "class='", 'CLASS="', "subclass='", '"', "'", " ", "x", "_", "-", "a" * 390,
    "a" * 9, "post-outer", "post-outer-container", "hentry", "widget Blog", "WIDGET blog",
    "blog-post", "item-post", "publishdate", "mobile-index-title", "mobile-date-outer",
    "_widgetmanager", "<body ", "<BODY class=", ">", "version-1-3", "<script ",
    'type="text/template"', "é", "\u017f", "\u212a",  # long s, Kelvin: re.I folds them
)


def _old_generation(text: str) -> str:
    return next((name for name, pattern in _OLD_CHECKS if pattern.search(text)), "layouts")


def test_the_generation_is_named_as_the_patterns_it_replaces_named_it() -> None:
    """Each class attribute is read once for all the checks' words (issue 12): the same
    answer as the five patterns, on pieces that sit at the edges of what they accept."""
    rnd = random.Random(15)
    for _ in range(4000):
        text = "".join(rnd.choice(_PIECES) for _ in range(rnd.randint(1, 12)))
        assert generation(text, False) == _old_generation(text), text


_ODD_PIECES = (
    "\u0130", "\u0131", "po\u017ft-outer", "CLA\u017f\u017f='", "h\u0130ntry", "HENTRY",
    "hentryx", "xhentry", "_hentry", "2hentry", "\u00e9hentry", "hentry\u00e9", "widget  Blog",
)


def test_the_generation_s_words_are_found_as_the_patterns_found_them_in_any_case() -> None:
    """The words are found in the lower-cased page (issue 12): boundaries next to any
    character, and the characters IGNORECASE folds to the words' letters but lower() does
    not (the dotted and dotless i, the long s), give the patterns' answer."""
    rnd = random.Random(12)
    pieces = _PIECES + _ODD_PIECES
    for _ in range(4000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 12)))
        assert generation(text, False) == _old_generation(text), text
    assert generation("<p class='x po\u017ft-outer-container'>", False) == "2017+"


# The classic comment markups, each comment nested in the one before: every field of every
# comment was searched for below it, through all the comments nested inside (quadratic,
# bounded only by the 448 levels the nesting bound keeps).
_SHOW = "https://x.blogspot.com/2006/05/p.html?showComment=1146502800000#c{id}"


def _blocks(n: int) -> str:
    block = ("<div class='blogComment'><a name='c{id}'></a>said {i}<div class='byline'>By "
             f"<a href='https://www.blogger.com/profile/{{i}}'>U{{i}}</a> at <a href='{_SHOW}'>"
             "9:00 AM</a></div>")
    return "".join(block.format(i=i, id=1000000 + i) for i in range(n)) + "</div>" * n


def _items(n: int) -> str:
    item = ("<li id='c{id}'><p class='comment-data'>By <a href='https://www.blogger.com/profile/"
            f"{{i}}'>U{{i}}</a> at <a href='{_SHOW}'>9:00 AM</a></p><div class='comment-body'>"
            "said {i}</div><ul>")
    return "<ul>" + "".join(item.format(i=i, id=1000000 + i) for i in range(n)) + (
        "</ul></li>" * n) + "</ul>"


def _definitions(n: int) -> str:
    item = ("<dl><dt id='c{id}'><a href='https://www.blogger.com/profile/{i}'>U{i}</a> said..."
            f"</dt><dd class='comment-body'><p>said {{i}}</p></dd><dd class='comment-footer'>"
            f"<a href='{_SHOW}'>9:00 AM</a>")
    return "".join(item.format(i=i, id=1000000 + i) for i in range(n)) + "</dd></dl>" * n


def _comments_root(make: Any, n: int) -> etree._Element:
    root = etree.fromstring(f"<html><body><div id='comments'>{make(n)}</div></body></html>"
                            .encode(), _PARSER)
    section = root.find(".//div[@id='comments']")
    assert section is not None
    return section


@pytest.mark.parametrize("make", [_blocks, _items, _definitions])
def test_classic_comments_nested_are_read_in_linear_work(
        make: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    found = comments.find_comments(_comments_root(make, 100))
    assert [(c.author, c.author_url, c.content) for c in found[:2]] == [
        ("U0", "https://www.blogger.com/profile/0", "said 0"),
        ("U1", "https://www.blogger.com/profile/1", "said 1")]
    assert [c.id for c in found] == [str(1000000 + i) for i in range(100)]
    assert [c.url for c in found[:1]] == [_SHOW.format(id=1000000)]
    assert None not in {c.published for c in found}
    small, large = (_comments_root(make, n) for n in (100, 200))
    ratio = (work(lambda: comments.find_comments(large), monkeypatch)
             / work(lambda: comments.find_comments(small), monkeypatch))
    assert ratio < 2.3


def _headings(n: int) -> etree._Element:
    """``n`` comment sections, each inside the heading of the one before, none with a count."""
    root = etree.Element("body")
    at = root
    for _ in range(n):
        section = etree.SubElement(at, "div", id="comments")
        at = etree.SubElement(section, "h4")
        at.text = "Comments"
    return root


def test_a_classic_count_does_not_read_nested_headings_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert classic._count(_headings(5)) is None
    last = _headings(5)
    deepest = list(last.iter("h4"))[-1]
    deepest.text = "7 Comments"
    assert classic._count(last) == 7
    small, large = _headings(150), _headings(300)
    ratio = (work(lambda: classic._count(large), monkeypatch)
             / work(lambda: classic._count(small), monkeypatch))
    assert ratio < 2.3
