"""One saved Blogger page: the parse, what marks it as Blogger, and the blog it is of.

Pages are decoded as the browser would (``encoding``). They are parsed with libxml2's HTML
parser (no network), which accepts whatever the page holds.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any, Final
from urllib.parse import unquote, urlunsplit

import attrs
from lxml import etree

from ...analysis._nesting import parse_bounded
from ...analysis._tree import squash, text_of
from ...analysis.urls import absolute, fold_host, host_of, split_url
from .._common import line_of
from .encoding import decode, decode_noted

__all__ = [
    "FLAT", "Page", "canonical_url", "classes", "cls", "decode", "has_class", "parse_page",
    "squash",
]

# huge_tree: no 10 MB cap on a text node or attribute (a pasted image as a data: URI), and
# nesting to 2048 levels; parse_bounded reads what nests deeper still, and says so.
_PARSER: Final = etree.HTMLParser(encoding="utf-8", no_network=True, remove_comments=False,
                                  recover=True, huge_tree=True)
FLAT: Final = "blogarchive-flat"
"""The empty element left where a start tag nested too deep was taken out (see _nesting)."""
# What only Blogger puts in a page (HTML.md section 0). Inside a tag, [^<>]{0,300}, not
# [^>]+: each "<meta" of a page of "<meta <meta <meta ..." scanned the rest of the page
# (50 KB took 12 s), as would a page of unclosed blogId attributes below.
_IN_TAG: Final = r"[^<>]{0,300}"
_FINGERPRINTS: Final = re.compile(
    rf"""<meta{_IN_TAG}content=["']blogger["']|<meta{_IN_TAG}name=["']generator["']"""
    rf"""{_IN_TAG}blogger|"""
    r"""blogger\.com/(?:feeds/\d+|rsd\.g\?blogID|navbar\.g|comment\.g\?blogID|post-edit\.g|"""
    r"""email-post\.g|delete-comment\.g|profile/\d+)|"""
    r"""class=["'][^"']*\bwidget Blog\b|_WidgetManager\._Init|BL_blogId|"""
    r"""<div style=["']clear:both;["']></div>""",
    re.I,
)
_BLOG_ID: Final = (
    re.compile(rf"""itemprop=["']blogId["']{_IN_TAG}content=["'](\d+)"""),
    re.compile(rf"""content=["'](\d+)["']{_IN_TAG}itemprop=["']blogId["']"""),
    re.compile(r"""blogger\.com/feeds/(\d+)/posts/default"""),
    re.compile(r"""[?&;]blogID=(\d+)""", re.I),
    re.compile(r"""targetBlogID(?:=|\\x3d)(\d+)"""),
    re.compile(r"""blogID(?:=|\\x3d)(\d+)"""),
    re.compile(r"""BL_blogId\s*=\s*["']?(\d+)"""),
    re.compile(r"""["']blogId["']\s*:\s*["'](\d+)"""),
    re.compile(r"""\bvar ID\s*=\s*(\d+);"""),
)


def cls(name: str) -> str:
    """An XPath test for one class token (``@class`` holds several, space-separated)."""
    return f'contains(concat(" ", normalize-space(@class), " "), " {name} ")'


_SCHEME: Final = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


@functools.lru_cache(maxsize=512)
def _compiled(query: str) -> etree.XPath:
    return etree.XPath(query)


def xp(el: etree._Element, query: str) -> list[Any]:
    """``el.xpath(query)`` as a list, with the query compiled once (compiling it anew for
    every post of every page was most of the reader's time)."""
    result = _compiled(query)(el)
    return list(result) if isinstance(result, list) else [result]


def under(root: etree._Element, outer: str, inner: str) -> list[Any]:
    """``root.xpath(outer + "//" + inner)`` without libxml2's nested search: it searches
    below every outer element and merges the results, quadratic (and worse) when the outer
    elements nest (thousands of nested ``post-author`` elements took minutes). Here the
    outermost of them are found in one walk, and each is searched once (issue 15)."""
    outers = xp(root, outer)
    if len(outers) > 1:
        found, tops, inside = set(outers), [], 0
        for event, el in etree.iterwalk(root, events=("start", "end")):
            if el in found:
                if event == "start":
                    if not inside:
                        tops.append(el)
                    inside += 1
                else:
                    inside -= 1
        outers = tops
    return [value for top in outers for value in xp(top, ".//" + inner)]


def classes(el: etree._Element) -> list[str]:
    return str(el.get("class") or "").split()


def has_class(el: etree._Element, name: str) -> bool:
    return name in classes(el)


def canonical_url(url: str | None, base: str | None = None) -> str | None:
    """A permalink as the archive writes it: no ``?m=1``, ``?showComment``, fragment; blogspot
    country domains folded to ``.com``; relative URLs resolved against ``base``."""
    if not url:
        return None
    url = url.strip()
    if not _SCHEME.match(url):  # else ``base`` plays no part: one remembered answer per URL
        url = absolute(url, base)
    return _remembered(url) if len(url) <= _REMEMBERED else _canonical(url)


def _canonical(url: str) -> str:
    parts = split_url(url)
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        return url  # not a web URL (or not one urllib can take apart): kept as written
    host = host_of(parts)
    if ".blogspot." in host:
        host = fold_host(host)
    netloc = host + (f":{parts.port}" if parts.port else "")
    query = "&".join(q for q in parts.query.split("&")
                     if q and not q.startswith(("m=", "showComment=")))
    return urlunsplit((parts.scheme, netloc, parts.path or "/", query, ""))


# The same URLs come again and again in a mirror (the blog's home and feed on every page, a
# post's permalink on its item page and on the index pages listing it); urllib's split of
# each was a tenth of reading a page's posts. Only URLs of a sane length are remembered: a
# hostile page's megabyte-long links must not fill the memory.
_REMEMBERED: Final = 2048
_remembered: Final = functools.lru_cache(maxsize=4096)(_canonical)


@attrs.define
class Page:
    """A parsed page and what it says about its blog."""

    name: str
    text: str
    root: etree._Element
    blog_id: str | None = None
    blog_title: str = ""
    blog_url: str | None = None
    url: str | None = None
    json_ld: list[dict[str, Any]] = attrs.Factory(list)
    notes: list[str] = attrs.Factory(list)
    """What reading the page could not do as the page says (bytes replaced, ...)."""

    def xpath(self, query: str, el: etree._Element | None = None) -> list[Any]:
        return xp(el if el is not None else self.root, query)


def is_blogger(text: str) -> bool:
    return _FINGERPRINTS.search(text) is not None


def parse_page(name: str, data: bytes) -> Page:
    text, _, decoding = decode_noted(data)
    root, flattened = parse_bounded(text, _PARSER, marker=f"<{FLAT}></{FLAT}>")
    if root is None:
        root = etree.fromstring(b"<html><body></body></html>", _PARSER)
    page = Page(name=name, text=text, root=root, notes=[decoding] if decoding else [])
    if flattened is not None:
        page.notes.append(flattened.note())
    page.blog_id = _blog_id(text)
    page.json_ld = _json_ld(root)
    page.url = _page_url(page)
    page.blog_url = _blog_url(page)
    page.blog_title = _blog_title(page)
    return page


def _blog_id(text: str) -> str | None:
    for pattern in _BLOG_ID:
        found = pattern.findall(text)
        if found:
            # The most frequent value wins: a page may link to another blog's comment form.
            return max(set(found), key=found.count)  # type: ignore[no-any-return]
    return None


def _json_ld(root: etree._Element) -> list[dict[str, Any]]:
    found = []
    for script in xp(root, '//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        for item in data if isinstance(data, list) else [data]:
            if isinstance(item, dict):
                found.append(item)
    return found


def _first(page: Page, *queries: str | tuple[str, str]) -> str | None:
    """The first non-empty value; a pair is an outer and an inner query (``under``)."""
    for query in queries:
        values = page.xpath(query) if isinstance(query, str) else under(page.root, *query)
        # Inside an element with no text there is none either: not read again for each of
        # its descendants the query also names (thousands of nested empty titles made this
        # quadratic: fuzz seed final7, mutant 42325).
        empty: set[etree._Element] = set()
        for value in values:
            if isinstance(value, etree._Element):
                if value in empty:
                    continue
                text = text_of(value)
                if not text:
                    empty.update(value.iter())
            else:
                text = squash(str(value))
            if text:
                return text
    return None


def _page_url(page: Page) -> str | None:
    url = _first(page, '//link[@rel="canonical"]/@href', '//meta[@property="og:url"]/@content')
    return canonical_url(url)


def _blog_url(page: Page) -> str | None:
    feed = _first(page, '//link[@rel="alternate"][contains(@type, "atom")]/@href',
                  '//link[@rel="alternate"][contains(@type, "rss")]/@href')
    if feed and "/feeds/" in feed:
        return canonical_url(feed.split("/feeds/", 1)[0] + "/")
    if feed and re.search(r"/[^/]+\.(?:xml|rdf)$", feed):  # classic FTP: the feed beside home
        return canonical_url(feed.rsplit("/", 1)[0] + "/")
    home = _first(page, ('//*[@id="Header1"]', "a/@href"), ('//h1[@id="blog-title"]', "a/@href"),
                  '//a[contains(concat(" ", @class, " "), " home-link ")]/@href',
                  "//text/@id")
    if home:
        home = canonical_url(home) or home
        parts = split_url(home)
        if parts is not None and re.search(r"/\d{4}/\d\d/[^/]+$", parts.path):
            return f"{parts.scheme}://{parts.netloc}/"  # a post's URL, not the home page
        return home
    parts = split_url(page.url) if page.url else None
    if parts is not None and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}/"
    return None


def _blog_title(page: Page) -> str:
    found = _first(
        page,
        ('//*[@id="Header1"]', "h1"), ('//*[contains(concat(" ", @class, " "), " Header ")]', "h1"),
        '//h1[@id="blog-title"]', '//*[contains(concat(" ", @class, " "), " blogtitle ")]',
        '//meta[@property="og:site_name"]/@content',
    )
    if found:
        return found
    feed_title = _first(page, '//link[@rel="alternate"][contains(@type, "atom")]/@title')
    if feed_title:
        return re.sub(r"\s*(?:-\s+Atom|\((?:Atom|RSS)[^)]*\))$", "", feed_title)
    title = _first(page, "//text/@title", "//title")  # "Blog: Post" on classic item pages
    return title.split(": ", 1)[0].strip() if title else ""


def label_from_href(href: str) -> str | None:
    """``/search/label/Rezepte`` or classic ``/labels/name.html`` -> the label's name."""
    match = re.search(r"/search/label/([^?#]+)|/labels/([^/?#]+?)\.(?:html?|asp)", href)
    if not match:
        return None
    return unquote((match.group(1) or match.group(2)).replace("+", " "))


__all__ += ["is_blogger", "label_from_href", "line_of", "text_of", "under", "xp"]
