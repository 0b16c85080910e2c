"""Counts over an archive, shared by blog.json's `counts` and `blogarchive info`."""

from __future__ import annotations

from collections import Counter
from typing import Any

from .model import Archive

__all__ = ["analysis_counts", "counts"]


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
        "analysis": analysis_counts(archive),
    }


def analysis_counts(archive: Archive) -> dict[str, Any]:
    """Totals over the posts' body analysis: quotes, link lists, links, media."""
    quotes: Counter[str] = Counter()
    media: Counter[str] = Counter()
    totals = Counter[str]()
    for post in archive.posts:
        found = post.analysis
        if found is None:
            continue
        totals["posts_analysed"] += 1
        quotes.update(q.kind for q in found.quotes)
        media.update(m.kind for m in found.media)
        totals["link_lists"] += len(found.link_lists)
        for listed in found.link_lists:
            totals["link_list_items"] += len(listed.items)
            totals["link_list_items_archived"] += sum(1 for i in listed.items if i.post_id)
        totals["links"] += len(found.links)
        totals["internal_links"] += sum(1 for link in found.links if link.internal)
        totals["broken_internal_links"] += sum(1 for link in found.links if link.broken)
    names = ("posts_analysed", "link_lists", "link_list_items", "link_list_items_archived",
             "links", "internal_links", "broken_internal_links")
    return {
        **{name: totals[name] for name in names},
        "quotes": dict(sorted(quotes.items())),
        "media": dict(sorted(media.items())),
    }
