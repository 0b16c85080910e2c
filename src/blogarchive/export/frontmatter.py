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

try:  # LibYAML's emitter and parser: the pure-Python ones took 20 ms a post
    from yaml import CSafeDumper as _BaseDumper
    from yaml import CSafeLoader as _Loader
except ImportError:  # PyYAML built without LibYAML: the same output, slower
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

from .._time import format_time

__all__ = ["dump", "front_matter", "when"]


def when(value: datetime | None) -> str | None:
    """A timestamp as the front matter writes it: its own offset kept."""
    return format_time(value) if value is not None else None


def front_matter(fields: dict[str, Any]) -> str:
    """``---`` block for ``fields`` in the given order; None values and empty lists left out."""
    kept = {k: v for k, v in fields.items() if v is not None and v != [] and v != ()}
    return f"---\n{dump(kept)}---\n"


class _Key(str):
    """A mapping key: written plain (the names are ours: ``title``, ``tags``)."""


class _Dumper(_BaseDumper):
    """Every string value quoted. YAML readers disagree on which plain words are not text:
    Hugo's Go YAML reads ``y``, ``N`` and ``0o12`` as a boolean and a number where PyYAML
    and Ruby see strings, so a label ``y`` would stop being a tag. A quoted scalar is a string
    to all of them; PyYAML picks double quotes (with escapes) where single ones cannot hold
    the text."""


def _represent_value(dumper: _Dumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'")


def _represent_key(dumper: _Dumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value))


_Dumper.add_representer(str, _represent_value)
_Dumper.add_representer(_Key, _represent_key)


def _keyed(data: Any) -> Any:
    if isinstance(data, dict):
        return {_Key(k): _keyed(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_keyed(v) for v in data]
    return data


def dump(data: dict[str, Any]) -> str:
    """``data`` as YAML that reads back as ``data`` (strings quoted, see ``_Dumper``):
    readable UTF-8 where that holds, else (PyYAML writes a NEL, U+0085, raw in some scalars,
    where YAML reads a line break) every non-ASCII character escaped."""
    keyed = _keyed(data)
    for unicode in (True, False):
        text = yaml.dump(keyed, Dumper=_Dumper, allow_unicode=unicode, sort_keys=False,
                         default_flow_style=False, width=1000)
        if yaml.load(text, Loader=_Loader) == data:  # _Loader is a safe loader
            break
    return text
