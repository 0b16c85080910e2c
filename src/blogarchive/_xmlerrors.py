"""A document the XML parser refused: the problem in plain words (``problem_of``), its real
place (``placed``), and for a document damaged after its root, how much was read
(``Damaged``) and where the lost data starts (``loss_offset``)."""

from __future__ import annotations

import re
from typing import Final

from lxml import etree

from ._xmlinput import Meter, Opener
from .errors import ParseError

__all__ = ["Damaged", "loss_offset", "placed", "problem_of"]

_ENTITY: Final = re.compile(r"Entity '([^']+)' not defined")
_NAME_END: Final = frozenset(b" \t\r\n/>")
_PLACE: Final = re.compile(r",? line \d+, column \d+$")


def problem_of(err: etree.XMLSyntaxError) -> str:
    msg = _PLACE.sub("", str(err.msg or err)).strip()
    head, *context = msg.splitlines() or [""]
    if context:  # libxml2 quotes the input after a newline (CData section not finished\n<)
        msg = f"{head.strip()}, at {' '.join(context)!r}"
    if "Excessive depth" in msg:  # its advice (XML_PARSE_HUGE) is taken already
        return "elements nested deeper than the XML parser's limit (2048 levels)"
    if "Document is empty" in msg or "Start tag expected" in msg:
        return f"not XML ({msg})"
    if "Premature end of data" in msg or ("EndTag" in msg and "end of" in msg):
        return f"truncated or unclosed XML ({msg})"
    entity = _ENTITY.search(msg)
    if entity:
        return (
            f"undeclared entity &{entity.group(1)}; (only XML's own &amp; &lt; &gt; &quot; "
            "&apos; and character references are read; no DTD is loaded to define others)"
        )
    if "Entity" in msg:
        return f"refused: undeclared or unexpanded entity ({msg})"
    return f"not well-formed XML ({msg})"


def placed(err: etree.XMLSyntaxError, log: etree._ListErrorLog) -> etree.XMLSyntaxError:
    """The error with its real place: when libxml2 stops on a fatal error found while reading
    ahead (an undeclared entity), lxml reports "no element found" at line 0, column 0 and the
    real error only in the parser's log."""
    if err.position and err.position[0] > 0:
        return err
    fatal = [e for e in log if e.level >= etree.ErrorLevels.FATAL]
    if not fatal:
        return err
    first = fatal[0]
    # lxml's signature is (message, code, line, column); lxml-stubs knows only the message
    return etree.XMLSyntaxError(  # type: ignore[call-arg]
        first.message, first.type, first.line, first.column
    )


class Damaged(ParseError):
    """A document readable up to a point: every record before it was given.

    ``records``: the records completed before the damage; ``lost_line``: the line where the
    lost data starts (the start of the record being read, else the error's line); with
    ``lost_tag`` and ``lost_nth`` (which start tag of that name on that line) it is found
    again by ``loss_offset``.
    """

    def __init__(self, source: str, problem: str, line: int | None, column: int | None,
                 meter: Meter) -> None:
        super().__init__(source, problem, line=line, column=column)
        self.records = meter.records
        self.lost_line = meter.open_line or line or 1
        self.lost_tag = meter.open_tag if meter.open_line else ""
        self.lost_nth = meter.open_nth


def loss_offset(opener: Opener, damage: Damaged) -> tuple[int, int]:
    """Where the lost data of a damaged document starts (byte offset) and its total size.

    Reads the document again: to its ``lost_line``, then to the ``lost_nth`` start tag of the
    record being read on that line (a one-line file has every record on line 1).
    """
    needle = b"<" + damage.lost_tag.encode() if damage.lost_tag else b""
    line, wanted = 1, damage.lost_line
    offset = 0  # bytes before the current chunk
    found: int | None = None
    line_start = 0
    seen = 0
    carry = b""
    stream = opener()
    try:
        while chunk := stream.read(1 << 20):
            pos: int | None = 0
            while found is None and line < wanted:
                i = chunk.find(b"\n", pos)
                if i < 0:
                    pos = None
                    break
                line, pos = line + 1, i + 1
                line_start = offset + pos
            if found is None and pos is not None:
                if not needle:
                    found = line_start
                else:
                    window = carry + chunk[pos:]
                    base = offset + pos - len(carry)
                    at = window.find(needle)
                    while at >= 0 and at + len(needle) < len(window):
                        if window[at + len(needle)] in _NAME_END:
                            seen += 1
                            if seen == damage.lost_nth:
                                found = base + at
                                break
                        at = window.find(needle, at + 1)
                    carry = window[-len(needle):]
            offset += len(chunk)
    finally:
        stream.close()
    return (line_start if found is None else found), offset
