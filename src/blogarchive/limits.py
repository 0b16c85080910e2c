"""Limits on what one input may cost, which a user can raise.

A few megabytes of gzip can expand to gigabytes of XML; without bounds a hostile (or broken)
file takes all memory or disk. Reading is streamed, so what has to be bounded is what is held
at once or kept for good: the decompressed size of a document, the size of one entry (it is
built whole before it is mapped), and the unmapped feed-level elements kept in the blog's
``extras``. Defaults are far above real blogs (the largest exports are a few hundred MB; a
post with pasted ``data:`` images can be 50 MB and more). Beyond a limit the input is refused
with a message naming the limit and the option that raises it: nothing is silently cut.
"""

from __future__ import annotations

import re
from typing import Final

import attrs

from .errors import SourceError

__all__ = ["DEFAULT_LIMITS", "LimitExceeded", "Limits", "format_size", "parse_size"]

KiB: Final = 1024
MiB: Final = 1024 * KiB
GiB: Final = 1024 * MiB

_SIZE: Final = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*", re.IGNORECASE)
_UNITS: Final = {"": 1, "K": KiB, "M": MiB, "G": GiB, "T": 1024 * GiB}


@attrs.frozen
class Limits:
    """Bounds on one input document; every size is in bytes after decompression.

    ``max_input_size``: the whole document (``--max-input-size``).
    ``max_entry_size``: one entry or item, or anything else between two of them
    (``--max-entry-size``); an entry is held whole while it is mapped.
    ``max_entry_elements``: XML elements in one entry (``--max-entry-elements``): each costs
    memory far beyond its bytes (``<b/>`` is 4 bytes, its node a few hundred).
    ``max_feed_extras``: feed-level elements no reader maps, kept as XML in the blog's
    ``extras`` (``--max-feed-extras``).
    ``skipped_details``: skipped entries (and entries with an unreadable timestamp)
    described one by one; beyond it they are counted in one note instead, so millions of
    unreadable entries cost no memory.
    """

    max_input_size: int = 2 * GiB
    max_entry_size: int = 256 * MiB
    max_entry_elements: int = 1_000_000
    max_feed_extras: int = 32 * MiB
    skipped_details: int = 1000

    def __attrs_post_init__(self) -> None:
        for field in attrs.fields(Limits):
            value = getattr(self, field.name)
            if not isinstance(value, int) or value < 0:
                raise ValueError(f"Limits.{field.name} must be a whole number >= 0, "
                                 f"not {value!r}")


DEFAULT_LIMITS: Final = Limits()

# The option that raises each limit, for the messages.
_OPTION: Final = {
    "max_input_size": "--max-input-size",
    "max_entry_size": "--max-entry-size",
    "max_entry_elements": "--max-entry-elements",
    "max_feed_extras": "--max-feed-extras",
}


class LimitExceeded(SourceError):
    """An input larger than one of the ``Limits``; the message names the limit and how to
    raise it (``limit`` is the field name, e.g. ``max_entry_size``)."""

    def __init__(self, source: str, what: str, limit: str, value: int, *,
                 line: int | None = None, entry: int | None = None) -> None:
        self.limit = limit
        counted = limit == "max_entry_elements"
        super().__init__(
            source,
            f"{what} {'has more elements than' if counted else 'is larger than'} the limit "
            f"{limit} ({f'{value:,}' if counted else format_size(value)}): refused; raise it "
            f"with {_OPTION[limit]} {'N' if counted else 'SIZE'} "
            f"(library: limits=Limits({limit}=...))",
            line=line,
            entry=entry,
        )


def parse_size(text: str) -> int:
    """``"500M"``, ``"4G"``, ``"1.5GiB"``, ``"123456"`` -> bytes (units are powers of 1024)."""
    m = _SIZE.fullmatch(text)
    if m is None:
        raise ValueError(f"not a size: {text!r} (write e.g. 500M, 4G or a number of bytes)")
    return int(float(m.group(1)) * _UNITS[m.group(2).upper()])


def format_size(value: int) -> str:
    """Bytes in the largest unit that keeps a whole number (``256 MiB``), else exact bytes."""
    for unit, size in (("TiB", 1024 * GiB), ("GiB", GiB), ("MiB", MiB), ("KiB", KiB)):
        if value >= size and value % size == 0:
            return f"{value // size:,} {unit}"
    return f"{value:,} bytes"
