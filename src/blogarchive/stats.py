"""Counts over an archive, shared by blog.json's `counts` and `blogarchive info`.

``Counts`` is fed one record at a time, so the same numbers come from a whole Archive
(``counts``) and from a stream that never holds one (``census``, what ``info`` uses).
"""

from __future__ import annotations

from collections import Counter
from typing import Any, NamedTuple

from .analysis.records import BodyAnalysis
from .model import Archive, Comment, Post

__all__ = ["AnalysisTotals", "Counts", "analysis_counts", "counts", "totals_of"]

_ANALYSIS_TOTALS = ("posts_analysed", "link_lists", "link_list_items",
                    "link_list_items_archived", "links", "internal_links",
                    "broken_internal_links")


class AnalysisTotals(NamedTuple):
    """What the counts take from one post's analysis: small enough to send back from a
    worker process (``workers``) and keep in the spool instead of the whole analysis."""

    quotes: tuple[str, ...]
    """Each quote's kind."""
    media: tuple[str, ...]
    """Each medium's kind."""
    link_lists: int
    items: int
    archived: int
    """List items naming a post the archive holds."""
    links: int
    internal: int
    broken: int


def totals_of(found: BodyAnalysis) -> AnalysisTotals:
    """The totals of ``found`` that ``Counts.analysis`` adds."""
    return AnalysisTotals(
        quotes=tuple(q.kind for q in found.quotes),
        media=tuple(m.kind for m in found.media),
        link_lists=len(found.link_lists),
        items=sum(len(listed.items) for listed in found.link_lists),
        archived=sum(1 for listed in found.link_lists for i in listed.items if i.post_id),
        links=len(found.links),
        internal=sum(1 for link in found.links if link.internal),
        broken=sum(1 for link in found.links if link.broken),
    )


class Counts:
    """Posts and pages by status, comments by what they are, labels, skipped, analysis."""

    def __init__(self) -> None:
        self.by_kind: dict[str, Counter[str]] = {"post": Counter(), "page": Counter()}
        self.comments = Counter[str]()
        self.labels = 0
        self.skipped = 0
        self.quotes = Counter[str]()
        self.media = Counter[str]()
        self.totals = Counter[str]()

    def post(self, kind: str, status: str) -> None:
        self.by_kind.setdefault(kind, Counter())[status] += 1

    def comment(self, *, reply: bool, orphan: bool, removed: bool, on_page: bool) -> None:
        self.comments.update(total=1, replies=int(reply), orphans=int(orphan),
                             removed=int(removed), on_pages=int(on_page))

    def analysis(self, found: BodyAnalysis | AnalysisTotals | None) -> None:
        """Add a post's analysis (or its totals, as a worker sent them)."""
        if found is None:
            return
        if isinstance(found, BodyAnalysis):
            found = totals_of(found)
        totals = self.totals
        totals["posts_analysed"] += 1
        self.quotes.update(found.quotes)
        self.media.update(found.media)
        totals["link_lists"] += found.link_lists
        totals["link_list_items"] += found.items
        totals["link_list_items_archived"] += found.archived
        totals["links"] += found.links
        totals["internal_links"] += found.internal
        totals["broken_internal_links"] += found.broken

    def analysis_dict(self) -> dict[str, Any]:
        return {
            **{name: self.totals[name] for name in _ANALYSIS_TOTALS},
            "quotes": dict(sorted(self.quotes.items())),
            "media": dict(sorted(self.media.items())),
        }

    def as_dict(self) -> dict[str, Any]:
        """Plain ints and dicts, in the shape blog.json stores."""
        return {
            "posts": {kind: dict(sorted(c.items())) for kind, c in self.by_kind.items()},
            "comments": {name: self.comments[name]
                         for name in ("total", "replies", "orphans", "removed", "on_pages")},
            "labels": self.labels,
            "skipped": self.skipped,
            "analysis": self.analysis_dict(),
        }

    def add_post(self, post: Post) -> None:
        """A post or page of an archive, as ``counts`` counts it."""
        self.post(post.kind, post.status)
        self.analysis(post.analysis)

    def add_comment(self, c: Comment) -> None:
        """A comment of an archive (resolved: its orphan flag and post kind set)."""
        self.comment(reply=bool(c.parent_id), orphan=c.orphan, removed=c.status == "removed",
                     on_page=c.post_kind == "page")


def counts(archive: Archive) -> dict[str, Any]:
    """Posts and pages by status, comments by what they are, labels. Plain ints and dicts."""
    found = Counts()
    for post in archive.posts:
        found.add_post(post)
    for c in archive.comments:
        found.add_comment(c)
    found.labels = len(archive.labels)
    found.skipped = len(archive.skipped)
    return found.as_dict()


def analysis_counts(archive: Archive) -> dict[str, Any]:
    """Totals over the posts' body analysis: quotes, link lists, links, media."""
    found = Counts()
    for post in archive.posts:
        found.analysis(post.analysis)
    return found.analysis_dict()
