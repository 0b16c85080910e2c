"""Which template generation made a page (HTML.md section 0, in its order of checks).

Only recorded (``Origin.template``) and reported by ``info``: the posts are found by the
widget-engine or the classic rules whatever the name, so a page that mixes generations is
still read."""

from __future__ import annotations

import re
from typing import Final

__all__ = ["generation"]

_CHECKS: Final = (
    ("2017+", re.compile(r"""class=["'][^"']*\bpost-outer-container\b|"""
                         r"""<body[^>]*\bclass=["'][^"']*\bversion-1-\d""", re.I)),
    ("mobile", re.compile(r"""class=["'][^"']*\b(?:mobile-date-outer|mobile-post-outer|"""
                          r"""mobile-index-title|mobile-index-contents)\b""", re.I)),
    ("google", re.compile(r"""<script[^>]*type=["']text/template["']|"""
                          r"""class=["'][^"']*\bpublishdate\b""", re.I)),
    ("third-party", re.compile(r"""class=["'][^"']*\b(?:blog-post|item-post)\b[^"']*["']""",
                               re.I)),
    ("layouts", re.compile(r"""class=["'][^"']*\b(?:widget Blog|post-outer|hentry)\b|"""
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
