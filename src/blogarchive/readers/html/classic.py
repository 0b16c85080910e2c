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

from ...analysis._tree import SKIP, parse_noted
from .bylines import Byline, find_byline, is_comments
from .comments import find_comments
from .found import FoundPost
from .labels import find_labels, label_links
from .page import Page, text_of, xp
from .when import from_header, parse_day, url_year

__all__ = ["find_classic_posts", "is_classic"]

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
        byline = find_byline(after_root, page.url)
        url = byline.url if byline is not None else None
        published, source, precision = _when(byline, header, url_year(url))
        if byline is not None and byline.stamp is not None and byline.stamp.ambiguous:
            page.notes.append(f"post {anchor.group(1) if anchor else title!r}: its byline's "
                              f"time {byline.stamp.ambiguous}")
        labels, labels_source = _labels(after_root)
        posts.append(FoundPost(
            id=anchor.group(1) if anchor else None,
            title=title,
            url=url,
            published=published,
            published_source=source,
            precision=precision,
            author=byline.author if byline is not None else None,
            author_url=byline.author_url if byline is not None else None,
            labels=labels,
            sources=_sources(byline, labels_source),
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


def _when(byline: Byline | None, header: str | None, year: int | None
          ) -> tuple[datetime | None, str | None, str | None]:
    """The post's time: the byline's day and time; its time on the date header's day; its
    day alone; else the header's day. Naive local time, as the page prints it."""
    stamp = byline.stamp if byline is not None else None
    if stamp is not None and stamp.day is not None:
        moment = stamp.moment()
        if stamp.at is not None:
            return moment, "byline-timestamp", None
        return moment, "byline-date", "date"
    visible = byline.text if byline is not None else None
    if stamp is not None and stamp.at is not None:
        header_day = parse_day(header, year) if header else None
        if header_day is not None:
            return datetime.combine(header_day, stamp.at), "date-header+byline-time", None
    return from_header(header, visible if stamp is not None else None, year) or (
        None, None, None)


def _labels(root: etree._Element) -> tuple[list[str], str | None]:
    return find_labels(label_links(root, skip=is_comments))


def _sources(byline: Byline | None, labels_source: str | None) -> dict[str, str]:
    """Where the author, permalink and labels were read (``published_source`` says the time's)."""
    found = {name: rule for name, rule in (byline.sources if byline else {}).items()
             if name in ("author", "url")}
    if labels_source:
        found["labels"] = labels_source
    return found


def _count(root: etree._Element) -> int | None:
    # An element whose text holds no digit has none inside it either (when nothing in the
    # tree hides text: a script's is not in its parent's text): its descendants are not read
    # again (thousands of nested comment links were read once per link around them).
    quiet: set[etree._Element] = set()
    shows_all = next(root.iter(*SKIP), None) is None
    for el in xp(root, './/*[@id="comments"]/h4 | .//a[contains(@class, "comment-link")]'):
        if el in quiet:
            continue
        match = re.search(r"\d+", text_of(el))
        if match:
            return int(match.group(0))
        if shows_all:
            quiet.update(el.iter())
    return None
