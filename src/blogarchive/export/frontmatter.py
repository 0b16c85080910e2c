"""YAML front matter for Hugo and Jekyll, written by a YAML emitter (PyYAML).

Jekyll reads only YAML front matter, and Hugo reads it too, so one emitter serves both. Labels
hold quotes, colons, ``#`` and any script; hand-quoting them is how front matter breaks, so
every value goes through ``yaml.safe_dump``. Dates are written as RFC 3339 text with the offset
the source wrote (never shifted to UTC or the machine's zone); the emitter quotes them (they
would otherwise be YAML timestamps, which Ruby's YAML turns into local time), and both
generators parse the quoted text with its offset.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import yaml

from .._time import format_time

__all__ = ["front_matter", "when"]


def when(value: datetime | None) -> str | None:
    """A timestamp as the front matter writes it: its own offset kept."""
    return format_time(value) if value is not None else None


def front_matter(fields: dict[str, Any]) -> str:
    """``---`` block for ``fields`` in the given order; None values and empty lists left out."""
    kept = {k: v for k, v in fields.items() if v is not None and v != [] and v != ()}
    text = yaml.safe_dump(kept, allow_unicode=True, sort_keys=False, default_flow_style=False,
                          width=1000)
    return f"---\n{text}---\n"
