"""The bytes on their way to the XML parser: ``Meter`` counts them (bytes, lines, the
record being read) and enforces the size limits; ``line_of`` places an element."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO

from lxml import etree

from .limits import LimitExceeded, Limits

__all__ = ["Meter", "Opener", "line_of"]

Opener = Callable[[], IO[bytes]]


class Meter:
    """Counts bytes and lines as they pass to the parser, and enforces the size limits.

    The line count places an error at the end of the data (a document that stops mid-way is
    reported as truncated, whatever libxml2 calls it). The byte count is checked against
    ``max_input_size`` and, since the end of the last record, ``max_entry_size``: an entry is
    built whole before it is given, so this bounds memory whatever the entry holds. The
    parser reads ahead in 32 KiB chunks, so the counts run at most that far ahead of it.
    """

    def __init__(self, raw: IO[bytes], source: str, limits: Limits) -> None:
        self._raw = raw
        self._source = source
        self.limits = limits
        self.lines = 1
        self.last_line = 0
        self.exhausted = False
        self.size = 0
        self.mark = 0  # bytes read when the last record ended
        self.records = 0  # records completed
        # the record being read: its start line and which record start on that line it is
        self.open_line: int | None = None
        self.open_element: etree._Element | None = None
        self.last_element: etree._Element | None = None  # the record that ended last
        self.open_nth = 0
        self.elements = 0  # elements inside the record being read
        self._line: int | None = None
        self._on_line: dict[object, int] = {}

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        if not data:
            self.exhausted = True
            return data
        self.size += len(data)
        newlines = data.count(b"\n")
        # libxml2 counts columns in characters: the last line is measured so (UTF-8; a
        # character cut between two reads is not counted)
        if newlines:
            self.lines += newlines
            self.last_line = len(data[data.rfind(b"\n") + 1:].decode("utf-8", "ignore"))
        else:
            self.last_line += len(data.decode("utf-8", "ignore"))
        self._check()
        return data

    def _check(self) -> None:
        limits = self.limits
        if self.size > limits.max_input_size:
            raise LimitExceeded(self._source, "the document (after decompression)",
                                "max_input_size", limits.max_input_size)
        if self.size - self.mark > limits.max_entry_size:
            if self.open_line is None:
                after = self.last_element
                what = (f"what follows the <{_qname(after)}> at line {line_of(after)} (before "
                        "any next entry: comments or text?)" if after is not None
                        else "the start of the document")
            else:
                what = f"the <{self.open_tag}> starting at line {self.open_line}"
            raise LimitExceeded(self._source, what, "max_entry_size", limits.max_entry_size,
                                line=self.open_line)

    def started(self, element: etree._Element) -> None:
        # called for every record: kept cheap (no name spelled out until it is needed)
        line = line_of(element)
        tag = element.tag
        if line != self._line:  # start tags counted per name on the current line
            self._line, self._on_line = line, {tag: 1}
            self.open_nth = 1
        else:
            self.open_nth = self._on_line[tag] = self._on_line.get(tag, 0) + 1
        self.open_line = line
        self.open_element = element
        self.elements = 0

    @property
    def open_tag(self) -> str:
        """The name of the record being read, as written (``entry``, ``atom:entry``)."""
        return _qname(self.open_element) if self.open_element is not None else ""

    def too_many(self) -> None:
        """The record being read has more elements than max_entry_elements."""
        raise LimitExceeded(self._source, f"the <{self.open_tag}> starting at line "
                            f"{self.open_line}", "max_entry_elements",
                            self.limits.max_entry_elements, line=self.open_line)

    def ended(self) -> None:
        self.records += 1
        self.mark = self.size
        self.last_element = self.open_element
        self.open_line = self.open_element = None

    def close(self) -> None:
        self._raw.close()

    def at_end(self, line: int | None, column: int | None) -> bool:
        if not self.exhausted:
            self.exhausted = not self._raw.read(1)
        return (
            self.exhausted
            and line == self.lines
            and column is not None
            and column >= self.last_line - 1
        )


def line_of(element: etree._Element) -> int | None:
    """The source line of an element (lxml-stubs types it loosely)."""
    line: object = element.sourceline
    return line if isinstance(line, int) else None


def _qname(element: etree._Element) -> str:
    # Not etree.QName: it refuses a namespace URI holding "}" ({urn:a}}title), which
    # libxml2 accepts; the local name is what follows the last "}".
    tag = element.tag
    local = tag.rpartition("}")[2] if isinstance(tag, str) else str(tag)
    return f"{element.prefix}:{local}" if element.prefix else local
