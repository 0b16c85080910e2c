"""Posts and comments from their decoded JSON lines, through one function built per record
class: the reading side of ``_lines.py``.

``store`` structured every line with cattrs, which finds each field's hook at run time (an
optional field is a dispatch on every value, a tuple a generator through the dispatcher
again): about a tenth of an export's CPU. Here each attrs class gets one generated function
that takes each key straight from the dict. It accepts only what needs no judgement: a
``str``, ``int`` or ``bool`` field holding exactly that type, a tuple field holding a list,
a time that ``parse_time`` reads (the hook cattrs calls), a nested record holding a dict,
a missing key of a field with a default. Anything else (a wrong type, a missing required
key, a time that does not parse) makes the function raise, and the caller structures the
line with cattrs as before, which gives the same record when cattrs accepts the value (it
turns ``5`` into ``"5"`` for a ``str`` field) and ``load``'s error wording when it does not.
So the records are the ones cattrs makes, and the errors the ones it reports (tested on
every fixture and on damaged lines).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs

from ._time import parse_time

__all__ = ["Unsure", "structurer"]


class Unsure(Exception):
    """The generated function met a value it does not take: let cattrs decide."""


_MISSING = object()


def _unsure(*_: object) -> Any:
    raise Unsure


class _Builder:
    def __init__(self) -> None:
        self.made: dict[type, Callable[[Any], Any]] = {}
        self.names: dict[str, Any] = {
            "parse_time": parse_time, "MISSING": _MISSING, "U": _unsure}

    def function(self, cls: type) -> Callable[[Any], Any]:
        if cls in self.made:
            return self.made[cls]
        self.made[cls] = _unsure  # a class holding itself: cattrs decides (none does today)
        hints = typing.get_type_hints(cls)
        lines = [f"def structure_{cls.__name__}(d):", "    if type(d) is not dict:",
                 "        U()", "    return C("]
        for number, field in enumerate(attrs.fields(cls)):
            if not field.init:
                continue
            var = f"v{number}"
            name = field.alias or field.name
            if field.default is attrs.NOTHING:
                value = self._expression(hints[field.name], f"d[{field.name!r}]", var)
                lines.append(f"        {name}={value},")
            elif isinstance(field.default, (str, int, bool, tuple, type(None))):
                key = f"D{number}"
                self.names[key] = field.default
                value = self._expression(hints[field.name], var, var)
                lines.append(f"        {name}=({key} if ({var} := d.get({field.name!r}, MISSING))"
                             f" is MISSING else {value}),")
            else:  # a factory or a mutable default: cattrs knows what to do
                return self._give_up(cls)
        lines.append("    )")
        namespace = dict(self.names, C=cls)
        # Source built from the model's own field names and types only (no data).
        exec("\n".join(lines), namespace)
        function: Callable[[Any], Any] = namespace[f"structure_{cls.__name__}"]
        self.made[cls] = function
        return function

    def _give_up(self, cls: type) -> Callable[[Any], Any]:
        self.made[cls] = _unsure
        return _unsure

    def _call(self, tp: type) -> str:
        name = f"f_{tp.__module__.replace('.', '_')}_{tp.__qualname__.replace('.', '_')}"
        if name not in self.names:
            self.names[name] = self.function(tp)
        return name

    def _expression(self, tp: Any, source: str, var: str) -> str:
        """Python source that turns the decoded ``source`` into a ``tp`` value, or raises."""
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        # the checks inline (a call per value was most of the time)
        if tp in (str, int, bool):
            return f"({var} if type({var} := {source}) is {tp.__name__} else U())"
        if tp is datetime:
            return f"(parse_time({var}) if type({var} := {source}) is str else U())"
        if origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
            inner = next(a for a in args if a is not type(None))
            value = self._expression(inner, var, var + "i")
            return f"(None if ({var} := {source}) is None else {value})"
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            item = self._expression(args[0], var + "e", var + "x")
            return (f"(tuple([{item} for {var}e in {var}]) if type({var} := {source}) is list"
                    " else U())")
        if attrs.has(tp):
            return f"{self._call(tp)}({source})"  # it checks that it is given a dict
        return f"U({source})"  # any other type: cattrs decides


_BUILDER = _Builder()


def structurer(cls: type) -> Callable[[Any], Any]:
    """The generated function turning a decoded ``cls`` line (a dict) into the record;
    it raises (``Unsure``, or the error a field's check met) where cattrs must decide.
    Built on first use, once per class (the builder keeps what it made): not at import,
    which ``convert`` pays and never needs (it reads archive lines only to merge)."""
    return _BUILDER.function(cls)
