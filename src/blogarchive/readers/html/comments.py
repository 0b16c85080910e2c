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
from collections.abc import Iterator
from datetime import datetime
from typing import Final

import attrs
from lxml import etree

from .bylines import comment_author
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


def _author(el: etree._Element | None) -> tuple[str, str | None]:
    if el is None:
        return "", None
    link = _first(el, './/a[@href][not(contains(@href, "showComment"))]'
                      '[not(contains(@href, "delete-comment"))]')
    name = text_of(link) if link is not None and text_of(link) else text_of(el)
    name = _SAID.sub("", name).strip()
    url = str(link.get("href")) if link is not None else None
    return name, url


def _threaded(scope: etree._Element) -> Iterator[FoundComment]:
    for li in xp(scope, f".//li[{cls('comment')}]"):
        ident, href = _thread_comment(li)
        if ident is None:
            continue
        block = _first(li, f"./div[{cls('comment-block')}]")
        holder = block if block is not None else li
        user = _first(holder, f".//cite[{cls('user')}]")
        author, url = _author(user if user is not None else
                              _first(holder, f".//*[{cls('user')}]"))
        body = _first(holder, f".//*[{cls('comment-content')}]")
        parent = None
        for ancestor in li.iterancestors("li"):
            if has_class(ancestor, "comment"):
                parent, _ = _thread_comment(ancestor)
                break
        when = from_show_comment(href) or _visible(holder, f".//*[{cls('datetime')}]")
        removed = body is not None and xp(body, f".//*[{cls('deleted-comment')}]") != []
        yield FoundComment(ident, author, url, when, inner_html(body) if body is not None else "",
                           parent, removed, href)


def _thread_comment(li: etree._Element) -> tuple[str | None, str | None]:
    """A threaded comment's id (on the ``li``, its ``comment-block``, or its permalink's
    ``#c<id>``) and its permalink."""
    block = _first(li, f"./div[{cls('comment-block')}]")
    stamp = _first(li, f".//*[{cls('datetime')}]")
    href = _permalink(stamp if stamp is not None else li)
    return _comment_id(li.get("id"), block.get("id") if block is not None else None, href), href


def _visible(el: etree._Element, query: str) -> datetime | None:
    found = _first(el, query)
    if found is None:
        return None
    moment, _ = parse_moment(text_of(found))
    return moment


def _definition_list(scope: etree._Element) -> Iterator[FoundComment]:
    for dt in xp(scope, './/dl//dt[starts-with(@id, "c")]'):
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
            profile = _first(dt, './/a[contains(@href, "/profile/")]')
            url = str(profile.get("href")) if profile is not None else None
        else:
            author, url = _author(dt)
        href = (_permalink(footer) if footer is not None else None) or _permalink(dt)
        when = from_show_comment(href)
        if when is None:
            for holder in (footer, dt):
                if holder is not None and (when := _visible(holder, ".")) is not None:
                    break
        removed = xp(body, f".//*[{cls('deleted-comment')}]") != []
        inner = body[0] if len(body) == 1 and body[0].tag == "p" else body
        yield FoundComment(ident, author, url, when, inner_html(inner), None, removed, href)


def _classic_blocks(scope: etree._Element) -> Iterator[FoundComment]:
    """Hand-made classic templates: ``div.blogComment`` with an ``a[name]`` and a byline."""
    for block in xp(scope, f".//div[{cls('blogComment')}]"):
        anchor = _first(block, ".//a[@name]")
        ident = _comment_id(anchor.get("name") if anchor is not None else None,
                            _permalink(block))
        if ident is None:
            continue
        byline = _first(block, f".//div[{cls('byline')}]")
        author, url = "", None
        when = None
        href = _permalink(block)
        if byline is not None:
            author, url = comment_author(byline)
            text = text_of(byline)
            when = from_show_comment(href)
            if when is None:
                tail = text.rsplit(":", 1)[-1] if ":" in text else ""
                after = re.split(r":\s", text, maxsplit=1)
                when, _ = parse_moment(after[1] if len(after) > 1 else tail)
        body_parts = list(_body_nodes(block, byline))
        removed = xp(block, f".//*[{cls('deleted-comment')}]") != []
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


def _list_items(scope: etree._Element) -> Iterator[FoundComment]:
    """``li#c<id>`` with ``p.comment-data`` ("By <a>Name</a> at <a>time</a>")."""
    for li in xp(scope, './/li[starts-with(@id, "c")]'):
        if has_class(li, "comment"):
            continue  # threaded markup, read above
        ident = _comment_id(li.get("id"))
        data = _first(li, f".//*[{cls('comment-data')}]")
        body = _first(li, f".//*[{cls('comment-body')}]")
        if ident is None or body is None:
            continue
        author, url = "", None
        if data is not None:  # "By <a>Name</a> at <a>time</a>", or the name as plain text
            author, url = comment_author(data)
        href = _permalink(li)
        when = from_show_comment(href) or (_visible(data, ".") if data is not None else None)
        removed = xp(body, f".//*[{cls('deleted-comment')}]") != []
        yield FoundComment(ident, author, url, when, inner_html(body), None, removed, href)


def find_comments(scope: etree._Element) -> list[FoundComment]:
    """Every comment under ``scope`` (a comments section, or a post's part of a page)."""
    seen: dict[str, FoundComment] = {}
    for reader in (_threaded, _definition_list, _classic_blocks, _list_items):
        for found in reader(scope):
            if found.id not in seen:
                seen[found.id] = found
    return list(seen.values())

