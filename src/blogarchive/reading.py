"""The reading half of the public API: ``read``, ``read_all`` and the streaming ``iter_records``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator

import attrs

from .annotate import analyse_archive
from .assemble import Assembler
from .errors import BlogarchiveError, SourceError, UnsupportedFormat
from .limits import DEFAULT_LIMITS, Limits
from .model import Archive, Blog, Comment, Post, Skipped
from .readers import Salvage, SourceRead
from .sources import Input, RawFile, Source, expand

__all__ = ["ReadReport", "Salvage", "iter_records", "read", "read_all", "read_groups"]


@attrs.define
class ReadReport:
    """What went wrong while reading several sources, for callers that carry on regardless.

    ``failed``: inputs that could not be read (nothing of them is in any archive).
    ``ignored``: files inside a folder or zip that are not Blogger documents (counted, skipped).
    ``recovered``: damaged documents read with ``recover=True``: their complete entries are
    in the archive, the rest is lost, and each ``Salvage`` says exactly what.
    """

    failed: list[SourceError] = attrs.Factory(list)
    ignored: list[SourceError] = attrs.Factory(list)
    recovered: list[Salvage] = attrs.Factory(list)

    @property
    def ok(self) -> bool:
        """Every input read whole (nothing failed, nothing only partly recovered)."""
        return not self.failed and not self.recovered


def _sources(source: Source | Iterable[Source]) -> list[Source]:
    if isinstance(source, (str, bytes)) or hasattr(source, "read") or hasattr(
        source, "__fspath__"
    ):
        return [source]  # type: ignore[list-item]
    return list(source)


def read_all(
    source: Source | Iterable[Source],
    *,
    blog_url: str | None = None,
    report: ReadReport | None = None,
    progress: Callable[[int], None] | None = None,
    analyse: bool = True,
    previous: Iterable[Archive] = (),
    limits: Limits = DEFAULT_LIMITS,
    recover: bool = False,
) -> list[Archive]:
    """Read every Blogger document in ``source`` (one or several), one Archive per blog.

    Documents of the same blog (several pages of one feed, Takeout's Blogs and Comments
    feeds) merge into one archive. Without ``report`` the first unreadable input raises its
    SourceError; with one, failures are collected there and the rest is still read.
    ``blog_url`` supplies the host for Takeout permalinks when settings.csv lacks it.
    ``analyse=False`` leaves every post's ``analysis`` null (quotes, link lists, links and
    media are then not extracted; see ``blogarchive.analysis``). ``previous`` archives (from
    earlier conversions) contribute, to the blog with the same id, the posts and comments
    the new sources no longer hold, marked ``retained``.

    ``limits`` bound what one document may cost (see ``blogarchive.limits``); a document
    beyond them raises (or, with ``report``, records) LimitExceeded. ``recover=True`` keeps
    the complete entries of a damaged (e.g. truncated) document instead of failing it: the
    loss is noted in the archive and listed in ``report.recovered``.
    """
    return [archive for archive, _ in read_groups(
        source, blog_url=blog_url, report=report, progress=progress, analyse=analyse,
        previous=previous, limits=limits, recover=recover,
    )]


def read_groups(
    source: Source | Iterable[Source],
    *,
    blog_url: str | None = None,
    report: ReadReport | None = None,
    progress: Callable[[int], None] | None = None,
    analyse: bool = True,
    previous: Iterable[Archive] = (),
    limits: Limits = DEFAULT_LIMITS,
    recover: bool = False,
) -> list[tuple[Archive, list[RawFile]]]:
    """``read_all``, with each archive's original files (for a preserved archive)."""
    groups: dict[str, Assembler] = {}
    raws: dict[str, dict[str, RawFile]] = {}
    notes: list[str] = []
    for one in _sources(source):
        try:
            inputs = expand(one)
        except SourceError as err:
            if report is None:
                raise
            report.failed.append(err)
            continue
        pages: list[tuple[str, Input, SourceRead, list[Post | Comment | Skipped]]] = []
        for item in inputs:
            read = None
            try:
                read = SourceRead(item, blog_url=blog_url, progress=progress, limits=limits,
                                  recover=recover)
                records = list(read)
            except UnsupportedFormat as err:
                if len(inputs) > 1:  # a stray file in a folder or zip: counted, not fatal
                    if report is not None:
                        report.ignored.append(err)
                    notes.append(f"not read: {err}")
                    continue
                if report is None:
                    raise
                report.failed.append(err)
                continue
            except SourceError as err:
                if len(inputs) > 1 and read is not None and read.is_page:
                    # One broken page of a mirror or WARC: counted, the rest is read.
                    if report is not None:
                        report.ignored.append(err)
                    notes.append(f"not read: {err}")
                    continue
                if report is None:
                    raise
                report.failed.append(err)
                continue
            assert read.blog is not None
            if read.salvage is not None:
                if report is not None:
                    report.recovered.append(read.salvage)
                read.notes.append(str(read.salvage))
            key = _group_key(read.blog, item)
            if read.is_page and len(inputs) > 1:
                pages.append((key, item, read, records))
                continue
            _add(groups, raws, key, item, read, records)
        for key, item, read, records in _one_blog(pages, report, notes):
            _add(groups, raws, key, item, read, records)
    earlier = {a.blog.id: a for a in previous if a.blog.id}
    out = []
    for key, group in sorted(groups.items()):
        if key in earlier:
            group.keep_previous(earlier[key])
        archive = group.archive(notes)
        out.append((analyse_archive(archive) if analyse else archive,
                    list(raws.get(key, {}).values())))
    return out


def _add(groups: dict[str, Assembler], raws: dict[str, dict[str, RawFile]], key: str,
         item: Input, read: SourceRead, records: list[Post | Comment | Skipped]) -> None:
    assert read.blog is not None
    group = groups.setdefault(key, Assembler())
    group.add_all(records)
    group.blogs.append(read.blog)
    group.sources.extend(read.infos)
    group.notes.extend(read.notes)
    group.notes.extend(item.notes)
    for raw in item.raw:
        raws.setdefault(key, {}).setdefault(raw.name, raw)


def _one_blog(
    pages: list[tuple[str, Input, SourceRead, list[Post | Comment | Skipped]]],
    report: ReadReport | None,
    notes: list[str],
) -> list[tuple[str, Input, SourceRead, list[Post | Comment | Skipped]]]:
    """A mirror or WARC is one blog's pages: pages of other sites in it are counted, not read."""
    keys = Counter(key for key, *_ in pages)
    if len(keys) <= 1:
        return pages
    main = keys.most_common(1)[0][0]
    kept = []
    for page in pages:
        key, item, read, _ = page
        if key == main:
            kept.append(page)
            continue
        blog = read.blog
        assert blog is not None
        err = UnsupportedFormat(item.name, f"a page of another blog ({blog.title or '?'}, "
                                           f"id {blog.id or '?'}): not part of this mirror")
        if report is not None:
            report.ignored.append(err)
        notes.append(f"not read: {err}")
    return kept


def _group_key(blog: Blog, item: Input) -> str:
    return blog.id if blog.id else f"~{item.name}"


def read(
    source: Source | Iterable[Source],
    *,
    blog_url: str | None = None,
    progress: Callable[[int], None] | None = None,
    analyse: bool = True,
    limits: Limits = DEFAULT_LIMITS,
    recover: bool = False,
) -> Archive:
    """Read one blog from a path, bytes or binary file object (or several of one blog).

    Raises SourceError (ParseError, UnsafeInput, UnsupportedFormat) for input it cannot
    read, and BlogarchiveError when the source holds several blogs (use ``read_all``).
    ``limits`` and ``recover`` are as in ``read_all`` (a recovery is in ``archive.notes``).
    """
    archives = read_all(source, blog_url=blog_url, progress=progress, analyse=analyse,
                        limits=limits, recover=recover)
    if len(archives) != 1:
        names = ", ".join(a.blog.title or a.blog.id or "?" for a in archives) or "none"
        raise BlogarchiveError(
            f"expected one blog, found {len(archives)} ({names}); use read_all() for several"
        )
    return archives[0]


def iter_records(
    source: Source, *, blog_url: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> Iterator[Post | Comment | Skipped | Blog]:
    """Stream records one by one without building an Archive (for exports too large to hold).

    For each document: its posts, comments and skipped entries in source order, then its
    Blog. Records are as the reader made them: not deduplicated, and comments not yet
    resolved (``post_kind`` and ``orphan`` are only set by ``read``), and posts carry no
    ``analysis`` (it needs every permalink; ``read`` does it). A damaged document raises
    ParseError after its last complete record; ``limits`` as in ``read_all``.
    """
    for item in expand(source):
        read = SourceRead(item, blog_url=blog_url, limits=limits)
        yield from read
        assert read.blog is not None
        yield read.blog
