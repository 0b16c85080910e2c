"""The body analysis's CPU work cut without changing an answer (issue 12): each shortcut is
compared here with the way it replaced, on generated input."""

from __future__ import annotations

import gc
import pickle
import weakref
from collections.abc import Iterator
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from blogarchive.analysis import (
    UrlMap,
    _body,
    _tree,
    analyse,
    dates,
    intros,
    inventory,
    linklists,
)
from blogarchive.analysis._body import Body
from blogarchive.analysis.intros import PHRASES
from blogarchive.analysis.linklists import _Items, _Walk
from blogarchive.analysis.records import LinkList
from test_analysis_walk import BODIES

BASE = "https://x.blogspot.com/2010/09/p.html"
URLS = UrlMap.build([("https://x.blogspot.com/2010/03/a.html", "1")], "https://x.blogspot.com/")

# Permalinks as pages and feeds give them: hosts in any case, ports good and bad, IPv6
# brackets, spaces and controls that urlsplit or strip() drop, a missing or odd path.
_HOST_PARTS = st.sampled_from([
    "x.blogspot.com", "X.Blogspot.CO.UK", "www.example.org", "example.org:8080", "h:99999",
    "h:abc", "[::1]", "[::1", "::1]", "user@h", "h\t", "h ", " h", "h\n", "\u00e9.com", "",
    "a.b", ".", "x.blogspot.com.", "%41.com",
])
_RESTS = st.sampled_from(["", "/", "/2010/03/a.html", "?m=1", "#c1", "/p/x.html ", " ", "/\t"])


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "//", ""]),
       st.lists(_HOST_PARTS, max_size=3).map("".join), _RESTS)
def test_the_hosts_looked_up_by_scheme_and_host_are_the_ones_with_host_of_gives(
        scheme: str, host: str, rest: str) -> None:
    url = scheme + host + rest
    for urls in (URLS, UrlMap()):
        assert urls.for_post(url) == urls.with_host_of(url)
        assert urls.for_post(url) == urls.with_host_of(url)  # now from memo


def test_a_post_on_another_host_still_counts_its_host_as_the_blogs() -> None:
    # The memo is by scheme and host: the second post's own host must not come from the first's.
    urls = UrlMap.build([], "https://x.blogspot.com/")
    first = analyse("<a href='/p/a.html'>a</a>", "https://one.example/2010/01/a.html", urls)
    second = analyse("<a href='https://one.example/b'>b</a>", "https://two.example/a", urls)
    assert first.links[0].internal
    assert not second.links[0].internal


def _first_link_as_it_was(root: etree._Element) -> dict[etree._Element, etree._Element]:
    """Each element's first ``a[href]`` (itself included), by the walk first_link made."""
    first: dict[etree._Element, etree._Element] = {}
    waiting: list[etree._Element] = []
    for event, el in etree.iterwalk(root, events=("start", "end")):
        if not isinstance(el.tag, str):
            continue
        if event == "end":
            if waiting and waiting[-1] is el:
                waiting.pop()
            continue
        waiting.append(el)
        if el.tag == "a" and el.get("href") is not None:
            for open_el in waiting:
                first[open_el] = el
            waiting.clear()
    return first


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(BODIES)
def test_each_elements_first_link_is_the_one_the_walk_found(source: str) -> None:
    body = Body(_tree.parse(source))
    walk = _Walk(body, _Items(body, URLS, None))
    expected = _first_link_as_it_was(body.root)
    for el in body.root.iter():
        if isinstance(el.tag, str):
            seg = _tree.Segment([], block=el)
            assert walk.first_link(seg) is expected.get(el)


@pytest.mark.parametrize("source", [
    "<a href='/a'>a<a href='/b'>b</a></a>",  # the parser closes the first: two siblings
    "<div><a>no href<span><a href='/x'>x</a></span></a></div>",
    "<ul><li><b><a href='/1'>1</a></b><a href='/2'>2</a></li></ul>",
])
def test_first_links_in_awkward_nestings(source: str) -> None:
    test_each_elements_first_link_is_the_one_the_walk_found.hypothesis.inner_test(source)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(BODIES)
def test_the_iterwalk_gives_the_pieces_spans_and_blocks_of_the_stack_walk(source: str) -> None:
    # Body walks with lxml's iterwalk, comments included (as events of their own: their
    # tails are text); _text_parts' own stack is the walk it replaced.
    _assert_walks_agree(_tree.parse(source))


def _assert_walks_agree(root: etree._Element) -> None:
    walked: tuple[list[str], dict[etree._Element, tuple[int, int]], set[etree._Element]] = (
        [], {}, set())
    _body._walk(root, *walked)
    stacked: tuple[list[str], dict[etree._Element, tuple[int, int]], set[etree._Element]] = (
        [], {}, set())
    _stack_walk_as_it_was(root, *stacked)
    assert walked == stacked
    plain: list[str] = []
    _tree._text_parts(root, plain)  # the same pieces, by the walk text_of still makes
    assert plain == walked[0]


def _stack_walk_as_it_was(el: etree._Element, parts: list[str],
                          spans: dict[etree._Element, tuple[int, int]],
                          blocky: set[etree._Element]) -> None:
    """The walk ``Body`` made before lxml's iterwalk: ``_tree._text_parts`` noting each
    element's span and which hold a block or a ``<br>`` (that mode of it only tests used)."""
    start = len(parts)
    if el.text:
        parts.append(el.text)
    children: list[Iterator[etree._Element]] = [iter(el)]
    closing: list[tuple[etree._Element, bool, str | None, int]] = [(el, False, None, start)]
    inside = [False]
    while children:
        child = next(children[-1], None)
        if child is None:
            children.pop()
            done, spaced, tail, start = closing.pop()
            spans[done] = (start, len(parts))
            if inside.pop():
                blocky.add(done)
                if inside:
                    inside[-1] = True
            if spaced:
                parts.append(" ")
            if tail:
                parts.append(tail)
            continue
        tag = child.tag if isinstance(child.tag, str) else None
        if tag is not None and tag not in _tree.SKIP:
            block = tag in _tree.BLOCK
            spaced = block or tag in _tree.BREAKS
            if spaced:
                parts.append(" ")
            if block or tag == "br":
                inside[-1] = True
            inside.append(False)
            closing.append((child, spaced, child.tail, len(parts)))
            if child.text:
                parts.append(child.text)
            children.append(iter(child))
            continue
        if tag is not None and not inside[-1]:
            inside[-1] = next(child.iterdescendants(*_tree._BLOCK_OR_BREAK), None) is not None
        if child.tail:
            parts.append(child.tail)


_COMMENTED = st.sampled_from([
    "<!--more-->", "<!-- c -->", "<?pi x?>", "t", " ", "<p>", "</p>", "<br>", "<b>", "</b>",
    "<script>s<!--in--></script>", "<noscript><!--n--><div>d</div></noscript>", "<a href='/a'>",
    "</a>", "<div>", "</div>", "<img src='/i.jpg'>", "<iframe>f<!--i--></iframe>",
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_COMMENTED, max_size=14).map("".join))
def test_comments_and_instructions_anywhere_give_the_stack_walks_text(source: str) -> None:
    # Blogger's jump break (<!--more-->) and comments anywhere, in the XML parser's trees too
    # (the HTML parser drops processing instructions, so only there do they reach the walk).
    _assert_walks_agree(_tree.parse(source))
    try:
        xml = etree.fromstring(f"<body>{source}</body>")
    except etree.XMLSyntaxError:
        return
    _assert_walks_agree(xml)


def test_a_comment_after_a_hidden_element_and_at_the_ends() -> None:
    root = _tree.parse("<!--a-->x<script>s</script><!--b-->y<p><!--c-->z<!--d--></p>w<!--e-->")
    _assert_walks_agree(root)
    assert Body(root).text(root) == "xy z w"


def test_a_body_with_comments_keeps_the_text_after_each() -> None:
    found = analyse("<!--more-->Earlier<p>x<!-- c -->y</p>", BASE)
    assert found.text == "Earlier xy"  # a comment is no break: "x" and "y" join


_DATE_FORMS = st.sampled_from([
    "June 6, 2008", "6 June 2008", "6 juin 2008", "6. Juni 2008", "6 de junio de 2008",
    "2008-06-06", "March 2010", "2010-13-45", "Feb 30, 2010", "\u0661\u0662\u0663\u0664",
    "mai 2011", "1999", "99", " ", "-", ",", "x", "de ", "Sept. 3, 2012",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_DATE_FORMS, max_size=5).map(" ".join))
def test_a_text_without_four_digits_is_passed_over_as_holding_no_date(text: str) -> None:
    # find_date returns at once when no four digits are in the text; the forms it tried
    # before must find nothing there either.
    if dates._YEAR.search(text) is None:
        assert all(p.search(text) is None for p in
                   (dates._ISO, dates._DAY_FIRST, dates._MONTH_FIRST, dates._MONTH_YEAR))
    assert (dates.find_date(text) is None) == (dates.find_date(text + " ") is None)


def _around_as_it_was(root: etree._Element) -> tuple[set[etree._Element],
                                                     dict[etree._Element, str]]:
    """The links holding an image and each medium's link, by the walk _Around made."""
    with_image: set[etree._Element] = set()
    link: dict[etree._Element, str] = {}
    links: list[etree._Element] = []
    marked = 0
    for event, el in etree.iterwalk(root, events=("start", "end"), tag=("a", *inventory._MEDIA)):
        linked = el.tag == "a" and el.get("href") is not None
        if event == "end":
            if linked and links and links[-1] is el:
                links.pop()
                marked = min(marked, len(links))
            continue
        if el.tag in inventory._MEDIA and links:
            link[el] = str(links[-1].get("href"))
            if el.tag == "img" and marked < len(links):
                with_image.update(links[marked:])
                marked = len(links)
        if linked:
            links.append(el)
    return with_image, link


_NESTED_LINKS = st.sampled_from([
    "<a href='/o'>", "<a>", "</a>", "<img src='/i.jpg'>", "<iframe src='/v'></iframe>",
    "<a hre</p>", "<div>", "</div>", "<noscript>", "</noscript>", "<embed src='/e'>", "t",
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(BODIES, st.lists(_NESTED_LINKS, max_size=12).map("".join)))
def test_the_links_around_media_are_the_ones_the_walk_found(source: str) -> None:
    root = _tree.parse(source)
    around = inventory._Around(root)
    assert (around.with_image, around.link) == _around_as_it_was(root)


def test_links_nested_by_broken_markup_around_images() -> None:
    # `<a hre</p>` leaves links open inside each other (see _nesting); forced here by hand.
    root = etree.fromstring("<body><a href='/1'><a href='/2'><img/></a><img/><a><img/></a>"
                            "</a><a href='/3'><video/></a></body>")
    around = inventory._Around(root)
    assert {str(a.get("href")) for a in around.with_image} == {"/1", "/2"}
    assert sorted(around.link.values()) == ["/1", "/1", "/2", "/3"]
    assert (around.with_image, around.link) == _around_as_it_was(root)


def test_the_host_memo_does_not_keep_a_finished_conversions_map_alive() -> None:
    # The memo is the map's own, and its copies for other hosts go with it: nothing global.
    urls = UrlMap.build([("https://x.blogspot.com/2010/03/a.html", "1")],
                        "https://x.blogspot.com/")
    analyse("<a href='/2010/03/a.html'>a</a>", "https://x.blogspot.com/2010/01/b.html", urls)
    analyse("<a href='/2010/03/a.html'>a</a>", "https://other.example/2010/01/b.html", urls)
    other = urls.for_post("https://other.example/2010/01/c.html")
    assert "other.example" in other.hosts
    assert urls.for_post("https://other.example/x") is other  # kept, its memo warm
    held, copy = weakref.ref(urls), weakref.ref(other)
    del urls, other
    gc.collect()
    assert held() is None
    assert copy() is None


def test_the_host_memo_is_not_part_of_the_maps_value_and_is_not_sent_to_workers() -> None:
    urls = UrlMap.build([("https://x.blogspot.com/2010/03/a.html", "1")],
                        "https://x.blogspot.com/")
    fresh = UrlMap(posts=urls.posts, hosts=urls.hosts)
    urls.for_post("https://other.example/a")
    assert urls == fresh
    assert pickle.loads(pickle.dumps(urls))._for_hosts == {}


# Texts of each kind the intro search treats apart: ASCII and Latin-1 (searched as bytes with
# every non-letter but the space marked), and any other (a superset searched as UTF-8 bytes,
# then the pattern on the text); with the characters next to a phrase that decide it.
_INTRO_PIECES = st.sampled_from([
    *PHRASES, "Earlier", "SEE ALSO", "ÄLTERE", "prior to", " to", "to", " ", "  ", ":", "(",
    "x", "_", "1", "é", "É", "ß", "ª", "²", "«", "\u00a0", "\t", "\n", "\x01", "\u2019", "\u201c",
    "\u2014", "\u0130", "\u212a", "\u017f", "\u03a9", "\u4e2d", "\ud800", "\U0001f600", "-",
])


@settings(max_examples=800, deadline=None)
@given(st.lists(st.one_of(_INTRO_PIECES, st.text(max_size=2)), max_size=8).map("".join))
def test_the_intro_search_in_steps_finds_what_the_one_pattern_found(text: str) -> None:
    lowered = text.lower()
    assert intros.has_intro_phrase(text) == (
        intros.INTRO_AT_START.match(lowered) is not None
        or intros.INTRO_AFTER.search(lowered) is not None)


@pytest.mark.parametrize(("text", "found"), [
    ("see also", True), ("x see also:", True), ("(see also", True), ("«voir aussi»", True),
    ("é(prior", True), ("prior to x", False), ("(prior to)", False), ("(prior, to)", True),
    ("éprior", False), ("\u2014see also", True), ("\u2019prior to", False),
    ("\u2019prior to\u2019", False), ("\u2019prior too", True),
    ("\u2019éprior \u4e2d", False), ("\u4e2dprior", False), ("\u2019ältere", True),
    ("x_related", False), ("related_x", False), ("article lié\u2014", True),
    ("articles liés\u2014", True), ("article liés\u2014", False), ("article liéx\u2014", False),
])
def test_intro_phrases_next_to_punctuation_and_letters_of_every_kind(text: str,
                                                                      found: bool) -> None:
    assert intros.has_intro_phrase(text) is found
    lowered = text.lower()
    assert (intros.INTRO_AT_START.match(lowered) is not None
            or intros.INTRO_AFTER.search(lowered) is not None) is found


def _scan_as_it_was(container: etree._Element, walk: _Walk) -> None:
    """linklists._scan before the list after an intro was looked up by its first link first."""
    segs = walk.segments(container)
    for index, seg in enumerate(segs):
        if seg.block is not None:
            if not linklists._widget(seg.block):
                _scan_as_it_was(seg.block, walk)
            if seg.tag in ("ul", "ol"):
                continue
        if seg.block is not None and linklists._too_long(seg.block):
            continue
        text = seg.text
        if not linklists.is_intro(text) or walk.first_link(seg) is not None:
            continue
        after, start = segs, index + 1
        holder: etree._Element | None = container
        while start >= len(after) and holder is not None and walk.short_text(holder) == text:
            after, start = walk.climb(holder)
            holder = holder.getparent()
        found = linklists._following(after, start, walk)
        if found is None:
            continue
        form, links = found
        if not any(i.same_blog or i.date for i in links):
            continue
        if not text.rstrip(" \u00a0*").endswith(":") and len(links) < 2:
            continue
        key = walk.first_link(after[start])
        if key is None or key in walk.used:
            continue
        walk.used.add(key)
        walk.out.append(LinkList(intro=text, form=form, items=tuple(links)))


_LIST_PIECES = st.sampled_from([
    "<p>Earlier posts:</p>", "<blockquote>see also:</blockquote>", "<div><div>Related:</div></div>",
    "Other posts:<br>", "<span>More on this:</span>", "<p><b>Previous</b></p>",
    "<ul><li><a href='/2010/03/a.html'>A</a> March 1, 2010</li><li><a href='/b'>B</a></li></ul>",
    "<ol><li><a href='https://e.org/x'>x</a></li></ol>", "<div><ul><li><a href='/c'>C</a></li>",
    "</ul></div>", "<a href='/2010/03/a.html'>A</a><br>", "<p><a href='/2009/01/d.html'>D</a></p>",
    "<li><a href='/e'>E</a> 2008-01-02</li>", "<br>", "<div>", "</div>", "<p>", "</p>", "x ",
])


def _lists_as_they_were(source: str) -> tuple[LinkList, ...]:
    body = Body(_tree.parse(source))
    walk = _Walk(body, _Items(body, URLS, BASE))
    _scan_as_it_was(body.root, walk)
    return tuple(walk.out)


@settings(max_examples=300, deadline=None)
@given(st.lists(_LIST_PIECES, max_size=12).map("".join))
def test_the_link_lists_are_the_ones_found_before_the_lookup_by_first_link(source: str) -> None:
    found = linklists.find_link_lists(Body(_tree.parse(source)), URLS, BASE)
    assert found == _lists_as_they_were(source)


def test_a_list_named_by_intros_at_two_levels_is_read_once() -> None:
    source = ("<p>Earlier posts:</p><ul><li><a href='/2010/03/a.html'>A</a> March 1, 2010</li>"
              "<li><a href='/b'>B</a></li></ul><div><div>Related:</div></div>"
              "<p><a href='/2009/01/d.html'>D</a></p><p><a href='/2009/01/e.html'>E</a></p>")
    with mock.patch.object(linklists, "_following", wraps=linklists._following) as following:
        found = linklists.find_link_lists(Body(_tree.parse(source)), URLS, BASE)
    assert [(ll.intro, ll.form, len(ll.items)) for ll in found] == [
        ("Earlier posts:", "ul", 2), ("Related:", "paragraphs", 2)]
    assert found == _lists_as_they_were(source)
    # each intro's block is met again one level up: five calls before
    assert following.call_count == 2


_SPACE_PIECES = st.sampled_from([
    *(chr(c) for c in range(256) if chr(c).isspace()), "\u1680", "\u2003", "\u3000", "\u200b",
    "word", "w", "é", "\u00ff", "\u0100", "\u4e2d", "\ud800", "\x00", "\x01", " " * 40,
])


@settings(max_examples=400, deadline=None)
@given(st.lists(_SPACE_PIECES, max_size=80).map("".join))
def test_long_texts_are_squashed_as_splitting_them_did(text: str) -> None:
    # squash takes a long text of the first 256 code points through its bytes.
    assert _tree.squash(text) == " ".join(text.split())
    padded = text + "x" * _tree._SHORT  # long enough, whatever was drawn
    assert _tree.squash(padded) == " ".join(padded.split())
