"""A post's labels as its own label list gives them, in its order.

The list is the truth: ``span.post-labels`` / ``div.post-labels`` (Layouts and skins),
``p.blogger-labels`` (classic, linking ``/labels/NAME.html`` on FTP blogs), then links with
``rel="tag"`` to a label page, then label links in the post's footer. Only when none of those
is there are all the label links around the post taken, and never those of a breadcrumb, a
menu or a navigation bar: a breadcrumb naming one label is not a label list and must not put
that label first. Each list says which rule found it (the post's ``labels_source``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from lxml import etree

from .page import label_from_href, text_of

__all__ = ["find_labels"]

_LISTS: Final = frozenset({
    "post-labels", "blogger-labels", "labels", "post-tags", "your_label", "label-info",
    "post-label", "tags"})
_RULES: Final = ("post-labels", "rel=tag", "post-footer", "label-links")
_NAVIGATION: Final = re.compile(r"breadcrumb|\bmenu|\bnav|crumbs|pagination|sidebar", re.I)
_LINKS: Final = frozenset({"a"})


def _is_navigation(node: etree._Element) -> bool:
    return node.tag == "nav" or _NAVIGATION.search(
        f"{node.get('class') or ''} {node.get('id') or ''}") is not None


def _is_label_href(href: str) -> bool:
    return "/search/label/" in href or ("/labels/" in href and (
        ".htm" in href or ".asp" in href))


def _label_links(scope: etree._Element, skip: Callable[[etree._Element], bool] | None
                 ) -> dict[str, list[etree._Element]]:
    """The label links of ``scope`` by the rules that may take them, in document order, in
    one walk: not those inside a breadcrumb, menu or nav (or an element ``skip`` names).
    (``//list//a`` queries search below every list again: quadratic when lists nest.)"""
    found: dict[str, list[etree._Element]] = {rule: [] for rule in _RULES}
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
        names = set(str(el.get("class") or "").split())
        marks = (int(_is_navigation(el) or (skip is not None and skip(el))),
                 int(bool(names & _LISTS)), int("post-footer" in names))
        if any(marks):
            opened[el] = marks
        if el.tag == "a" and not hidden and el.get("href") is not None and _is_label_href(
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


def find_labels(scope: etree._Element, keep: Callable[[etree._Element], bool] = lambda _: True,
                skip: Callable[[etree._Element], bool] | None = None
                ) -> tuple[list[str], str | None]:
    """The labels of the post whose part of the page is ``scope`` and the rule that found
    them; ``keep`` says which links may count (not the body's), ``skip`` which elements hold
    none (the comments)."""
    links = _label_links(scope, skip)
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
