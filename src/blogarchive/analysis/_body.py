"""One post body, parsed once and walked once: what the analysis rules ask of it, shared.

The rules (quotes, link lists, links, media) each asked the tree again for the same things:
the visible text of a block, a line, a link or a list item (``text_of``, a walk of that
element each time, about fourteen per post), whether a block holds blocks (a walk of its
descendants), the segments of a container (split again by each rule). ``Body`` walks the
tree once, as ``text_of`` of the whole body does, and notes where each element's text
begins and ends among the pieces of that walk: an element's text is then a slice of them
joined, not a walk of its own. Segments are split once per container and shared. What the
walk did not reach (inside a script or a ``noscript``) falls back to the walks of ``_tree``,
so every answer is the one those give (issue 12).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any, Final

from lxml import etree

from ._tree import (
    _BLOCK_OR_BREAK,
    BLOCK,
    BREAKS,
    SKIP,
    Segment,
    _tag,
    _text_parts,
    first_char,
    has_block_inside,
    segments,
    squash,
    text_of,
)

__all__ = ["Body"]

# What the walk does at each tag, in one lookup: a space around it (1), and it holds a block
# or break for has_block_inside (2), or it is not entered (3: SKIP).
_SPACED: Final = 1
_BLOCKY: Final = 2
_HIDDEN: Final = 3
_KIND: Final[dict[object, int]] = {
    **dict.fromkeys(BREAKS, _SPACED), **dict.fromkeys(BLOCK, _BLOCKY), "br": _BLOCKY,
    **dict.fromkeys(SKIP, _HIDDEN),
}


def _walk(root: etree._Element, parts: list[str],
          spans: dict[etree._Element, tuple[int, int]], blocky: set[etree._Element]) -> None:
    """``_tree._text_parts(root, parts)``, noting where each element reached has its own
    text in ``parts`` (after its opening space, before its closing one) and which hold a
    block or a ``<br>``. lxml's ``iterwalk`` steps through the tree in C, a fifth faster
    than the Python stack of iterators ``_text_parts`` keeps. Comments and processing
    instructions come as events of their own (no start, no end): not text, but their tails
    are (``<!--more-->`` is in many real bodies)."""
    append = parts.append
    kind_of = _KIND.get
    # Each open element: where its text began, whether a space closes it, whether a block
    # or break is below it; None for one not entered. Never Python's own stack: no depth
    # may reach its limit.
    opened: list[list[Any] | None] = []
    steps = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, el in steps:
        if event == "start":
            kind = kind_of(el.tag, 0) if opened else 0  # the root is not spaced
            if kind == _HIDDEN:
                steps.skip_subtree()  # its end still comes, for its tail
                around = opened[-1]
                assert around is not None  # a hidden element's content is never entered
                if not around[2] and isinstance(el.tag, str):
                    # has_block_inside looks at every descendant: a noscript may hold blocks
                    around[2] = next(el.iterdescendants(*_BLOCK_OR_BREAK), None) is not None
                opened.append(None)
                continue
            if kind:
                append(" ")
                if kind == _BLOCKY:
                    opened[-1][2] = True  # type: ignore[index]
            opened.append([len(parts), kind != 0, False])
            text = el.text
            if text:
                append(text)
            continue
        if event != "end":  # a comment or processing instruction: only its tail is text
            tail = el.tail
            if tail:
                append(tail)
            continue
        done = opened.pop()
        if done is not None:
            spans[el] = (done[0], len(parts))
            if done[2]:
                blocky.add(el)
                if opened:
                    opened[-1][2] = True  # type: ignore[index]
            if done[1]:
                append(" ")
        if opened:  # the root's tail is not its text
            tail = el.tail
            if tail:
                append(tail)


class Body:
    """A parsed body and its one walk: every reached element's text span, the elements
    holding a block or a ``<br>``, and each container's segments once split."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.parts: list[str] = []
        # Where each element reached by the walk (not inside a skipped one) has its own text
        # in ``parts``: from after its opening space to before its closing one.
        self.spans: dict[etree._Element, tuple[int, int]] = {}
        self.blocky: set[etree._Element] = set()
        self._texts: dict[etree._Element, str] = {}
        self._segments: dict[etree._Element, list[Segment]] = {}
        _walk(root, self.parts, self.spans, self.blocky)  # the one walk

    def visible(self, el: etree._Element) -> bool:
        """``el`` is below the root and not inside a script, style or other hidden element."""
        return el is not self.root and el in self.spans

    def text(self, el: etree._Element, without: frozenset[str] = frozenset()) -> str:
        """``text_of(el, without)``, from the walk's pieces when it reached ``el``."""
        if not len(el):
            # Childless (most links): its own text is all of it, whether the walk reached it
            # or not; no span to look up, no pieces to join, nothing worth keeping.
            text = el.text
            return squash(text) if text else ""
        # Most links and items hold no link or item: their whole text, already known.
        if without and next(el.iterdescendants(*without), None) is not None:
            return text_of(el, without)
        found = self._texts.get(el)
        if found is None:
            span = self.spans.get(el)
            found = (text_of(el) if span is None
                     else squash("".join(self.parts[span[0]:span[1]])))
            self._texts[el] = found
        return found

    def opens_with(self, chars: Collection[str]) -> bool:
        """Some piece of the body's visible text opens, after spaces, with one of ``chars``
        (single characters): every line, block and paragraph opens where a piece does."""
        text = self.text(self.root)
        if not any(char in text for char in chars):
            return False  # in C: most bodies
        return any((first := part.lstrip()[:1]) and first in chars for part in self.parts)

    def has_block_inside(self, el: etree._Element) -> bool:
        return el in self.blocky if el in self.spans else has_block_inside(el)

    def line_text(self, nodes: list[etree._Element | str]) -> str:
        """A line's text: ``Segment.text`` for a line of ``nodes``."""
        out: list[str] = []
        for node in nodes:
            if isinstance(node, str):
                out.append(node)
                continue
            if _tag(node) in BREAKS:
                out.append(" ")
            span = self.spans.get(node)
            if span is None:
                _text_parts(node, out)
            else:
                out.extend(self.parts[span[0]:span[1]])
        return squash("".join(out))

    def first_char(self, nodes: list[etree._Element | str]) -> str:
        """``first_char(nodes)``: the first visible non-space character, or ``""``."""
        parts = self.parts
        for at, node in enumerate(nodes):
            if isinstance(node, str):
                pieces: Iterable[str] = (node,)
            elif (span := self.spans.get(node)) is not None:
                pieces = (parts[i] for i in range(span[0], span[1]))
            else:
                return first_char(nodes[at:])
            for piece in pieces:
                stripped = piece.lstrip()
                if stripped:
                    return stripped[0]
        return ""

    def segments(self, container: etree._Element) -> list[Segment]:
        """``segments(container)``, split once per body."""
        found = self._segments.get(container)
        if found is None:
            found = self._segments[container] = segments(container, self)
        return found
