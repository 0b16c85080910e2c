"""A page (or the part of one a reader was given) indexed once, shared by its posts.

Each post's fields, labels and comments are lookups in its container; the dozen walks that
answered them (the post bodies, the date headers, each post's ``Scope``, its label links, the
two ``Below`` walks of its comments) each went over the whole page or container again, and
on a page nesting hundreds of thousands of elements they took 30 s of CPU (issue 15). Here
every element is numbered in document order (``start``, in C; ``end`` is the number after its
last descendant, so ``d`` lies below ``e`` when ``start[e] < start[d] < end[e]``), and what
any later question needs about an element's ancestors is recorded from the elements with a
class or an id (issue 12: a Python walk of every element was most of the index's cost):
which post bodies are outermost, what hides an element from a post's fields (its body, the
comments), the innermost open element of each outer class (``post-author``...), the
navigation, label-list and footer around each label link, and the date header last closed.
A question about one container is then a range of these lists (``span``), found by bisection.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Final

from lxml import etree

from ...analysis._tree import SKIP
from .labelrules import (
    FOOTER,
    LABEL_LINKS,
    LIST,
    NAV,
    REMEMBERED,
    LabelLink,
    kinds_of,
    remembered_kinds,
)
from .order import ByTag, Ends, Ranges, outermost

__all__ = ["AUTHOR", "STAMP", "TITLE", "Index", "tokens"]

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
_NONE: Final = -1


_CLASSED: Final = etree.XPath("descendant-or-self::*[@class or @id]")


def tokens(el: etree._Element) -> list[str]:
    """The class tokens of ``el`` as ``contains(concat(" ", normalize-space(@class), " "),
    " name ")`` sees them."""
    value = el.get("class")
    return [t for t in _XML_SPACE.split(value) if t] if value else []


class Index:
    """Every element of ``root`` by class token and by tag, in document order, with what the
    readers ask of its ancestors; ``bodies`` (for pages of the widget engine) are the post
    bodies that are not inside another nor inside a gadget other than the Blog widget."""

    def __init__(self, root: etree._Element, *, posts: bool = False) -> None:
        self.root = root
        self.start: dict[etree._Element, int] = {}
        self.end: Ends
        self.order: list[etree._Element] = []
        self.by_class: defaultdict[str, list[etree._Element]] = defaultdict(list)
        self.by_tag: ByTag
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
        self._climbed: set[etree._Element] = set()  # climbed from a mobile-index-title
        self._walk(posts)

    def _walk(self, posts: bool) -> None:
        # Every element is numbered in C (``iter``); Python looks only at the elements with a
        # class or an id (found by one XPath in C), and at the few regions the rest need: the
        # subtrees of the outer classes, the ancestors of label links and mobile-index titles.
        # A walk of every element in Python, with a start and an end step each, was the
        # largest part of reading a saved page (issue 12).
        root = self.root
        order = self.order = list(root.iter(etree.Element))
        start = self.start = {el: at for at, el in enumerate(order)}
        end = self.end = Ends(root, start, len(order))
        by_class = self.by_class
        by_tag = self.by_tag = ByTag(root)
        # The tags set aside in one search, in document order (six were a sixth of the
        # index's searches); each one's list is what by_tag would find (layouts asks for
        # the scripts).
        skipped = list(root.iter(*SKIP))
        self.skips = [start[el] for el in skipped]
        for tag in SKIP:
            by_tag.found[tag] = [el for el in skipped if el.tag == tag]
        widgets: list[etree._Element] = []
        post_bodies: list[etree._Element] = []
        hiding: list[etree._Element] = []
        headers: list[etree._Element] = []
        outers: list[etree._Element] = []
        classed: list[etree._Element] = _CLASSED(root)  # type: ignore[assignment]
        for el in classed:
            classes = el.get("class")
            if el.get("id") == "comments":
                self.comments_ids.append(el)
                hiding.append(el)
            if not classes:
                continue
            # Printable ASCII has no separator but the space: str.split cuts as XPath's
            # normalize-space does, in C, without the pattern and the list of the rest.
            spaced = classes.split()
            names = spaced if classes.isascii() and classes.isprintable() else [
                t for t in _XML_SPACE.split(classes) if t]
            bits = 0
            for token in names:
                by_class[token].append(el)
                bits |= _OUTER.get(token, 0)
            if bits:
                outers.append(el)
            # has_class (str.split) where the readers this replaces used it, tokens elsewhere.
            if posts and "widget" in spaced and "Blog" not in spaced:
                widgets.append(el)
            if posts and "post-body" in names:
                post_bodies.append(el)
            if "comments" in spaced and el.get("id") != "comments":
                hiding.append(el)
            if "date-header" in names:
                headers.append(el)
        # The post bodies inside no other post body and no gadget but the Blog widget.
        in_widget = Ranges(start, end, widgets)
        self.bodies = [b for b in outermost(start, end, post_bodies)
                       if not in_widget.strictly_inside(b)]
        hiding.extend(self.bodies)
        hiding.sort(key=start.__getitem__)
        self._hidden = [(start[el], end[el]) for el in outermost(start, end, hiding)]
        # Headers in the order they close (the inner first), each kept when it opened after
        # the last one kept: one that closes later but opened before holds that one.
        last = -1
        for el in sorted(headers, key=lambda h: (end[h], -start[h])):
            if start[el] > last:
                last = start[el]
                self._headers.append((end[el], el))
        self._outer_classes(outers)
        for held in by_class.get(_HOLDS, ()):
            self._hold(held)
        self._label_links()

    def _outer_classes(self, outers: list[etree._Element]) -> None:
        """``outer`` and ``inner``: the subtree of each outermost element of an outer class,
        walked with the open elements of each class on a stack."""
        start, end = self.start, self.end
        starts = [start[el] for el in outers]
        for top in outermost(start, end, outers):
            here, reach = start[top], end[top]
            if bisect_left(starts, reach) - bisect_right(starts, here) == 0:
                # No outer class below the top (a title's heading, a byline's span: almost
                # every one): all below it lie in the top's classes alone, and are listed in
                # C, without a start and an end step each.
                bits = 0
                for token in tokens(top):
                    bits |= _OUTER.get(token, 0)
                marks = (here if bits & AUTHOR else _NONE, here if bits & STAMP else _NONE,
                         here if bits & TITLE else _NONE)
                below = list(top.iterdescendants(etree.Element))
                self.outer.update(dict.fromkeys(below, marks))
                self.inner.extend(below)
                continue
            stacks: tuple[list[int], list[int], list[int]] = ([], [], [])
            opened: list[int] = []
            open_outer = 0
            for event, el in etree.iterwalk(top, events=("start", "end")):
                if not isinstance(el.tag, str):
                    continue
                if event == "end":
                    bits = opened.pop()
                    for bit, kind in zip(_BITS, stacks, strict=True):
                        if bits & bit:
                            kind.pop()
                            open_outer -= 1
                    continue
                if open_outer:
                    self.outer[el] = tuple(  # type: ignore[assignment]
                        kind[-1] if kind else _NONE for kind in stacks)
                    self.inner.append(el)
                bits = 0
                classes = el.get("class")
                if classes:
                    for token in _XML_SPACE.split(classes):
                        bits |= _OUTER.get(token, 0)
                opened.append(bits)
                here = start[el]
                for bit, kind in zip(_BITS, stacks, strict=True):
                    if bits & bit:
                        kind.append(here)
                        open_outer += 1

    def _hold(self, held: etree._Element) -> None:
        """The links around ``held`` (a ``mobile-index-title``) hold it; a climb stops where
        an earlier one went, so each element is climbed through once."""
        el: etree._Element | None = held
        while el is not None and el is not self.root:
            el = el.getparent()
            if el is None or el in self._climbed:
                return
            self._climbed.add(el)
            if el.tag == "a":
                self.holding.add(el)

    def _label_links(self) -> None:
        """Each label link, with the innermost navigation, label list and footer around it
        (found by climbing; what an element's ancestors hold is remembered)."""
        start, root = self.start, self.root
        around: dict[etree._Element, tuple[int, int, int]] = {}

        def marks(el: etree._Element) -> tuple[int, int, int]:
            """The innermost of each kind among ``el`` and its ancestors in the index."""
            path = []
            found = (_NONE, _NONE, _NONE)
            while True:
                known = around.get(el)
                if known is not None:
                    found = known
                    break
                path.append(el)
                parent = el.getparent()
                if el is root or parent is None:
                    break
                el = parent
            for step in reversed(path):
                classes, ident = step.get("class"), step.get("id")
                kinds = NAV if step.tag == "nav" else 0
                if classes or ident:
                    kinds |= remembered_kinds(classes, ident) if len(classes or "") + len(
                        ident or "") <= REMEMBERED else kinds_of(classes, ident)
                if kinds:
                    here = start[step]
                    found = (here if kinds & NAV else found[0],
                             here if kinds & LIST else found[1],
                             here if kinds & FOOTER else found[2])
                around[step] = found
            return found

        links: list[etree._Element] = LABEL_LINKS(root)  # type: ignore[assignment]
        for link in links:
            parent = link.getparent()
            nav, list_, footer = (_NONE, _NONE, _NONE) if link is root or parent is None else (
                marks(parent))
            self.label_links.append(LabelLink(link, nav, list_, footer))
            self.label_starts.append(start[link])

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
