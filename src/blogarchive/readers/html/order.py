"""A page's elements in document order, for ``Index``: each element's number is its place
in the order (``start``); ``Ends`` gives the number after its last descendant, so ``d`` lies
below ``e`` when ``start[e] < start[d] < end[e]``. Which of some elements are inside none of
the others (``outermost``), whether an element lies inside one of them (``Ranges``), and the
elements of a tag (``ByTag``) follow from these numbers, by bisection."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence

from lxml import etree

__all__ = ["ByTag", "Ends", "Ranges", "outermost"]


class Ends:
    """``end`` of each element: the number of the first element after its subtree (the
    next sibling's, or its parent's end), worked out when asked and remembered."""

    def __init__(self, root: etree._Element, start: dict[etree._Element, int],
                 count: int) -> None:
        self.root, self.start, self.count = root, start, count
        self.known: dict[etree._Element, int] = {}

    def __getitem__(self, el: etree._Element) -> int:
        known = self.known.get(el)
        if known is not None:
            return known
        path = []  # elements with no element after them below their parent: one end
        at = self.count
        while True:
            known = self.known.get(el)
            if known is not None:
                at = known
                break
            path.append(el)
            if el is self.root:  # what follows the root (a second <html>) is not indexed
                break
            after = el.getnext()
            while after is not None and not isinstance(after.tag, str):
                after = after.getnext()  # type: ignore[unreachable]  # comments, PIs
            if after is not None:
                at = self.start[after]
                break
            parent = el.getparent()
            if parent is None:
                break
            el = parent
        for step in path:
            self.known[step] = at
        return at


class ByTag:
    """The elements of a tag in document order, found in C when first asked for."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.found: dict[str, list[etree._Element]] = {}

    def get(self, tag: str, default: Sequence[etree._Element] = ()) -> list[etree._Element]:
        found = self.found.get(tag)
        if found is None:
            found = self.found[tag] = list(self.root.iter(tag))
        return found


def outermost(start: dict[etree._Element, int], end: Ends,
               els: Iterable[etree._Element]) -> list[etree._Element]:
    """Those of ``els`` (in document order) inside none of the others."""
    found = []
    reach = -1
    for el in els:
        if start[el] >= reach:
            found.append(el)
            reach = end[el]
    return found


class Ranges:
    """The subtrees of some elements, to ask whether an element lies strictly inside one."""

    def __init__(self, start: dict[etree._Element, int], end: Ends,
                 els: list[etree._Element]) -> None:
        self.start = start
        self.ranges = [(start[el], end[el]) for el in outermost(start, end, els)]

    def strictly_inside(self, el: etree._Element) -> bool:
        at = self.start[el]
        i = bisect_left(self.ranges, (at,)) - 1
        return i >= 0 and at < self.ranges[i][1]
