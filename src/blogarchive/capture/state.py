"""What ``info`` and ``list media`` say of captures: each media URL captured, failed or not tried.

A media URL of a post (made absolute against the post's permalink, as the capture plan makes
it) is *captured* when media.jsonl has a line for it with no error, *failed* when its line
has one, and *not tried* when it has no line (out of the scope captured so far, not http(s),
or no capture run yet). Lines for lightbox targets and avatars are counted apart.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Final

from ..analysis.urls import absolute
from ..folder import data_dir
from ..model import Archive
from .index import INDEX, read_index

__all__ = ["CAPTURED", "FAILED", "NOT_TRIED", "STATES", "capture_counts", "capture_field",
           "media_lines", "media_url", "state_of"]

CAPTURED: Final = "captured"
FAILED: Final = "failed"
NOT_TRIED: Final = "not tried"
STATES: Final = (CAPTURED, FAILED, NOT_TRIED)


def media_lines(folder: Path | None) -> dict[str, dict[str, Any]]:
    """The media.jsonl lines of the archive at ``folder`` by URL as written ({} when it has
    none, or for sources that are not an archive); ArchiveError naming a damaged line."""
    if folder is None:
        return {}
    return read_index(data_dir(folder) / INDEX)


def state_of(line: Mapping[str, Any] | None) -> str:
    if line is None:
        return NOT_TRIED
    return FAILED if line.get("error") else CAPTURED


def media_url(written: str, post_url: str | None) -> str:
    """The key of a post's media item in media.jsonl: its URL made absolute."""
    return absolute(written, post_url)


def capture_field(line: Mapping[str, Any] | None) -> dict[str, Any]:
    """The ``capture`` value of a ``list media --json`` row: the state, and where a capture
    is (or why it failed)."""
    return {
        "state": state_of(line),
        "error": line.get("error") if line else None,
        "sha256": line.get("sha256") if line else None,
        "warc": line.get("warc") if line else None,
    }


def _post_media(archive: Archive) -> Iterator[str]:
    for post in archive.posts:
        if post.analysis is not None:
            for media in post.analysis.media:
                yield media_url(media.url, post.url)


def capture_counts(archive: Archive, lines: Mapping[str, Mapping[str, Any]]) -> dict[str, int]:
    """Distinct media URLs of the posts by state, and the other lines (lightbox targets,
    avatars) captured and failed."""
    urls = set(_post_media(archive))
    counts = dict.fromkeys(STATES, 0)
    for url in urls:
        counts[state_of(lines.get(url))] += 1
    others = [line for url, line in lines.items() if url not in urls]
    counts["other captured"] = sum(1 for line in others if state_of(line) == CAPTURED)
    counts["other failed"] = sum(1 for line in others if state_of(line) == FAILED)
    return counts
