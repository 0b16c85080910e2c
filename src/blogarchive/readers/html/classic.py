"""Posts on classic-template pages (the ``<$BlogItemBody$>`` era, blogspot or FTP-published).

Classic templates were free-form HTML, but Blogger itself wrote the body: it always starts
with ``<div style="clear:both;"></div>`` and ends with
``<div style="clear:both; padding-bottom:0.25em"></div>``. Those markers cut the page into
posts on the page's text (so the body is kept exactly as the page has it). Before a body:
the date header (carried forward: classic prints it once per day), the ``a[name=<post id>]``
anchor and the title; after it: the labels paragraph, the "posted by X at <permalink>" byline,
and on item and archive pages the comments.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Final

import attrs
from lxml import etree

from ...analysis._tree import parse_noted
from .comments import find_comments
from .found import FoundPost
from .page import Page, canonical_url, label_from_href, text_of, under, xp
from .when import from_header, parse_day, parse_moment, parse_time_of_day, url_year

__all__ = ["find_classic_posts", "is_classic"]

_LINKS: Final = frozenset({"a"})
_START: Final = re.compile(r"""<div\s+style=["']clear:\s*both;?["']\s*>\s*</div>""", re.I)
_END: Final = re.compile(
    r"""<div\s+style=["']clear:\s*both;\s*padding-bottom:\s*0?\.25em;?["']\s*>\s*</div>""", re.I)
_ANCHOR: Final = re.compile(r"""<a\s+name\s*=\s*["']?(\d{9,19})["']?\s*>""", re.I)
# A header's text is short, and a title's runs to its end tag without crossing the start of
# another heading; a tag's attributes stop at "<". Unbounded, every unclosed header of a
# hostile page was scanned to the page's end (50 KB of "class=date-header>" took 3.5 s).
_HEADER: Final = re.compile(
    r"""class=["']?date-header["']?[^<>]*>(.{0,500}?)</h\d>|"""
    r"""<a\s+name=["']?(\d{4}-\d\d-\d\d)["']?""",
    re.I | re.S)
_HEADING: Final = re.compile(r"<h([1-4])\b[^<>]*>((?:[^<]|<(?!h[1-6]\b))*?)</h\1>", re.I)
_TAGS: Final = re.compile(r"<[^<>]+>")
_POSTED_BY: Final = re.compile(
    r"posted\s+by\s+(.*?)\s*(?:\bat\b|@|\||$)", re.I | re.S)


def is_classic(text: str) -> bool:
    return _START.search(text) is not None and _END.search(text) is not None


def _plain(html: str) -> str:
    from html import unescape

    return " ".join(unescape(_TAGS.sub(" ", html)).split())


def _spans(text: str) -> list[tuple[int, int, int, int]]:
    """``(start marker start, body start, body end, end marker end)`` per post."""
    spans = []
    position = 0
    end = None
    while True:
        start = _START.search(text, position)
        if not start:
            break
        if end is None or end.start() < start.end():  # else: still the end after this start
            end = _END.search(text, start.end())
        if not end:
            break
        following = _START.search(text, start.end())
        if following and following.start() < end.start():
            position = following.start()  # a stray clear div: the body starts at the next one
            continue
        spans.append((start.start(), start.end(), end.start(), end.end()))
        position = end.end()
    return spans


def find_classic_posts(page: Page) -> list[FoundPost]:
    text = page.text
    spans = _spans(text)
    posts = []
    region_start = 0
    # The date header carried forward and the line count, each read on from where the last
    # post left them: from the page's start for every post is quadratic on a page of many.
    header, header_from = None, 0
    line, line_from = 1, 0
    for index, (marker, body_start, body_end, after_start) in enumerate(spans):
        before = text[region_start:marker]
        anchors = list(_ANCHOR.finditer(before))
        anchor = anchors[-1] if anchors else None
        next_marker = spans[index + 1][0] if index + 1 < len(spans) else len(text)
        after = text[after_start:next_marker]
        next_anchor = None
        if index + 1 < len(spans):
            upcoming = list(_ANCHOR.finditer(after))
            next_anchor = upcoming[-1] if upcoming else None
        if next_anchor is not None:
            # The next post's header and title belong to it, not to this post's comments.
            cut = _last_header_before(after, next_anchor.start())
            after = after[:cut]
        region_start = after_start + len(after)
        header = _date_header(text[header_from:marker]) or header
        header_from = marker
        title_html = before[anchor.end():] if anchor else before[-2000:]
        heading = _HEADING.search(title_html)
        title = _plain(heading.group(2)) if heading else ""
        line += text.count("\n", line_from, body_start)
        line_from = body_start
        after_root, flattened = parse_noted(after)
        if flattened is not None:
            before_after = line - 1 + text.count("\n", body_start, after_start)
            page.notes.append(attrs.evolve(flattened, line=flattened.line + before_after).note(
                " after a post's body, in its labels, byline or comments"))
        url, stamp, author, byline = _byline(after_root, page)
        year = url_year(url)
        published, source, precision = _when(stamp, header, year, byline)
        posts.append(FoundPost(
            id=anchor.group(1) if anchor else None,
            title=title,
            url=url,
            published=published,
            published_source=source,
            precision=precision,
            author=author,
            labels=_labels(after_root),
            content=text[body_start:body_end].strip(),
            comment_count=_count(after_root),
            comments=find_comments(after_root),
            line=line,
        ))
    return posts


def _last_header_before(after: str, limit: int) -> int:
    """Where the next post's part of the page begins: its date header, else its anchor."""
    headers = [m.start() for m in _HEADER.finditer(after, 0, limit)]
    if headers:
        tag_start = after.rfind("<", 0, headers[-1])
        return tag_start if tag_start >= 0 else headers[-1]
    return limit


def _date_header(before: str) -> str | None:
    headers = list(_HEADER.finditer(before))
    if not headers:
        return None
    last = headers[-1]
    return last.group(2) or _plain(last.group(1))


def _byline(
    root: etree._Element, page: Page
) -> tuple[str | None, str | None, str | None, str | None]:
    """The permalink, its visible timestamp and the author from "posted by X at <a>..</a>"."""
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("html", "body"):
            continue
        own = text_of(el)
        if not re.search(r"posted\s+by", own, re.I) or len(own) > 300:
            continue
        if any(re.search(r"posted\s+by", text_of(c), re.I) for c in el if isinstance(c.tag, str)):
            continue  # a smaller element holds the byline
        links = xp(el, './/a[@title="permanent link"]') or xp(el, ".//a[@href]")
        link = next((a for a in links if "showComment" not in str(a.get("href"))), None)
        author = None
        match = _POSTED_BY.search(own)
        if match:
            author = match.group(1).strip(" |,") or None
        if link is None:
            return None, own, author, own
        return canonical_url(str(link.get("href")), page.url), text_of(link), author, own
    return None, None, None, None


def _when(stamp: str | None, header: str | None, year: int | None,
          byline: str | None) -> tuple[datetime | None, str | None, str | None]:
    if stamp:
        moment, has_time = parse_moment(stamp, year)
        if moment is not None and has_time:
            return moment, "byline-timestamp", None
    if byline and stamp and parse_day(stamp, year) is None:
        day = parse_day(byline, year)  # "posted by OLS | Wednesday, June 15, 2005 | 9:37 AM"
        at = parse_time_of_day(stamp)
        if day is not None and at is not None:
            return datetime.combine(day, at), "byline-date+time", None
    return from_header(header, stamp, year) or (None, None, None)


def _labels(root: etree._Element) -> list[str]:
    labels: dict[str, None] = {}
    for link in under(root, './/*[contains(@class, "blogger-labels") or '
                            'contains(@class, "post-labels")]', "a[@href]"):
        # its own text: links nested in it (no browser nests them) are read for themselves
        name = text_of(link, _LINKS) or label_from_href(str(link.get("href")))
        if name:
            labels.setdefault(name, None)
    return list(labels)


def _count(root: etree._Element) -> int | None:
    for el in xp(root, './/*[@id="comments"]/h4 | .//a[contains(@class, "comment-link")]'):
        match = re.search(r"\d+", text_of(el))
        if match:
            return int(match.group(0))
    return None
