"""The body analysis grows linearly with the body (issue 15), measured in work, not time.

The work counted is the number of nodes the tree walks of ``analysis._tree`` look at: every
walk there (visible text, segments, blocks inside) asks ``_tag`` for each node it visits, so
re-walking a container once per intro shows as a count growing with the square of the body,
whatever the machine's speed. Doubling the body must roughly double the count.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lxml import etree

from blogarchive.analysis import UrlMap, _tree, analyse

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
