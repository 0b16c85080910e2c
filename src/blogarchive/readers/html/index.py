"""A page (or the part of one a reader was given) indexed in one walk, shared by its posts.

Each post's fields, labels and comments are lookups in its container; the dozen walks that
answered them (the post bodies, the date headers, each post's ``Scope``, its label links, the
two ``Below`` walks of its comments) each went over the whole page or container again, and
on a page nesting hundreds of thousands of elements they took 30 s of CPU (issue 15). Here
one walk numbers every element in document order (``start``; ``end`` is the number after its
last descendant, so ``d`` lies below ``e`` when ``start[e] < start[d] < end[e]``) and records
what any later question needs about an element's ancestors as it passes: which post bodies
are outermost, what hides an element from a post's fields (its body, the comments), the
innermost open element of each outer class (``post-author``...), the navigation, label-list
and footer around each label link, and the date header last closed. A question about one
container is then a range of these lists (``span``), found by bisection.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Final

from lxml import etree

from ...analysis._tree import SKIP

__all__ = ["AUTHOR", "STAMP", "TITLE", "Index", "LabelLink", "is_label_href", "tokens"]

AUTHOR: Final = 1
"""Inside an element of class ``post-author``."""
STAMP: Final = 2
"""Inside an element of class ``post-timestamp``."""
TITLE: Final = 4
"""Inside an element of class ``post-title``, ``entry-title`` or ``title``."""
_OUTER: Final = {"post-author": AUTHOR, "post-timestamp": STAMP, "post-title": TITLE,
                 "entry-title": TITLE, "title": TITLE}
_BITS: Final = (AUTHOR, STAMP, TITLE)
_HOLDS: Final = "mobile-index-title"  # links holding one: the mobile index's post links
# XPath's normalize-space splits at these four only (the queries Scope replaced used it).
_XML_SPACE: Final = re.compile(r"[ \t\r\n]+")
# The label rules (labels.py): lists that are a post's labels, and what is navigation.
LISTS: Final = frozenset({
    "post-labels", "blogger-labels", "labels", "post-tags", "your_label", "label-info",
    "post-label", "tags"})
_NAVIGATION: Final = re.compile(r"breadcrumb|\bmenu|\bnav|crumbs|pagination|sidebar", re.I)
_NONE: Final = -1


def tokens(el: etree._Element) -> list[str]:
    """The class tokens of ``el`` as ``contains(concat(" ", normalize-space(@class), " "),
    " name ")`` sees them."""
    value = el.get("class")
    return [t for t in _XML_SPACE.split(value) if t] if value else []


def is_label_href(href: str) -> bool:
    return "/search/label/" in href or ("/labels/" in href and (
        ".htm" in href or ".asp" in href))


def is_navigation(el: etree._Element, classes: str | None, ident: str | None) -> bool:
    return el.tag == "nav" or bool((classes or ident) and _NAVIGATION.search(
        f"{classes or ''} {ident or ''}"))


class LabelLink:
    """A link to a label page, and where the innermost navigation, label list and post
    footer around it start (``-1``: none): a post's rules take the link when those lie in
    its container."""

    __slots__ = ("footer", "link", "list", "nav")

    def __init__(self, link: etree._Element, nav: int, list_: int, footer: int) -> None:
        self.link, self.nav, self.list, self.footer = link, nav, list_, footer


class Index:
    """Every element of ``root`` by class token and by tag, in document order, with what the
    readers ask of its ancestors; ``bodies`` (for pages of the widget engine) are the post
    bodies that are not inside another nor inside a gadget other than the Blog widget."""

    def __init__(self, root: etree._Element, *, posts: bool = False) -> None:
        self.root = root
        self.start: dict[etree._Element, int] = {}
        self.end: dict[etree._Element, int] = {}
        self.order: list[etree._Element] = []
        self.by_class: defaultdict[str, list[etree._Element]] = defaultdict(list)
        self.by_tag: defaultdict[str, list[etree._Element]] = defaultdict(list)
        self.bodies: list[etree._Element] = []
        self.outer: dict[etree._Element, tuple[int, int, int]] = {}
        """Per element inside an outer class: the start of the innermost open element of
        each (AUTHOR, STAMP, TITLE) around it, or -1."""
        self.inner: list[etree._Element] = []
        """The elements of ``outer``, in document order."""
        self.holding: set[etree._Element] = set()
        """Links with an element of class ``mobile-index-title`` inside."""
        self.comments_ids: list[etree._Element] = []
        """Elements whose id is ``comments``."""
        self.label_links: list[LabelLink] = []
        self.label_starts: list[int] = []  # of label_links, for bisection
        self.skips: list[int] = []  # where SKIP elements (scripts, styles ...) start
        self._hidden: list[tuple[int, int]] = []  # the outermost bodies and comments
        self._headers: list[tuple[int, etree._Element]] = []  # (when, the last closed header)
        self._candidates: dict[str, list[etree._Element]] = {}
        self._walk(posts)

    def _walk(self, posts: bool) -> None:
        # The loop runs once per element of every page: what most elements (no class, no
        # id) need is done first, with the lists' methods bound to names.
        start, end = self.start, self.end
        append, by_class, by_tag = self.order.append, self.by_class, self.by_tag
        skips, inner, outer_at = self.skips, self.inner, self.outer
        # Per open element, what it opened (gadget, body, hides, nav, label list, footer,
        # date header, outer bits), or None: most open nothing.
        opened: list[tuple[bool, bool, bool, bool, bool, bool, bool, int] | None] = []
        push, pop = opened.append, opened.pop
        # The open elements of each kind, innermost last: their starts.
        outer: tuple[list[int], list[int], list[int]] = ([], [], [])
        open_outer = 0  # elements open in ``outer``
        nav: list[int] = []
        lists: list[int] = []
        footers: list[int] = []
        widgets = bodies = 0  # open gadgets other than the Blog widget; open post bodies
        hiding = hid_at = 0  # open bodies and comments; where the outermost of them began
        links: list[etree._Element] = []  # open links, innermost last
        marked = 0  # links[:marked] are known to hold a mobile-index-title
        last: etree._Element | None = None  # of the closed date headers, the last opened
        count = 0
        for event, el in etree.iterwalk(self.root, events=("start", "end")):
            tag = el.tag
            if not isinstance(tag, str):
                continue
            if event == "end":
                end[el] = count
                if tag == "a" and links and links[-1] is el:
                    links.pop()
                    marked = min(marked, len(links))
                marks = pop()
                if marks is None:
                    continue
                is_widget, is_body, hides, is_nav, is_list, is_footer, header, bits = marks
                widgets -= is_widget
                bodies -= is_body
                if hides:
                    hiding -= 1
                    if not hiding:
                        self._hidden.append((hid_at, count))
                for n, kind in ((is_nav, nav), (is_list, lists), (is_footer, footers)):
                    if n:
                        kind.pop()
                if bits:
                    for bit, kind in zip(_BITS, outer, strict=True):
                        if bits & bit:
                            kind.pop()
                            open_outer -= 1
                if header and (last is None or start[el] > start[last]):
                    # A header that closes after ``last`` but opened before it holds it.
                    last = el
                    self._headers.append((count, el))
                continue
            here = start[el] = count
            count += 1
            append(el)
            by_tag[tag].append(el)
            if tag in SKIP:
                skips.append(here)
            if open_outer:
                outer_at[el] = tuple(  # type: ignore[assignment]
                    kind[-1] if kind else _NONE for kind in outer)
                inner.append(el)
            classes = el.get("class")
            ident = el.get("id")
            if tag == "a":
                href = el.get("href")
                if href is not None and is_label_href(href):
                    self.label_links.append(LabelLink(
                        el, nav[-1] if nav else _NONE, lists[-1] if lists else _NONE,
                        footers[-1] if footers else _NONE))
                    self.label_starts.append(here)
            if classes is None and ident is None and tag != "nav":
                if tag == "a":
                    links.append(el)
                push(None)
                continue
            if ident == "comments":
                self.comments_ids.append(el)
            names = [t for t in _XML_SPACE.split(classes) if t] if classes else []
            bits = 0
            for token in names:
                by_class[token].append(el)
                bits |= _OUTER.get(token, 0)
                if token == _HOLDS and marked < len(links):
                    self.holding.update(links[marked:])
                    marked = len(links)
            if tag == "a":
                links.append(el)
            # has_class (str.split) where the readers this replaces used it, tokens elsewhere.
            spaced = set(classes.split()) if classes else set()
            is_body = posts and not widgets and "post-body" in names
            found_body = is_body and not bodies
            if found_body:
                self.bodies.append(el)
            is_widget = posts and "widget" in spaced and "Blog" not in spaced
            hides = found_body or ident == "comments" or "comments" in spaced
            is_nav = is_navigation(el, classes, ident)
            is_list = bool(spaced & LISTS)
            is_footer = "post-footer" in spaced
            header = "date-header" in names
            if not (is_widget or is_body or hides or is_nav or is_list or is_footer or header
                    or bits):
                push(None)
                continue
            push((is_widget, is_body, hides, is_nav, is_list, is_footer, header, bits))
            widgets += is_widget
            bodies += is_body
            if hides:
                if not hiding:
                    hid_at = here
                hiding += 1
            for n, kind in ((is_nav, nav), (is_list, lists), (is_footer, footers)):
                if n:
                    kind.append(here)
            for bit, kind in zip(_BITS, outer, strict=True):
                if bits & bit:
                    kind.append(here)
                    open_outer += 1

    def span(self, els: Sequence[etree._Element], within: etree._Element, *,
             self_too: bool = False) -> Sequence[etree._Element]:
        """Those of ``els`` (in document order) below ``within`` (or it, with ``self_too``)."""
        key = self.start.__getitem__
        at = self.start[within]
        lo = (bisect_left if self_too else bisect_right)(els, at, key=key)
        hi = bisect_left(els, self.end[within], lo=lo, key=key)
        return els[lo:hi]

    def first_below(self, els: Sequence[etree._Element],
                    holder: etree._Element) -> etree._Element | None:
        """The first of ``els`` (in document order) below ``holder``, or None."""
        key = self.start.__getitem__
        at = bisect_right(els, self.start[holder], key=key)
        return els[at] if at < len(els) and key(els[at]) < self.end[holder] else None

    def candidates(self, name: str, test: Callable[[etree._Element], bool],
                   pool: Sequence[etree._Element]) -> list[etree._Element]:
        """``[el for el in pool if test(el)]``, worked out once per index and ``name``."""
        found = self._candidates.get(name)
        if found is None:
            found = self._candidates[name] = [el for el in pool if test(el)]
        return found

    def shown(self, el: etree._Element) -> bool:
        """Not inside a post body nor the comments (it may be one of them)."""
        at = self.start[el]
        i = bisect_left(self._hidden, (at,)) - 1
        return i < 0 or at >= self._hidden[i][1]

    def header_before(self, el: etree._Element) -> etree._Element | None:
        """``el``'s ``preceding::*[date-header][1]``: of the date headers closed before it
        starts (so not its ancestors), the last one opened."""
        at = bisect_right(self._headers, self.start[el], key=lambda pair: pair[0]) - 1
        return self._headers[at][1] if at >= 0 else None

    def hidden(self, el: etree._Element) -> bool:
        """Strictly inside the comments (or a post body): so is every field in it."""
        at = self.start[el]
        i = bisect_left(self._hidden, (at,)) - 1
        return i >= 0 and at < self._hidden[i][1]

    def inside(self, el: etree._Element, within: etree._Element) -> int:
        """The outer classes (AUTHOR | STAMP | TITLE) around ``el`` below ``within``."""
        found = self.outer.get(el)
        if found is None:
            return 0
        at = self.start[within]
        return sum(bit for bit, where in zip(_BITS, found, strict=True) if where > at)

    def holds_skipped(self, el: etree._Element) -> bool:
        """Whether a script, style ... lies inside ``el``."""
        at = bisect_right(self.skips, self.start[el])
        return at < len(self.skips) and self.skips[at] < self.end[el]
