"""Safe, portable names for the files a preserved archive keeps.

BagIt tools disagree on escaping ``%``, CR and LF in manifest paths, and file systems on case,
Unicode normalisation and reserved characters; so every name written is ASCII
``[A-Za-z0-9._-]`` per path segment (PRESERVATION.md 1.1). The original name is recorded in
the provenance event beside the stored path.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container
from typing import Final

__all__ = ["safe_path", "unique_path"]

_UNSAFE: Final = re.compile(r"[^A-Za-z0-9._-]+")


def _segment(part: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", part).encode("ascii", "ignore").decode("ascii")
    cleaned = _UNSAFE.sub("_", ascii_text).strip("._") or "file"
    return cleaned[:120]


def safe_path(name: str) -> str:
    """``name`` (``a/b c.xml``, ``x.zip!member``, ``Blogger/Ñandú.atom``) as a safe path."""
    parts = [p for p in re.split(r"[/\\]", name.replace("!", "/")) if p not in ("", ".", "..")]
    return "/".join(_segment(p) for p in parts) or "file"


def unique_path(wanted: str, lowered: Container[str]) -> str:
    """``wanted``, or ``stem-2.ext``, ``stem-3.ext`` ... when it is taken (case-insensitively:
    ``lowered`` holds the names in use in lower case). The caller keeps that set as it adds
    names: lowering every name in use again for each new one was quadratic (3,300 saved
    pages spent a third of ``convert``'s CPU here and in finding each page's formats)."""
    if wanted.lower() not in lowered:
        return wanted
    folder, _, leaf = wanted.rpartition("/")
    stem, dot, ext = leaf.partition(".")
    n = 2
    while True:
        candidate = f"{folder + '/' if folder else ''}{stem}-{n}{dot}{ext}"
        if candidate.lower() not in lowered:
            return candidate
        n += 1
