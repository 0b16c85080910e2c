"""blog.json decoded as a stream (``store.load_head``): the same value ``json.loads`` gives
of the file's text, without that text in memory.

The label index lists every post id under each of its labels (8 MB of blog.json at 1 GB,
293,264 ids), so reading the file whole made what ``load_head`` holds, at its peak, grow
with the blog. Here the file is read a chunk at a time: the label index id by id (each
label's ids kept, or, for ``label_posts=False``, checked as JSON and dropped as they go by),
every other value by the standard decoder (``raw_decode``), whole.

Only the shape blogarchive writes is streamed: an object whose ``labels`` is an array of
objects with exactly ``name`` and an array of string ``post_ids``. Anything else (another
shape, JSON that does not parse, text that is not UTF-8, nesting too deep) is decoded from
the whole text as before, so a damaged file gets ``json.loads``' own error, word for word.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Final, TextIO

__all__ = ["read_document"]

_CHUNK: Final = 64 * 1024  # characters read at a time (more while one value is longer)
_SPACE: Final = re.compile(r"[ \t\n\r]*")  # JSON's whitespace, as the json module's
# one post id with what follows it, when it needs no decoding: no escape, no control
# character (JSON refuses those raw, so they take the general way, and its error)
_PLAIN_ID: Final = re.compile(r'[ \t\n\r]*"([^"\\\x00-\x1f]*)"[ \t\n\r]*([,\]])')
_DECODER: Final = json.JSONDecoder()  # json.loads' own (no hook, strict)


class _Unusual(Exception):
    """Not the shape this reader streams, or not JSON: decode the whole text instead."""


def read_document(path: Path, *, label_posts: bool = True) -> Any:
    """``json.loads`` of ``path``'s text (UTF-8; its errors: ValueError, UnicodeDecodeError,
    OSError). ``label_posts=False``: each label's ``post_ids`` given as ``[]``."""
    try:
        with path.open(encoding="utf-8") as stream:  # newlines as read_text reads them
            return _Reader(stream).document(label_posts)
    except (_Unusual, UnicodeDecodeError, RecursionError):
        pass  # decoded whole below: the value, or the error, the whole text gives
    document = json.loads(path.read_text(encoding="utf-8"))
    if not label_posts and isinstance(document, dict) and isinstance(
            document.get("labels"), list):
        for label in document["labels"]:
            if isinstance(label, dict) and len(label) == 2 and "name" in label \
                    and isinstance(label.get("post_ids"), list):
                label["post_ids"] = []
    return document


class _Reader:
    """A JSON text read in chunks: ``_text[_at:]`` is what is read and not yet decoded."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._text = ""
        self._at = 0
        self._ended = False

    def _more(self) -> bool:
        """Reads on (as much again as is held undecoded, so a long value is decoded a
        bounded number of times); False at the end of the file."""
        if self._ended:
            return False
        rest = self._text[self._at:]
        chunk = self._stream.read(max(_CHUNK, len(rest)))
        if not chunk:
            self._ended = True
            return False
        self._text, self._at = rest + chunk, 0
        return True

    def _next(self) -> str:
        """The next character that is not whitespace (not taken), "" at the end."""
        while True:
            self._at = _SPACE.match(self._text, self._at).end()  # type: ignore[union-attr]
            if self._at < len(self._text):
                return self._text[self._at]
            if not self._more():
                return ""

    def _take(self, char: str) -> None:
        if self._next() != char:
            raise _Unusual(char)
        self._at += 1

    def _closes(self, end: str) -> bool:
        """Takes what follows a member or an element: True for ``end``, False for ","."""
        following = self._next()
        self._at += 1
        if following not in (end, ","):
            raise _Unusual(end)
        return following == end

    def _value(self) -> Any:
        """One JSON value, decoded by the standard decoder."""
        self._next()
        while True:
            try:
                value, end = _DECODER.raw_decode(self._text, self._at)
            except ValueError:
                if self._more():
                    continue  # cut at the chunk's end, most likely
                raise _Unusual("value") from None
            # a number at the chunk's very end may go on in the next one
            if end < len(self._text) or not self._more():
                self._at = end
                return value

    def _members(self, member: Any) -> dict[str, Any]:
        """An object, each member's value read by ``member(name)``."""
        self._take("{")
        found: dict[str, Any] = {}
        if self._next() == "}":
            self._at += 1
            return found
        while True:
            if self._next() != '"':
                raise _Unusual("name")
            name = self._value()
            self._take(":")
            found[name] = member(name)
            if self._closes("}"):
                return found

    def _items(self, item: Any) -> None:
        """An array, ``item()`` reading each element."""
        self._take("[")
        if self._next() == "]":
            self._at += 1
            return
        while True:
            item()
            if self._closes("]"):
                return

    def document(self, label_posts: bool) -> dict[str, Any]:
        def member(name: str) -> Any:
            if name == "labels" and self._next() == "[":
                return self._labels(label_posts)
            return self._value()

        found = self._members(member)
        if self._next():
            raise _Unusual("extra data")  # json.loads' "Extra data"
        return found

    def _labels(self, keep: bool) -> list[dict[str, Any]]:
        labels: list[dict[str, Any]] = []

        def member(name: str) -> Any:
            if name == "post_ids" and self._next() == "[":
                return self._ids(keep)
            return self._value()

        def label() -> None:
            found = self._members(member)
            if found.keys() != {"name", "post_ids"} or not isinstance(found["post_ids"], list):
                raise _Unusual("label")  # other keys: json.loads' value, as it is
            labels.append(found)

        self._items(label)
        return labels

    def _ids(self, keep: bool) -> list[str]:
        """A label's post ids: strings, each decoded (and dropped unless ``keep``)."""
        ids: list[str] = []
        self._take("[")
        if self._next() == "]":
            self._at += 1
            return ids
        plain = _PLAIN_ID.match
        while True:
            found = plain(self._text, self._at)
            if found is not None:  # the usual id: complete, with its "," or "]" after it
                if keep:
                    ids.append(found[1])
                self._at = found.end()
                if found[2] == "]":
                    return ids
                continue
            # escapes, or cut at the chunk's end: the standard decoder
            if self._next() != '"':
                raise _Unusual("id")
            ident = self._value()
            if keep:
                ids.append(ident)
            if self._closes("]"):
                return ids
