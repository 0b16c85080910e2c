"""Parsing a post body and walking it: visible text, and "segments" (lines and blocks).

A body is parsed with libxml2's HTML parser (no network, no DTD), which never refuses input:
any string, however broken, gives a tree. Blogger bodies are rarely tidy paragraphs; most are
text split by ``<br>`` inside ``<span>``/``<div>`` wrappers. ``segments`` turns a container into
the sequence a reader sees: lines (runs of inline content between ``<br>``s and blocks) and
block elements, looking through inline wrappers that themselves hold lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

import attrs
from lxml import etree

from ._nesting import Flattened, parse_bounded

__all__ = [
    "BLOCK",
    "Segment",
    "attr",
    "first_char",
    "has_block_inside",
    "html_of",
    "parse",
    "parse_noted",
    "segments",
    "squash",
    "text_of",
]

BLOCK: Final = frozenset({
    "address", "article", "aside", "blockquote", "center", "dd", "details", "dir", "div",
    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hr", "li", "main", "menu", "nav", "ol", "p", "pre", "section",
    "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
# Elements that break a line of text without being blocks.
BREAKS: Final = frozenset({"br", "img", "iframe", "embed", "object", "video", "audio"})
SKIP: Final = frozenset({"script", "style", "noscript", "template", "head", "title"})

# huge_tree: no 10 MB cap on one text node or attribute (a pasted image as a data: URI), and
# nesting to 2048 levels, not 256; parse_bounded flattens what goes deeper still.
_PARSER: Final = etree.HTMLParser(
    encoding="utf-8", no_network=True, remove_comments=False, remove_pis=True, recover=True,
    huge_tree=True,
)
# Characters libxml2 cannot take: C0 controls other than tab/newline/return, lone surrogates.
_UNSAFE: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def squash(text: str) -> str:
    """Whitespace (including no-break spaces) collapsed to single spaces, ends stripped."""
    return " ".join(text.split())  # str.split() knows Unicode spaces, and beats re.sub 5x


def parse(html: str) -> etree._Element:
    """The body of ``html`` parsed as a fragment: an element holding everything."""
    return parse_noted(html)[0]


def parse_noted(html: str) -> tuple[etree._Element, Flattened | None]:
    """``parse``, and what of the nesting had to be flattened to get all of ``html`` in."""
    text = "<html><body>" + _UNSAFE.sub("\ufffd", html) + "</body></html>"
    root, flattened = parse_bounded(text, _PARSER)  # None: libxml2 cannot start on it at all
    body = root.find("body") if root is not None else None
    return (body if body is not None else etree.Element("body")), flattened


def attr(el: etree._Element, name: str) -> str | None:
    value = el.get(name)
    return value if value is None else str(value)


def _tag(el: etree._Element) -> str | None:
    """Tag name (libxml2's HTML parser gives them in lower case), or None for comments."""
    tag = el.tag
    return tag if isinstance(tag, str) else None


def _text_parts(el: etree._Element, parts: list[str],
                skip: frozenset[str] = SKIP) -> None:
    # A loop over a stack, not recursion: the nesting bound of parse_bounded counts tags in
    # the text, and markup it cannot count (a tag inside a broken attribute value) still
    # nested 67,000 deep (fuzz seed final6): no tree depth may reach Python's stack limit.
    if el.text:
        parts.append(el.text)
    children: list[Iterator[etree._Element]] = [iter(el)]
    closing: list[tuple[bool, str | None]] = [(False, None)]  # each open element's end
    while children:
        child = next(children[-1], None)
        if child is None:
            children.pop()
            spaced, tail = closing.pop()
            if spaced:
                parts.append(" ")
            if tail:
                parts.append(tail)
            continue
        tag = _tag(child)
        if tag is not None and tag not in skip:
            spaced = tag in BLOCK or tag in BREAKS
            if spaced:
                parts.append(" ")
            if child.text:
                parts.append(child.text)
            children.append(iter(child))
            closing.append((spaced, child.tail))
        elif child.tail:
            parts.append(child.tail)


def _pieces(el: etree._Element) -> Iterator[str]:
    """The visible text of ``el`` piece by piece, lazily (for a look at its first letter)."""
    if el.text:
        yield el.text
    for child in el:
        tag = _tag(child)
        if tag is not None and tag not in SKIP:
            yield from _pieces(child)
        if child.tail:
            yield child.tail


def first_char(nodes: list[etree._Element | str]) -> str:
    """The first visible non-space character of ``nodes``, or ``""``."""
    for node in nodes:
        for piece in (node,) if isinstance(node, str) else _pieces(node):
            stripped = piece.lstrip()
            if stripped:
                return stripped[0]
    return ""


def text_of(el: etree._Element, without: frozenset[str] = frozenset()) -> str:
    """Visible text: scripts, styles and comments dropped, a space at every block or break.

    ``without``: tags whose elements are left out too (their tails kept). A list item's text
    without the items nested in it, a link's without links nested in it: each node's text
    is then read for one item, not again for every item around it (issue 15).
    """
    parts: list[str] = []
    _text_parts(el, parts, SKIP | without if without else SKIP)
    return squash("".join(parts))


def html_of(el: etree._Element) -> str:
    """The element re-serialised as HTML, without its tail."""
    return etree.tostring(el, method="html", encoding="unicode", with_tail=False)


def has_block_inside(el: etree._Element) -> bool:
    return any(_tag(d) in BLOCK or _tag(d) == "br" for d in el.iterdescendants())


@attrs.define
class Segment:
    """A line (inline nodes between breaks) or a block element, as a reader sees the body."""

    nodes: list[etree._Element | str]
    block: etree._Element | None = None
    gap_before: bool = False
    """A blank line (two or more ``<br>``) or a block comes before this line."""

    @property
    def tag(self) -> str | None:
        return _tag(self.block) if self.block is not None else None

    @property
    def text(self) -> str:
        if self.block is not None:
            return text_of(self.block)
        parts: list[str] = []
        for node in self.nodes:
            if isinstance(node, str):
                parts.append(node)
            else:
                parts.append(" " if _tag(node) in BREAKS else "")
                _text_parts(node, parts)
        return squash("".join(parts))

    @property
    def first_char(self) -> str:
        return first_char([self.block] if self.block is not None else self.nodes)

    @property
    def html(self) -> str:
        if self.block is not None:
            return html_of(self.block)
        out = []
        for node in self.nodes:
            if isinstance(node, str):
                out.append(_escape(node))
            else:
                out.append(html_of(node))
        return "".join(out).strip()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Splitter:
    def __init__(self) -> None:
        self.out: list[Segment] = []
        self.line: list[etree._Element | str] = []
        self.gap = True  # the start of a container is a paragraph boundary
        self.breaks = 0  # <br>s since the last line

    def _filled(self) -> bool:
        return any(not isinstance(n, str) or n.strip() for n in self.line)

    def flush(self) -> None:
        if self._filled():
            self.out.append(Segment(self.line, gap_before=self.gap))
            self.gap = False
        self.line = []

    def feed(self, container: etree._Element) -> None:
        if container.text:
            self.line.append(container.text)
        for child in container:
            tag = _tag(child)
            if tag is None or tag in SKIP:
                pass
            elif tag == "br":
                if self._filled():
                    self.flush()
                    self.breaks = 1
                else:
                    self.line = []
                    self.breaks += 1
                    self.gap = self.gap or self.breaks >= 2
            elif tag in BLOCK:
                self.flush()
                self.out.append(Segment([], block=child, gap_before=True))
                self.gap, self.breaks = True, 0
            elif tag != "a" and has_block_inside(child):
                self.feed(child)  # a <span>/<font> wrapper holding lines: look through it
            else:
                self.line.append(child)
            if child.tail:
                self.line.append(child.tail)


def segments(container: etree._Element) -> list[Segment]:
    """The container's content as lines and blocks, in order."""
    splitter = _Splitter()
    splitter.feed(container)
    splitter.flush()
    return splitter.out


def iter_elements(root: etree._Element, *tags: str) -> Iterator[etree._Element]:
    """Elements under ``root`` with these tags, in order, outside script/style subtrees."""
    hidden: set[etree._Element] = set()
    for el in root.iter(*SKIP):
        if el not in hidden:  # a script in a hidden one is hidden with it: not walked again
            hidden.update(el.iter())
    for el in root.iter(*tags):
        if el is not root and el not in hidden:
            yield el
