"""Which template generation made a page (HTML.md section 0, in its order of checks).

Only recorded (``Origin.template``) and reported by ``info``: the posts are found by the
widget-engine or the classic rules whatever the name, so a page that mixes generations is
still read."""

from __future__ import annotations

import re
from typing import Final

__all__ = ["generation"]

# Each class attribute is searched only so far ({0,N}): an unbounded [^"']* ran to the end of
# the page from every `class="` without a closing quote, so a page of them took time squared
# (fuzz seed final6: a 2 MB page, minutes). Real class attributes are far shorter.
#
# A check's class words match when one starts within 400 characters of a `class=` and its
# quote, with no quote between (``class=["'][^"']{0,400}\bWORD\b``). Searched so, pattern by
# pattern, the words were tried at every place of every class attribute five times over
# (a fifth of a page's reading time, issue 12); here each attribute's first 430 characters
# (a word starting by 400 ends by 422) are taken once, and only one holding any of the words
# is searched for each.
_VALUES: Final = re.compile(r"""class=["'](?=([^"']{0,430}))""", re.I)
_REACH: Final = 400
_WORDS: Final = (
    ("2017+", r"post-outer-container"),
    ("mobile", r"mobile-date-outer|mobile-post-outer|mobile-index-title|mobile-index-contents"),
    ("google", r"publishdate"),
    ("third-party", r"blog-post|item-post"),
    ("layouts", r"widget Blog|post-outer|hentry"),
)
_ANY: Final = re.compile(r"\b(?:" + "|".join(words for _, words in _WORDS) + r")\b", re.I)
_CLASS_WORDS: Final = tuple((name, re.compile(rf"\b(?:{words})\b", re.I))
                            for name, words in _WORDS)
# What else marks a generation, besides its class words.
_OTHER: Final = {
    "2017+": re.compile(r"""<body[^>]{0,2000}\bclass=["'][^"']{0,400}\bversion-1-\d""", re.I),
    "google": re.compile(r"""<script[^>]{0,2000}type=["']text/template["']""", re.I),
    "layouts": re.compile(r"_WidgetManager", re.I),
}


def _class_words(text: str) -> set[str]:
    """The generations whose class words some class attribute of ``text`` holds."""
    found: set[str] = set()
    for match in _VALUES.finditer(text):
        value = match.group(1)
        first = _ANY.search(value)
        if first is None or first.start() > _REACH:
            continue
        for name, words in _CLASS_WORDS:
            if name not in found:
                hit = words.search(value)
                if hit is not None and hit.start() <= _REACH:
                    found.add(name)
    return found


def generation(text: str, classic: bool) -> str:
    """``classic``, ``layouts``, ``2017+``, ``third-party``, ``google`` or ``mobile``."""
    if classic:
        return "classic"
    found = _class_words(text)
    for name, _ in _WORDS:
        other = _OTHER.get(name)
        if name in found or (other is not None and other.search(text)):
            return name
    return "layouts"
