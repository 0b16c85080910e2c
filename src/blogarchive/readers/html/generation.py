"""Which template generation made a page (HTML.md section 0, in its order of checks).

Only recorded (``Origin.template``) and reported by ``info``: the posts are found by the
widget-engine or the classic rules whatever the name, so a page that mixes generations is
still read."""

from __future__ import annotations

import re
from typing import Final

__all__ = ["generation"]

# A check's class words match when one starts within 400 characters of a `class=` and its
# quote, with no quote between (``class=["'][^"']{0,400}\bWORD\b``, the checks as HTML.md
# writes them, case-insensitive). Searched so, from every `class="`, the words were tried at
# every place of every class attribute; then each class attribute was read once for all the
# words, still more than libxml2's parse of the page (issue 12). Here each word is found in
# the lower-cased text (``str.find``: a regex with ``\b`` or IGNORECASE tries every place
# of the page in Python's engine, ten times slower), in the checks' order, and each place
# is tested: word boundaries around it, and the last quote before it opens a class attribute
# (``class=`` just before it) no more than 400 characters before it. Most pages stop at
# their generation's first word. Each place looks back 401 characters at most: a page of
# `class="` without closing quotes stays linear (fuzz seed final6).
_REACH: Final = 400
_WORDS: Final = (
    ("2017+", r"post-outer-container"),
    ("mobile", r"mobile-date-outer|mobile-post-outer|mobile-index-title|mobile-index-contents"),
    ("google", r"publishdate"),
    ("third-party", r"blog-post|item-post"),
    ("layouts", r"widget Blog|post-outer|hentry"),
)
_LOWER_WORDS: Final = {name: tuple(words.lower().split("|")) for name, words in _WORDS}
_WORD_CHAR: Final = re.compile(r"\w")
# IGNORECASE matches these to the checks' ASCII letters, and lower() does not make them
# those letters (U+0130 even lowers to two characters): a page holding one is searched with
# the checks' own patterns instead.
_ODD_CASES: Final = ("\u0130", "\u0131", "\u017f")
_CLASS_WORDS: Final = {name: re.compile(rf"\b(?:{words})\b", re.I) for name, words in _WORDS}
_OPENS: Final = re.compile(r"class=", re.I)
# What else marks a generation, besides its class words; and what each needs in the
# lower-cased text to match at all (looked for first: these regexes are slow too).
_OTHER: Final = {
    "2017+": re.compile(r"""<body[^>]{0,2000}\bclass=["'][^"']{0,400}\bversion-1-\d""", re.I),
    "google": re.compile(r"""<script[^>]{0,2000}type=["']text/template["']""", re.I),
    "layouts": re.compile(r"_WidgetManager", re.I),
}
_OTHER_NEEDS: Final = {"2017+": "version-1-", "google": "text/template",
                       "layouts": "_widgetmanager"}


def _opened_before(text: str, at: int) -> bool:
    """Whether the last quote before ``at`` opens a class attribute no more than
    ``_REACH`` characters before it."""
    quote = max(text.rfind('"', max(at - _REACH - 1, 0), at),
                text.rfind("'", max(at - _REACH - 1, 0), at))
    return quote >= 0 and _OPENS.fullmatch(text, quote - 6, quote) is not None


def _in_class(lowered: str, words: tuple[str, ...]) -> bool:
    """Whether one of ``words`` (lower case) stands, as a word, within ``_REACH`` characters
    of the start of a class attribute's value, inside it."""
    for word in words:
        at = lowered.find(word)
        while at >= 0:
            end = at + len(word)
            if ((at == 0 or not _WORD_CHAR.match(lowered, at - 1))
                    and not _WORD_CHAR.match(lowered, end) and _opened_before(lowered, at)):
                return True
            at = lowered.find(word, at + 1)
    return False


def _in_class_odd(text: str, words: re.Pattern[str]) -> bool:
    """``_in_class`` for a page holding one of ``_ODD_CASES``: the checks' regexes."""
    found = words.search(text)
    while found is not None:
        if _opened_before(text, found.start()):
            return True
        found = words.search(text, found.start() + 1)
    return False


def generation(text: str, classic: bool) -> str:
    """``classic``, ``layouts``, ``2017+``, ``third-party``, ``google`` or ``mobile``."""
    if classic:
        return "classic"
    odd = not text.isascii() and any(c in text for c in _ODD_CASES)
    lowered = text if odd else text.lower()
    for name, _ in _WORDS:
        if (_in_class_odd(text, _CLASS_WORDS[name]) if odd
                else _in_class(lowered, _LOWER_WORDS[name])):
            return name
        other = _OTHER.get(name)
        if other is not None and (odd or _OTHER_NEEDS[name] in lowered) and other.search(text):
            return name
    return "layouts"
