"""Classic bylines: who wrote a post, its permalink and its time, however the template worded them.

A classic template wrote the byline by hand around ``<$BlogItemAuthor$>``,
``<$BlogItemPermalinkUrl$>`` and ``<$BlogItemDateTime$>``, in any element (``p.post-footer em``,
``div.byline``, ``span.post-author``...) and with any wording: ``posted by NAME at
<a>TIME</a>``, ``by NAME @ TIME``, ``# posted by NAME | TIME`` (the ``#`` being the permalink),
``<a title="permanent link">TIME</a>``. The permalink is whichever link the template made of
it: one titled "permanent link", one whose text is the time, or a mark (``#``, ``¶``,
``permalink``). The author is the text after "by" up to the separator before the time (or
the profile link, when there is one); the time is the permalink's text when it reads as one,
else the text after that separator. Each field says which of these rules gave it
(``Byline.sources``), so a wrong value can be traced.

Comment bylines (``By NAME, at <a>TIME</a>``, ``posted by NAME: <a>TIME</a>``) use the same
author rule: a commenter without a profile is plain text, never the time link.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Final

import attrs
from lxml import etree

from ...analysis.urls import path_kind, split_url
from .page import canonical_url, has_class, text_of, xp
from .timestamps import Stamp, read_stamp

__all__ = ["Byline", "comment_author", "find_byline", "in_comments", "is_comments",
           "split_byline"]

# The byline's verb, in the languages classic templates were localised to.
_BY: Final = re.compile(
    r"(?:^|[\s#¶|:])(?:(?:posted|written|published|publicado|publié|gepostet|eingestellt|"
    r"postado|pubblicato|geplaatst)\s+)?(?:by|por|par|von|da|door)\s+", re.I)
_POSTED: Final = re.compile(
    r"\b(?:posted|written|published|publicado|publié|gepostet|eingestellt|postado|pubblicato|"
    r"geplaatst)\s+(?:by|por|par|von|da|door)\b", re.I)
# Between the author and the time: "at", "@", "|", "on", ", at", " - ", ":" (comments), and
# their translations ("um", "à", "às", "a las", "alle", "om").
_SEPARATOR: Final = re.compile(
    r"\s*,\s*(?:(?:at|on|um|à|às|a las|alle|om)\s+)?|\s+(?:at|on|um|à|às|a las|alle|om)\s+|"
    r"\s*[@|:\u2022\u00b7]\s*|\s+[-\u2013\u2014]\s+", re.I)
_PERMALINK_TITLES: Final = ("permanent link", "permalink", "link to this post", "permalien",
                            "enlace permanente", "link permanente", "permanenter link")
_MARKS: Final = re.compile(r"^(?:#|¶|\u00b6|∞|permalink|link|permanent link|\*|§|»|>>?)$", re.I)
_NOT_PERMALINK: Final = re.compile(
    r"showComment|comment\.g|/profile/|/search/label/|/labels/|post-edit\.g|email-post\.g|"
    r"delete-comment|^mailto:|^javascript:|#comments?$|#links$", re.I)
_COMMENTS: Final = ("comments", "blogComments", "blogComment", "comments-block", "comment")
_MAX_TEXT: Final = 300  # a byline is a line; an element with more text holds more than one
_LOOKED_AT: Final = 20
_STARTS_BY: Final = re.compile(r"^\W{0,3}(?:by|por|par|von|door)\s", re.I)


@attrs.frozen
class Byline:
    """What a post's byline says, and where each field came from."""

    text: str
    author: str | None = None
    author_url: str | None = None
    url: str | None = None
    stamp: Stamp | None = None
    sources: dict[str, str] = attrs.field(factory=dict, hash=False)
    """``author``, ``url``, ``published`` -> the rule that gave each (see the module doc)."""


def is_comments(node: etree._Element) -> bool:
    """A comments section or one comment (the element itself, not its ancestors)."""
    return node.get("id") in ("comments", "comments-block") or any(
        has_class(node, name) for name in _COMMENTS)


def in_comments(el: etree._Element) -> bool:
    return any(is_comments(node) for node in (el, *el.iterancestors()))


def _is_permalink_href(href: str) -> bool:
    return bool(href) and _NOT_PERMALINK.search(href) is None


def _permalink(el: etree._Element, year: int | None, month: int | None
               ) -> tuple[etree._Element | None, Stamp | None, str | None]:
    """The link standing for the permalink, the time it reads as, and the rule."""
    links = [a for a in xp(el, ".//a[@href]") if _is_permalink_href(str(a.get("href")))]
    titled = [a for a in links if str(a.get("title") or "").strip().lower() in _PERMALINK_TITLES]
    for a in titled:  # "¶" then "at <a title=permalink>TIME</a>": the one with the time
        stamp = read_stamp(text_of(a), year, month)
        if stamp is not None:
            return a, stamp, "byline-permalink-time"
    for a in links:
        stamp = read_stamp(text_of(a), year, month)
        if stamp is not None:
            return a, stamp, "byline-time-link"
    if titled:
        return titled[0], None, "byline-permalink-title"
    for a in links:
        if _MARKS.match(text_of(a)):
            return a, None, "byline-mark-link"
    for a in links:
        parts = split_url(str(a.get("href")))
        if parts is not None and path_kind(parts.path) == "post":
            return a, None, "byline-post-link"
    return None, None, None


def split_byline(text: str, stamp_text: str | None = None, year: int | None = None,
                 month: int | None = None) -> tuple[str | None, str | None]:
    """``posted by NAME <sep> TIME`` -> (NAME, the text after the separator).

    The author ends at the first separator whose rest is the time (``stamp_text``, or text
    that reads as one), or is empty; failing that, at the first separator."""
    match = _BY.search(text)
    if match is None:
        return None, None
    rest = text[match.end():]
    if stamp_text and stamp_text in rest:
        rest = rest[:rest.index(stamp_text)].rstrip() + " " + stamp_text
    first = None
    for sep in _SEPARATOR.finditer(rest):
        if sep.start() == 0 or sep.group(0).isspace():
            continue
        after = rest[sep.end():].strip()
        first = first or sep
        if not after or after == stamp_text or read_stamp(after, year, month) is not None:
            return _name(rest[:sep.start()]), after or None
    if first is not None and first.group(0).strip() not in (":", ",", "-"):
        return _name(rest[:first.start()]), rest[first.end():].strip() or None
    return _name(rest), None


def _name(text: str) -> str | None:
    name = " ".join(text.split()).strip(" ,:;|@-")
    return name or None


def _own_text(el: etree._Element) -> str:
    """The text directly in ``el`` (not its children's): the words a template wrote there."""
    return " ".join([el.text or "", *(child.tail or "" for child in el)])


def _short_text(el: etree._Element) -> str | None:
    """``el``'s text when it is a line's worth, else None (read no further than that)."""
    parts, size = [], 0
    for piece in el.itertext():
        size += len(piece)
        if size > 4 * _MAX_TEXT:
            return None
        parts.append(str(piece))
    text = " ".join("".join(parts).split())
    return text if text and len(text) <= _MAX_TEXT else None


def _candidates(root: etree._Element) -> Iterator[etree._Element]:
    """Elements that may be a byline, in order of trust, each kind in page order: the
    element whose own words say "posted by", the holder of a "permanent link", the element
    starting "By ...". Seeds are found by the elements' own text (one walk of the page); only
    the first few of each kind are looked at closer, so a page of thousands of look-alikes
    costs no more than one walk."""
    posted: list[etree._Element] = []
    titled: list[etree._Element] = []
    by: list[etree._Element] = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("html", "body"):
            continue
        own = _own_text(el)
        if _POSTED.search(own):
            posted.append(el)
        elif el.tag == "a" and str(el.get("title") or "").strip().lower() in _PERMALINK_TITLES:
            parent = el.getparent()
            if parent is not None:
                titled.append(parent)
        elif _STARTS_BY.match(own):
            by.append(el)
    for group in (posted, titled, by):
        for el in group[:_LOOKED_AT]:
            if not in_comments(el) and _short_text(el) is not None:
                yield el


def find_byline(root: etree._Element, page_url: str | None, year: int | None = None,
                month: int | None = None) -> Byline | None:
    """The post's byline in ``root`` (what follows a classic post's body), or None."""
    el = next(_candidates(root), None)
    if el is None:
        return None
    text = text_of(el)
    if year is None:  # the permalink's /YYYY/MM/ completes and decides the written day
        for href in xp(el, ".//a/@href"):
            year, month = day_hint(str(href))
            if year is not None:
                break
    sources: dict[str, str] = {}
    link, stamp, url_rule = _permalink(el, year, month)
    stamp_text = text_of(link) if link is not None and stamp is not None else None
    author, after = split_byline(text, stamp_text, year, month)
    if author:
        sources["author"] = "byline-text"
    author_url = None
    marked = xp(el, './/*[contains(concat(" ", normalize-space(@class), " "), " post-author ")]'
                    ' | .//a[@rel="author"] | .//a[contains(@href, "/profile/")]')
    if marked:
        author = text_of(marked[0]) or author
        profile = marked[0] if marked[0].tag == "a" else next(iter(xp(marked[0], ".//a")), None)
        author_url = str(profile.get("href")) if profile is not None else None
        sources["author"] = "byline-profile-link" if author_url else "byline-author-class"
    if author:
        author = re.sub(r"^\W*(?:posted\s+)?by\s+", "", author, flags=re.I) or author
    if stamp is not None:
        sources["published"] = url_rule or "byline-time-link"
    if after and (stamp is None or stamp.day is None):
        # "posted by OLS | Wednesday, June 15, 2005 | <a>9:37 AM</a>": the day is in the text
        fuller = read_stamp(after, year, month)
        if fuller is not None and (stamp is None or fuller.day is not None):
            stamp = fuller
            sources["published"] = "byline-text"
    url = None
    if link is not None:
        url = canonical_url(str(link.get("href")), page_url)
        sources["url"] = url_rule or "byline-link"
    return Byline(text=text, author=author, author_url=author_url, url=url, stamp=stamp,
                  sources=sources)


def comment_author(byline: etree._Element) -> tuple[str, str | None]:
    """A comment byline's author: the profile or site link when there is one, else the name
    written as plain text ("By Anonymous, at <a>1:53 PM</a>", "posted by Jo: <a>...</a>")."""
    anon = xp(byline, './/*[contains(concat(" ", normalize-space(@class), " "), '
                      '" anon-comment-author ")]')
    if anon:
        return text_of(anon[0]), None
    for a in xp(byline, ".//a[@href]"):
        href = str(a.get("href"))
        name = text_of(a)
        if (not name or "showComment" in href or href.startswith("#") or "delete-comment" in href
                or _MARKS.match(name) or read_stamp(name) is not None):
            continue  # the comment's permalink, a mark, or its time: not its author
        return name, href
    text = text_of(byline)
    author, _ = split_byline(text)
    if author is None:  # "Anonymous at 1:53 PM": no "by", the name up to the separator
        sep = _SEPARATOR.search(text)
        author = _name(text[:sep.start()] if sep else text)
    return author or "", None


def day_hint(url: str | None) -> tuple[int | None, int | None]:
    """The year and month of a permalink's ``/YYYY/MM/``."""
    match = re.search(r"/((?:19|20)\d\d)/(0[1-9]|1[0-2])/", url or "")
    return (int(match.group(1)), int(match.group(2))) if match else (None, None)


def on_day(stamp: Stamp | None, header_day: date | None) -> Stamp | None:
    """``stamp`` completed by a date header's day when it holds a time alone."""
    if stamp is None or stamp.day is not None or header_day is None:
        return stamp
    return attrs.evolve(stamp, day=header_day)
