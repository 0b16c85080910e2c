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
_CLASS: Final = r"""class=["'][^"']{0,400}"""
_CHECKS: Final = (
    ("2017+", re.compile(_CLASS + r"""\bpost-outer-container\b|"""
                         r"""<body[^>]{0,2000}\bclass=["'][^"']{0,400}\bversion-1-\d""", re.I)),
    ("mobile", re.compile(_CLASS + r"""\b(?:mobile-date-outer|mobile-post-outer|"""
                          r"""mobile-index-title|mobile-index-contents)\b""", re.I)),
    ("google", re.compile(r"""<script[^>]{0,2000}type=["']text/template["']|"""
                          + _CLASS + r"""\bpublishdate\b""", re.I)),
    ("third-party", re.compile(_CLASS + r"""\b(?:blog-post|item-post)\b""",
                               re.I)),
    ("layouts", re.compile(_CLASS + r"""\b(?:widget Blog|post-outer|hentry)\b|"""
                           r"""_WidgetManager""", re.I)),
)


def generation(text: str, classic: bool) -> str:
    """``classic``, ``layouts``, ``2017+``, ``third-party``, ``google`` or ``mobile``."""
    if classic:
        return "classic"
    for name, pattern in _CHECKS:
        if pattern.search(text):
            return name
    return "layouts"
