"""The body's one walk (``analysis._body.Body``, issue 12): it answers what the rules ask of the
tree exactly as the walks of ``analysis._tree`` do, the rules ask it instead of walking the tree
again, and its work grows linearly with the body."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from blogarchive.analysis import UrlMap, _body, _tree, analyse, inventory, quotes
from blogarchive.analysis._body import Body
from blogarchive.analysis._trie import trie_pattern
from blogarchive.analysis.linklists import PHRASES, has_intro_phrase
from blogarchive.analysis.records import Quote
from growth import work
from test_analysis_properties import html

BASE = "https://x.blogspot.com/2010/09/p.html"
URLS = UrlMap.build([("https://x.blogspot.com/2010/03/a.html", "1")], "https://x.blogspot.com/")
# What the walk does not enter (scripts, noscript, template, comments) but the old walks saw.
HIDDEN = st.sampled_from([
    "<noscript><div>x<a href='/n'>n<img src='/n.jpg'></a><br></div></noscript>",
    "<template><p>t<li>i</li></p></template>", "<script>var a = '<p>';</script>",
    "<!-- c<br> -->", "<style>p {}</style>",
    "<a href='/o'><noscript><a href='/i'>i</a></noscript></a>",
    "<li><noscript><li>hidden item</li></noscript>shown</li>", "\u00a0", "<iframe>in</iframe>tail",
])
BODIES = st.lists(st.one_of(html(), HIDDEN), max_size=6).map("".join)
WITHOUT = (frozenset(), frozenset({"li"}), frozenset({"a"}), frozenset({"li", "a"}))


def _hidden(root: etree._Element) -> set[etree._Element]:
    """What the rules always left out: what is inside a script, style or other hidden element."""
    return {el for skipped in root.iter(*_tree.SKIP) for el in skipped.iter()}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(BODIES)
def test_the_walk_answers_as_the_walks_of_each_element_do(source: str) -> None:
    root = _tree.parse(source)
    body = Body(root)
    hidden = _hidden(root)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for without in WITHOUT:
            assert body.text(el, without) == _tree.text_of(el, without)
        assert body.has_block_inside(el) == _tree.has_block_inside(el)
        assert body.visible(el) == (el is not root and el not in hidden)
    for container in [root, *(el for el in root.iter() if body.visible(el))]:
        walked, plain = body.segments(container), _tree.segments(container)
        assert [(s.tag, s.gap_before, s.text, s.first_char, s.html) for s in walked] == \
            [(s.tag, s.gap_before, s.text, s.first_char, s.html) for s in plain]
        assert body.segments(container) is walked  # split once


def test_the_rules_read_every_text_from_the_one_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    # A body with a quotation, a link list with its items, links and an image: before the one
    # walk, the text of the body, of each block, line, link and item was a walk of its own.
    source = ("<blockquote><p>Quoted words</p><p>\u2014 Ann</p></blockquote>"
              "<p>\u201cA quote.\u201d \u2014 Bob</p><p>Earlier posts:</p><ul>"
              "<li><a href='/2010/03/a.html'>A</a> (March 1, 2010)</li>"
              "<li><a href='/2010/03/b.html'><b>B</b></a> (March 2, 2010)</li></ul>"
              "<div style='margin-left: 40px'>Indented<br>two lines</div>"
              "<a href='/x'><img src='/i.jpg'></a>")
    walks = 0
    text_parts = _tree._text_parts

    def counted(*args: object) -> None:
        nonlocal walks
        walks += 1
        text_parts(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(_tree, "_text_parts", counted)
    found = analyse(source, BASE, URLS)
    assert (len(found.quotes), len(found.link_lists), len(found.links), len(found.media)) == \
        (3, 1, 3, 1)
    assert found.link_lists[0].items[1].title == "B"
    assert walks == 0


def test_a_hidden_link_inside_a_link_is_still_left_out_of_its_text() -> None:
    # The one exception to the walk's texts: an element holding what it must leave out.
    found = analyse("<a href='/o'>out<noscript><a href='/i'>in</a></noscript>side</a>", BASE, URLS)
    assert [link.text for link in found.links] == ["outside"]


_BOUNDED = re.compile(r"\b" + trie_pattern(PHRASES) + r"\b(?! to\b)")  # the pattern as it was


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from([
    *PHRASES[:12], "prior to", "précédent", "ältere", " ", ":", "(", "x", "é", "_", "1", "-",
    "to", "\u00a0", "Earlier",
]), max_size=8).map("".join))
def test_the_intro_search_finds_what_the_word_bounded_pattern_finds(text: str) -> None:
    # has_intro_phrase searches "start or a non-letter, then a phrase" instead of "\b, then a
    # phrase" (the engine skips to candidates in C): the same texts must match.
    assert has_intro_phrase(text) == (_BOUNDED.search(text.lower()) is not None)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from([
    *(chr(c) for c in range(32)), "a", "\u00e9", "\ud800", "\udfff", "\ufffd", "\ufffe",
    "\uffff", "\U0001f600", "\ud55c", "\ud7ff", "\ue000",
])))
def test_the_quick_check_for_characters_libxml2_cannot_take_agrees_with_the_pattern(
        text: str) -> None:
    assert _tree._safe(text) == (_tree._UNSAFE.search(text) is None)


@pytest.mark.parametrize("make", [
    lambda n: "<div>" * n + "words <a href='/x'>link</a><br>" + "</div>" * n,
    lambda n: "<p>Some words<br>and <b>more</b> <a href='/x'>a link</a></p>" * n,
    lambda n: "<ul>" + "<li><a href='/2010/03/a.html'>A</a> March 1, 2010" * n + "</ul>",
], ids=["deep", "wide", "nested-items"])
def test_the_one_walk_is_linear(make: object, monkeypatch: pytest.MonkeyPatch) -> None:
    def counted(n: int) -> int:
        root = _tree.parse(make(n))  # type: ignore[operator]
        return work(lambda: Body(root), monkeypatch)

    assert counted(400) / counted(200) < 2.2


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(BODIES)
def test_bodies_passed_over_by_the_quote_check_hold_no_quotation(source: str) -> None:
    # find_quotes returns early when no piece of text opens with a quotation mark and there
    # is no blockquote or indented block; the full search must agree on every body.
    body = Body(_tree.parse(source))
    found: list[Quote] = []
    quotes._scan(body.root, found, body)
    assert quotes.find_quotes(body) == tuple(found)
    around = inventory._Around(body.root)
    if next(body.root.iter(*inventory._MEDIA), None) is None:  # what the links then skip
        assert (around.with_image, around.link) == (set(), {})


def test_marks_inside_sentences_do_not_split_the_body(monkeypatch: pytest.MonkeyPatch) -> None:
    splits = 0
    split = _body.segments

    def counted(el: etree._Element, body: Body | None = None) -> list[_tree.Segment]:
        nonlocal splits
        splits += 1
        return split(el, body)

    monkeypatch.setattr(_body, "segments", counted)
    inside = "<p>He said \u201cno\u201d and left.</p><p>A \"word\" here</p>"
    assert analyse(inside, BASE, URLS).quotes == ()
    assert splits == 0
    (quote,) = analyse(inside + "<p>\u201cA quotation.\u201d</p>", BASE, URLS).quotes
    assert quote.text == "\u201cA quotation.\u201d"
    assert splits > 0
