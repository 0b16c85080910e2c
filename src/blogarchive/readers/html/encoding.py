"""A saved page's bytes as text, decoded as a browser would, saying what did not decode.

Order (the WHATWG encoding sniffing, reduced to what saved pages hold): a byte-order mark;
else the encoding the page declares (``<?xml encoding>``, ``<meta charset>``,
``<meta http-equiv content="...; charset=...">``); else UTF-8 when the bytes are UTF-8;
else Windows-1252. beautifulsoup4's ``EncodingDetector`` finds the mark and the declaration.
``UnicodeDammit`` itself is not used for the choice: on a page that declares UTF-8 and holds
one stray byte it picks Windows-1252 for the whole page (every other non-ASCII character
then becomes mojibake), and its ``detwingle`` would turn a damaged byte into punctuation
without a word. Bytes that are not in the chosen encoding are each replaced by U+FFFD, and
the page's notes say how many there were and where the first one is.
"""

from __future__ import annotations

import codecs
import re
from typing import Final

__all__ = ["decode", "decode_noted"]

# Browsers read these labels as Windows-1252 (WHATWG Encoding), and so do we: a page that says
# iso-8859-1 and holds 0x93/0x94 means curly quotes, not C1 control characters.
_AS_CP1252: Final = frozenset({"iso8859-1", "ascii", "cp1252"})  # Python's names for them
# Text codecs no page is in: escapes, domain names, UTF-7 (refused by browsers: it hides markup),
# and "undefined", which refuses every byte.
_NOT_PAGES: Final = frozenset({"undefined", "utf-7", "idna", "punycode", "unicode-escape",
                               "raw-unicode-escape", "palmos"})
_ESCAPED: Final = re.compile("[\udc80-\udcff]")  # bytes that did not decode (surrogateescape)
_PAGE_START: Final = 4096  # where a declaration is looked for; browsers look at 1024 bytes


def _label(declared: str | None) -> str | None:
    """The Python codec for a declared label; None for a label of no page encoding."""
    if declared is None:
        return None
    try:
        name = codecs.lookup(declared).name
        "".encode(name).decode(name)  # LookupError for base64, zlib, rot13 ...: not text
    except (LookupError, UnicodeError, ValueError, TypeError):
        return None
    if name in _NOT_PAGES:
        return None
    if name in _AS_CP1252:
        return "cp1252"
    # Bytes without a byte-order mark are not UTF-16/32, whatever the meta says (HTML's rule:
    # such a declaration means UTF-8; a browser's "save as" leaves it behind).
    if name.startswith(("utf-16", "utf-32")):
        return "utf-8"
    return name


def _decode(data: bytes, encoding: str) -> tuple[str, int, int | None]:
    """``data`` decoded; the number of bytes that did not decode, and the first one's line."""
    try:
        return data.decode(encoding), 0, None
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode(encoding, "surrogateescape")
    except UnicodeDecodeError:  # a bad byte under 0x80 (multibyte codecs): count unknown
        text = data.decode(encoding, "replace")
        return text, text.count("\ufffd") or 1, None
    bad = _ESCAPED.search(text)
    line = text.count("\n", 0, bad.start()) + 1 if bad else None
    text, count = _ESCAPED.subn("\ufffd", text)
    return text, count, line


def decode_noted(data: bytes) -> tuple[str, str, str | None]:
    """The page's text, the codec it was decoded with, and a note when bytes were replaced
    or the encoding had to be guessed (None when the page decoded cleanly as it says)."""
    # Imported here: bs4 (with soupsieve) is a fifth of a second to import, and a run
    # that reads no saved page should not pay for it.
    from bs4.dammit import EncodingDetector

    body, bom = EncodingDetector.strip_byte_order_mark(data)
    declared = None if bom else EncodingDetector.find_declared_encoding(
        data[:_PAGE_START], is_html=True, search_entire_document=True)
    encoding = bom or _label(declared)
    if encoding is not None:
        try:
            text, bad, line = _decode(body, encoding)
        except (UnicodeError, ValueError):  # a codec that refuses even its replacement
            encoding = None
        else:
            why = "its byte-order mark says so" if bom else f"it declares {declared!r}"
            return text, encoding, (
                f"read as {encoding} ({why}); {_replaced(encoding, bad, line)}" if bad else None)
    unknown = f"it declares {declared!r}, not a known page encoding" if declared else None
    try:
        return data.decode("utf-8"), "utf-8", (f"read as UTF-8 ({unknown})" if unknown else None)
    except UnicodeDecodeError:
        pass
    text, bad, line = _decode(data, "cp1252")
    note = f"read as Windows-1252 ({unknown or 'no encoding declared'}, and not UTF-8)"
    return text, "cp1252", note + (f"; {_replaced('cp1252', bad, line)}" if bad else "")


def _replaced(encoding: str, bad: int, line: int | None) -> str:
    place = f", the first on line {line}" if line is not None else ""
    are = "bytes are" if bad != 1 else "byte is"
    return f"{bad:,} {are} not {encoding}{place}: replaced by U+FFFD"


def decode(data: bytes) -> tuple[str, str]:
    """The page's text and the codec it was decoded with."""
    text, encoding, _ = decode_noted(data)
    return text, encoding
