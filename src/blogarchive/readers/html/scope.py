"""One post's container, indexed in one walk, so that each of a post's fields is a lookup.

A post's fields (URL, title, dates, author, counts) are searched in its container with a
few dozen queries, most of them "an element of class C", some nested ("a link inside an
element of class ``post-author``"). As XPaths over the container, each query scanned the
whole container again (building every element's normalised class string: on a 2 MB page
a hundred queries took seconds), and a nested ``//x//y`` query is quadratic in libxml2
when the outer elements nest (thousands of nested ``post-author`` elements took minutes).
Here one walk records each element's class tokens and tag, which of the outer classes
it lies inside, and whether it lies outside the post body and the comments (only those
elements give a field's value); the queries are then lookups in document order (issue 15).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from typing import Final

from lxml import etree

from ...analysis._tree import SKIP, squash, text_of
from .page import has_class

__all__ = ["AUTHOR", "STAMP", "TITLE", "Scope", "Want", "hides", "tokens"]

AUTHOR: Final = 1
"""Inside an element of class ``post-author``."""
STAMP: Final = 2
"""Inside an element of class ``post-timestamp``."""
TITLE: Final = 4
"""Inside an element of class ``post-title``, ``entry-title`` or ``title``."""
_OUTER: Final = {"post-author": AUTHOR, "post-timestamp": STAMP, "post-title": TITLE,
                 "entry-title": TITLE, "title": TITLE}
_HOLDS: Final = "mobile-index-title"  # links holding one: the mobile index's post links
# XPath's normalize-space splits at these four only (the queries this replaces used it).
_XML_SPACE: Final = re.compile(r"[ \t\r\n]+")


def tokens(el: etree._Element) -> list[str]:
    """The class tokens of ``el`` as ``contains(concat(" ", normalize-space(@class), " "),
    " name ")`` sees them."""
    value = el.get("class")
    return [t for t in _XML_SPACE.split(value) if t] if value else []


def hides(el: etree._Element) -> bool:
    """The comments: no field of the post is taken from inside them."""
    return el.get("id") == "comments" or has_class(el, "comments")


class Want:
    """A query: elements of a class and/or a tag, optionally inside outer classes (a bit
    set), with an attribute of a value, holding a ``mobile-index-title``, or without a class;
    and what to take of them: an attribute (elements that have it), else the visible text."""

    __slots__ = ("attr", "cls", "equals", "holds_title", "inside", "lacks", "tag")

    def __init__(self, tag: str | None = None, cls: str | None = None, *, inside: int = 0,
                 attr: str | None = None, equals: tuple[str, str] | None = None,
                 lacks: str | None = None, holds_title: bool = False) -> None:
        self.tag, self.cls, self.inside, self.attr = tag, cls, inside, attr
        self.equals, self.lacks, self.holds_title = equals, lacks, holds_title


class Scope:
    """A post's container: its elements by class token and by tag, in document order."""

    def __init__(self, container: etree._Element, body: etree._Element,
                 hidden_above: bool) -> None:
        self.container = container
        self.by_class: defaultdict[str, list[etree._Element]] = defaultdict(list)
        self.by_tag: defaultdict[str, list[etree._Element]] = defaultdict(list)
        self.shown: set[etree._Element] = set()
        """Elements outside the body and the comments (not inside them; they may be them)."""
        self.inside: dict[etree._Element, int] = {}
        """For elements inside outer classes: which (AUTHOR | STAMP | TITLE)."""
        self.holding: set[etree._Element] = set()
        """Links with an element of class ``mobile-index-title`` inside."""
        self.order: list[etree._Element] = []
        """Every element in the container, the container left out, in document order."""
        self.start: dict[etree._Element, int] = {}
        self.end: dict[etree._Element, int] = {}
        self._skips: list[int] = []  # where SKIP elements (scripts, styles ...) start
        self._walk(container, body, hidden_above)

    def _walk(self, container: etree._Element, body: etree._Element, hidden: bool) -> None:
        hiding = 1 if hidden else 0  # open elements that hide what is inside them
        outer = dict.fromkeys((AUTHOR, STAMP, TITLE), 0)  # open elements of each outer class
        links: list[etree._Element] = []  # open links, innermost last
        marked = 0  # links[:marked] are known to hold a mobile-index-title
        stack: list[tuple[bool, int]] = []  # per open element: hides?, its outer bits
        count = 0
        for event, el in etree.iterwalk(container, events=("start", "end")):
            if not isinstance(el.tag, str):
                continue
            if event == "end":
                hid, bits = stack.pop()
                hiding -= hid
                for bit in (AUTHOR, STAMP, TITLE):
                    outer[bit] -= bool(bits & bit)
                if el.tag == "a" and links and links[-1] is el:
                    links.pop()
                    marked = min(marked, len(links))
                self.end[el] = count
                continue
            self.start[el] = count
            count += 1
            if el.tag in SKIP:
                self._skips.append(self.start[el])
            if not hiding:
                self.shown.add(el)
            hid = el is body or hides(el)
            hiding += hid
            bits = 0
            if el is container:
                stack.append((hid, 0))
                continue
            here = sum(bit for bit, n in outer.items() if n)
            if here:
                self.inside[el] = here
            self.order.append(el)
            self.by_tag[el.tag].append(el)
            for token in tokens(el):
                self.by_class[token].append(el)
                bits |= _OUTER.get(token, 0)
                if token == _HOLDS and marked < len(links):
                    self.holding.update(links[marked:])
                    marked = len(links)
            for bit in (AUTHOR, STAMP, TITLE):
                outer[bit] += bool(bits & bit)
            if el.tag == "a":
                links.append(el)
            stack.append((hid, bits))

    def find(self, want: Want) -> list[etree._Element]:
        """The elements ``want`` names, in document order (the container itself never)."""
        if want.cls is not None:
            pool = self.by_class.get(want.cls, [])
            if want.tag is not None:
                pool = [el for el in pool if el.tag == want.tag]
        else:
            pool = self.by_tag.get(want.tag, []) if want.tag is not None else self.order
        if want.inside:
            pool = [el for el in pool if self.inside.get(el, 0) & want.inside]
        if want.holds_title:
            pool = [el for el in pool if el in self.holding]
        if want.equals is not None:
            name, value = want.equals
            pool = [el for el in pool if el.get(name) == value]
        if want.lacks is not None:
            lacks = want.lacks
            pool = [el for el in pool if lacks not in tokens(el)]
        if want.attr is not None:
            attr = want.attr
            pool = [el for el in pool if el.get(attr) is not None]
        return pool

    def first(self, *wants: Want) -> str | None:
        """The first non-empty text (an attribute's, or the visible text) of the elements the
        queries name, outside the body and the comments, query by query."""
        for want in wants:
            found = self.texts(self.find(want), want.attr, stop_at_first=True)
            if found:
                return found[0]
        return None

    def texts(self, els: Iterable[etree._Element], attr: str | None = None, *,
              stop_at_first: bool = False) -> list[str]:
        """The non-empty texts of the shown ones among ``els`` (in document order)."""
        found = []
        past = -1  # an empty element's descendants have no text either: not read again
        for el in els:
            if el not in self.shown:
                continue
            if attr is not None:
                text = squash(str(el.get(attr) or ""))
            elif self.start[el] < past:
                continue
            else:
                text = text_of(el)
                if not text and not self._holds_skipped(el):
                    past = self.end[el]
            if text:
                found.append(text)
                if stop_at_first:
                    break
        return found

    def _holds_skipped(self, el: etree._Element) -> bool:
        """Whether a script, style ... lies inside ``el``: its text is not in ``el``'s, but an
        element inside it has its own visible text (text_of reads inside it)."""
        at = bisect_right(self._skips, self.start[el])
        return at < len(self._skips) and self._skips[at] < self.end[el]
