"""HTML parsed whole, however deep it nests, into a tree no deeper than MAX_DEPTH.

libxml2's HTML parser (in lxml's ``huge_tree`` mode, which lifts its 10 MB cap on a text node,
comment or attribute: a pasted image as a ``data:`` URI is that big) stops at 2048 levels of
nesting, and everything after that point is silently missing from the tree: the rest of the
body, and on a page the labels, the comments and the posts after it. The tree's readers walk
it recursively, so it must also stay well inside Python's recursion limit. Real bodies are
never nested that deep, but pages saved from broken editors, or fuzzed ones, are. When the
parser stopped, or the tree is deeper than ``MAX_DEPTH``, the text is parsed again with the
start and end tags of the elements below a nesting limit taken out (their content kept in
place), so every character of text is in the tree; the caller is told how many tags went and
where the first was.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Final

import attrs
from lxml import etree

__all__ = ["MAX_DEPTH", "Flattened", "parse_bounded"]

MAX_DEPTH: Final = 512
# True when the tree has an element MAX_DEPTH levels below the root: one child step per level,
# so each element is visited once at most.
_TOO_DEEP: Final = etree.XPath("boolean(" + "/".join(["*"] * MAX_DEPTH) + ")")

# Kept at any depth: what the analysis and the reader look for in a body. None of them can
# nest in itself (the parser closes an open <a> at the next) or holds markup (iframe).
_KEPT: Final = frozenset({"a", "iframe"})
_VOID: Final = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
})
# A tag, or what may hold a "<" that is not one (comments, scripts, styles) and is skipped.
# A start tag the next "<" cuts short (`<i photo</p>`) is still an element to libxml2, which
# ends it there: so is it here, or its nesting would escape the count. A "<" inside a tag's
# name does not end the name for libxml2 (`<br</b>` is an element named "br<", not a void
# br and an end tag): nor here, or thousands of them nest uncounted (issue 15).
_TAG: Final = re.compile(
    r"<!--.*?(?:-->|\Z)|<(script|style)\b.*?(?:</\1\s*>|\Z)"
    r"|<(/?)([a-z][^\s/>]*)[^<>]*?(/?)(?:>|(?=<))",
    re.I | re.S,
)
# Tried in turn: elements the parser implies (tbody, an html inside a body) add depth.
_LIMITS: Final = (MAX_DEPTH - 64, MAX_DEPTH // 2, 64, 0)


@attrs.frozen
class Flattened:
    """What ``parse_bounded`` took out to get a whole tree."""

    levels: int
    """Elements nested deeper than this were taken out."""
    tags: int
    """Start tags taken out (their end tags went too)."""
    line: int
    """Line (1-based) of the first, in the parsed text; when not complete, of where the
    parser stopped."""
    complete: bool = True
    """False when even that did not get past the parser's limit: the tree ends early."""

    def note(self, where: str = "") -> str:
        """The sentence the analysis and the page reader say it in; ``where`` (" in the
        body") is what was parsed, when the note's context does not say."""
        if self.complete:
            return (f"{self.tags:,} element{'s' if self.tags != 1 else ''} nested more than "
                    f"{self.levels} levels deep{where} (the first on line {self.line}) "
                    "read as their content alone, without their start and end tags")
        return (f"nesting too deep for the parser{where}, even with the deepest tags set "
                f"aside: what follows line {self.line} is not read")


def _too_deep(root: etree._Element, text: str) -> bool:
    # No element can be nested deeper than there are tags: most bodies are done in C here.
    return text.count("<") >= MAX_DEPTH and bool(_TOO_DEEP(root))


def _stopped(parser: etree.HTMLParser) -> int | None:
    """The line where libxml2 stopped at its nesting limit, or None when it did not."""
    for entry in parser.error_log:
        if entry.type_name == "ERR_RESOURCE_LIMIT" or "Excessive depth" in entry.message:
            return int(entry.line)
    return None


def _flatten(text: str, limit: int, marker: str,
             kept: frozenset[str] = _KEPT) -> tuple[str, int, int]:
    """``text`` without the tags of elements nested deeper than ``limit``; how many start tags
    went and the offset of the first. Each start tag taken out becomes ``marker``."""
    out: list[str] = []
    position = depth = dropped = 0
    first = -1
    open_below: Counter[str] = Counter()  # start tags taken out, by name, still unclosed
    # One marker stands for a run of tags taken out with no tag kept between them (only
    # text, or other tags taken out): no element can hold one marker of the run and not the
    # others, so the tree says the same with one. A page nesting 540,000 tags deep had as
    # many markers, and every later walk of the page went through them all (issue 15).
    marked = False
    for match in _TAG.finditer(text):
        name = match.group(3)
        if name is None:
            marked = False
            continue  # a comment, script or style
        name = name.lower()
        if name in _VOID or name in kept or match.group(4):
            marked = False
            continue
        if match.group(2):  # an end tag
            if open_below[name]:
                open_below[name] -= 1
                out.append(text[position:match.start()])
                position = match.end()
            elif depth:
                depth -= 1
                marked = False
            else:
                marked = False
            continue
        if depth < limit:
            depth += 1
            marked = False
            continue
        open_below[name] += 1
        dropped += 1
        if first < 0:
            first = match.start()
        out.append(text[position:match.start()])
        if not marked:
            out.append(marker)
            marked = True
        position = match.end()
    out.append(text[position:])
    return "".join(out), dropped, first


def parse_bounded(
    text: str, parser: etree.HTMLParser, marker: str = ""
) -> tuple[etree._Element | None, Flattened | None]:
    """``text`` parsed by ``parser`` (an ``HTMLParser`` with ``huge_tree``): the root (None
    when libxml2 cannot start at all) and, when nesting had to be flattened, what was."""
    try:
        root = etree.fromstring(text.encode("utf-8", "replace"), parser)
    except etree.XMLSyntaxError:
        return None, None
    stopped = _stopped(parser)
    if root is None or (stopped is None and not _too_deep(root, text)):
        return root, None
    flattened = Flattened(levels=0, tags=0, line=stopped or 1, complete=False)
    # Last, every tag at once, links too: `<a hre</p>` repeated leaves thousands of links
    # open inside each other, which the parser nests.
    for limit, kept in [*((limit, _KEPT) for limit in _LIMITS), (0, frozenset[str]())]:
        flat, tags, first = _flatten(text, limit, marker, kept)
        if not tags:
            continue
        flattened = Flattened(levels=limit, tags=tags, line=text.count("\n", 0, first) + 1)
        try:
            again = etree.fromstring(flat.encode("utf-8", "replace"), parser)
        except etree.XMLSyntaxError:
            continue
        stopped = _stopped(parser)
        if again is not None and stopped is None and not _too_deep(again, flat):
            return again, flattened
        root = again if again is not None else root
    # Nothing got it whole (no real page comes near): say where the last parse stopped.
    return root, attrs.evolve(flattened, complete=False, line=stopped or flattened.line)
