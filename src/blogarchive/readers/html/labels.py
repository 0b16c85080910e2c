"""A post's labels as its own label list gives them, in its order.

The list is the truth: ``span.post-labels`` / ``div.post-labels`` (Layouts and skins),
``p.blogger-labels`` (classic, linking ``/labels/NAME.html`` on FTP blogs), then links with
``rel="tag"`` to a label page, then label links in the post's footer. Only when none of those
is there are all the label links around the post taken, and never those of a breadcrumb, a
menu or a navigation bar: a breadcrumb naming one label is not a label list and must not put
that label first. Each list says which rule found it (the post's ``labels_source``).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from typing import Final

from lxml import etree

from .index import Index
from .labelrules import FOOTER, LIST, NAV, is_label_href, kinds_of
from .page import label_from_href, text_of

__all__ = ["find_labels", "label_links", "label_links_in"]

_RULES: Final = ("post-labels", "rel=tag", "post-footer", "label-links")
_LINKS: Final = frozenset({"a"})
Links = dict[str, list[etree._Element]]


def label_links(scope: etree._Element, skip: Callable[[etree._Element], bool] | None
                ) -> Links:
    """The label links of ``scope`` by the rules that may take them, in document order, in
    one walk: not those inside a breadcrumb, menu or nav (or an element ``skip`` names).
    (``//list//a`` queries search below every list again: quadratic when lists nest.)"""
    found: Links = {rule: [] for rule in _RULES}
    hidden = lists = footers = 0
    opened: dict[etree._Element, tuple[int, int, int]] = {}
    for event, el in etree.iterwalk(scope, events=("start", "end")):
        if not isinstance(el.tag, str):
            continue
        if event == "end":
            marks = opened.pop(el, None)
            if marks is not None:
                hidden, lists, footers = hidden - marks[0], lists - marks[1], footers - marks[2]
            continue
        # The page index's rules (kinds_of), so that both readings of a page agree.
        kinds = kinds_of(el.get("class"), el.get("id"))
        marks = (int(el.tag == "nav" or bool(kinds & NAV) or (
                     skip is not None and skip(el))),
                 int(bool(kinds & LIST)), int(bool(kinds & FOOTER)))
        if any(marks):
            opened[el] = marks
        if el.tag == "a" and not hidden and el.get("href") is not None and is_label_href(
                str(el.get("href"))):
            if lists:
                found["post-labels"].append(el)
            if "tag" in str(el.get("rel") or "").split():
                found["rel=tag"].append(el)
            if footers:
                found["post-footer"].append(el)
            found["label-links"].append(el)
        hidden, lists, footers = hidden + marks[0], lists + marks[1], footers + marks[2]
    return found


def label_links_in(index: Index, container: etree._Element) -> Links:
    """``label_links(container, None)`` from the page's index: no walk of the container."""
    found: Links = {rule: [] for rule in _RULES}
    starts = index.label_starts
    at = index.start[container]
    for item in index.label_links[bisect_left(starts, at):bisect_left(starts,
                                                                        index.end[container])]:
        if item.nav >= at:
            continue
        link = item.link
        if item.list >= at:
            found["post-labels"].append(link)
        if "tag" in str(link.get("rel") or "").split():
            found["rel=tag"].append(link)
        if item.footer >= at:
            found["post-footer"].append(link)
        found["label-links"].append(link)
    return found


def find_labels(links: Links, keep: Callable[[etree._Element], bool] = lambda _: True
                ) -> tuple[list[str], str | None]:
    """The labels of a post from the label links of its part of the page (``label_links``
    or ``label_links_in``) and the rule that found them; ``keep`` says which links may
    count (not the body's)."""
    for rule in _RULES:
        labels: dict[str, None] = {}
        for link in links[rule]:
            if not keep(link):
                continue
            # A link's own text: links nested in it (no browser nests them) are read for
            # themselves, not again as part of every link around them.
            name = text_of(link, _LINKS) or label_from_href(str(link.get("href")))
            if name:
                labels.setdefault(name.rstrip(","), None)
        if labels:
            return list(labels), rule
    return [], None
