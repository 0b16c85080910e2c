"""Comments on a Blogger page, in every markup HTML.md lists.

- Layouts threaded (2011+): ``li.comment`` (id on the ``li`` as ``c<id>``, or on
  ``div.comment-block``), ``cite.user``, ``span.datetime a[href*=showComment]``,
  ``p.comment-content``; replies sit in the parent's ``div.comment-replies``.
- Layouts non-threaded and classic Minima: ``dl#comments-block`` with ``dt.comment-author`` /
  ``dt.comment-poster`` / ``dt.comment-data`` (``id=c<id>``), ``dd.comment-body``,
  ``dd.comment-footer`` / ``dd.comment-timestamp``.
- Classic hand-made: ``div.blogComment > a[name=<id>]`` with a ``div.byline``, and ``li#c<id>``
  with ``p.comment-data``.
Removed comments (``span.deleted-comment``) become tombstones with status ``removed``. Times
come from ``showComment=<ms>`` (exact, UTC) when the page has it, else from the visible text
(naive local time). Backlink blocks that reuse comment classes are skipped.
"""

from __future__ import annotations

import copy
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Final

import attrs
from lxml import etree

from .bylines import comment_author
from .index import Index
from .page import FLAT, classes, cls, has_class, text_of, xp
from .when import from_show_comment, parse_moment

__all__ = ["FoundComment", "find_comments", "inner_html"]

_ID: Final = re.compile(r"^c?(\d{6,20})$")
_FRAGMENT: Final = re.compile(r"#c(\d{6,20})")
_SAID: Final = re.compile(
    r"\s*(?:said|dijo|a dit|sagte|disse|ha detto|zei|skrev|sa|kirjoitti|napisał)\W*$", re.I)


@attrs.frozen
class FoundComment:
    id: str
    author: str
    author_url: str | None
    published: datetime | None
    content: str
    parent_id: str | None
    removed: bool
    url: str | None


def inner_html(el: etree._Element) -> str:
    """The HTML inside ``el`` (its text and children), as the page holds it (less the marks
    of tags set aside for nesting too deep: the page's notes say where those were)."""
    if el.find(f".//{FLAT}") is not None:
        el = copy.deepcopy(el)
        etree.strip_elements(el, FLAT, with_tail=False)
    parts = [_escape(el.text or "")]
    for child in el:
        parts.append(etree.tostring(child, method="html", encoding="unicode", with_tail=True))
    return "".join(parts).strip()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _first(el: etree._Element, query: str) -> etree._Element | None:
    found = xp(el, query)
    return found[0] if found else None



def _comment_id(*candidates: str | None) -> str | None:
    for value in candidates:
        if not value:
            continue
        match = _ID.match(value.strip()) or _FRAGMENT.search(value)
        if match:
            return match.group(1)
    return None


def _permalink(el: etree._Element) -> str | None:
    for href in xp(el, './/a[contains(@href, "showComment=")]/@href'):
        return str(href)
    return None


def _author(el: etree._Element | None, *known: etree._Element | None) -> tuple[str, str | None]:
    """The name and profile URL in ``el``; ``known``: its first link (or None), when it has
    been looked for already."""
    if el is None:
        return "", None
    link = known[0] if known else _first(
        el, './/a[@href][not(contains(@href, "showComment"))][not(contains(@href, '
            '"delete-comment"))]')
    name = text_of(link) if link is not None and text_of(link) else text_of(el)
    name = _SAID.sub("", name).strip()
    url = str(link.get("href")) if link is not None else None
    return name, url


Test = Callable[[etree._Element], bool]


def _permalink_link(el: etree._Element) -> bool:
    return el.tag == "a" and "showComment=" in str(el.get("href") or "")


def _profile_link(el: etree._Element) -> bool:
    href = el.get("href")
    return el.tag == "a" and href is not None and not (
        "showComment" in href or "delete-comment" in href)


def _any(el: etree._Element) -> bool:
    return True


# What each field of a threaded comment is: the first element below it of a class (a tag
# among them, or one its test accepts); a class of None: a link its test accepts.
_FIELDS: Final[dict[str, tuple[str | None, Test]]] = {
    "cite": ("user", lambda el: el.tag == "cite"), "user": ("user", _any),
    "content": ("comment-content", _any), "datetime": ("datetime", _any),
    "deleted": ("deleted-comment", _any),
    "permalink": (None, _permalink_link), "profile": (None, _profile_link),
    # The classic markups' fields.
    "named": (None, lambda el: el.get("name") is not None),
    "profile-path": (None, lambda el: "/profile/" in (el.get("href") or "")),
    "byline": ("byline", lambda el: el.tag == "div"),
    "data": ("comment-data", _any), "body": ("comment-body", _any),
}


class _Fields:
    """``first(name, holder)``: ``holder.xpath(".//*[field]")[0]`` (or None), for any holder
    below the index's root, by bisection in the index's list of the field's elements (each
    comment's fields searched below it also ran through every reply nested inside it:
    quadratic in a thread nested thousands deep; two walks of the thread answered them, and
    now the page's one index does)."""

    def __init__(self, index: Index) -> None:
        self.index = index

    def first(self, name: str, holder: etree._Element) -> etree._Element | None:
        index = self.index
        token, test = _FIELDS[name]
        pool = index.by_class.get(token, []) if token is not None else index.by_tag.get("a", [])
        return index.first_below(index.candidates(name, test, pool), holder)

    def permalink(self, holder: etree._Element) -> str | None:
        """``_permalink(holder)``: the first ``showComment=`` link's address below it."""
        link = self.first("permalink", holder)
        return None if link is None else str(link.get("href"))

    def has_deleted(self, holder: etree._Element) -> bool:
        return self.first("deleted", holder) is not None


def _threaded(scope: etree._Element, fields: _Fields) -> Iterator[FoundComment]:
    """``li.comment`` threads. Replies nest in their parent's ``li``: each field is the first
    of its kind below the comment (as ``.//`` finds it), found by bisection in the index
    (``_Fields``), not searched below each comment again (issue 15)."""
    index = fields.index
    lis = [el for el in index.span(index.by_class.get("comment", []), scope) if el.tag == "li"]
    if not lis:
        return
    blocks = {li: _first(li, f"./div[{cls('comment-block')}]") for li in lis}
    holders = {li: block if block is not None else li for li, block in blocks.items()}
    items = parts = fields
    users = {li: _either(items.first("cite", h), items.first("user", h))
             for li, h in holders.items()}
    bodies = {li: items.first("content", h) for li, h in holders.items()}
    stamps = {li: items.first("datetime", li) for li in lis}
    ids: dict[etree._Element, tuple[str | None, str | None]] = {}
    for li in lis:
        stamp = stamps[li]
        link = (parts.first("permalink", stamp) if stamp is not None
                else items.first("permalink", li))
        permalink = None if link is None else str(link.get("href"))
        block = blocks[li]
        ids[li] = _comment_id(li.get("id"), block.get("id") if block is not None else None,
                              permalink), permalink
    parents = _parents(scope)
    for li in lis:
        ident, href = ids[li]
        if ident is None:
            continue
        holder, user, body = holders[li], users[li], bodies[li]
        author, url = _author(user, parts.first("profile", user) if user is not None else None)
        above = parents.get(li)
        parent = None
        if above is not None:
            parent = (ids[above] if above in ids else _thread_comment(above))[0]
        when = from_show_comment(href) or _moment(items.first("datetime", holder))
        removed = body is not None and parts.first("deleted", body) is not None
        yield FoundComment(ident, author, url, when, inner_html(body) if body is not None else "",
                           parent, removed, href)


def _either(first: etree._Element | None,
            second: etree._Element | None) -> etree._Element | None:
    return first if first is not None else second


def _parents(scope: etree._Element) -> dict[etree._Element, etree._Element | None]:
    """Each ``li``'s nearest ``li.comment`` ancestor (its thread's parent), in one walk."""
    above = next((a for a in scope.iterancestors("li") if has_class(a, "comment")), None)
    found: dict[etree._Element, etree._Element | None] = {}
    threads: list[etree._Element] = []
    for event, li in etree.iterwalk(scope, events=("start", "end"), tag="li"):
        if event == "end":
            if threads and threads[-1] is li:
                threads.pop()
            continue
        found[li] = threads[-1] if threads else above
        if has_class(li, "comment"):
            threads.append(li)
    return found


def _thread_comment(li: etree._Element) -> tuple[str | None, str | None]:
    """A threaded comment's id (on the ``li``, its ``comment-block``, or its permalink's
    ``#c<id>``) and its permalink."""
    block = _first(li, f"./div[{cls('comment-block')}]")
    stamp = _first(li, f".//*[{cls('datetime')}]")
    href = _permalink(stamp if stamp is not None else li)
    return _comment_id(li.get("id"), block.get("id") if block is not None else None, href), href


def _moment(found: etree._Element | None) -> datetime | None:
    if found is None:
        return None
    moment, _ = parse_moment(text_of(found))
    return moment


def _definition_list(scope: etree._Element, fields: _Fields) -> Iterator[FoundComment]:
    index = fields.index
    for dt in _in_lists(index, scope):
        ident = _comment_id(dt.get("id"))
        if ident is None:
            continue
        body = footer = None
        for sibling in dt.itersiblings():
            if sibling.tag == "dt":
                break
            if sibling.tag == "dd" and has_class(sibling, "comment-body") and body is None:
                body = sibling
            elif sibling.tag == "dd" and footer is None and (
                has_class(sibling, "comment-footer") or has_class(sibling, "comment-timestamp")
            ):
                footer = sibling
        if body is None:
            continue
        if "comment-data" in classes(dt):  # "At <a>time</a>, Name said..."
            text = re.sub(r"^\s*At\s+.*?,\s*", "", text_of(dt))
            author = _SAID.sub("", text).strip()
            profile = fields.first("profile-path", dt)
            url = str(profile.get("href")) if profile is not None else None
        else:
            author, url = _author(dt, fields.first("profile", dt))
        href = (fields.permalink(footer) if footer is not None else None) or fields.permalink(dt)
        when = from_show_comment(href)
        if when is None:
            for holder in (footer, dt):
                if holder is not None and (when := _moment(holder)) is not None:
                    break
        removed = fields.has_deleted(body)
        inner = body[0] if len(body) == 1 and body[0].tag == "p" else body
        yield FoundComment(ident, author, url, when, inner_html(inner), None, removed, href)


def _in_lists(index: Index, scope: etree._Element) -> list[etree._Element]:
    """``under(scope, ".//dl", 'dt[starts-with(@id, "c")]')`` from the index: the dts below
    the outermost dls, not searched for below each dl (nested lists)."""
    outermost: list[etree._Element] = []
    for dl in index.span(index.by_tag.get("dl", []), scope):
        if not outermost or index.start[dl] >= index.end[outermost[-1]]:
            outermost.append(dl)
    starts = [index.start[dl] for dl in outermost]
    found = []
    for dt in index.span(index.by_tag.get("dt", []), scope):
        if not (dt.get("id") or "").startswith("c"):
            continue
        at = bisect_right(starts, index.start[dt]) - 1
        if at >= 0 and index.start[dt] < index.end[outermost[at]]:
            found.append(dt)
    return found


def _classic_blocks(scope: etree._Element, fields: _Fields) -> Iterator[FoundComment]:
    """Hand-made classic templates: ``div.blogComment`` with an ``a[name]`` and a byline."""
    index = fields.index
    for block in index.span(index.by_class.get("blogComment", []), scope):
        if block.tag != "div":
            continue
        anchor = fields.first("named", block)
        href = fields.permalink(block)
        ident = _comment_id(anchor.get("name") if anchor is not None else None, href)
        if ident is None:
            continue
        byline = fields.first("byline", block)
        author, url = "", None
        when = None
        if byline is not None:
            author, url = comment_author(byline)
            text = text_of(byline)
            when = from_show_comment(href)
            if when is None:
                tail = text.rsplit(":", 1)[-1] if ":" in text else ""
                after = re.split(r":\s", text, maxsplit=1)
                when, _ = parse_moment(after[1] if len(after) > 1 else tail)
        body_parts = list(_body_nodes(block, byline))
        removed = fields.has_deleted(block)
        yield FoundComment(ident, author, url, when, "".join(body_parts).strip(), None, removed,
                           href)


def _body_nodes(block: etree._Element, byline: etree._Element | None) -> Iterator[str]:
    """The HTML of a classic comment block before its byline (the comment's body)."""
    started = False
    if block.text and block.text.strip():
        yield _escape(block.text)
    for child in block:
        if child is byline or has_class(child, "item-control"):
            break
        if child.tag == "a" and child.get("name") and not started:
            started = True
            if child.tail:
                yield _escape(child.tail)
            continue
        if child.tag == "br" and not started:
            continue
        yield etree.tostring(child, method="html", encoding="unicode", with_tail=True)


def _list_items(scope: etree._Element, fields: _Fields) -> Iterator[FoundComment]:
    """``li#c<id>`` with ``p.comment-data`` ("By <a>Name</a> at <a>time</a>")."""
    index = fields.index
    for li in index.span(index.by_tag.get("li", []), scope):
        if not (li.get("id") or "").startswith("c") or has_class(li, "comment"):
            continue  # not a comment, or threaded markup, read above
        ident = _comment_id(li.get("id"))
        data = fields.first("data", li)
        body = fields.first("body", li)
        if ident is None or body is None:
            continue
        author, url = "", None
        if data is not None:  # "By <a>Name</a> at <a>time</a>", or the name as plain text
            author, url = comment_author(data)
        href = fields.permalink(li)
        when = from_show_comment(href) or (_moment(data) if data is not None else None)
        removed = fields.has_deleted(body)
        yield FoundComment(ident, author, url, when, inner_html(body), None, removed, href)


# Any of the markups: a part of a page without one is not indexed for its comments.
_ANY_MARKUP: Final = (f"boolean(.//li[{cls('comment')}] | .//dt[starts-with(@id, 'c')] | "
                      f".//div[{cls('blogComment')}] | .//li[starts-with(@id, 'c')])")


def find_comments(scope: etree._Element, index: Index | None = None) -> list[FoundComment]:
    """Every comment under ``scope`` (a comments section, or a post's part of a page);
    ``index``: the page's, when ``scope`` is in it (else ``scope`` is indexed). Each field of
    each comment is the first of its kind below the comment, found by bisection in the index
    (searched below each comment, nested comments made the search quadratic, issue 15)."""
    if index is None:
        if not xp(scope, _ANY_MARKUP)[0]:
            return []
        index = Index(scope)
    fields = _Fields(index)
    seen: dict[str, FoundComment] = {}
    for found_all in (_threaded(scope, fields), _definition_list(scope, fields),
                      _classic_blocks(scope, fields), _list_items(scope, fields)):
        for found in found_all:
            if found.id not in seen:
                seen[found.id] = found
    return list(seen.values())
