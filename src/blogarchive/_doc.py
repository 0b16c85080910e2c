"""The one helper every record module uses: a field that carries its own documentation."""

from __future__ import annotations

import textwrap
from typing import Any, TypeVar

import attrs

__all__ = ["doc", "documented"]

T = TypeVar("T", bound=type)


def doc(text: str, **kwargs: Any) -> Any:
    """An attrs field whose documentation travels with it into the schema and docs."""
    return attrs.field(metadata={"doc": text}, **kwargs)


def documented(cls: T) -> T:
    """Append an ``Attributes:`` section built from the fields' docs to the class docstring.

    The docs live once, in ``metadata["doc"]`` (the schema and docs/fields.md read them
    there); this puts them where ``help()``, IPython's ``?`` and Sphinx (Google style) look.
    Apply it above ``@attrs.frozen``, so it sees the finished class.
    """
    lines = []
    for field in attrs.fields(cls):
        text = field.metadata.get("doc")
        if not text:
            continue
        kind = field.type if isinstance(field.type, str) else getattr(
            field.type, "__name__", str(field.type))
        lines.append(textwrap.fill(f"{field.name} ({kind}): {text}", width=92,
                                   initial_indent="    ", subsequent_indent="        "))
    if lines:
        head = textwrap.dedent(cls.__doc__ or "").strip()
        cls.__doc__ = head + "\n\nAttributes:\n" + "\n".join(lines) + "\n"
    return cls
