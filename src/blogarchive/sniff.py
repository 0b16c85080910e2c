"""What a document is, from its first bytes: Atom, RSS, an HTML page, or a clear error.

Never from its name, and never from the ``<?xml ...?>`` line (pretty-printers and hand
edits drop it): the root element decides. The scan for the root skips the prolog's
processing instructions, comments and declarations and always moves forward, so it ends on
any input, however the constructs are left unclosed.
"""

from __future__ import annotations

import codecs
import re
from typing import Final

from .errors import ParseError, UnsafeInput, UnsupportedFormat

__all__ = ["HEAD", "root_name", "sniff", "sniffable"]

HEAD: Final = 65536
"""How many leading bytes (after undoing gzip) decide what a document is."""

_ROOT: Final = re.compile(rb"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")
# Constructs that may come before the root element, each with what ends it. Longest opener
# first: "<!" also starts comments and CDATA.
_PROLOG: Final = ((b"<?", b"?>"), (b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<!", b">"))
# `?alt=json-in-script`: `// API callback\nNAME({...` (a comment line, then a call).
_SCRIPT: Final = re.compile(rb"(?://[^\n]*\n\s*)*[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*\s*\(\s*[{\[]")
_HTML_START: Final = re.compile(rb"<(?:html|head|body|div|p|meta|title|text)\b")
# Byte-order marks of the wide encodings libxml2 reads (the parsers decode them themselves).
_BOMS: Final = ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# ... and of one it does not (FF FE starts UTF-32-LE too: test these first).
_UTF32: Final = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
# XML without a BOM announces UTF-16 by its first character, "<", being two bytes wide.
_BOMLESS_UTF16: Final = ((b"<\x00", "utf-16-le"), (b"\x00<", "utf-16-be"))


def sniffable(data: bytes) -> bytes:
    """The leading bytes as UTF-8-compatible text for sniffing (a UTF-16 head is re-encoded),
    without BOM or leading space."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            data = _reencoded(data[len(bom):], encoding)
            break
    else:
        for start, encoding in _BOMLESS_UTF16:
            if data.startswith(start):
                data = _reencoded(data, encoding)
                break
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    return data.lstrip(b" \t\r\n")


def _reencoded(data: bytes, encoding: str) -> bytes:
    # The head may end inside a character: the incremental decoder leaves that part out.
    return codecs.getincrementaldecoder(encoding)("replace").decode(data).encode("utf-8")


def sniff(data: bytes, name: str) -> str:
    """``atom``, ``rss``, ``html`` or ``json`` for a document blogarchive reads; otherwise a
    clear error.

    Raises ParseError for an empty file and UnsupportedFormat, saying what the bytes look
    like, for anything else.
    """
    if data.startswith(_UTF32):
        raise UnsupportedFormat(name, "UTF-32 text, which the XML parser does not read: "
                                      "convert it to UTF-8 first (iconv -f UTF-32 -t UTF-8)")
    text = sniffable(data)
    if not text:
        raise ParseError(name, "empty file: no Blogger export or feed in it", line=1)
    if text[:1] in (b"{", b"[") or _SCRIPT.match(text):
        return "json"  # a GData JSON feed or Blogger API response (readers/json decides)
    if text[:1] != b"<":
        if b"\x00" in text[:512]:
            raise UnsupportedFormat(name, "binary data, not a Blogger export or feed")
        preview = text[:30].decode("utf-8", "replace").splitlines()[0]
        raise UnsupportedFormat(name, f"not XML: the file starts with {preview!r}")
    root, doctype = _prolog(text)
    if root in (b"feed", b"rss") and doctype:
        # Refused here, before any parser sees it: a DTD is how billion-laughs and XXE files
        # start, and lxml abandoned mid-document on such a file prints assertions to stderr.
        raise UnsafeInput(name, "refused: the document declares a DOCTYPE (DTDs and entity "
                                "declarations are never processed; no Blogger export has one)",
                          line=1)
    if root == b"feed":
        return "atom"
    if root == b"rss":
        return "rss"
    lowered = text[:2048].lower()
    if root == b"html" or lowered.startswith((b"<!doctype html", b"<html")) or (
        _HTML_START.search(lowered[:1024]) and not lowered.startswith(b"<?xml")
    ):
        return "html"
    if root is None:
        raise ParseError(name, "not XML: no root element in the first 64 KiB", line=1)
    shown = root.decode("utf-8", "replace")
    raise UnsupportedFormat(
        name, f"XML, but not a Blogger export or feed (root element <{shown}>)"
    )


def root_name(text: bytes) -> bytes | None:
    """The local name of the first element, or None when the text holds none (or the prolog
    is left unclosed). Each step moves past what it skipped, so the scan always ends."""
    return _prolog(text)[0]


def _prolog(text: bytes) -> tuple[bytes | None, bool]:
    """``root_name``, and whether the prolog before the root declares a DOCTYPE."""
    i, doctype = 0, False
    while (i := text.find(b"<", i)) >= 0:
        for opener, closer in _PROLOG:
            if text.startswith(opener, i):
                doctype = doctype or (opener == b"<!" and text[i:i + 9].upper() == b"<!DOCTYPE")
                end = text.find(closer, i + len(opener))
                if end < 0:
                    return None, doctype
                i = end + len(closer)
                break
        else:
            m = _ROOT.match(text, i)
            return (m.group(2) if m else None), doctype
    return None, doctype
