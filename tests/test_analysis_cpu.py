"""The body analysis's CPU work cut without changing an answer (issue 12): each shortcut is
compared here with the way it replaced, on generated input."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import blogarchive.analysis as analysis
from blogarchive.analysis import UrlMap, _tree, analyse
from blogarchive.analysis._body import Body
from blogarchive.analysis.linklists import _Items, _Walk
from test_analysis_walk import BODIES

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
        assert analysis._with_host_of(urls, url) == urls.with_host_of(url)
        assert analysis._with_host_of(urls, url) == urls.with_host_of(url)  # now from memo


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
