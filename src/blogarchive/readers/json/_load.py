"""A JSON document read safely: bounded size and depth, numbers kept as text, clear errors.

The JSON forms of Blogger's feeds and of the Blogger API are small trees of objects, a few
levels deep. A hostile or broken file must still end in a one-line error naming the file and
the place: a size past ``max_input_size`` is refused while it is read; bytes that are not
UTF-8 are reported by line and column; numbers are never converted (a 100,000-digit number
costs nothing, and 19-digit ids never pass through a float); ``NaN``/``Infinity`` are not
JSON; nesting deeper than ``MAX_DEPTH`` is refused by a walk that does not recurse.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable
from typing import IO, Any, Final

import attrs

from ...errors import ParseError, UnsupportedFormat
from ...limits import LimitExceeded, Limits

__all__ = ["MAX_DEPTH", "Document", "kind_of", "load", "place"]

MAX_DEPTH: Final = 64
"""Deepest nesting of objects and arrays accepted: Blogger's JSON forms nest about six."""

_CHUNK: Final = 1 << 20
# `?alt=json-in-script` wraps the feed in a call: `// API callback\nNAME({...});`
_CALLBACK: Final = re.compile(
    r"(?:\s*(?://[^\n]*\n|/\*.*?\*/))*\s*([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\s*\(",
    re.DOTALL,
)
_CALLBACK_END: Final = re.compile(r"\s*\)\s*;?\s*\Z")
_WS: Final = re.compile(r"\s*")
_TOKEN: Final = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
# Lone UTF-16 halves (`"\ud800"` is valid JSON): no UTF-8 file or XML tree can hold them.
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE: Final = re.compile(r"\\u[dD][89a-fA-F]")


@attrs.frozen
class Document:
    """The top-level values of one JSON file (several when pages were saved one after
    another, or as one array), and the callback name when the file was a script."""

    values: tuple[Any, ...]
    callback: str | None = None
    replaced: int = 0  # lone surrogates replaced by U+FFFD


class _Constant(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _reject(name: str) -> Any:
    raise _Constant(name)


def kind_of(value: Any) -> str:
    """What a JSON value is, for messages (numbers were kept as text: they are text here)."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if value is None:
        return "null"
    return "true/false" if isinstance(value, bool) else "text"


def place(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of ``index`` in ``text``."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _read(opener: Callable[[], IO[bytes]], source: str, limits: Limits) -> bytes:
    stream = opener()
    parts: list[bytes] = []
    size = 0
    try:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > limits.max_input_size:
                raise LimitExceeded(source, "the document", "max_input_size",
                                    limits.max_input_size)
            parts.append(chunk)
    finally:
        stream.close()
    return b"".join(parts)


def _decode(data: bytes, source: str) -> str:
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            data, chosen = data[len(bom):], encoding
            break
    else:
        chosen = "utf-8"
    try:
        return data.decode(chosen)
    except UnicodeDecodeError as err:
        good = data[:err.start].decode(chosen, "replace")
        line, column = place(good, len(good))
        raise ParseError(source, f"not {chosen.upper()} text: byte 0x{data[err.start]:02x} "
                         "cannot be decoded (JSON must be UTF-8)",
                         line=line, column=column) from None


def load(opener: Callable[[], IO[bytes]], source: str, limits: Limits) -> Document:
    """Every top-level value of the document; ParseError (naming line and column) otherwise."""
    text = _decode(_read(opener, source, limits), source)
    callback = None
    start, end = 0, len(text)
    if not text.lstrip().startswith(("{", "[")):
        m = _CALLBACK.match(text)
        tail = text.rfind(")")
        if m is None or tail < m.end() or not _CALLBACK_END.match(text, tail):
            # A script that only starts like one (`init({...}); more code`): a mirror's
            # JavaScript, not a damaged feed.
            line, column = place(text, len(text) - len(text.lstrip()))
            raise UnsupportedFormat(source, "a script, not a JSON feed wrapped in one call "
                                    "(`name({...});`)", line=line, column=column)
        callback, start, end = m.group(1), m.end(), tail
    decoder = json.JSONDecoder(parse_int=str, parse_float=str, parse_constant=_reject)
    values: list[Any] = []
    body = text[:end] if end < len(text) else text
    at = _WS.match(text, start).end()  # type: ignore[union-attr]
    while at < end:
        try:
            value, at = decoder.raw_decode(body, at)
        except json.JSONDecodeError as err:
            if callback is not None:
                raise UnsupportedFormat(
                    source, f"a script whose call {callback}(...) does not hold well-formed "
                    f"JSON ({err.msg})", line=err.lineno, column=err.colno) from None
            raise ParseError(source, f"not well-formed JSON: {err.msg}",
                             line=err.lineno, column=err.colno) from None
        except _Constant as err:
            found = text.find(err.name, at, end)
            line, column = place(text, found if found >= 0 else at)
            raise ParseError(source, f"not well-formed JSON: {err.name} is not a JSON value",
                             line=line, column=column) from None
        except RecursionError:
            line, column = place(text, _too_deep(text, at))
            raise ParseError(source, f"nested deeper than {MAX_DEPTH} levels here (no "
                             "Blogger feed or API response nests more than a few)",
                             line=line, column=column) from None
        values.extend(value if isinstance(value, list) else [value])
        at = _WS.match(text, at).end()  # type: ignore[union-attr]
        if at < end and text[at] == ",":  # pages saved as `{...},{...}`
            at = _WS.match(text, at + 1).end()  # type: ignore[union-attr]
    # Strict decoding leaves no surrogate in the text: only an escape can make one, so the
    # walk looks at strings only when the text has such an escape (a tenth of its time).
    strings = _SURROGATE_ESCAPE.search(body, start) is not None
    replaced = 0
    for value in values:
        replaced += _check(value, source, strings)
    return Document(values=tuple(values), callback=callback, replaced=replaced)


def _too_deep(text: str, start: int) -> int:
    """Where the nesting of the value at ``start`` passes MAX_DEPTH (strings skipped); only
    called once the parser has given up, so the scan costs nothing on good files."""
    depth = 0
    for m in _TOKEN.finditer(text, start):
        token = m.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return m.start()
        elif token in "]}":
            depth -= 1
    return start


def _check(value: Any, source: str, strings: bool) -> int:
    """Refuse nesting past MAX_DEPTH and, if ``strings``, replace lone surrogates (in place),
    without recursing; the number replaced."""
    replaced = 0
    stack: list[tuple[Any, int, str]] = [(value, 1, "$")]
    while stack:
        node, depth, path = stack.pop()
        if depth > MAX_DEPTH:
            shown = path if len(path) <= 60 else f"{path[:30]}...{path[-20:]}"
            raise ParseError(source, f"nested deeper than {MAX_DEPTH} levels at {shown} "
                             "(no Blogger feed or API response does)")
        if isinstance(node, dict):
            for key in list(node):
                item = node[key]
                if strings and isinstance(item, str) and _SURROGATE.search(item):
                    node[key], n = _SURROGATE.subn("\ufffd", item)
                    replaced += n
                elif isinstance(item, (dict, list)):
                    stack.append((item, depth + 1, f"{path}.{key}"))
                if strings and _SURROGATE.search(key):
                    fixed, n = _SURROGATE.subn("\ufffd", key)
                    node[fixed] = node.pop(key)
                    replaced += n
        elif isinstance(node, list):
            for i, item in enumerate(node):
                if strings and isinstance(item, str) and _SURROGATE.search(item):
                    node[i], n = _SURROGATE.subn("\ufffd", item)
                    replaced += n
                elif isinstance(item, (dict, list)):
                    stack.append((item, depth + 1, f"{path}[{i}]"))
    return replaced
