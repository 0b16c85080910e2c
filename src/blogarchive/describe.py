"""Human-readable summaries of an archive, shared by ``convert``, ``info`` and ``info --json``.

They read a ``Summary``: what a summary needs of a blog (counts, date range, most used
labels, notes), made from a whole Archive (``summarise``) or from a stream of records that
never becomes one (``census``, what ``info`` uses on a large export).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

import attrs

from ._words import counted, number
from .model import Archive, Blog, Skipped, SourceInfo
from .pagecheck import PageReport, page_lines, page_reports
from .stats import counts

__all__ = ["Summary", "blogs_summary", "date_range", "describe_counts", "info_json",
           "info_lines", "summarise", "top_labels"]


@attrs.frozen
class Summary:
    """What ``info`` prints of one blog."""

    blog: Blog
    sources: tuple[SourceInfo, ...]
    counts: dict[str, Any]
    published: str
    """``first .. last`` publication dates, or ``none``."""
    top_labels: tuple[tuple[str, int], ...]
    """Up to ten labels with the number of posts carrying each, most used first."""
    untitled: int
    notes: tuple[str, ...]
    skipped: tuple[Skipped, ...]
    posts: int
    """Posts and pages."""
    capture: dict[str, int] | None = None
    """Of an archive folder: its posts' media URLs captured / failed / not tried
    (``capture.state.capture_counts``); None for sources."""
    pages: tuple[PageReport, ...] = ()
    """Saved pages read: how each was read and what of it to check (``pagecheck``)."""


def summarise(archive: Archive | Summary) -> Summary:
    if isinstance(archive, Summary):
        return archive
    return Summary(
        blog=archive.blog, sources=archive.sources, counts=counts(archive),
        published=date_range(p.published for p in archive.posts),
        top_labels=top_labels((lb.name, len(lb.post_ids)) for lb in archive.labels),
        untitled=sum(1 for p in archive.posts if not p.title.strip()),
        notes=archive.notes, skipped=archive.skipped, posts=len(archive.posts),
        pages=page_reports(archive.posts),
    )


def top_labels(used: Iterable[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(used, key=lambda pair: (-pair[1], pair[0]))[:10])


def describe_counts(archive: Archive | Summary) -> list[str]:
    summary = summarise(archive)
    c = summary.counts
    lines = []
    for kind, statuses in c["posts"].items():
        total = sum(statuses.values())
        detail = ", ".join(f"{status} {number(n)}" for status, n in statuses.items())
        lines.append(f"{kind}s: {number(total)}" + (f" ({detail})" if detail else ""))
    cc = c["comments"]
    lines.append(
        f"comments: {number(cc['total'])} ({counted(cc['replies'], 'reply', 'replies')} in "
        f"threads, {counted(cc['orphans'], 'orphan')}, {number(cc['removed'])} removed, "
        f"{number(cc['on_pages'])} on pages)"
    )
    lines.append(f"labels: {number(c['labels'])}")
    lines.extend(describe_analysis(c["analysis"]))
    lines.append(f"skipped entries: {number(c['skipped'])}")
    for skip in summary.skipped:
        lines.append(f"  {skip.source} (entry {skip.entry}, line {skip.line}): {skip.reason}")
    return lines


def describe_analysis(found: dict[str, Any]) -> list[str]:
    if not found["posts_analysed"]:
        return []
    kinds = ", ".join(f"{kind} {number(n)}" for kind, n in found["quotes"].items())
    quotes = sum(found["quotes"].values())
    return [
        f"quotes: {number(quotes)}" + (f" ({kinds})" if kinds else ""),
        f"link lists: {number(found['link_lists'])} "
        f"({counted(found['link_list_items'], 'item')}, "
        f"{number(found['link_list_items_archived'])} pointing to archived posts)",
        f"links: {number(found['links'])} ({number(found['internal_links'])} internal, "
        f"{number(found['broken_internal_links'])} broken internal)",
        f"images: {number(found['media'].get('image', 0))}; other media: "
        f"{number(sum(n for k, n in found['media'].items() if k != 'image'))}",
    ]


def date_range(published: Iterable[datetime | None]) -> str:
    dates = [when for when in published if when is not None]
    if not dates:
        return "none"
    first, last = min(dates, key=_utc), max(dates, key=_utc)
    return f"{first.date().isoformat()} .. {last.date().isoformat()}"


def _utc(value: datetime) -> float:
    """An instant to order by; a naive page time is ordered as if UTC (as the archive does)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return float(value.timestamp())


def info_lines(archive: Archive | Summary) -> list[str]:
    summary = summarise(archive)
    blog = summary.blog
    lines = [f"blog: {blog.title or '(untitled)'} (id {blog.id or 'none'})"]
    if blog.url:
        lines.append(f"url: {blog.url}")
    for source in summary.sources:
        lines.append(f"source: {source.name} ({source.format}, {counted(source.size, 'byte')}, "
                     f"{counted(source.entries, 'entry', 'entries')}, "
                     f"sha256 {source.sha256[:16]}...)")
    if blog.time_zone or blog.locale:
        lines.append(f"time zone: {blog.time_zone or '?'}; locale: {blog.locale or '?'}")
    lines.append(f"published: {summary.published}")
    lines.extend(describe_counts(summary))
    if summary.top_labels:
        lines.append("most used labels: " + ", ".join(
            f"{name} ({number(n)})" for name, n in summary.top_labels))
    if summary.untitled:
        lines.append(f"untitled posts or pages: {number(summary.untitled)}")
    if summary.capture is not None:
        lines.append(describe_capture(summary.capture))
    lines.extend(page_lines(summary.pages, sum(1 for s in summary.sources
                                               if s.format == "html")))
    for note in summary.notes:
        lines.append(f"note: {note}")
    return lines


def describe_capture(found: dict[str, int]) -> str:
    """The media line of ``info`` on an archive: what ``blogarchive capture`` holds."""
    total = found["captured"] + found["failed"] + found["not tried"]
    line = (f"media captured: {number(found['captured'])} of {counted(total, 'media URL')}"
            f" in the posts ({number(found['failed'])} failed, "
            f"{number(found['not tried'])} not tried)")
    if found["other captured"] or found["other failed"]:
        line += (f"; lightbox targets and avatars: {number(found['other captured'])} "
                 f"captured, {number(found['other failed'])} failed")
    return line


def info_json(archive: Archive | Summary) -> dict[str, Any]:
    summary = summarise(archive)
    blog = summary.blog
    return {
        "blog": {"id": blog.id, "title": blog.title, "url": blog.url,
                 "time_zone": blog.time_zone},
        "sources": [{"name": s.name, "format": s.format, "size": s.size, "sha256": s.sha256}
                    for s in summary.sources],
        "counts": summary.counts,
        "published": summary.published,
        "notes": list(summary.notes),
        "capture": summary.capture,
        "pages": [attrs.asdict(report) for report in summary.pages],
    }


def _posts(archive: Archive | Summary) -> int:
    return archive.posts if isinstance(archive, Summary) else len(archive.posts)


def blogs_summary(archives: list[Archive] | list[Summary]) -> str | None:
    """One line naming the blogs, when a run found several (None for one or none)."""
    if len(archives) < 2:
        return None
    names = "; ".join(f"{a.blog.title or '(untitled)'} (id {a.blog.id or 'none'}, "
                      f"{counted(_posts(a), 'post or page', 'posts and pages')})"
                      for a in archives)
    return f"{counted(len(archives), 'blog')}: {names}"
