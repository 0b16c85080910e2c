"""Taking an entry's children field by field, keeping the rest as XML.

A reader asks ``Fields`` for the children it maps (``take``, ``take_all``, ``text``, ``time``);
whatever it never asked for comes back from ``rest()`` as XML text, so an element no reader
knows is preserved in the record's ``extras`` instead of being dropped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from lxml import etree

from .._time import parse_time
from .._xml import serialise

__all__ = ["Fields", "inner_text"]


def inner_text(element: etree._Element) -> str:
    """Text of an element; an element with children (xhtml content) gives its inner XML."""
    if len(element) == 0:
        return element.text or ""
    parts = [element.text or ""]
    for child in element:
        parts.append(serialise(child) + (child.tail or ""))
    return "".join(parts)


class Fields:
    """An element's children, taken one mapped field at a time; the rest kept as XML."""

    __slots__ = ("_children", "_position", "_tags", "bad_times")

    def __init__(self, element: etree._Element) -> None:
        self._children = list(element)
        # Each child's tag, read once: lxml builds the "{namespace}name" string again on
        # every .tag, and the field lookups scanned every child's about ten times per entry
        # (a third of the readers' time). A taken child's tag is replaced by _TAKEN, so a
        # lookup is list.index in C and what is left is what is not _TAKEN.
        self._tags: list[object] = [child.tag for child in self._children]
        # Where each child is, for untake; made on the first untake (few entries need one):
        # a scan per call made an entry of 38,000 categories in another vocabulary
        # quadratic (found by the fuzzer). The ids stay valid: _children holds every child.
        self._position: dict[int, int] | None = None
        self.bad_times: list[str] = []

    # Each lookup finds the first child not taken with ``tag`` inline (``tag in tags``, then
    # ``tags.index``): a helper for it was a tenth of the calls an entry makes.

    def take(self, tag: str) -> etree._Element | None:
        tags = self._tags
        if tag not in tags:
            return None
        i = tags.index(tag)
        tags[i] = _TAKEN
        return self._children[i]

    def has(self, tag: str) -> bool:
        return any(child.tag == tag for child in self._children)

    def take_all(self, tag: str) -> list[etree._Element]:
        tags = self._tags
        found = []
        i = -1
        for _ in range(tags.count(tag)):
            i = tags.index(tag, i + 1)
            tags[i] = _TAKEN
            found.append(self._children[i])
        return found

    def text(self, tag: str) -> str | None:
        tags = self._tags
        if tag not in tags:
            return None
        i = tags.index(tag)
        tags[i] = _TAKEN
        child = self._children[i]
        return (child.text or "") if len(child) == 0 else inner_text(child)

    def stripped(self, tag: str) -> str | None:
        """Text with surrounding whitespace removed (ids and dates in re-indented copies)."""
        value = self.text(tag)
        return None if value is None else value.strip()

    def time(self, tag: str) -> datetime | None:
        """A timestamp child; an unreadable one stays in `rest()` and is noted, not dropped."""
        tags = self._tags
        if tag not in tags:
            return None
        i = tags.index(tag)
        text = (self._children[i].text or "").strip()
        if not text:
            tags[i] = _TAKEN
            return None
        try:
            value = parse_time(text)
        except ValueError:
            self.bad_times.append(f"{etree.QName(tag).localname}: {text[:40]!r}")
            return None
        tags[i] = _TAKEN
        return value

    def untake(self, element: etree._Element) -> None:
        """Give a taken child back, so that a value a field cannot hold stays in `rest()`."""
        if self._position is None:
            self._position = {id(child): i for i, child in enumerate(self._children)}
        i = self._position.get(id(element))
        if i is not None and self._children[i] is element:
            self._tags[i] = element.tag

    def drop_empty(self, *tags: str) -> None:
        """Take presence-only elements (no text, attributes or children): they carry nothing."""
        for i, child in enumerate(self._children):
            if (
                self._tags[i] in tags
                and not (child.text or "").strip()
                and not child.attrib
                and len(child) == 0
            ):
                self._tags[i] = _TAKEN

    def rest(self) -> tuple[str, ...]:
        if self._tags.count(_TAKEN) == len(self._tags):  # the usual case: all mapped
            return ()
        return tuple(
            serialise(child)
            for child, tag in zip(self._children, self._tags, strict=True)
            if tag is not _TAKEN
        )


# Marks a taken child in Fields._tags: equal to no tag (an object() compares by identity).
_TAKEN: Final = object()
