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

from .page import cls, label_from_href, text_of, xp

__all__ = ["find_labels"]

_LABEL_HREF: Final = (
    'contains(@href, "/search/label/") or (contains(@href, "/labels/") and '
    '(contains(@href, ".htm") or contains(@href, ".asp")))')
_LISTS: Final = " or ".join(cls(name) for name in (
    "post-labels", "blogger-labels", "labels", "post-tags", "your_label", "label-info",
    "post-label", "tags"))
_RULES: Final = (
    ("post-labels", f".//*[{_LISTS}]//a[@href][{_LABEL_HREF}]"),
    ("rel=tag", f'.//a[contains(concat(" ", normalize-space(@rel), " "), " tag ")]'
                f"[{_LABEL_HREF}]"),
    ("post-footer", f'.//*[{cls("post-footer")}]//a[{_LABEL_HREF}]'),
    ("label-links", f".//a[{_LABEL_HREF}]"),
)
_NAVIGATION: Final = re.compile(r"breadcrumb|\bmenu|\bnav|crumbs|pagination|sidebar", re.I)


def _is_navigation(node: etree._Element) -> bool:
    return node.tag == "nav" or _NAVIGATION.search(
        f"{node.get('class') or ''} {node.get('id') or ''}") is not None


def _hidden(scope: etree._Element, skip: Callable[[etree._Element], bool] | None
            ) -> set[etree._Element]:
    """The links of ``scope`` inside a breadcrumb, menu or nav (or an element ``skip`` names),
    in one walk: an ancestor walk per link costs links x depth on a page nesting deep."""
    hidden: set[etree._Element] = set()
    open_marks = 0
    marked: set[etree._Element] = set()
    for event, el in etree.iterwalk(scope, events=("start", "end")):
        if not isinstance(el.tag, str):
            continue
        if event == "start":
            if _is_navigation(el) or (skip is not None and skip(el)):
                marked.add(el)
                open_marks += 1
            elif open_marks and el.tag == "a":
                hidden.add(el)
        elif el in marked:
            open_marks -= 1
    return hidden


def find_labels(scope: etree._Element, keep: Callable[[etree._Element], bool] = lambda _: True,
                skip: Callable[[etree._Element], bool] | None = None
                ) -> tuple[list[str], str | None]:
    """The labels of the post whose part of the page is ``scope`` and the rule that found
    them; ``keep`` says which links may count (not the body's), ``skip`` which elements hold
    none (the comments)."""
    hidden = _hidden(scope, skip)
    for rule, query in _RULES:
        labels: dict[str, None] = {}
        for link in xp(scope, query):
            if link in hidden or not keep(link):
                continue
            name = text_of(link) or label_from_href(str(link.get("href")))
            if name:
                labels.setdefault(name.rstrip(","), None)
        if labels:
            return list(labels), rule
    return [], None
