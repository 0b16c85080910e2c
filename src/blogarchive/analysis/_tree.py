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
from typing import TYPE_CHECKING, Final

import attrs
from lxml import etree

from ._nesting import Flattened, parse_bounded

if TYPE_CHECKING:
    from ._body import Body

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
_BLOCK_OR_BREAK: Final = (*sorted(BLOCK), "br")  # what makes an element "hold blocks"

# huge_tree: no 10 MB cap on one text node or attribute (a pasted image as a data: URI), and
# nesting to 2048 levels, not 256; parse_bounded flattens what goes deeper still.
_PARSER: Final = etree.HTMLParser(
    encoding="utf-8", no_network=True, remove_comments=False, remove_pis=True, recover=True,
    huge_tree=True,
)
# Characters libxml2 cannot take: C0 controls other than tab/newline/return, lone surrogates.
_UNSAFE: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# The bytes of those characters in UTF-8: C0 controls as themselves, U+FFFE and U+FFFF.
_UNSAFE_C0: Final = bytes(c for c in range(32) if chr(c) not in "\t\n\r")
_FFFE: Final = "\ufffe".encode()
_FFFF: Final = "\uffff".encode()


def _safe(html: str) -> bool:
    """``html`` holds none of ``_UNSAFE``: checked on its UTF-8 bytes, in a third of the time
    the pattern's search takes (most bodies hold none, and every body is checked)."""
    if html.isascii():  # known without a look at the text: no surrogate, no U+FFFE or U+FFFF
        data = html.encode("ascii")
        return len(data.translate(None, _UNSAFE_C0)) == len(data)
    try:
        data = html.encode("utf-8")  # a lone surrogate cannot be encoded
    except UnicodeEncodeError:
        return False
    # Two plain tests, not any() over a generator: its frame cost as much as the searches.
    return (len(data.translate(None, _UNSAFE_C0)) == len(data)
            and _FFFE not in data and _FFFF not in data)


# Each whitespace character among the first 256 code points (those str.split() splits at) as a
# space, in a text's Latin-1 bytes; then a run of two or more spaces is one.
_SPACES: Final = bytes(32 if chr(c).isspace() else c for c in range(256))
_RUN: Final = re.compile(b"   *")  # two spaces first: the engine skips in C to each pair
_SHORT: Final = 128


def squash(text: str) -> str:
    """Whitespace (including no-break spaces) collapsed to single spaces, ends stripped."""
    if len(text) >= _SHORT:
        # A long text (a whole body) of the first 256 code points as bytes, where one C pass
        # marks its spaces and another joins their runs: four times faster than splitting it
        # into a string per word and joining them (a tenth of the analysis was that).
        try:
            data = text.encode("latin-1")
        except UnicodeEncodeError:
            pass  # other characters, other spaces (U+2003 ...): split, as below
        else:
            return _RUN.sub(b" ", data.translate(_SPACES)).strip(b" ").decode("latin-1")
    return " ".join(text.split())  # str.split() knows Unicode spaces, and beats re.sub 5x


def parse(html: str) -> etree._Element:
    """The body of ``html`` parsed as a fragment: an element holding everything."""
    return parse_noted(html)[0]


def parse_noted(html: str) -> tuple[etree._Element, Flattened | None]:
    """``parse``, and what of the nesting had to be flattened to get all of ``html`` in."""
    text = "<html><body>" + (html if _safe(html) else _UNSAFE.sub("\ufffd", html)) + \
        "</body></html>"
    root, flattened = parse_bounded(text, _PARSER)  # None: libxml2 cannot start on it at all
    body = next(root.iterchildren("body"), None) if root is not None else None  # in C
    return (body if body is not None else etree.Element("body")), flattened


def attr(el: etree._Element, name: str) -> str | None:
    value = el.get(name)
    return value if value is None else str(value)


def _tag(el: etree._Element) -> str | None:
    """Tag name (libxml2's HTML parser gives them in lower case), or None for comments."""
    tag = el.tag
    return tag if isinstance(tag, str) else None


def _text_parts(el: etree._Element, parts: list[str], skip: frozenset[str] = SKIP) -> None:
    """The visible text of ``el`` into ``parts``, piece by piece (``Body``'s one walk gives
    the same pieces for a whole body, and where each element's begin and end)."""
    # A loop over a stack, not recursion: the nesting bound of parse_bounded counts tags in
    # the text, and markup it cannot count (a tag inside a broken attribute value) still
    # nested 67,000 deep (fuzz seed final6): no tree depth may reach Python's stack limit.
    if el.text:
        parts.append(el.text)
    children: list[Iterator[etree._Element]] = [iter(el)]
    # Each open element: whether a space closes it, and its tail.
    closing: list[tuple[bool, str | None]] = [(False, None)]
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
            closing.append((spaced, child.tail))
            if child.text:
                parts.append(child.text)
            children.append(iter(child))
            continue
        if child.tail:
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
    body: Body | None = attrs.field(default=None, eq=False, repr=False)
    """The walked body it was split from, which knows its text without walking it again."""

    @property
    def tag(self) -> str | None:
        return _tag(self.block) if self.block is not None else None

    @property
    def text(self) -> str:
        if self.body is not None:
            if self.block is not None:
                return self.body.text(self.block)
            return self.body.line_text(self.nodes)
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
        nodes: list[etree._Element | str] = (
            [self.block] if self.block is not None else self.nodes)
        return self.body.first_char(nodes) if self.body is not None else first_char(nodes)

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
    def __init__(self, body: Body | None) -> None:
        self.body = body
        self.out: list[Segment] = []
        self.line: list[etree._Element | str] = []
        # The line holds an element or text that is not blank: kept as the line grows, not
        # worked out again over the whole line at each <br>.
        self.filled = False
        self.gap = True  # the start of a container is a paragraph boundary
        self.breaks = 0  # <br>s since the last line

    def text(self, text: str) -> None:
        self.line.append(text)
        if not self.filled and not text.isspace():
            self.filled = True

    def flush(self) -> None:
        if self.filled:
            self.out.append(Segment(self.line, gap_before=self.gap, body=self.body))
            self.gap = False
        self.line = []
        self.filled = False

    def feed(self, container: etree._Element) -> None:
        if container.text:
            self.text(container.text)
        for child in container:
            tag = child.tag  # _tag inlined: a call per child was a fifth of the split
            if not isinstance(tag, str) or tag in SKIP:
                pass
            elif tag == "br":
                if self.filled:
                    self.flush()
                    self.breaks = 1
                else:
                    self.line = []
                    self.breaks += 1
                    self.gap = self.gap or self.breaks >= 2
            elif tag in BLOCK:
                self.flush()
                self.out.append(Segment([], block=child, gap_before=True, body=self.body))
                self.gap, self.breaks = True, 0
            elif tag != "a" and (has_block_inside(child) if self.body is None
                                 else self.body.has_block_inside(child)):
                self.feed(child)  # a <span>/<font> wrapper holding lines: look through it
            else:
                self.line.append(child)
                self.filled = True
            if child.tail:
                self.text(child.tail)


def segments(container: etree._Element, body: Body | None = None) -> list[Segment]:
    """The container's content as lines and blocks, in order; ``body``, the walked body it
    is part of, answers what the segments ask of the tree without walking it again."""
    splitter = _Splitter(body)
    splitter.feed(container)
    splitter.flush()
    return splitter.out
