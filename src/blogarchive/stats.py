"""Counts over an archive, shared by blog.json's `counts` and `blogarchive info`."""

from __future__ import annotations

from collections import Counter
from typing import Any

from .model import Archive

__all__ = ["counts"]


def counts(archive: Archive) -> dict[str, Any]:
    """Posts and pages by status, comments by what they are, labels. Plain ints and dicts."""
    by_kind: dict[str, Counter[str]] = {"post": Counter(), "page": Counter()}
    for post in archive.posts:
        by_kind.setdefault(post.kind, Counter())[post.status] += 1
    comments = archive.comments
    return {
        "posts": {kind: dict(sorted(c.items())) for kind, c in by_kind.items()},
        "comments": {
            "total": len(comments),
            "replies": sum(1 for c in comments if c.parent_id),
            "orphans": sum(1 for c in comments if c.orphan),
            "removed": sum(1 for c in comments if c.status == "removed"),
            "on_pages": sum(1 for c in comments if c.post_kind == "page"),
        },
        "labels": len(archive.labels),
        "skipped": len(archive.skipped),
    }
