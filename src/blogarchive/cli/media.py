"""What ``info`` and ``list media`` add for an archive folder: the state of its captures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from ..capture.state import capture_counts, media_lines
from ..describe import Summary
from ..model import Archive

__all__ = ["captured_lines", "with_capture"]


def with_capture(summary: Summary, archive: Archive, folder: Path | None) -> Summary:
    """``summary`` with its media URLs counted captured / failed / not tried, when the
    archive was loaded from ``folder`` (sources have nothing captured to tell)."""
    if folder is None:
        return summary
    return attrs.evolve(summary, capture=capture_counts(archive, media_lines(folder)))


def captured_lines(what: str, folder: Path | None) -> dict[str, dict[str, Any]] | None:
    """media.jsonl's lines for ``list media`` of an archive folder; None otherwise."""
    if what != "media" or folder is None:
        return None
    return media_lines(folder)
