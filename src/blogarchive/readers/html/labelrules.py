"""The label rules of saved pages: which links lead to a label's page, and which of the
elements around such a link make it navigation, a label list or a post footer (labels.py
applies them; the page index, index.py, records them for every label link at once)."""

from __future__ import annotations

import functools
import re
from typing import Final

from lxml import etree

__all__ = ["FOOTER", "LABEL_LINKS", "LIST", "LISTS", "NAV", "REMEMBERED", "LabelLink",
           "is_label_href", "is_navigation", "kinds_of", "remembered_kinds"]

# Lists that are a post's labels, and what is navigation.
LISTS: Final = frozenset({
    "post-labels", "blogger-labels", "labels", "post-tags", "your_label", "label-info",
    "post-label", "tags"})
_NAVIGATION: Final = re.compile(r"breadcrumb|\bmenu|\bnav|crumbs|pagination|sidebar", re.I)

# is_label_href's test, in C: a page's links are a tenth of its elements, and few are labels.
LABEL_LINKS: Final = etree.XPath(
    'descendant-or-self::a[contains(@href, "/search/label/") or (contains(@href, "/labels/")'
    ' and (contains(@href, ".htm") or contains(@href, ".asp")))]')


def is_label_href(href: str) -> bool:
    return "/search/label/" in href or ("/labels/" in href and (
        ".htm" in href or ".asp" in href))


def _navigational(classes: str | None, ident: str | None) -> bool:
    """The one statement of which class and id attributes make an element navigation."""
    return bool((classes or ident) and _NAVIGATION.search(f"{classes or ''} {ident or ''}"))


def is_navigation(el: etree._Element, classes: str | None, ident: str | None) -> bool:
    return el.tag == "nav" or _navigational(classes, ident)


NAV: Final = 1
LIST: Final = 2
FOOTER: Final = 4


def kinds_of(classes: str | None, ident: str | None) -> int:
    """What an element of these class and id attributes is around a label link: navigation
    (``is_navigation``, whatever its tag), a label list, a post footer (bits)."""
    spaced = set(classes.split()) if classes else set()
    return ((NAV if _navigational(classes, ident) else 0)
            | (LIST if spaced & LISTS else 0) | (FOOTER if "post-footer" in spaced else 0))


# A mirror's pages share their templates: the same few class and id attributes stand above
# every label link, and testing each again was most of the index's climbs. Only attributes
# of a sane length are remembered: a hostile page's long ones must not fill the memory.
REMEMBERED: Final = 512
remembered_kinds: Final = functools.lru_cache(maxsize=4096)(kinds_of)


class LabelLink:
    """A link to a label page, and where the innermost navigation, label list and post
    footer around it start (``-1``: none): a post's rules take the link when those lie in
    its container."""

    __slots__ = ("footer", "link", "list", "nav")

    def __init__(self, link: etree._Element, nav: int, list_: int, footer: int) -> None:
        self.link, self.nav, self.list, self.footer = link, nav, list_, footer
