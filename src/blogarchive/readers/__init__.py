"""Readers: one per source format, all yielding the same model records.

``SourceRead`` picks the reader for one ``Input`` from its content, streams its records, and
afterwards knows the blog, the notes, and what was read (size and SHA-256).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import attrs

from .._inputs import resumed
from .._xml import Damaged, loss_offset
from ..errors import ParseError
from ..limits import DEFAULT_LIMITS, Limits
from ..model import Blog, Comment, Post, Setting, Skipped, SourceInfo
from ..sniff import HEAD
from ..sources import Input, Opener, Tally, sniff
from . import takeout
from .atom import AtomReader
from .rss import RssReader

if TYPE_CHECKING:
    # Imported when a page or a JSON document is met: the page reader (Beautiful Soup,
    # dateutil, its rules) is a sixth of `import blogarchive`, which an export's
    # conversion would otherwise pay for nothing.
    from .html import HtmlReader
    from .json import JsonReader

__all__ = ["Salvage", "SourceRead"]

Record = Post | Comment | Skipped


@attrs.frozen
class Salvage:
    """A damaged document read with ``recover=True``: what was kept and exactly what was lost.

    ``entries``: complete entries kept (all before the damage); ``line`` and ``offset``: where
    the lost data starts (the start of the entry that was cut, else the damage itself), to the
    end of the document, ``size`` bytes in all (after decompression); ``error``: the damage.
    """

    source: str
    entries: int
    line: int
    offset: int
    size: int
    error: str

    def __str__(self) -> str:
        return (
            f"{self.source}: damaged, partly recovered: kept {_entries(self.entries)} "
            f"before the damage; lost everything from line {self.line} (byte "
            f"{self.offset:,}) to the end: {self.size - self.offset:,} of {self.size:,} bytes "
            f"[{self.error}]"
        )


def _sniffed(source: Input) -> tuple[str, Opener]:
    """What ``source`` is, from its head; and the opener its reader reads through. A page is
    read whole by one stream: the one its head came from, given to the reader (a mirror's
    thousands of pages were each opened twice). Other documents are streamed, perhaps more
    than once (namespace repair), and may be large: their head's stream is closed."""
    stream = source.opener()
    try:
        start = stream.read(HEAD)
        kind = sniff(start, source.name)
    except BaseException:
        stream.close()
        raise
    if kind == "html":
        return kind, resumed(start, stream, source.opener)
    stream.close()
    return kind, source.opener


def _entries(count: int) -> str:
    return "the 1 complete entry" if count == 1 else f"the {count:,} complete entries"


class SourceRead:
    """Reading one input. Iterate for its records; then ``blog``, ``info`` and ``notes``."""

    def __init__(
        self,
        source: Input,
        *,
        blog_url: str | None = None,
        progress: Callable[[int], None] | None = None,
        limits: Limits = DEFAULT_LIMITS,
        recover: bool = False,
    ) -> None:
        self.input = source
        self._recover = recover
        #: set when a damaged document was read with ``recover``: what was kept and lost
        self.salvage: Salvage | None = None
        kind, opener = _sniffed(source)
        self._tally = Tally(opener, progress)
        self._reader: AtomReader | RssReader | HtmlReader | JsonReader
        self._page = kind == "html"
        if kind == "json":
            from .json import JsonReader

            self._reader = JsonReader(source.name, self._tally, limits)
        elif kind == "html":
            from .html import HtmlReader

            self._reader = HtmlReader(source.name, self._tally, **source.capture)
        elif kind == "rss":
            self._reader = RssReader(source.name, self._tally, limits)
        else:
            self._reader = AtomReader(source.name, self._tally, limits)
        self._settings: list[Setting] = []
        self._theme: str | None = None
        self._companion_info: list[SourceInfo] = []
        if isinstance(self._reader, AtomReader):
            self._read_companions(blog_url)
        self.blog: Blog | None = None
        self.info: SourceInfo | None = None

    @property
    def is_page(self) -> bool:
        """An HTML page (one of many in a mirror or WARC), not an export or feed."""
        return self._page

    @property
    def notes(self) -> list[str]:
        return self._reader.notes

    def _companion(self, opener: Opener, file_name: str, fmt: str) -> tuple[bytes, str]:
        """All bytes of a file Takeout keeps beside the feed, recorded among the sources."""
        name = f"{self.input.name.rsplit('/', 1)[0]}/{file_name}"
        tally = Tally(opener)
        stream = tally()
        try:
            data = stream.read()
        finally:
            stream.close()
        self._companion_info.append(
            SourceInfo(name=name, format=fmt, size=tally.size, sha256=tally.sha256.hexdigest(),
                       entries=1)
        )
        return data, name

    def _read_companions(self, blog_url: str | None) -> None:
        reader = self._reader
        assert isinstance(reader, AtomReader)
        if self.input.settings is not None:
            data, name = self._companion(self.input.settings, "settings.csv", "takeout-settings")
            try:
                self._settings = takeout.read_settings(data, name)
            except (ValueError, UnicodeDecodeError) as err:
                raise ParseError(name, f"unreadable settings.csv: {err}") from None
        if self.input.theme is not None:
            name, opener = self.input.theme
            data, _ = self._companion(opener, name, "takeout-theme")
            self._theme = data.decode("utf-8", "replace")
        # settings.csv and the theme become the blog's settings and template, as in legacy.
        reader.settings.extend(self._settings)
        reader.template = self._theme
        reader.blog_url = blog_url or takeout.blog_url(self._settings)

    def __iter__(self) -> Iterator[Record]:
        try:
            yield from self._reader
        except Damaged as damage:
            reader = self._reader
            # pages and JSON are not read by _xml
            assert isinstance(reader, (AtomReader, RssReader))
            if not self._recover or not reader.entries:
                if not reader.entries:  # nothing before the damage to keep
                    raise
                raise ParseError(
                    damage.source,
                    f"{damage.problem}; {_entries(reader.entries)} before it can be kept "
                    "with `convert --recover` (library: recover=True)",
                    line=damage.line, column=damage.column,
                ) from None
            self.salvage = self._salvage(damage, reader.entries)
            reader.finish()
        self.blog = self._reader.blog()
        self.info = SourceInfo(
            name=self.input.name,
            format=self._reader.format,
            size=self._tally.size,
            sha256=self._tally.sha256.hexdigest(),
            entries=self._reader.entries,
        )

    def _salvage(self, damage: Damaged, entries: int) -> Salvage:
        """What a damaged document lost. Reading it again through the tally also gives the
        whole document's size and SHA-256 (not just the part before the damage)."""
        tally = Tally(self.input.opener)  # no progress: these bytes were counted once
        offset, size = loss_offset(tally, damage)
        self._tally = tally
        place = f"line {damage.line}, column {damage.column}: " if damage.line else ""
        return Salvage(source=damage.source, entries=entries, line=damage.lost_line,
                       offset=offset, size=size, error=f"{place}{damage.problem}")

    @property
    def infos(self) -> list[SourceInfo]:
        """What was read: the document, then settings.csv and the theme beside it."""
        return ([self.info] if self.info else []) + self._companion_info

