"""``export --format site``: the access copy, static HTML a reading room can browse offline.

What the copy publishes is the blog's public face: live posts and pages. Drafts, scheduled
and trashed posts are not shown (they were never public); they are counted in the report and
on the "About this copy" page, and stay in the archive. Comments are shown threaded; removed
ones as a "removed" note in their place; comments with any other status (spam, pending) are
left out and counted too.

The archive is read one record at a time (``spool``): what pages need across posts (files,
summaries, backlinks, the lists) is kept on disk (``siteindex``), each page is written as it
is rendered, and the search index entry by entry, so memory does not grow with the archive.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections import Counter
from collections.abc import Callable, MutableMapping
from importlib import resources
from pathlib import Path
from types import CodeType
from typing import Any, Final

import jinja2
from markupsafe import Markup

from ..errors import InvalidArgument
from .common import ExportJob
from .media import MediaFiles
from .provenance import provenance
from .sanitise import Bodies
from .search import SearchIndex
from .sitefiles import PageFiles
from .siteindex import PUBLISHED, EntryHtml, SiteIndex
from .sitemacros import escape, install
from .sitepaths import PER_PAGE, SitePaths, home_page, root_of
from .sitetext import comment_view, lang_of, shown_comment, thread
from .spool import Spool, SqlSet

__all__ = ["prepare", "write"]

SHOWN_COMMENTS: Final = ("live", "removed")
STATIC: Final = ("site.css", "print.css", "search.js")
# the pages the built-in header marks as the current one (and the static pages of ``nav``)
_CURRENT: Final = ("index.html", "archive/index.html", "labels/index.html", "search.html",
                   "about.html")


class _Template(jinja2.Template):
    """A template whose output escapes through ``sitemacros.escape``: the compiled template's
    module names ``escape`` (markupsafe's, imported by the generated code); its functions
    read it from that module's namespace, replaced here once the code has run."""

    @classmethod
    def from_code(cls, environment: jinja2.Environment, code: CodeType,
                  globals: MutableMapping[str, Any],
                  uptodate: Callable[[], bool] | None = None) -> jinja2.Template:
        template = super().from_code(environment, code, globals, uptodate)
        template.root_render_func.__globals__["escape"] = escape
        return template


class _Environment(jinja2.Environment):
    """A Jinja2 environment for one export: its templates and globals never change while it
    runs, so what Jinja2 looks up again for every page is looked up once.

    - A template's globals are a plain dict (the environment's, copied when the template is
      loaded), not a ``ChainMap`` over them: each page's context takes the set of their keys,
      and each ``{% from ... import %}`` of a page compares it with the imported template's,
      and a ``ChainMap`` builds a dict of its maps for each of those (a fifth of a post
      page's rendering). Globals set on the environment after a template is loaded are not
      seen by it: nothing here sets any.
    - ``get_template`` remembers what it gave for a name (and the template asking): each page
      asks for its parent and for what it imports, and Jinja2's cache of templates is an LRU
      that takes a lock and moves the name to its end on every hit. The environment does not
      reload templates (``auto_reload=False``), so the template for a name does not change.

    The 2,875 post pages of a 20 MB export rendered again (tests/test_export_site_pages.py
    checks the bytes): 0.35 -> 0.26 CPU s.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._loaded: dict[tuple[str, str | None], jinja2.Template] = {}

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}

    def get_template(self, name: str | jinja2.Template, parent: str | None = None,
                     globals: MutableMapping[str, Any] | None = None) -> jinja2.Template:
        if globals is not None or not isinstance(name, str):
            return super().get_template(name, parent, globals)  # updates the globals
        found = self._loaded.get((name, parent))
        if found is None:
            found = self._loaded[(name, parent)] = super().get_template(name, parent)
        return found


def _environment(templates: Path | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if templates is not None:
        if not templates.is_dir():
            raise InvalidArgument(f"{templates}: --templates must be a folder of templates")
        loaders.append(jinja2.FileSystemLoader(str(templates)))
    loaders.append(jinja2.PackageLoader("blogarchive.export", "templates/site"))
    env = _Environment(loader=jinja2.ChoiceLoader(loaders), autoescape=True,
                       undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                       keep_trailing_newline=True,
                       auto_reload=False)  # one run: no stat of every template per page
    env.template_class = _Template
    return env


class _Pages:
    """Renders one page and writes it at once; counts the files."""

    def __init__(self, job: ExportJob, env: jinja2.Environment, common: dict[str, Any]) -> None:
        self._out = str(job.out)  # paths joined as text: no Path made per page
        self._env = env
        self._common = common
        self._user = job.templates
        self._folders: set[str] = set()  # made already: no mkdir per page
        self._files = PageFiles()
        self.files = 0
        # the built-in _entry.html's meta and entry_item as Python (sitemacros): a post
        # page's meta and every list entry, a fifth of their pages' rendering
        self._own_entry = _overrides(job, "_entry.html")
        if not self._own_entry:
            install(env.get_template("_entry.html").module)

    def write(self, template: str, path: str, **context: Any) -> None:
        try:
            target = os.path.join(self._out, path)
            folder = os.path.dirname(target)
            if folder not in self._folders:
                os.makedirs(folder, exist_ok=True)
                self._folders.add(folder)
            # rendered as written: a label page of 100,000 posts is never one string (the
            # environment remembers each template it loaded: _Environment)
            chunks = self._env.get_template(template).generate(
                # root: "../" steps, nothing to escape (Markup: not escaped on each use)
                **self._common, root=Markup(root_of(path)), path=path, **context)
            self._files.write(target, chunks)
        except jinja2.TemplateError as err:
            # The pages rendered before this one are on disk, as they were when each was
            # written as rendered: they show how far the export got.
            with contextlib.suppress(OSError):
                self._files.flush()
            if self._user is None:
                raise  # the built-in templates are wrong: a bug, not the user's mistake
            where = getattr(err, "filename", None) or template
            line = getattr(err, "lineno", None)
            raise InvalidArgument(f"{where}" + (f": line {line}" if line else "")
                                  + f": template error while writing {path}: {err}") from None
        self.files += 1

    def close(self) -> None:
        """Every page given is on disk (they are created a batch at a time)."""
        self._files.flush()

    def entry_html(self) -> EntryHtml | None:
        """The built-in ``_entry.html``'s ``entry_item`` (a list's entry) as a function; None
        with a ``_entry.html`` of the user's, whose lists render their entries themselves."""
        if self._own_entry:
            return None
        item = self._env.get_template("_entry.html").module.entry_item  # type: ignore[attr-defined]
        return lambda summary, root: Markup(item(summary, root))


class _Chrome:
    """``_chrome.html``'s header and footer, the same on every page but for ``root`` and
    which link is the current page: rendered once per folder depth (and per page a link
    names) and reused, not rendered again for each of thousands of pages. With a
    ``_chrome.html`` of the user's, which may show anything, each page renders its own."""

    def __init__(self, env: jinja2.Environment, common: dict[str, Any],
                 current: frozenset[str] | None) -> None:
        self._module: Any = env.get_template("_chrome.html").make_module(vars=common)
        self._current = current  # the paths a header marks as current; None: no reuse
        self._headers: dict[tuple[str, str | None], Markup] = {}
        self._footers: dict[str, Markup] = {}

    def header(self, root: str, path: str) -> Markup:
        if self._current is None:
            return Markup(self._module.header(root, path))
        key = (root, path if path in self._current else None)
        found = self._headers.get(key)
        if found is None:
            found = self._headers[key] = Markup(self._module.header(root, path))
        return found

    def footer(self, root: str) -> Markup:
        if self._current is None:
            return Markup(self._module.footer(root))
        found = self._footers.get(root)
        if found is None:
            found = self._footers[root] = Markup(self._module.footer(root))
        return found


def _overrides(job: ExportJob, pattern: str) -> bool:
    """Whether the user's ``--templates`` folder holds a template matching ``pattern``."""
    return job.templates is not None and any(job.templates.glob(pattern))


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


def prepare(spool: Spool) -> SiteIndex:
    """The archive read, and what the pages need across posts gathered as it goes by."""
    index = SiteIndex(spool)
    index.read()
    index.finish()
    return index


def write(job: ExportJob) -> None:
    spool = job.spool
    head = spool.head
    report = job.report
    index: SiteIndex = job.prepared
    paths = index.paths
    media = MediaFiles(job.dest, job.out)
    bodies = Bodies(urls=index.urls, posts=paths.posts, labels=paths.labels, media=media,
                    local_images=SqlSet(spool, "local_images"),
                    remote_images=SqlSet(spool, "remote_images"))
    facts = provenance(job.dest, head)
    nav = index.nav()
    common: dict[str, Any] = {"blog": head.blog, "lang": lang_of(head.blog.locale),
                              "nav": nav, "provenance": facts}
    env = _environment(job.templates)
    mine = _overrides(job, "_chrome.html")
    common["chrome"] = _Chrome(env, common, None if mine else frozenset(
        [*_CURRENT, *(page.path for page in nav)]))
    pages = _Pages(job, env, common)
    files = _copy_static(job)

    search = SearchIndex(job.out / "search-index.js")
    shown_comments = 0
    static_pages = 0
    try:
        for post, summary, newer, older, comments, linked in index.pages(SHOWN_COMMENTS):
            path = summary.path  # paths.posts[post.id]: the summary's is the same (visit)
            own = [shown_comment(record) for record in comments]
            shown_comments += len(own)
            static_pages += post.kind != "post"
            quotes = post.quotes
            pages.write(
                "post.html", path, page_title=summary.title, post=summary,
                body=Markup(
                    bodies.render(post.content, base=post.url or head.blog.url, page=path,
                                  quotes=quotes)),
                quotes=quotes, original=post.url,
                comments=[(step, comment_view(c, bodies, path, post.url)
                           if c is not None else None) for step, c in thread(own)],
                comment_count=len(own),
                backlinks=index.backlinks(post.id) if linked else [], newer=newer,
                older=older)
            search.add(summary, post.labels, post.text)
    finally:
        search.close()
    files += 1

    index.keep_html(pages.entry_html())
    total = max(1, -(-index.listed // PER_PAGE))
    # a template of the user's (home.html, or the base.html it extends) may index the home
    # page's entries: a list then (the built-in templates need none)
    as_list = _overrides(job, "*.html")
    for number in range(1, total + 1):
        pages.write("home.html", home_page(number), page_title=head.blog.title or "Blog",
                    entries=index.home(number, PER_PAGE, as_list=as_list), number=number,
                    total=total,
                    previous=home_page(number - 1) if number > 1 else None,
                    next=home_page(number + 1) if number < total else None)

    for label in index.label_counts:
        pages.write("list.html", paths.labels[label], page_title=f"Label: {label}",
                    heading=f"Posts labelled “{label}”", entries=index.labelled(label))
    pages.write("labels.html", "labels/index.html", page_title="Labels",
                labels=[(label, paths.labels[label], count)
                        for label, count in sorted(index.label_counts.items(),
                                                   key=lambda kv: kv[0].casefold())])
    _archive_pages(pages, index)
    pages.write("search.html", "search.html", page_title="Search")

    statuses = index.statuses
    unpublished = Counter({status: n for status, n in statuses.items() if status != PUBLISHED})
    report.posts, report.pages = index.listed, static_pages
    report.drafts, report.comments = statuses["draft"], shown_comments
    report.labels = len(index.label_counts)
    report.media_local, report.media_remote = len(bodies.local_images), len(bodies.remote_images)
    left_out = [f"{n} {status}" for status, n in sorted(unpublished.items())]
    if left_out:
        report.notes.append(f"not published in the access copy (never public): "
                            f"{', '.join(left_out)}; they stay in the archive")
    hidden = [f"{n} {status}" for status, n in sorted(spool.comment_statuses().items())
              if status not in SHOWN_COMMENTS]
    if hidden:
        report.notes.append(f"comments not shown (not public): {', '.join(hidden)}")
    if facts.unreadable_events:
        report.notes.append(f"{facts.unreadable_events} unreadable line(s) in events.jsonl: "
                            "run blogarchive validate on the archive")
    pages.write("about.html", "about.html", page_title="About this copy", archive=head,
                report=report, left_out=left_out, hidden_comments=hidden)
    pages.close()
    report.files = files + pages.files + media.extracted


def _archive_pages(pages: _Pages, index: SiteIndex) -> None:
    years = index.months()
    for year, months in years:
        for month, entries in months:
            pages.write("list.html", SitePaths.month(year, month),
                        page_title=f"{year:04d}-{month:02d}",
                        heading=f"Posts of {year:04d}-{month:02d}", entries=entries)
        pages.write("year.html", SitePaths.year(year), page_title=f"{year:04d}", year=year,
                    months=[(month, SitePaths.month(year, month), entries)
                            for month, entries in months])
    undated = index.undated()
    if undated:
        pages.write("list.html", "archive/undated.html", page_title="Undated posts",
                    heading="Posts with no date", entries=undated)
    pages.write("archive.html", "archive/index.html", page_title="Archive",
                years=[(year, SitePaths.year(year),
                        [(month, SitePaths.month(year, month), len(entries))
                         for month, entries in months])
                       for year, months in years],
                undated=len(undated))
