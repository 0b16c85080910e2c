"""The one helper every record module uses: a field that carries its own documentation."""

from __future__ import annotations

from typing import Any

import attrs

__all__ = ["doc"]


def doc(text: str, **kwargs: Any) -> Any:
    """An attrs field whose documentation travels with it into the schema and docs."""
    return attrs.field(metadata={"doc": text}, **kwargs)
