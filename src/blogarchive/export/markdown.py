"""A post body as Markdown (markdownify), or kept as HTML when Markdown would lose structure.

Markdown has no tables (in CommonMark), no embeds, no colours and no quoted lists that every
renderer agrees on; converting such a body would silently lose what the author made. A body is
kept as HTML (and counted) when it holds any of:

- a table, or an embed: ``iframe``, ``object``, ``embed``, ``video``, ``audio``, ``script``,
  ``form``, ``svg``, ``math``, ``canvas``;
- ``sup`` / ``sub`` (footnote marks, formulas: markdownify flattens them into the text);
- a list inside a blockquote (renderers disagree on ``> -`` nesting after conversion);
- colour, background, border or struck-through text, by ``style`` or ``<font color>``: these
  carry meaning ("corrections in red"), unlike layout (float, margins, alignment), which a
  new theme decides anyway and is dropped;
- a body the converter fails on (markdownify recurses: a body nested thousands deep raises).

Blogger's ``<!--more-->`` jump break is kept as the same comment, which Hugo and Jekyll (with
the ``excerpt_separator`` the skeleton config sets) both read as the summary's end.
"""

from __future__ import annotations

import re
from typing import Final

import attrs
from lxml import etree

from ..analysis._tree import parse

__all__ = ["Body", "convert_body"]

_EMBEDS: Final = frozenset({
    "table", "iframe", "object", "embed", "video", "audio", "script", "form", "svg", "math",
    "canvas", "sup", "sub",
})
_MEANINGFUL_STYLE: Final = re.compile(
    r"(?:^|;)\s*(?:color|background(?:-color|-image)?|border(?:-[a-z-]+)?|text-decoration"
    r"(?:-line)?)\s*:\s*([^;]*)", re.IGNORECASE)
_MORE: Final = re.compile(r"<!--\s*more\s*-->", re.IGNORECASE)
_MORE_MARK: Final = "BLOGARCHIVEMOREMARK"


@attrs.frozen
class Body:
    """A converted body: ``text`` in ``form`` (``markdown`` or ``html``), and why it was kept
    as HTML when Markdown was asked for (None when it was not)."""

    text: str
    form: str
    kept_because: str | None = None


def convert_body(html: str, *, want: str = "markdown") -> Body:
    """``html`` as Markdown when ``want`` is ``markdown`` and nothing would be lost, else as
    HTML, saying why."""
    if want == "html":
        return Body(html, "html")
    reason = _structure_lost(html)
    if reason is not None:
        return Body(html, "html", reason)
    from markdownify import markdownify

    marked = _MORE.sub(f"<p>{_MORE_MARK}</p>", html)
    try:
        text = markdownify(marked, heading_style="ATX", bullets="-", escape_misc=False)
    except Exception as problem:  # any converter failure keeps the source as HTML
        return Body(html, "html", f"the Markdown converter failed ({type(problem).__name__})")
    text = text.replace(_MORE_MARK, "<!--more-->").strip("\n") + "\n"
    return Body(text, "markdown")


def _structure_lost(html: str) -> str | None:
    """Why Markdown would lose part of ``html``, or None."""
    root = parse(html)
    for el in root.iter(etree.Element):  # elements only: comments and PIs carry no structure
        tag = el.tag
        if tag in _EMBEDS:
            return f"it holds <{tag}>"
        if tag in ("ul", "ol") and any(a.tag == "blockquote" for a in el.iterancestors()):
            return "it has a list inside a quotation"
        if tag == "font" and el.get("color"):
            return "it has coloured text"
        style = el.get("style")
        if style:
            for found in _MEANINGFUL_STYLE.finditer(style):
                if found.group(1).strip().lower() not in ("", "none", "inherit", "initial"):
                    return "it has coloured, bordered or struck-through text"
    return None
