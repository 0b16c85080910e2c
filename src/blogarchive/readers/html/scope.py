"""One post's container, as a view of the page's index, so that each of a post's fields is a
lookup.

A post's fields (URL, title, dates, author, counts) are searched in its container with a
few dozen queries, most of them "an element of class C", some nested ("a link inside an
element of class ``post-author``"). As XPaths over the container, each query scanned the
whole container again (building every element's normalised class string: on a 2 MB page
a hundred queries took seconds), and a nested ``//x//y`` query is quadratic in libxml2
when the outer elements nest (thousands of nested ``post-author`` elements took minutes).
The page is indexed once (``index.Index``: each element's class tokens and tag, which outer
classes it lies inside, whether it lies outside the post bodies and the comments: only
those elements give a field's value); a query is a range of the index's lists, in document
order, and no container is walked again for its post (issue 15).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from lxml import etree

from ...analysis._tree import squash, text_of
from .index import AUTHOR, STAMP, TITLE, Index, tokens
from .page import xp

__all__ = ["AUTHOR", "STAMP", "TITLE", "Scope", "Want", "tokens"]



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
    """A post's container: its elements by class token and by tag, in document order (the
    container itself left out), read from the page's index."""

    def __init__(self, index: Index, container: etree._Element) -> None:
        self.index = index
        self.container = container

    def shown(self, el: etree._Element) -> bool:
        """Outside the body and the comments (not inside them; it may be them)."""
        return self.index.shown(el)

    def find(self, want: Want) -> list[etree._Element]:
        """The elements ``want`` names, in document order (the container itself never)."""
        index, container = self.index, self.container
        pool: Sequence[etree._Element]
        if want.cls is not None:
            pool = index.span(index.by_class.get(want.cls, []), container)
            if want.tag is not None:
                pool = [el for el in pool if el.tag == want.tag]
        elif want.tag is not None:
            pool = index.span(index.by_tag.get(want.tag, []), container)
        elif want.inside:
            pool = index.span(index.inner, container)
        elif want.equals is not None or want.attr is not None:
            # Only the elements that have the attribute: one search in C, not a scan of all.
            name = want.equals[0] if want.equals is not None else want.attr
            pool = xp(container, f".//*[@{name}]")
        else:
            pool = index.span(index.order, container)
        if want.inside:
            pool = [el for el in pool if index.inside(el, container) & want.inside]
        if want.holds_title:
            pool = [el for el in pool if el in index.holding]
        if want.equals is not None:
            name, value = want.equals
            pool = [el for el in pool if el.get(name) == value]
        if want.lacks is not None:
            lacks = want.lacks
            pool = [el for el in pool if lacks not in tokens(el)]
        if want.attr is not None:
            attr = want.attr
            pool = [el for el in pool if el.get(attr) is not None]
        return list(pool)

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
        index = self.index
        for el in els:
            if not index.shown(el):
                continue
            if attr is not None:
                text = squash(str(el.get(attr) or ""))
            elif index.start[el] < past:
                continue
            else:
                text = text_of(el)
                if not text and not index.holds_skipped(el):
                    past = index.end[el]
            if text:
                found.append(text)
                if stop_at_first:
                    break
        return found
