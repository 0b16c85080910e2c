"""A JSON Schema compiled to plain Python checks: the fast "certainly valid" answer.

``validate`` checks every line of an archive against its schemas; jsonschema's general
machinery (a validator object per subschema, reference lookups, error objects) made that
twice as slow as writing the archive. Our schemas use a dozen keywords, so they compile to
nested closures that say only "valid" or "not sure".

The contract is one-sided, and that is what keeps validation as strict as it was: when
``compile_schema(schema)(instance)`` is True, jsonschema's Draft 2020-12 validator would
accept the instance too; every other answer sends the instance to jsonschema, which decides
and words the error. A check here may be stricter than the keyword (``integer`` takes no
``1.0``, ``const`` wants the same type), never looser. A schema using any keyword or form
not handled here (an archive's own ``schemas/`` may hold anything) compiles to None and is
checked by jsonschema alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

__all__ = ["Check", "compile_schema"]

Check = Callable[[Any], bool]

# Keywords without an effect on validity (2020-12 treats format as an annotation, and the
# validators are made without a format checker).
_ANNOTATIONS = frozenset({"$schema", "$comment", "title", "description", "default",
                          "examples", "format", "deprecated", "readOnly", "writeOnly"})
_HANDLED = frozenset({"type", "properties", "additionalProperties", "required", "items",
                      "minItems", "$ref", "pattern", "anyOf", "minimum", "const", "enum",
                      "$defs"}) | _ANNOTATIONS


class _Unsupported(Exception):
    """The schema uses something this compiler does not handle."""


# Python types per JSON type: bool is its own type, so "integer" is int alone (1.0 is left
# to jsonschema, which accepts it).
_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
    "null": (type(None),), "object": (dict,), "array": (list,),
}


def _same(value: Any, expected: Any) -> bool:
    """Equal and of the same JSON type (so True is not 1); scalars only."""
    return type(value) is type(expected) and value == expected


def _all(checks: list[Check]) -> Check:
    if not checks:
        return lambda v: True
    if len(checks) == 1:
        return checks[0]

    def every(v: Any) -> bool:
        for check in checks:  # noqa: SIM110 (a plain loop: no generator per node)
            if not check(v):
                return False
        return True

    return every


def compile_schema(schema: Any) -> Check | None:
    """A check that is True only for instances ``schema`` accepts; None when the schema
    uses something not handled here (then only jsonschema can say)."""
    try:
        return _Compiler(schema).compile(schema, root=True)
    except (_Unsupported, re.error, TypeError, ValueError, KeyError):
        return None


class _Compiler:
    def __init__(self, root: Any) -> None:
        self.root = root
        self.refs: dict[str, Check] = {}
        self.pending: dict[str, list[Check]] = {}

    def compile(self, schema: Any, *, root: bool = False) -> Check:
        if schema is True:
            return lambda v: True
        if schema is False:
            return lambda v: False
        if not isinstance(schema, dict):
            raise _Unsupported
        if not set(schema) <= _HANDLED | ({"$id"} if root else set()):
            raise _Unsupported  # $anchor, prefixItems, nested $id, ...
        if "$defs" in schema and not root:
            raise _Unsupported  # references resolve against the root's $defs only
        checks = []
        if "type" in schema:
            names = [schema["type"]] if isinstance(schema["type"], str) else schema["type"]
            allowed = frozenset(t for n in names for t in _TYPES[n])
            checks.append(lambda v: type(v) in allowed)
        if {"properties", "additionalProperties", "required"} & schema.keys():
            checks.append(self._object(schema))
        if "items" in schema or "minItems" in schema:
            checks.append(self._array(schema))
        if "pattern" in schema:
            found = re.compile(schema["pattern"]).search
            checks.append(lambda v: type(v) is not str or found(v) is not None)
        if "minimum" in schema:
            low = schema["minimum"]
            if type(low) not in (int, float):
                raise _Unsupported
            checks.append(lambda v: (type(v) is not int and type(v) is not float) or v >= low)
        if "const" in schema:
            checks.append(self._enum([schema["const"]]))
        if "enum" in schema:
            checks.append(self._enum(schema["enum"]))
        if "anyOf" in schema:
            checks.append(self._any_of(schema["anyOf"]))
        if "$ref" in schema:
            checks.append(self._ref(schema["$ref"]))
        return _all(checks)

    def _object(self, schema: dict[str, Any]) -> Check:
        """properties, additionalProperties and required in one pass over the object."""
        props = {name: self.compile(sub) for name, sub in schema.get("properties", {}).items()}
        extra_schema = schema.get("additionalProperties", True)
        extra = None if extra_schema is True else self.compile(extra_schema)
        required = frozenset(schema.get("required", ()))
        if not all(isinstance(n, str) for n in required):
            raise _Unsupported

        def object_(v: Any) -> bool:
            if type(v) is not dict:
                return True
            for key, item in v.items():
                check = props.get(key)
                if check is None:
                    if extra is not None and not extra(item):
                        return False
                elif not check(item):
                    return False
            return required <= v.keys()

        return object_

    def _array(self, schema: dict[str, Any]) -> Check:
        each = self.compile(schema.get("items", True))
        least = schema.get("minItems", 0)
        if type(least) is not int:
            raise _Unsupported

        def array(v: Any) -> bool:
            if type(v) is not list:
                return True
            return len(v) >= least and all(map(each, v))

        return array

    @staticmethod
    def _enum(options: Any) -> Check:
        if not isinstance(options, list) or not all(
                type(o) in (str, int, bool) or o is None for o in options):
            raise _Unsupported  # only scalar constants are handled
        choices = list(options)
        return lambda v: any(_same(v, option) for option in choices)

    def _any_of(self, subschemas: Any) -> Check:
        if not isinstance(subschemas, list) or not subschemas:
            raise _Unsupported
        options = [self.compile(sub) for sub in subschemas]
        if len(options) == 2 and subschemas[0] == {"type": "null"}:
            other = options[1]  # the model's optional fields: null, or the value's schema
            return lambda v: v is None or other(v)

        def any_of(v: Any) -> bool:
            for option in options:  # noqa: SIM110 (a plain loop: no generator per node)
                if option(v):
                    return True
            return False

        return any_of

    def _ref(self, ref: str) -> Check:
        if not isinstance(ref, str) or not ref.startswith("#/$defs/") or "~" in ref \
                or "%" in ref or ref.count("/") != 2:
            raise _Unsupported
        if ref in self.refs:
            return self.refs[ref]
        if ref in self.pending:  # a definition that refers to itself
            cell = self.pending[ref]
            return lambda v: cell[0](v)
        self.pending[ref] = cell = []
        check = self.compile(self.root["$defs"][ref.removeprefix("#/$defs/")])
        cell.append(check)
        self.refs[ref] = check
        return check
