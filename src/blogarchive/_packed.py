"""Long text fields held compressed in the records ``read()`` returns (issue 12).

An Archive from ``read()`` holds every body twice over: each post's ``content`` and its
analysis's ``text`` (the body's characters again, without the tags) were two thirds of what
it kept, and more than the file they came from. Here such a field keeps, in place of a long
string, its UTF-8 zlib-compressed (``Packed``); a descriptor installed over the field's slot
(``install``) gives the string back on every read of the attribute, decompressed then and
kept nowhere. So the field reads the same value, and everything that reads fields by
attribute (``==``, ``hash``, ``repr``, ``attrs.asdict``/``evolve``, cattrs, pickling, the
lines ``_lines`` writes) sees the record as before: only its memory differs.

Nothing is packed unless asked (``pack_fields``): ``convert`` streams each record to its
spool and never holds them, so it pays neither the compression nor the decompression.
``attrs.evolve`` reads each field (decompressing it) and stores the string: ``replace``
is evolve that carries the packed fields over as they are held.
"""

from __future__ import annotations

import sys
import zlib
from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast

import attrs

if TYPE_CHECKING:
    from .analysis.records import BodyAnalysis
    from .model import Post

__all__ = ["MIN_CHARS", "Compact", "Packed", "Sharing", "install", "is_packed", "pack",
           "pack_fields", "packed_list", "replace", "share_fields"]

MIN_CHARS: Final = 256
"""Shorter strings are kept as they are: they compress too little to repay the unpacking
(a typical comment is about this long; a post's body is ten times longer)."""

_LEVEL: Final = 1  # zlib's fastest: 6 saves 6% more memory for twice the CPU (measured)


class Packed(bytes):
    """A string's UTF-8 (lone surrogates passed through), zlib-compressed. Its own type,
    so that only what ``pack`` made is ever unpacked (a ``bytes`` a caller put in a field
    stays what it was)."""

    __slots__ = ()


def pack(text: str) -> str | Packed:
    """``text`` compressed when that saves at least a quarter of its memory, else ``text``."""
    if len(text) < MIN_CHARS:
        return text
    packed = Packed(zlib.compress(text.encode("utf-8", "surrogatepass"), _LEVEL))
    return packed if sys.getsizeof(packed) * 4 <= sys.getsizeof(text) * 3 else text


def _unpack(packed: Packed) -> str:
    return zlib.decompress(packed).decode("utf-8", "surrogatepass")


class _Unpacking:
    """Stands over a slot: reads unpack what the slot holds packed; writes store as given."""

    __slots__ = ("name", "slot")

    def __init__(self, name: str, slot: Any) -> None:
        self.name = name
        self.slot = slot

    def __get__(self, record: object, owner: type | None = None) -> Any:
        if record is None:
            return self
        value = self.slot.__get__(record, owner)
        return _unpack(value) if type(value) is Packed else value

    def __set__(self, record: object, value: object) -> None:
        self.slot.__set__(record, value)

    def __delete__(self, record: object) -> None:
        self.slot.__delete__(record)


_PACKABLE: dict[type, tuple[_Unpacking, ...]] = {}
_installed = False


def install(cls: type, *names: str) -> None:
    """Let ``cls``'s fields ``names`` (slotted ``str`` fields) be held packed.

    The descriptors go over the slots when the first record is packed (``_install_all``):
    until then, and so in a process that only converts, the fields stay plain slots, which
    a record sets and reads in C (the descriptor costs about 0.3 us a set or a read)."""
    fields = []
    for name in names:
        slot = cls.__dict__[name]
        if type(slot).__name__ != "member_descriptor":
            raise TypeError(f"{cls.__name__}.{name} is not a slot")
        fields.append(_Unpacking(name, slot))
    _PACKABLE[cls] = tuple(fields)


def _install_all() -> None:
    global _installed
    for cls, fields in _PACKABLE.items():
        for field in fields:
            setattr(cls, field.name, field)
    _installed = True


def pack_fields(record: object) -> None:
    """Pack, in place, the long strings of ``record``'s packable fields.

    The record's value does not change (each field reads the same string), only how it is
    held: which is why a frozen record may be changed so."""
    if not _installed:
        _install_all()
    for field in _PACKABLE.get(type(record), ()):
        value = field.slot.__get__(record)
        if type(value) is str:
            packed = pack(value)
            if packed is not value:
                field.slot.__set__(record, packed)


def is_packed(record: object, name: str) -> bool:
    """Does ``record`` hold its field ``name`` packed? (For tests and measurements.)"""
    for field in _PACKABLE.get(type(record), ()):
        if field.name == name:
            return type(field.slot.__get__(record)) is Packed
    return False


R = TypeVar("R")


def replace(record: R, **changes: Any) -> R:
    """``attrs.evolve(record, **changes)``, the fields held packed carried over packed
    (evolve would read, so unpack, each of them and hold the strings)."""
    for field in _PACKABLE.get(type(record), ()):
        if field.name not in changes:
            changes[field.name] = field.slot.__get__(record)
    # typed through Any: the attrs plugin checks ``evolve`` only on a concrete class
    evolved: R = attrs.evolve(cast(Any, record), **changes)
    return evolved


H = TypeVar("H", bound=Hashable)


class Sharing:
    """One object for each value met again: the same link or image in many bodies is held
    once (records are frozen, so sharing an equal one changes nothing a reader can see).
    The table is emptied at ``limit`` values, so that a stream of all-different values
    stays bounded."""

    def __init__(self, limit: int = 4096) -> None:
        self._seen: dict[Any, Any] = {}
        self._limit = limit

    def one(self, value: H) -> H:
        seen = self._seen.get(value)
        if seen is not None:
            return seen  # type: ignore[no-any-return]
        if len(self._seen) >= self._limit:
            self._seen.clear()
        self._seen[value] = value
        return value

    def all(self, values: tuple[H, ...]) -> tuple[H, ...]:
        return tuple(map(self.one, values)) if values else values


def share_fields(record: object, sharing: Sharing, *names: str) -> None:
    """Put, in place, ``sharing``'s object for each item of ``record``'s tuple fields
    ``names`` (equal values: the record reads the same)."""
    for name in names:
        values = getattr(record, name)
        shared = sharing.all(values)
        if any(a is not b for a, b in zip(shared, values, strict=True)):
            object.__setattr__(record, name, shared)


def packed_list(records: Iterable[R]) -> list[R]:
    """The records of one input, each body packed as it is read."""
    kept = []
    for record in records:
        pack_fields(record)
        kept.append(record)
    return kept


class Compact:
    """How ``read`` holds each post's analysis: its text packed, and each link or image met
    in several bodies held once; the analysis reads the same."""

    def __init__(self) -> None:
        self._sharing = Sharing()

    def __call__(self, post: Post, analysis: BodyAnalysis) -> BodyAnalysis:
        pack_fields(post)  # packed as read, but for the copies of a page merged anew
        pack_fields(analysis)
        share_fields(analysis, self._sharing, "links", "media")
        return analysis
