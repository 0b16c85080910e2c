"""The tree edits of ``sanitise``'s first pass that need nothing of an export's: quotations
marked, headings moved down, elements removed or replaced, an embed's address, and the body
serialised. (Split from ``sanitise.py``, which keeps what reads the export's URL map, paths
and media.)"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from ..analysis._tree import text_of
from ..analysis.records import Quote

__all__ = ["demote_headings", "embedded_url", "inner_html", "mark_quotes", "remove", "replace"]


def embedded_url(el: etree._Element) -> str | None:
    for name in ("src", "data"):
        if el.get(name):
            return str(el.get(name))
    for child in el.iter("param", "source", "embed"):
        name = (child.get("name") or "").lower()
        if child.tag == "param" and name in ("movie", "src") and child.get("value"):
            return str(child.get("value"))
        if child.tag in ("source", "embed") and child.get("src"):
            return str(child.get("src"))
    return None


def mark_quotes(root: etree._Element, quotes: Iterable[Quote]) -> None:
    """Classes for the quotations the analysis found: blockquotes by their text, paragraphs
    of a quotation-mark run by being part of its text."""
    kinds: dict[str, str] = {}
    runs: list[str] = []
    for quote in quotes:
        if quote.kind == "quote-mark-paragraph":
            runs.append(quote.text)
        else:
            kinds.setdefault(quote.text, quote.kind)
    if not kinds and not runs:
        return
    for bq in root.iter("blockquote"):
        kind = kinds.get(text_of(bq))
        if kind is not None:
            bq.set("class", "ba-indent" if kind == "indent" else "ba-quote")
    for p in root.iter("p") if runs else ():
        text = text_of(p)
        if text and any(text in run for run in runs):
            p.set("class", "ba-quote")


def demote_headings(found: list[etree._Element]) -> None:
    if not found:
        return
    shift = 2 - min(int(str(el.tag)[1]) for el in found)
    if shift > 0:
        for el in found:
            el.tag = f"h{min(6, int(str(el.tag)[1]) + shift)}"


def remove(el: etree._Element) -> None:
    """Drop ``el`` and what it holds, keeping the text after it."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def replace(old: etree._Element, new: etree._Element) -> None:
    new.tail = old.tail
    parent = old.getparent()
    if parent is not None:
        parent.replace(old, new)


def inner_html(root: etree._Element) -> str:
    """The body element's content: serialised whole (one call), its own tags cut off."""
    root.tail = None
    whole = etree.tostring(root, method="html", encoding="unicode")
    return whole[whole.index(">") + 1:whole.rindex("</")]
