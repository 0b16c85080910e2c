"""Posts and comments as JSON Lines text, through one function built per record class.

``store`` wrote each line as ``json.dumps(cattrs.unstructure(record), sort_keys=True)``;
cattrs finds each field's hook at run time (an optional field is a dispatch on every value)
and the encoder sorts every object again. Here each attrs class gets one generated function
that writes its JSON text straight from the attributes, keys in sorted order and spelt once
when the function is made, strings escaped by the json module's own C function (what its
encoder calls). A record whose values are not of their declared types (the text function
raises) is written by the dict route: a generated function building the record's dict, which
the json encoder writes. The bytes are the same (tests compare them with the reference on
every fixture, and tests/test_determinism.py on the corpus): a field type not handled here
goes through cattrs and has its keys sorted, as before.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Callable
from datetime import datetime
from json.encoder import encode_basestring
from typing import Any, Final

import attrs
import cattrs

from ._time import format_time

__all__ = ["encode", "line_encoder", "sorted_deep", "unstructurer"]

_PLAIN = (str, int, bool, float, type(None))

# The encoder store used, less the sorting (keys come sorted) and the cycle check (the
# dicts are built fresh here and cannot hold themselves).
_encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"),
                           check_circular=False).encode


def sorted_deep(value: Any) -> Any:
    """``value`` with every object's keys in sorted order (as ``sort_keys`` writes them)."""
    if isinstance(value, dict):
        return {k: sorted_deep(value[k]) for k in sorted(value)}
    if isinstance(value, (list, tuple)):
        return [sorted_deep(v) for v in value]
    return value


class _Builder:
    """Generates one unstructure function per attrs class, reached from the record class."""

    def __init__(self, converter: cattrs.Converter) -> None:
        self.converter = converter
        self.made: dict[type, Callable[[Any], dict[str, Any]]] = {}
        self.building: set[type] = set()
        self.names: dict[str, Any] = {"format_time": format_time, "sorted_deep": sorted_deep}

    def function(self, cls: type, constants: dict[str, str] | None = None
                 ) -> Callable[[Any], dict[str, Any]]:
        if constants is None and cls in self.made:
            return self.made[cls]
        hints = typing.get_type_hints(cls)
        self.building.add(cls)
        entries = {}
        for number, field in enumerate(attrs.fields(cls)):
            entries[field.name] = self._expression(hints[field.name], f"o.{field.name}",
                                                   f"v{number}")
        for key, value in (constants or {}).items():
            entries[key] = self._constant(value)
        name = f"{self.prefix}_{cls.__name__}"
        namespace = dict(self.names)
        # Source built from the model's own field names and types only (no data).
        exec(f"def {name}(o):\n    return {self._result(entries)}\n", namespace)
        function: Callable[[Any], dict[str, Any]] = namespace[name]
        self.building.discard(cls)
        if constants is None:
            self.made[cls] = function
        return function

    prefix = "unstructure"

    def _constant(self, value: str) -> str:
        return repr(value)

    def _result(self, entries: dict[str, str]) -> str:
        """The expression a generated function returns, from each key's expression."""
        return "{" + ", ".join(f"{key!r}: {entries[key]}" for key in sorted(entries)) + "}"

    def _call(self, tp: type) -> str:
        """The name under which the generated code reaches ``tp``'s function."""
        name = f"u_{tp.__module__.replace('.', '_')}_{tp.__qualname__.replace('.', '_')}"
        if name not in self.names:
            self.names[name] = self.function(tp)
        return name

    def _expression(self, tp: Any, source: str, var: str) -> str:
        """Python source that turns ``source`` (of type ``tp``) into its JSON-ready value."""
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        if tp in _PLAIN:
            return source
        if tp is datetime:
            return f"format_time({source})"
        if origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
            inner = next(a for a in args if a is not type(None))
            if inner in _PLAIN:
                return source
            value = self._expression(inner, var, var + "i")
            return f"(None if ({var} := {source}) is None else {value})"
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            if args[0] in _PLAIN:
                return f"list({source})"
            return f"[{self._expression(args[0], var, var + 'i')} for {var} in {source}]"
        if attrs.has(tp) and tp not in self.building:  # a class holding itself: cattrs
            return f"{self._call(tp)}({source})"
        return self._by_cattrs(tp, source)

    def _by_cattrs(self, tp: Any, source: str) -> str:
        """What no rule above covers: cattrs's value, its keys sorted."""
        key = f"t{len(self.names)}"
        self.names[key] = tp
        self.names["unstructure"] = self.converter.unstructure
        return f"sorted_deep(unstructure({source}, {key}))"


def _int(value: int) -> str:
    """An int as the json encoder writes it (a bool among ints too)."""
    return "true" if value is True else "false" if value is False else int.__repr__(value)


class _TextBuilder(_Builder):
    """Generates one function per attrs class that returns the record's JSON text itself."""

    prefix = "text"

    def _constant(self, value: str) -> str:
        return repr(encode_basestring(value))

    def __init__(self, converter: cattrs.Converter, shared: tuple[type, ...] = ()) -> None:
        super().__init__(converter)
        self.names.update(e=encode_basestring, _int=_int, _encode=_encode)
        self.shared = shared

    def _call(self, tp: type) -> str:
        name = super()._call(tp)
        if tp in self.shared and not isinstance(self.names[name], _Remembered):
            self.names[name] = _Remembered(self.names[name])
        return name

    def _result(self, entries: dict[str, str]) -> str:
        if not entries:
            return "'{}'"
        parts = []
        for i, key in enumerate(sorted(entries)):
            parts.append(repr(("{" if i == 0 else ",") + encode_basestring(key) + ":"))
            parts.append(entries[key])
        return f"''.join(({', '.join(parts)}, '}}'))"

    def _expression(self, tp: Any, source: str, var: str) -> str:
        """Python source that turns ``source`` (of type ``tp``) into its JSON text."""
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        if tp is str:
            return f"e({source})"
        if tp is int:
            return f"_int({source})"
        if tp is bool:
            return f"('true' if {source} is True else 'false' if {source} is False " \
                   f"else _encode({source}))"
        if tp is datetime:  # digits, -, :, T, ., Z and +: nothing to escape
            return f"'\"' + format_time({source}) + '\"'"
        if origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
            inner = next(a for a in args if a is not type(None))
            value = self._expression(inner, var, var + "i")
            return f"('null' if ({var} := {source}) is None else {value})"
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            item = args[0]
            if item is str:
                return f"'[' + ','.join(map(e, {source})) + ']'"
            if attrs.has(item) and item not in self.building:
                return f"'[' + ','.join(map({self._call(item)}, {source})) + ']'"
        if attrs.has(tp) and tp not in self.building:
            return f"{self._call(tp)}({source})"
        return f"_encode({self._by_cattrs(tp, source)})"


class _Remembered:
    """The text of records the readers share (one Author object for each distinct author,
    one InReplyTo for each post replied to), made once per object: a blog's records repeat
    a handful of authors, and writing one was a tenth of a comment's line.

    Keyed by identity, each object held with its text (so that its id is not another's
    while it is remembered); records are frozen, so an object's text cannot change. At most
    ``MOST`` are held: an archive read back has an Author object per record, none shared.
    """

    MOST: Final = 1024

    __slots__ = ("_memo", "_text")

    def __init__(self, text: Callable[[Any], str]) -> None:
        self._text = text
        self._memo: dict[int, tuple[Any, str]] = {}

    def __call__(self, record: Any) -> str:
        found = self._memo.get(id(record))
        if found is not None and found[0] is record:
            return found[1]
        text = self._text(record)
        if len(self._memo) >= self.MOST:
            self._memo.clear()
        self._memo[id(record)] = (record, text)
        return text


def encode(value: Any) -> str:
    """A value whose objects' keys are already in sorted order (as a line decoded by
    ``json.loads`` keeps them), as the encoder of the lines writes it."""
    return _encode(value)


def unstructurer(converter: cattrs.Converter, cls: type) -> Callable[[Any], dict[str, Any]]:
    """The generated function that makes a ``cls`` value JSON-ready, keys in sorted order."""
    return _Builder(converter).function(cls)


def line_encoder(converter: cattrs.Converter, cls: type, constants: dict[str, str],
                 shared: tuple[type, ...] = ()) -> Callable[[Any], str]:
    """A function from a ``cls`` record to its JSON line (no newline), with ``constants``
    (``schema``, ``schema_version``) among its keys. The text of a nested record of a
    ``shared`` class is made once per object (the readers share them)."""
    unstructure = _Builder(converter).function(cls, constants)
    text: Callable[[Any], str] = _TextBuilder(  # type: ignore[assignment]
        converter, shared).function(cls, constants)

    def encode(record: Any) -> str:
        try:
            return text(record)
        except (TypeError, AttributeError, ValueError):  # a value not of its field's type
            return _encode(unstructure(record))

    return encode
