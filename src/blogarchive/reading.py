"""The reading half of the public API: ``read``, ``read_all`` and the streaming ``iter_records``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Protocol, TypeVar
from urllib.parse import urlsplit

import attrs

from ._packed import Compact, pack_fields, packed_list
from ._words import counted
from .annotate import analyse_archive
from .assemble import Assembler
from .crawls import one_blog
from .errors import BlogarchiveError, InvalidArgument, SourceError, UnsupportedFormat
from .limits import DEFAULT_LIMITS, Limits
from .model import Archive, Blog, Comment, Post, Skipped, SourceInfo
from .progress import Progress, counter
from .readers import Salvage, SourceRead
from .sources import Input, RawFile, Source, expand

__all__ = [
    "BLOG_URL_FORM",
    "Group",
    "ReadReport",
    "Salvage",
    "check_blog_url",
    "expand_all",
    "iter_records",
    "keep_reading",
    "read",
    "read_all",
    "read_groups",
    "readings",
]

BLOG_URL_FORM = "https://NAME.blogspot.com/ (or the blog's own domain, https://example.com/)"


@attrs.define
class ReadReport:
    """What went wrong while reading several sources, for callers that carry on regardless.

    ``failed``: inputs that could not be read (nothing of them is in any archive).
    ``ignored``: files inside a folder or zip that are not Blogger documents (counted, skipped).
    ``warnings``: what was read but is incomplete in a way the user can fix (e.g. Takeout
    posts without permalinks: give ``blog_url``).
    ``recovered``: damaged documents read with ``recover=True``: their complete entries are
    in the archive, the rest is lost, and each ``Salvage`` says exactly what.
    """

    failed: list[SourceError] = attrs.Factory(list)
    ignored: list[SourceError] = attrs.Factory(list)
    warnings: list[str] = attrs.Factory(list)
    """Things read whose result the user should act on (also noted in the archive)."""
    recovered: list[Salvage] = attrs.Factory(list)

    @property
    def ok(self) -> bool:
        """Every input read whole (nothing failed, nothing only partly recovered)."""
        return not self.failed and not self.recovered


def check_blog_url(url: str | None) -> str | None:
    """``url`` as a blog's home URL (``https://host/``), or InvalidArgument saying the form.

    Takeout permalinks are this URL plus each post's path, so anything but an http(s) URL
    naming a host and nothing after it would make every permalink wrong.
    """
    if url is None:
        return None
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        host, parts = "", urlsplit("")
    if (parts.scheme.lower() not in ("http", "https") or "." not in host
            or any(c.isspace() for c in url.strip()) or parts.path not in ("", "/")
            or parts.query or parts.fragment):
        raise InvalidArgument(f"blog URL {url!r} is not a blog's home URL; expected the form "
                              f"{BLOG_URL_FORM}")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}/"


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
    progress: Progress | None = None,
    analyse: bool = True,
    previous: Iterable[Archive] = (),
    limits: Limits = DEFAULT_LIMITS,
    recover: bool = False,
    compact: bool = True,
) -> list[Archive]:
    """Read every Blogger document in ``source`` (one or several), one Archive per blog.

    Documents of the same blog (several pages of one feed, Takeout's Blogs and Comments
    feeds) merge into one archive. Without ``report`` the first unreadable input raises its
    SourceError; with one, failures are collected there and the rest is still read.
    ``blog_url`` supplies the host for Takeout permalinks when settings.csv lacks it.
    ``analyse=False`` leaves every post's ``analysis`` null (quotes, link lists, links and
    media are then not extracted; see ``blogarchive.analysis``). ``previous`` archives (from
    earlier conversions) contribute, to the blog with the same id, the posts and comments
    the new sources no longer hold, marked ``retained``. ``progress`` is called as
    ``progress(phase, done, total)`` while reading (bytes) and analysing (posts); see
    ``blogarchive.progress``.

    ``limits`` bound what one document may cost (see ``blogarchive.limits``); a document
    beyond them raises (or, with ``report``, records) LimitExceeded. ``recover=True`` keeps
    the complete entries of a damaged (e.g. truncated) document instead of failing it: the
    loss is noted in the archive and listed in ``report.recovered``.

    ``compact=True`` holds each long body (``content``) and analysed text
    (``analysis.text``) zlib-compressed in memory, and each link or image met in several
    bodies once: the fields read the same (each read of a compressed field decompresses
    it), and the archive takes about half the memory (1.4 times the file's size rather than
    2.5) for about a fifth more CPU. ``compact=False`` holds plain strings.
    """
    return [archive for archive, _ in read_groups(
        source, blog_url=blog_url, report=report, progress=progress, analyse=analyse,
        previous=previous, limits=limits, recover=recover, compact=compact,
    )]


def read_groups(
    source: Source | Iterable[Source],
    *,
    blog_url: str | None = None,
    report: ReadReport | None = None,
    progress: Progress | None = None,
    analyse: bool = True,
    previous: Iterable[Archive] = (),
    limits: Limits = DEFAULT_LIMITS,
    recover: bool = False,
    jobs: int = 1,
    compact: bool = True,
) -> list[tuple[Archive, list[RawFile]]]:
    """``read_all``, with each archive's original files (for a preserved archive); the
    body analysis in ``jobs`` processes (``workers``)."""
    groups: dict[str, Assembler] = {}
    raws: dict[str, dict[str, RawFile]] = {}
    notes: list[str] = []
    blog_url = check_blog_url(blog_url)
    # Bodies are held packed (``_packed``) as they are read. Packing the posts' only once
    # analysed would save unpacking each for the analysis (2 to 5% of the CPU), but the memory
    # their strings held until then stays the process's: 180 MiB at the peak for the
    # 100 MB export against 149 (docs/performance.md).
    collect: Callable[[Iterable[Record]], list[Record]] = packed_list if compact else list
    for key, item, read, records in readings(
        expand_all(source, report), collect=collect, blog_url=blog_url, report=report,
        notes=notes, progress=progress, limits=limits, recover=recover,
    ):
        _add(groups, raws, key, item, read, records)
        # Neither the list nor, below, the assembler once it has made its archive is kept
        # while the posts are analysed: they hold the records the archive has replaced (each
        # comment is made again, resolved): 7 MiB for the 100 MB export.
        del records
    earlier = {a.blog.id: a for a in previous if a.blog.id}
    out = []
    for key in sorted(groups):
        group = groups.pop(key)
        if key in earlier:
            group.keep_previous(earlier[key])
        archive = group.archive(notes)
        del group
        if analyse:
            archive = analyse_archive(archive, progress=progress, jobs=jobs,
                                      keep=Compact() if compact else None)
        elif compact:  # the copies of a page merged anew (rare) hold their body as a string
            for post in archive.posts:  # (``Compact`` packs them with the analysis)
                pack_fields(post)
        out.append((archive,
                    list(raws.get(key, {}).values())))
    return out


Record = Post | Comment | Skipped
T = TypeVar("T")


def expand_all(sources: Source | Iterable[Source],
               report: ReadReport | None) -> list[list[Input]]:
    """Every source's inputs, before any is read (so the bytes to read are known)."""
    expanded: list[list[Input]] = []
    for one in _sources(sources):
        try:
            expanded.append(expand(one))
        except SourceError as err:
            if report is None:
                raise
            report.failed.append(err)
    return expanded


def readings(
    expanded: list[list[Input]],
    *,
    collect: Callable[[Iterable[Record]], T],
    blog_url: str | None,
    report: ReadReport | None,
    notes: list[str],
    progress: Progress | None,
    limits: Limits = DEFAULT_LIMITS,
    recover: bool = False,
) -> Iterator[tuple[str, Input, SourceRead, T]]:
    """Each input read that belongs in an archive: its blog's key, the input, its reading
    (blog, infos, notes) and what ``collect`` made of its records (a list for ``read``,
    counts for ``info``). Failures go to ``report`` (or raise without one), stray files and
    broken pages of a folder are counted in ``report.ignored`` and ``notes``."""
    advance = counter(progress, "reading",
                      sum(item.size or 0 for inputs in expanded for item in inputs) or None)
    for inputs in expanded:
        pages: list[tuple[str, Input, SourceRead, T]] = []
        for item in inputs:
            read = None
            try:
                read = SourceRead(item, blog_url=blog_url, progress=advance, limits=limits,
                                  recover=recover)
                watched = _Unlinked(read)
                collected = collect(watched)
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
            unlinked = watched.warning(read)
            if unlinked:
                read.notes.append(unlinked)
                if report is not None:
                    report.warnings.append(unlinked)
            if read.salvage is not None:
                if report is not None:
                    report.recovered.append(read.salvage)
                read.notes.append(str(read.salvage))
            key = _group_key(read.blog, item)
            if read.is_page and len(inputs) > 1:
                pages.append((key, item, read, collected))
                continue
            yield key, item, read, collected
        yield from one_blog(pages, report, notes)


class Group(Protocol):
    """One blog's collection of readings (an Assembler, or info's census)."""

    blogs: list[Blog]
    sources: list[SourceInfo]
    notes: list[str]


def keep_reading(group: Group, item: Input, read: SourceRead) -> None:
    """What a blog's group keeps of each reading besides its records."""
    assert read.blog is not None
    group.blogs.append(read.blog)
    group.sources.extend(read.infos)
    group.notes.extend(read.notes)
    group.notes.extend(item.notes)


def _add(groups: dict[str, Assembler], raws: dict[str, dict[str, RawFile]], key: str,
         item: Input, read: SourceRead, records: list[Post | Comment | Skipped]) -> None:
    group = groups.setdefault(key, Assembler())
    group.add_all(records)
    keep_reading(group, item, read)
    for raw in item.raw:
        raws.setdefault(key, {}).setdefault(raw.name, raw)


class _Unlinked:
    """The records of one reading, passed on while counting Takeout posts that have a path
    but no permalink (settings.csv, or ``blog_url``, gives the host)."""

    def __init__(self, records: Iterable[Record]) -> None:
        self._records = records
        self.count = 0

    def __iter__(self) -> Iterator[Record]:
        for record in self._records:
            if isinstance(record, Post) and record.path and not record.url:
                self.count += 1
            yield record

    def warning(self, read: SourceRead) -> str | None:
        """Say so, and how to give the address, rather than leave permalinks empty."""
        if not self.count or read.info is None or read.info.format != "takeout":
            return None
        return (f"{read.info.name}: {counted(self.count, 'post')} without a permalink: the "
                "Takeout does not give the blog's address (no settings.csv, or it names none); "
                f"give it with --blog-url {BLOG_URL_FORM.split(' ')[0]} (blog_url= in the "
                "library)")


def _group_key(blog: Blog, item: Input) -> str:
    return blog.id if blog.id else f"~{item.name}"


def read(
    source: Source | Iterable[Source],
    *,
    blog_url: str | None = None,
    progress: Progress | None = None,
    analyse: bool = True,
    limits: Limits = DEFAULT_LIMITS,
    recover: bool = False,
    compact: bool = True,
) -> Archive:
    """Read one blog from a path, bytes or binary file object (or several of one blog).

    Raises SourceError (ParseError, UnsafeInput, UnsupportedFormat) for input it cannot
    read, BlogarchiveError when the source holds several blogs (use ``read_all``), and
    InvalidArgument for a ``blog_url`` that is not a blog's home URL (``BLOG_URL_FORM``).
    ``progress(phase, done, total)`` follows reading and analysing (``blogarchive.progress``).
    ``limits``, ``recover`` and ``compact`` are as in ``read_all`` (a recovery is in
    ``archive.notes``; ``compact=False``: bodies held as plain strings, faster, twice the
    memory).
    """
    archives = read_all(source, blog_url=blog_url, progress=progress, analyse=analyse,
                        limits=limits, recover=recover, compact=compact)
    if len(archives) != 1:
        names = ", ".join(a.blog.title or a.blog.id or "?" for a in archives) or "none"
        raise BlogarchiveError(
            f"expected one blog, found {len(archives)} ({names}); use read_all() for several"
        )
    return archives[0]


def iter_records(
    source: Source, *, blog_url: str | None = None, progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Iterator[Post | Comment | Skipped | Blog]:
    """Stream records one by one without building an Archive (for exports too large to hold).

    For each document: its posts, comments and skipped entries in source order, then its
    Blog. Records are as the reader made them: not deduplicated, and comments not yet
    resolved (``post_kind`` and ``orphan`` are only set by ``read``), and posts carry no
    ``analysis`` (it needs every permalink; ``read`` does it). ``progress("reading", bytes,
    total)`` follows the reading (``blogarchive.progress``). A damaged document raises
    ParseError after its last complete record; ``limits`` as in ``read_all``.
    """
    blog_url = check_blog_url(blog_url)
    inputs = expand(source)
    advance = counter(progress, "reading", sum(item.size or 0 for item in inputs) or None)
    for item in inputs:
        read = SourceRead(item, blog_url=blog_url, progress=advance, limits=limits)
        yield from read
        assert read.blog is not None
        yield read.blog
