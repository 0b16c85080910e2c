"""The body analysis grows linearly with the body (issue 15), measured in work, not time.

The work counted is the number of nodes the tree walks of ``analysis._tree`` look at: every
walk there (visible text, segments, blocks inside) asks ``_tag`` for each node it visits, so
re-walking a container once per intro shows as a count growing with the square of the body,
whatever the machine's speed. Doubling the body must roughly double the count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from lxml import etree

from blogarchive.analysis import UrlMap, _body, _tree, analyse
from growth import work

BASE = "https://x.blogspot.com/"
URLS = UrlMap.build([("https://x.blogspot.com/2010/03/a.html", "1")], BASE)


def _nodes_visited(html: str, monkeypatch: pytest.MonkeyPatch) -> int:
    count = 0
    tag = _tree._tag

    def counting(el: etree._Element) -> str | None:
        nonlocal count
        count += 1
        return tag(el)

    with monkeypatch.context() as patch:
        patch.setattr(_tree, "_tag", counting)
        analyse(html, BASE, URLS)
    return count


def _growth(make: Callable[[int], str], n: int, monkeypatch: pytest.MonkeyPatch) -> float:
    return _nodes_visited(make(2 * n), monkeypatch) / _nodes_visited(make(n), monkeypatch)


def test_many_intro_paragraphs_are_linear(monkeypatch: pytest.MonkeyPatch) -> None:
    # fuzz-analysis-many-intros.atom: each <p> holding only the intro looked for what follows
    # it by splitting the whole body into segments again (growth 4.0 before the fix).
    growth = _growth(lambda n: "<p>Earlier posts</p>" * n, 300, monkeypatch)
    assert growth < 2.5


def test_intros_with_their_lists_are_linear(monkeypatch: pytest.MonkeyPatch) -> None:
    # The same climb when it finds a list each time: the lists are all still found.
    def body(n: int) -> str:
        return "<p>Earlier posts:</p><p><a href='/2010/03/a.html'>A</a></p>" * n

    assert len(analyse(body(300), BASE, URLS).link_lists) == 300
    assert _growth(body, 300, monkeypatch) < 2.5


def test_an_intro_nested_deep_is_not_cubic(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every level of <div><div>..see also:</div></div> holds only the intro: climbing out from
    # each level read the text of every level above it again (growth 7.8 before the fix); the
    # text of each level is still read once per level (quadratic, bounded by the 512 levels
    # the parser keeps), so doubling the depth may quadruple the count, no more.
    growth = _growth(lambda n: "<div>" * n + "see also:" + "</div>" * n, 100, monkeypatch)
    assert growth < 4.5


def test_an_intro_in_its_own_wrapper_still_finds_the_list_after_it() -> None:
    # The climb out of a wrapper holding only the intro, through several levels.
    html = ("<div><blockquote><div><b>see also:</b></div></blockquote></div>"
            "<ul><li><a href='/2010/03/a.html'>A</a></li></ul><p>Earlier posts</p>")
    (found,) = analyse(html, BASE, URLS).link_lists
    assert (found.intro, found.form, [i.post_id for i in found.items]) == ("see also:", "ul", ["1"])


def _nested_items(n: int) -> str:
    # fuzz-analysis-list-items-slow.atom.gz (seed final, 33584): unclosed "<li><a href=..>"
    # nest as li > a > li > a ...; each item's text and each link's text was read with all
    # the items inside it (growth 4 before the fix; 20 s for the fuzzer's 2 MB body).
    return "<p>Earlier posts:</p><ul>" + "<li><a href='/2010/03/a.html'>A, said " * n + "</ul>"


def test_nested_list_items_are_linear(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _growth(_nested_items, 100, monkeypatch) < 2.5
    # Each item and link has its own text, the ones nested in it left to themselves.
    found = analyse(_nested_items(100), BASE, URLS)
    (listed,) = found.link_lists
    assert [item.title for item in listed.items] == ["A, said"] * 100
    assert [item.post_id for item in listed.items] == ["1"] * 100
    assert [link.text for link in found.links] == ["A, said"] * 100


def test_media_deep_in_the_body_are_linear(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each image climbed all its ancestors for a link around it: quadratic in the depth.
    def body(n: int) -> str:
        return "<div>" * n + "<img src='/i.jpg'>" * n + "</div>" * n

    def counted(n: int) -> int:
        return work(lambda: analyse(body(n), BASE, URLS), monkeypatch)

    assert len(analyse(body(200), BASE, URLS).media) == 200
    assert counted(400) / counted(200) < 2.3


class _Stepped(list[Any]):
    """A list whose every step of iteration is a Python call (so ``work`` counts it)."""

    def __iter__(self) -> Iterator[Any]:
        for item in list.__iter__(self):  # noqa: UP028 (each step a resume of this frame)
            yield item


def test_the_links_after_each_of_many_intros_are_found_in_linear_work(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Found by the fuzzer (seed 'final4', 177): a 2 MB page of 21,000 intros, each followed
    # by a link; the search after each intro stepped through all the segments before it
    # (itertools.islice) to skip them: 30 s.
    def body(n: int) -> str:
        return "<p>Earlier posts:</p><p><a href='/2010/03/a.html'>A</a></p>" * n

    # Every container's segments are split once per body, by Body.segments (_body.segments).
    segments = _body.segments
    monkeypatch.setattr(_body, "segments", lambda el, body=None: _Stepped(segments(el, body)))

    def counted(n: int) -> int:
        return work(lambda: analyse(body(n), BASE, URLS), monkeypatch)

    assert len(analyse(body(300), BASE, URLS).link_lists) == 300
    assert counted(600) / counted(300) < 2.3


def _nested_lists_with_intros(n: int) -> str:
    # Each item holds the next intro and its list (the shape of fuzz seed final5, mutant
    # 28117): every list's items include the lists nested in it, so the lists found hold
    # n(n+1)/2 items in all, but each item's text, date and own link are worked out once.
    one = ("<p>Earlier posts on the topic:</p><ul><li><a href='/2010/03/a.html'>A</a> "
           "March 1, 2010 ")
    return one * n + "</li></ul>" * n


def test_items_of_lists_inside_lists_are_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    found = analyse(_nested_lists_with_intros(100), BASE, URLS)
    assert len(found.link_lists) == 100
    assert [len(listed.items) for listed in found.link_lists[:3]] == [100, 99, 98]
    assert found.link_lists[0].items[0].date == "2010-03-01"

    def counted(n: int) -> int:
        return work(lambda: analyse(_nested_lists_with_intros(n), BASE, URLS), monkeypatch)

    # Before: every list read each of its items again (text, date search, own link), and
    # every intro's block was walked for its links: growth 3.9 from 100 to 200 (the output's
    # own growth is 4); read once, 3.2.
    assert counted(200) / counted(100) < 3.5
