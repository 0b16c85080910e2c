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


def _navigation(link: etree._Element) -> bool:
    """Inside a breadcrumb, menu or navigation bar."""
    for node in link.iterancestors():
        if node.tag == "nav":
            return True
        if _NAVIGATION.search(f"{node.get('class') or ''} {node.get('id') or ''}"):
            return True
    return False


def find_labels(scope: etree._Element, keep: Callable[[etree._Element], bool] = lambda _: True
                ) -> tuple[list[str], str | None]:
    """The labels of the post whose part of the page is ``scope`` and the rule that found
    them; ``keep`` says which links may count (not the body's, not the comments')."""
    for rule, query in _RULES:
        labels: dict[str, None] = {}
        for link in xp(scope, query):
            if not keep(link) or _navigation(link):
                continue
            name = text_of(link) or label_from_href(str(link.get("href")))
            if name:
                labels.setdefault(name.rstrip(","), None)
        if labels:
            return list(labels), rule
    return [], None
