"""What the Hugo and Jekyll exports share: each post's body, paths and front matter, the
comments as data files, and writing files into OUT (counted).

A post is published only when its status is ``live``; every other status (draft, scheduled,
soft-trashed, anything Blogger may add) is written as a draft so that no generator publishes
what the blogger had not, and ``blogger_status`` keeps the status as written.
"""

from __future__ import annotations

import json
import pickle
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

from .._words import counted
from ..analysis.urls import UrlMap
from ..model import Comment, Post
from .common import ExportJob
from .frontmatter import when
from .markdown import Body, convert_body
from .media import MediaFiles
from .paths import file_stem, new_path, old_path, redirect_from
from .relink import relink
from .spool import Spool, SqlMap, UrlIndex, text

__all__ = ["Entry", "MigrationIndex", "comment_data", "entries", "media_for", "orphan_note",
           "partial_note", "post_fields", "prepare", "time_zone", "write_comments",
           "write_file"]


@attrs.frozen
class Entry:
    """One post or page, ready for a generator's writer."""

    post: Post
    body: Body
    stem: str  # file name without extension, from the id
    old: str | None  # the Blogger path, to redirect from
    new: str  # the path the migrated site serves it at
    draft: bool

    @property
    def extension(self) -> str:
        return ".md" if self.body.form == "markdown" else ".html"


class MigrationIndex:
    """What the Hugo and Jekyll exports need across posts, gathered as the spool reads the
    archive and held in it: the URL map, the new path of each published post (links to it
    are pointed there), the file stem of every post (its comments' data file)."""

    def __init__(self, spool: Spool) -> None:
        self._urls = UrlIndex(spool)
        self.moved = SqlMap(spool, "moved")
        self.stems = SqlMap(spool, "stems")
        self.urls = UrlMap()

    def visit(self, seq: int, post: Post) -> None:
        self._urls.visit(seq, post)
        if post.status == "live":
            self.moved[post.id] = new_path(post)
        self.stems[post.id] = file_stem(post)

    def finish(self, spool: Spool) -> None:
        spool.execute("BEGIN")
        self.urls = self._urls.finish()
        spool.execute("COMMIT")


def prepare(spool: Spool) -> MigrationIndex:
    """The archive read, a record at a time; what the pages need across posts gathered."""
    index = MigrationIndex(spool)
    spool.read(index.visit)
    index.finish(spool)
    return index


def entries(job: ExportJob, media: MediaFiles | None) -> Iterator[Entry]:
    """Every post and page of the archive, converted, with the report's counts kept."""
    report = job.report
    kept: Counter[str] = Counter()
    no_redirect = internal = partial = 0
    index: MigrationIndex = job.prepared
    posts = (index.urls, index.moved)
    home = job.spool.head.blog.url
    for post in job.spool.iter_posts():
        relinked = relink(post.content, post.url or home, media, posts)
        report.media_local += relinked.local
        report.media_remote += relinked.remote
        internal += relinked.internal
        body = convert_body(relinked.html, want=job.body)
        if body.form == "markdown" and report.format == "hugo" and (
                "{{<" in relinked.html or "{{%" in relinked.html):
            # Markdown cannot escape them inside code; HTML can (hugo.py writes entities)
            body = Body(relinked.html, "html", "it holds {{< or {{%, which Hugo would read "
                        "as a shortcode")
        if body.kept_because is not None:
            report.kept_as_html += 1
            kept[body.kept_because] += 1
        draft = post.status != "live"
        if draft:
            report.drafts += 1
        elif post.kind == "page":
            report.pages += 1
        else:
            report.posts += 1
        if post.content_partial:
            partial += 1
        if old_path(post) is None and not draft:
            no_redirect += 1
        yield Entry(post, body, file_stem(post), redirect_from(post), new_path(post), draft)
    for reason, count in sorted(kept.items()):
        report.notes.append(f"kept as HTML because {reason}: {count}")
    if internal:
        report.notes.append(f"{counted(internal, 'link')} to other posts of the blog now "
                            "point at their new pages")
    if partial:
        report.notes.append(partial_note(partial))
    if no_redirect:
        many = counted(no_redirect, "published post or page", "published posts or pages")
        report.notes.append(f"{many} with no usable Blogger path: served at /posts/ID/ or "
                            "/pages/ID/ with no redirect")


def post_fields(entry: Entry) -> dict[str, Any]:
    """The front matter both generators read the same way (title, date, tags, ids)."""
    post = entry.post
    return {
        "title": post.title,
        "date": when(post.published or post.updated),
        "tags": list(post.labels),
        "author": post.author.name if post.author is not None and post.author.name else None,
        "blogger_id": post.id,
        "blogger_url": post.url,
        "blogger_status": post.status if post.status != "live" else None,
        # the archive's own warnings, kept where a theme (or a person) can see them
        "blogger_partial": True if post.content_partial else None,
        "blogger_retained": True if post.retained else None,
    }


def comment_data(job: ExportJob) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Comments by the file stem of their post (stems in order), oldest first, threaded by
    ``parent_id``; comments whose post is not in the archive are counted in a note (they
    have no page). One post's comments are held at a time."""
    orphans = 0
    stem: str | None = None
    batch: list[dict[str, Any]] = []
    for found, record in job.spool.execute(
            "SELECT s.v, c.record FROM comments c LEFT JOIN stems s ON s.k = c.post_id "
            "ORDER BY s.v IS NULL, s.v, c.seq"):
        if found is None:
            orphans += 1
            continue
        if text(found) != stem:
            if batch and stem is not None:
                yield stem, batch
            stem, batch = text(found), []
        batch.append(_comment(pickle.loads(record)))
        job.report.comments += 1
    if batch and stem is not None:
        yield stem, batch
    if orphans:
        job.report.notes.append(orphan_note(orphans))


def partial_note(partial: int) -> str:
    """The note for bodies the archive holds only in part (every format exports them so)."""
    return (f"{counted(partial, 'body', 'bodies')} only partly in the archive (a snippet, or "
            "cut at a jump link, on the pages it was read from): exported as they are, "
            "marked blogger_partial")


def orphan_note(orphans: int) -> str:
    """The note for comments whose post is not in the archive (every format skips them)."""
    return (f"{counted(orphans, 'comment')} on no post in the archive: not exported "
            "(the archive keeps them)")


def _comment(comment: Comment) -> dict[str, Any]:
    author = comment.author
    return {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "author": author.name if author is not None else None,
        "author_url": author.uri if author is not None else None,
        "published": when(comment.published),
        "updated": when(comment.updated),
        "status": comment.status,
        "url": comment.url,
        "content": comment.content,
    }


def write_file(job: ExportJob, relative: str, text: str) -> None:
    """``text`` into OUT/``relative`` (folders made), counted in the report."""
    target = job.out / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    job.report.files += 1


def write_comments(job: ExportJob, folder: str) -> None:
    """Each post's comments as ``folder/STEM.json``."""
    for stem, comments in comment_data(job):
        write_file(job, f"{folder}/{stem}.json",
                   json.dumps(comments, ensure_ascii=False, indent=1) + "\n")


def time_zone(job: ExportJob) -> str | None:
    """The blog's time zone setting when it names a zone the generators know (Hugo refuses
    to build with an unknown one); dates without an offset are read in it."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = job.spool.head.blog.time_zone
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        job.report.notes.append(f"the blog's time zone {name!r} is not a known zone: not set "
                                "in the site config")
        return None
    return name


def media_for(job: ExportJob, root: Path) -> MediaFiles:
    """The archive's captured media, extracted under ``root``/media/ as pages ask."""
    return MediaFiles(job.dest, root)
