"""``export --format site``: the access copy, static HTML a reading room can browse offline.

What the copy publishes is the blog's public face: live posts and pages. Drafts, scheduled
and trashed posts are not shown (they were never public); they are counted in the report and
on the "About this copy" page, and stay in the archive. Comments are shown threaded; removed
ones as a "removed" note in their place; comments with any other status (spam, pending) are
left out and counted too.

Pages are rendered and written one at a time (the Archive is held, as ``load`` gives it; no
rendered HTML is), and the search index is written entry by entry as the posts go by.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Final

import jinja2
from markupsafe import Markup

from ..annotate import url_map
from ..errors import InvalidArgument
from ..model import Comment, Post
from .common import ExportJob
from .media import MediaFiles
from .provenance import provenance
from .sanitise import Bodies
from .search import SearchIndex
from .sitepaths import PER_PAGE, SitePaths, home_page, root_of
from .sitetext import Summary, comment_view, lang_of, summarise, thread

__all__ = ["write"]

PUBLISHED: Final = "live"
SHOWN_COMMENTS: Final = ("live", "removed")
STATIC: Final = ("site.css", "print.css", "search.js")


def _environment(templates: Path | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if templates is not None:
        if not templates.is_dir():
            raise InvalidArgument(f"{templates}: --templates must be a folder of templates")
        loaders.append(jinja2.FileSystemLoader(str(templates)))
    loaders.append(jinja2.PackageLoader("blogarchive.export", "templates/site"))
    return jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True,
                              lstrip_blocks=True, keep_trailing_newline=True,
                              auto_reload=False)  # one run: no stat of every template per page


class _Pages:
    """Renders one page and writes it at once; counts the files."""

    def __init__(self, job: ExportJob, env: jinja2.Environment, common: dict[str, Any]) -> None:
        self._out = job.out
        self._env = env
        self._common = common
        self._user = job.templates
        self._templates: dict[str, jinja2.Template] = {}
        self.files = 0

    def write(self, template: str, path: str, **context: Any) -> None:
        try:
            if template not in self._templates:
                self._templates[template] = self._env.get_template(template)
            html = self._templates[template].render(
                **self._common, root=root_of(path), path=path, **context)
        except jinja2.TemplateError as err:
            if self._user is None:
                raise  # the built-in templates are wrong: a bug, not the user's mistake
            where = getattr(err, "filename", None) or template
            line = getattr(err, "lineno", None)
            raise InvalidArgument(f"{where}" + (f": line {line}" if line else "")
                                  + f": template error while writing {path}: {err}") from None
        target = self._out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        self.files += 1


def _copy_static(job: ExportJob) -> int:
    folder = job.out / "static"
    folder.mkdir()
    builtin = resources.files("blogarchive.export") / "templates" / "site" / "static"
    for name in STATIC:
        mine = job.templates / "static" / name if job.templates is not None else None
        if mine is not None and mine.is_file():
            shutil.copyfile(mine, folder / name)
        else:
            (folder / name).write_bytes((builtin / name).read_bytes())
    return len(STATIC)


def _comments_by_post(comments: Sequence[Comment]) -> tuple[dict[str, list[Comment]], Counter[str]]:
    shown: dict[str, list[Comment]] = {}
    hidden: Counter[str] = Counter()
    for comment in comments:
        if comment.status not in SHOWN_COMMENTS:
            hidden[comment.status] += 1
        elif comment.post_id is not None:
            shown.setdefault(comment.post_id, []).append(comment)
    return shown, hidden


def _newest_first(posts: Sequence[Post]) -> list[Post]:
    dated = [p for p in posts if p.published is not None]
    undated = [p for p in posts if p.published is None]
    return dated[::-1] + undated


def _chunks(items: Sequence[Summary], size: int) -> Iterator[Sequence[Summary]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
    if not items:
        yield ()


def write(job: ExportJob) -> None:
    archive = job.archive
    report = job.report
    published = [p for p in archive.posts if p.status == PUBLISHED]
    posts = _newest_first([p for p in published if p.kind == "post"])
    static_pages = [p for p in published if p.kind != "post"]
    label_posts: dict[str, list[Post]] = {}
    for post in posts:
        for label in dict.fromkeys(post.labels):
            label_posts.setdefault(label, []).append(post)
    paths = SitePaths(published, sorted(label_posts))
    media = MediaFiles(job.dest, job.out)
    bodies = Bodies(urls=url_map(archive), posts=paths.posts, labels=paths.labels, media=media)
    facts = provenance(job.dest, archive)
    summaries = {p.id: summarise(archive, p, paths) for p in published}
    nav = [summaries[p.id] for p in static_pages]
    common = {"blog": archive.blog, "lang": lang_of(archive.blog.locale), "nav": nav,
              "provenance": facts}
    pages = _Pages(job, _environment(job.templates), common)
    files = _copy_static(job)

    comments, hidden_comments = _comments_by_post(archive.comments)
    search = SearchIndex(job.out / "search-index.js")
    shown_comments = 0
    try:
        for index, post in enumerate(posts + static_pages):
            path = paths.posts[post.id]
            own = comments.get(post.id, [])
            shown_comments += len(own)
            newer = posts[index - 1] if post.kind == "post" and 0 < index < len(posts) else None
            older = posts[index + 1] if post.kind == "post" and index + 1 < len(posts) else None
            quotes = post.analysis.quotes if post.analysis else ()
            pages.write(
                "post.html", path, page_title=summaries[post.id].title, post=summaries[post.id],
                body=Markup(
                    bodies.render(post.content, base=post.url or archive.blog.url, page=path,
                                  quotes=quotes)),
                quotes=quotes, original=post.url,
                comments=[(step, comment_view(archive, c, bodies, path, post)
                           if c is not None else None) for step, c in thread(own)],
                comment_count=len(own),
                backlinks=[summaries[p.id] for p in archive.backlinks(post.id)
                           if p.id in summaries and p.id != post.id],
                newer=summaries[newer.id] if newer else None,
                older=summaries[older.id] if older else None)
            search.add(summaries[post.id], post)
    finally:
        search.close()
    files += 1

    listed = [summaries[p.id] for p in posts]
    chunks = list(_chunks(listed, PER_PAGE))
    for number, chunk in enumerate(chunks, 1):
        pages.write("home.html", home_page(number), page_title=archive.blog.title or "Blog",
                    entries=chunk, number=number, total=len(chunks),
                    previous=home_page(number - 1) if number > 1 else None,
                    next=home_page(number + 1) if number < len(chunks) else None)

    for label, tagged in label_posts.items():
        pages.write("list.html", paths.labels[label], page_title=f"Label: {label}",
                    heading=f"Posts labelled “{label}”",
                    entries=[summaries[p.id] for p in tagged])
    pages.write("labels.html", "labels/index.html", page_title="Labels",
                labels=[(label, paths.labels[label], len(tagged))
                        for label, tagged in sorted(label_posts.items(),
                                                    key=lambda kv: kv[0].casefold())])
    _archive_pages(pages, listed)
    pages.write("search.html", "search.html", page_title="Search")

    drafts = sum(1 for p in archive.posts if p.status == "draft")
    unpublished = Counter(p.status for p in archive.posts if p.status != PUBLISHED)
    report.posts, report.pages = len(posts), len(static_pages)
    report.drafts, report.comments = drafts, shown_comments
    report.labels = len(label_posts)
    report.media_local, report.media_remote = len(bodies.local_images), len(bodies.remote_images)
    left_out = [f"{n} {status}" for status, n in sorted(unpublished.items())]
    if left_out:
        report.notes.append(f"not published in the access copy (never public): "
                            f"{', '.join(left_out)}; they stay in the archive")
    hidden = [f"{n} {status}" for status, n in sorted(hidden_comments.items())]
    if hidden:
        report.notes.append(f"comments not shown (not public): {', '.join(hidden)}")
    if facts.unreadable_events:
        report.notes.append(f"{facts.unreadable_events} unreadable line(s) in events.jsonl: "
                            "run blogarchive validate on the archive")
    pages.write("about.html", "about.html", page_title="About this copy", archive=archive,
                report=report, left_out=left_out, hidden_comments=hidden)
    report.files = files + pages.files + media.extracted


def _archive_pages(pages: _Pages, listed: Sequence[Summary]) -> None:
    years: dict[int, dict[int, list[Summary]]] = {}
    undated: list[Summary] = []
    for entry in listed:
        if entry.year is None or entry.month is None:
            undated.append(entry)
        else:
            years.setdefault(entry.year, {}).setdefault(entry.month, []).append(entry)
    for year, months in years.items():
        for month, entries in months.items():
            pages.write("list.html", SitePaths.month(year, month),
                        page_title=f"{year:04d}-{month:02d}",
                        heading=f"Posts of {year:04d}-{month:02d}", entries=entries)
        pages.write("year.html", SitePaths.year(year), page_title=f"{year:04d}", year=year,
                    months=[(month, SitePaths.month(year, month), entries)
                            for month, entries in months.items()])
    if undated:
        pages.write("list.html", "archive/undated.html", page_title="Undated posts",
                    heading="Posts with no date", entries=undated)
    pages.write("archive.html", "archive/index.html", page_title="Archive",
                years=[(year, SitePaths.year(year),
                        [(month, SitePaths.month(year, month), len(entries))
                         for month, entries in months.items()])
                       for year, months in years.items()],
                undated=len(undated))
