"""Quotations in a post body (HTML.md section 6).

- ``<blockquote>``: plain, with ``cite``, or the compose editor's ``class="tr_bq"``; the
  indentation forms (``dir="ltr" style="MARGIN-RIGHT: 0px"``, the newer editor's
  ``margin: 0 0 0 40px``) are kept but marked ``indent``, since they often hold code.
- Paragraphs opening with a quotation mark: alone (closing at the end, perhaps followed by a
  dash attribution), or a run in which each paragraph opens with one and only the last closes.
- Only the outermost quotation counts: nothing inside a blockquote is reported again. Image
  anchors with margin styles, and blocks holding no text, are never quotes.
"""

from __future__ import annotations

import re
from typing import Final

from lxml import etree

from ._body import Body
from ._tree import BLOCK, Segment, attr, squash
from .records import Quote

__all__ = ["find_quotes"]

# Opening mark -> the marks that may close it.
CLOSERS: Final = {'"': '"', "“": "”", "„": "“”", "«": "»"}
_DASH: Final = re.compile(  # em dash, en dash, horizontal bar, or one or two hyphens
    "^\\s*(?:[\u2014\u2013\u2015]|--?)\\s*(?P<who>\\S.{0,119})$"
)
_TRAILING: Final = re.compile(r"^[\s.,;:!?)\]…]*$")
_INDENT_STYLE: Final = re.compile(r"margin-right:\s*0(?:px)?\b", re.I)
_EDITOR_INDENT: Final = re.compile(r"margin:\s*0(?:px)?\s+0(?:px)?\s+0(?:px)?\s+\d+px", re.I)
_MARGIN_LEFT: Final = re.compile(r"(?:margin|padding)-left:\s*(\d+)(px|em)", re.I)


def _blockquote_kind(el: etree._Element) -> str:
    style = el.get("style") or ""
    classes = (el.get("class") or "").split()
    if "tr_bq" in classes:
        return "editor-quote"
    if (el.get("dir") and _INDENT_STYLE.search(style)) or _EDITOR_INDENT.search(style):
        return "indent"
    if el.get("cite"):
        return "blockquote-cite"
    return "blockquote"


def _indented(el: etree._Element) -> bool:
    """A ``div``/``p`` pushed right by a margin: the other indentation form (HTML.md 6)."""
    match = _MARGIN_LEFT.search(el.get("style") or "")
    if not match:
        return False
    size, unit = int(match[1]), match[2].lower()
    return size >= (30 if unit == "px" else 2)


def _closing(text: str) -> int | None:
    """Index of the mark that closes the quotation ``text`` opens, or None when it stays open.

    Straight ``"`` closes at the next ``"``; curly and angle marks nest, so ``“a “b” c”``
    closes at the last ``”``. In ``"Hello," she said.`` the quotation closes after ``Hello,``.
    """
    opener, closers = text[0], CLOSERS[text[0]]
    if opener == '"':
        end = text.find('"', 1)
        return end if end > 0 else None
    depth = 1
    for index in range(1, len(text)):
        char = text[index]
        if char in closers:
            depth -= 1
            if depth == 0:
                return index
        elif char == opener:
            depth += 1
    return None


def _dash_attribution(text: str) -> str | None:
    match = _DASH.match(text)
    return squash(match["who"]) if match else None


def _blockquote_attribution(el: etree._Element, following: Segment | None,
                            body: Body) -> str | None:
    for tag in ("cite", "footer"):
        found = next(el.iterdescendants(tag), None)
        if found is not None and body.text(found):
            return body.text(found)
    lines = body.segments(el)
    if len(lines) > 1:
        who = _dash_attribution(lines[-1].text)
        if who:
            return who
    return _dash_attribution(following.text) if following is not None else None


class _Paragraph:
    """A unit a quotation mark can open: a ``p``/leaf ``div``, or lines between blank lines.

    Text and HTML are only worked out for the few paragraphs that open with a mark.
    """

    __slots__ = ("_first", "_text", "lines", "parts")

    def __init__(self, parts: list[Segment]) -> None:
        self.parts = parts
        # Lines were separated by <br>; a paragraph block is complete in itself.
        self.lines = parts[0].block is None
        # Worked out when first asked, by hand: functools.cached_property takes a lock on
        # every read, which cost as much as finding the first character (Python 3.11).
        self._first: str | None = None
        self._text: str | None = None

    @property
    def first(self) -> str:
        if self._first is None:
            self._first = self.parts[0].first_char
        return self._first

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = squash(" ".join(p.text for p in self.parts))
        return self._text

    @property
    def html(self) -> str:
        return ("<br>" if self.lines else "\n").join(p.html for p in self.parts)


def _paragraphs(segs: list[Segment], body: Body) -> list[_Paragraph | Segment]:
    """Lines grouped into paragraphs; blocks that are not paragraphs left as they are."""
    out: list[_Paragraph | Segment] = []
    for seg in segs:
        if seg.block is not None:
            leaf = seg.tag in ("p", "div") and not body.has_block_inside(seg.block)
            out.append(_Paragraph([seg]) if leaf and not _indented(seg.block) else seg)
        elif seg.gap_before or not out or not isinstance(out[-1], _Paragraph) or (
            out[-1].parts[-1].block is not None
        ):
            out.append(_Paragraph([seg]))
        else:
            out[-1] = _Paragraph([*out[-1].parts, seg])
    return out


def _opener(unit: _Paragraph | Segment | None) -> str | None:
    if isinstance(unit, _Paragraph) and unit.first in CLOSERS:
        return unit.first
    return None


def _quote_run(units: list[_Paragraph | Segment], i: int) -> tuple[Quote | None, int]:
    """The quotation opening at ``units[i]``, and how many units it spans (or were looked at)."""
    first = units[i]
    assert isinstance(first, _Paragraph)
    mark = first.text[0]
    run = [first]
    end = _closing(first.text)
    while end is None and i + len(run) < len(units):
        nxt = units[i + len(run)]
        opener = _opener(nxt)
        if opener is None or CLOSERS[opener] != CLOSERS[mark]:
            break
        assert isinstance(nxt, _Paragraph)
        run.append(nxt)
        end = _closing(nxt.text)
    attribution = None
    if end is not None:
        tail = run[-1].text[end + 1:]
        attribution = _dash_attribution(tail)
        if attribution is None and not _TRAILING.match(tail):
            if len(run) == 1:
                return None, 1  # "Scare quotes" then more prose: not a quotation
            run.pop()  # the run ends before the paragraph that merely mentions a quote
    following = units[i + len(run)] if i + len(run) < len(units) else None
    if attribution is None and isinstance(following, _Paragraph):
        attribution = _dash_attribution(following.text)
    quote = Quote(
        kind="quote-mark-paragraph",
        text=" ".join(p.text for p in run),
        html=("<br><br>\n" if first.lines else "\n").join(p.html for p in run),
        attribution=attribution,
        paragraphs=len(run),
    )
    return quote, len(run)


def _span(el: etree._Element, body: Body) -> int:
    return max(1, len(_paragraphs(body.segments(el), body)))


def _scan(container: etree._Element, found: list[Quote], body: Body, marks: bool = True) -> None:
    """The quotations in ``container``; ``marks``: some piece of the body's text opens with a
    quotation mark (``Body.opens_with``). Without one, no paragraph can open with a mark, and
    their first characters are not looked for (a blockquote's body has many paragraphs)."""
    units = _paragraphs(body.segments(container), body)
    i = 0
    while i < len(units):
        unit = units[i]
        following = units[i + 1] if i + 1 < len(units) else None
        if isinstance(unit, _Paragraph):
            if not marks or _opener(unit) is None:
                i += 1
                continue
            quote, used = _quote_run(units, i)
            if quote is not None:
                found.append(quote)
            i += used
            continue
        i += 1
        el = unit.block
        assert el is not None
        if unit.tag == "blockquote":
            text = body.text(el)
            if text:
                after = following.parts[0] if isinstance(following, _Paragraph) else None
                found.append(Quote(
                    kind=_blockquote_kind(el),
                    text=text,
                    html=unit.html,
                    cite=attr(el, "cite"),
                    attribution=_blockquote_attribution(el, after, body),
                    paragraphs=_span(el, body),
                ))
        elif unit.tag in ("div", "p") and _indented(el) and body.text(el):
            found.append(Quote(kind="indent", text=body.text(el), html=unit.html,
                               paragraphs=_span(el, body)))
        elif unit.tag in BLOCK:
            _scan(el, found, body, marks)


def find_quotes(body: Body) -> tuple[Quote, ...]:
    """Every quotation in the body, in document order (outermost only)."""
    root = body.root
    # No blockquote, no indented block, and no piece of text opening with a quotation mark
    # (a paragraph, line or block can open only where a piece does; most marks are inside
    # sentences): no quotation, and no need to split the body into paragraphs.
    marks = body.opens_with(CLOSERS)
    if (
        not marks
        and next(root.iter("blockquote"), None) is None
        and not any(_indented(el) for el in root.iter("div", "p"))
    ):
        return ()
    found: list[Quote] = []
    _scan(root, found, body, marks)
    return tuple(found)
