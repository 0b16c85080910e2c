"""Human-readable summaries of an archive, shared by ``convert``, ``info`` and ``info --json``."""

from __future__ import annotations

from typing import Any

from ._words import counted, number
from .model import Archive
from .stats import counts

__all__ = ["blogs_summary", "describe_counts", "info_json", "info_lines"]


def describe_counts(archive: Archive) -> list[str]:
    c = counts(archive)
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
    for skip in archive.skipped:
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


def _date_range(archive: Archive) -> str:
    dates = [p.published for p in archive.posts if p.published is not None]
    if not dates:
        return "none"
    first, last = min(dates, key=_utc), max(dates, key=_utc)
    return f"{first.date().isoformat()} .. {last.date().isoformat()}"


def _utc(value: Any) -> float:
    """An instant to order by; a naive page time is ordered as if UTC (as the archive does)."""
    from datetime import timezone

    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return float(value.timestamp())


def info_lines(archive: Archive) -> list[str]:
    blog = archive.blog
    lines = [f"blog: {blog.title or '(untitled)'} (id {blog.id or 'none'})"]
    if blog.url:
        lines.append(f"url: {blog.url}")
    for source in archive.sources:
        lines.append(f"source: {source.name} ({source.format}, {counted(source.size, 'byte')}, "
                     f"{counted(source.entries, 'entry', 'entries')}, "
                     f"sha256 {source.sha256[:16]}...)")
    if blog.time_zone or blog.locale:
        lines.append(f"time zone: {blog.time_zone or '?'}; locale: {blog.locale or '?'}")
    lines.append(f"published: {_date_range(archive)}")
    lines.extend(describe_counts(archive))
    if archive.labels:
        top = sorted(archive.labels, key=lambda lb: (-len(lb.post_ids), lb.name))[:10]
        lines.append("most used labels: " + ", ".join(
            f"{lb.name} ({number(len(lb.post_ids))})" for lb in top))
    untitled = sum(1 for p in archive.posts if not p.title.strip())
    if untitled:
        lines.append(f"untitled posts or pages: {number(untitled)}")
    for note in archive.notes:
        lines.append(f"note: {note}")
    return lines


def info_json(archive: Archive) -> dict[str, Any]:
    return {
        "blog": {"id": archive.blog.id, "title": archive.blog.title, "url": archive.blog.url,
                 "time_zone": archive.blog.time_zone},
        "sources": [{"name": s.name, "format": s.format, "size": s.size, "sha256": s.sha256}
                    for s in archive.sources],
        "counts": counts(archive),
        "published": _date_range(archive),
        "notes": list(archive.notes),
    }


def blogs_summary(archives: list[Archive]) -> str | None:
    """One line naming the blogs, when a run found several (None for one or none)."""
    if len(archives) < 2:
        return None
    names = "; ".join(f"{a.blog.title or '(untitled)'} (id {a.blog.id or 'none'}, "
                      f"{counted(len(a.posts), 'post or page', 'posts and pages')})"
                      for a in archives)
    return f"{counted(len(archives), 'blog')}: {names}"
