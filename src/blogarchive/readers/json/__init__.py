"""The JSON forms of Blogger's data: GData JSON feeds and Blogger API v3 responses.

``JsonReader`` loads a document safely (``_load``), then hands each top-level value to the
reader its content names: a GData feed (``{"feed": ...}``, ``gdata.py``) or a Blogger API
object (``"kind": "blogger#..."``, ``api.py``). A file may hold several values (pages of a
listing saved one after another, or as one array); they are read in order, as if each were
its own file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..._words import counted
from ..._xml import Opener
from ...errors import UnsupportedFormat
from ...limits import DEFAULT_LIMITS, Limits
from ...model import Blog, Comment, Post, Skipped
from ._load import load
from .api import ApiReader, is_api
from .gdata import GDataReader, is_gdata

__all__ = ["JsonReader"]

Record = Post | Comment | Skipped


def _shape(value: Any) -> str:
    if isinstance(value, dict):
        keys = ", ".join(repr(k) for k in list(value)[:5])
        return f"an object with members {keys}" if keys else "an empty object"
    return "an array" if isinstance(value, list) else "a bare value"


class JsonReader:
    """Reads one JSON document: yields its posts, comments and skips; learns the blog."""

    def __init__(self, source: str, opener: Opener, limits: Limits = DEFAULT_LIMITS) -> None:
        self.source = source
        self.opener = opener
        self.limits = limits
        self.notes: list[str] = []
        self._gdata: GDataReader | None = None
        self._api: ApiReader | None = None

    @property
    def _reader(self) -> GDataReader | ApiReader | None:
        return self._gdata or self._api

    @property
    def format(self) -> str:
        reader = self._reader
        return reader.format if reader is not None else "json"

    @property
    def entries(self) -> int:
        reader = self._reader
        return reader.entries if reader is not None else 0

    def __iter__(self) -> Iterator[Record]:
        document = load(self.opener, self.source, self.limits)
        if document.callback:
            self.notes.append(f"{self.source}: a script (`?alt=json-in-script`): read the "
                              f"JSON passed to {document.callback}(...)")
        if document.replaced:
            self.notes.append(f"{self.source}: "
                              f"{counted(document.replaced, 'lone UTF-16 surrogate escape')} "
                              "(half a character, which no UTF-8 text can hold) replaced by "
                              "U+FFFD")
        if not document.values:
            raise UnsupportedFormat(self.source, "an empty JSON array: no feed or API "
                                    "response in it")
        for i, value in enumerate(document.values):
            part = "$" if len(document.values) == 1 else f"$[{i}]"
            if is_gdata(value) and self._api is None:
                if self._gdata is None:
                    self._gdata = GDataReader(self.source, self.opener, self.limits,
                                              self.notes)
                yield from self._gdata.read(value, part)
            elif is_api(value) and self._gdata is None:
                if self._api is None:
                    self._api = ApiReader(self.source, self.limits, self.notes)
                yield from self._api.read(value, part)
            else:
                mixed = self._reader is not None and (is_gdata(value) or is_api(value))
                raise UnsupportedFormat(
                    self.source,
                    f"{part}: a GData feed and Blogger API objects in one file; save them "
                    "as separate files" if mixed else
                    f"JSON, but neither a GData feed (`{{\"feed\": ...}}`) nor a Blogger "
                    f"API response (`\"kind\": \"blogger#...\"`): {part} is {_shape(value)}",
                )
        self.finish()

    def finish(self) -> None:
        if self._reader is not None:
            self._reader.finish()

    def blog(self) -> Blog:
        reader = self._reader
        return reader.blog() if reader is not None else Blog(id=None)
