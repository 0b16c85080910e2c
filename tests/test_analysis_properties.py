"""Property tests: no HTML makes the analysis fail, and analysing twice gives the same result."""

from __future__ import annotations

import cattrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blogarchive.analysis import BodyAnalysis, UrlMap, analyse

URLS = UrlMap.build([("https://x.blogspot.com/2010/03/a.html", "1")], "https://x.blogspot.com/")
WORDS = st.sampled_from([
    "Earlier posts on the topic include:", "see also:", "Articles précédents :", '"', "\u201c",
    "\u201d", "\u00ab", "\u00bb", "\u201e", "\u2014 Someone", "(June 6, 2008):", "2007-11-23",
    "word", " ", "\u00a0", "&amp;", "&nbsp;", "<", ">", "&", "\x00", "\ud800", "\x0b",
])
TAGS = st.sampled_from([
    "p", "div", "blockquote", "ul", "ol", "li", "span", "b", "i", "table", "td", "script",
    "style", "iframe", "object", "h3", "center", "font",
])
ATTRS = st.sampled_from([
    "", ' class="tr_bq"', ' dir="ltr" style="MARGIN-RIGHT: 0px"', ' cite="http://a/"',
    ' style="margin-left: 40px"', ' id="related-posts"', ' class="linkwithin_div"',
    ' style="margin: 0px 0px 0px 40px"',
])
LINKS = st.sampled_from([
    '<a href="https://x.blogspot.com/2010/03/a.html">A</a>', '<a href="/2009/01/b.html">B</a>',
    '<a href="http://x.blogspot.co.uk/2010/03/a.html?m=1">C</a>', '<a href="javascript:x">',
    '<a href="http://[::1">bad</a>', '<img src="https://1.bp.blogspot.com/a/s320/i.jpg">',
    "<br>", "<br/>", "</p>", "</blockquote>", "<li>", '<a href="">',
])


@st.composite
def html(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 6))):
        choice = draw(st.integers(0, 3 if depth < 5 else 1))
        if choice == 0:
            parts.append(draw(WORDS))
        elif choice == 1:
            parts.append(draw(LINKS))
        else:
            tag = draw(TAGS)
            inner = draw(html(depth + 1))
            close = draw(st.booleans())  # unclosed tags are everyday Blogger HTML
            parts.append(f"<{tag}{draw(ATTRS)}>{inner}" + (f"</{tag}>" if close else ""))
    return "".join(parts)


def _check(source: str) -> None:
    first = analyse(source, "https://x.blogspot.com/2010/09/p.html", URLS)
    assert isinstance(first, BodyAnalysis)
    assert analyse(source, "https://x.blogspot.com/2010/09/p.html", URLS) == first
    converter = cattrs.Converter()
    assert converter.structure(converter.unstructure(first), BodyAnalysis) == first


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html())
def test_blogger_like_html_never_breaks_the_analysis(source: str) -> None:
    _check(source)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_never_breaks_the_analysis(source: str) -> None:
    _check(source)


def test_deep_nesting() -> None:
    _check("<blockquote><div>" * 2000 + "text" + "</div></blockquote>" * 2000)
    _check("<span>" * 3000 + '"quoted<br><br>"more' + "</span>" * 3000)
