"""``info`` without an Archive: what it prints, counted from a stream of records.

``read`` must hold every record (to deduplicate, resolve comments and order them), which
for a 1 GB export is gigabytes. ``info`` only needs counts, so ``survey`` keeps, per post
and comment, the few fields the counts depend on (status, kind, dates, labels, ids) and
never a body: one pass for them, then a second pass over the same files that analyses each
kept post's body as it streams by, against the URL map the first pass built.

The rules are the assembler's (the copy updated last wins a duplicate id; a comment is an
orphan when its post is absent; the same notes), so the output is the same as from
``read``; tests compare the two. Pages (HTML, WARC) are merged copy by copy with rules
that need whole posts, so a survey is not offered for them (``survey`` returns None).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from .analysis import analyse
from .annotate import urls_of
from .assemble import (
    KNOWN_COMMENT_STATUS,
    KNOWN_POST_STATUS,
    merge_blogs,
    resolution_notes,
    sort_time,
)
from .describe import Summary, date_range, top_labels
from .errors import SourceError
from .limits import DEFAULT_LIMITS, Limits
from .model import Blog, Comment, Post, Skipped, SourceInfo
from .progress import Progress, counter
from .readers import SourceRead
from .reading import ReadReport, check_blog_url, expand_all, keep_reading, readings
from .sources import Input, Source, head, sniff
from .stats import Counts

__all__ = ["Census", "survey"]

Where = tuple[str, int] | None
"""A record's place: its source's name and entry number (the assembler's order key)."""


class _Post(NamedTuple):
    kind: str
    status: str
    updated: tuple[int, float]
    published: datetime | None
    untitled: bool
    labels: tuple[str, ...]
    url: str | None
    path: str | None
    where: Where


class _Comment(NamedTuple):
    post_id: str | None
    parent_id: str | None
    status: str
    updated: tuple[int, float]
    where: Where


def _where(record: Post | Comment) -> Where:
    return (record.origin.source, record.origin.entry) if record.origin is not None else None


class Census:
    """One blog's records, kept as the few fields ``info`` counts (no bodies)."""

    def __init__(self) -> None:
        self.posts: dict[str, _Post] = {}
        self.comments: dict[str, _Comment] = {}
        self.skipped: list[Skipped] = []
        self.duplicates = Counter[str]()
        self.blogs: list[Blog] = []
        self.sources: list[SourceInfo] = []
        self.notes: list[str] = []
        self.inputs: list[Input] = []

    @classmethod
    def of(cls, records: Iterable[Post | Comment | Skipped]) -> Census:
        census = cls()
        for record in records:
            if isinstance(record, Post):
                census._take(census.posts, "post", record.id, _Post(
                    record.kind, record.status, sort_time(record.updated), record.published,
                    not record.title.strip(), tuple(dict.fromkeys(record.labels)), record.url,
                    record.path, _where(record)))
            elif isinstance(record, Comment):
                census._take(census.comments, "comment", record.id, _Comment(
                    record.post_id, record.parent_id, record.status,
                    sort_time(record.updated), _where(record)))
            else:
                census.skipped.append(record)
        return census

    def _take(self, table: dict[str, _Post] | dict[str, _Comment], kind: str, ident: str,
              seen: _Post | _Comment) -> None:
        """The assembler's rule: a second copy counts as a duplicate; the later one wins."""
        earlier = table.get(ident)
        if earlier is not None:
            self.duplicates[kind] += 1
            if not seen.updated > earlier.updated:
                return
        table[ident] = seen  # type: ignore[assignment]

    def merge(self, other: Census) -> None:
        for ident, post in other.posts.items():
            self._take(self.posts, "post", ident, post)
        for ident, comment in other.comments.items():
            self._take(self.comments, "comment", ident, comment)
        self.duplicates.update(other.duplicates)
        self.skipped.extend(other.skipped)

    def summary(self, extra_notes: Iterable[str], analysed: Counts | None) -> Summary:
        """What ``info`` prints, as ``summarise(read(...))`` would give it."""
        found = analysed or Counts()
        for post in self.posts.values():
            found.post(post.kind, post.status)
        kinds = {ident: post.kind for ident, post in self.posts.items()}
        orphans = early = missing = 0
        for comment in self.comments.values():
            kind = kinds.get(comment.post_id) if comment.post_id is not None else None
            orphans += kind is None
            if kind is not None and comment.post_id is not None:
                early += _before(comment.where, self.posts[comment.post_id].where)
            missing += bool(comment.parent_id) and comment.parent_id not in self.comments
            found.comment(reply=bool(comment.parent_id), orphan=kind is None,
                          removed=comment.status == "removed", on_page=kind == "page")
        used = Counter(name for post in self.posts.values() for name in post.labels)
        urls = {post.url for post in self.posts.values() if post.url}
        covered = [s for s in self.skipped if s.url and s.url in urls]
        skipped = tuple(s for s in self.skipped if s not in covered)
        found.labels, found.skipped = len(used), len(skipped)
        odd = Counter(p.status for p in self.posts.values() if p.status not in KNOWN_POST_STATUS)
        odd.update(c.status for c in self.comments.values()
                   if c.status not in KNOWN_COMMENT_STATUS)
        notes = self.notes + resolution_notes(
            orphans=orphans, early=early, missing_parents=missing, duplicates=self.duplicates,
            odd=odd, covered=len(covered)) + list(extra_notes)
        return Summary(
            blog=merge_blogs(self.blogs) if self.blogs else Blog(id=None),
            sources=tuple(self.sources), counts=found.as_dict(),
            published=date_range(p.published for p in self.posts.values()),
            top_labels=top_labels(used.items()),
            untitled=sum(p.untitled for p in self.posts.values()),
            notes=tuple(dict.fromkeys(notes)), skipped=skipped, posts=len(self.posts),
        )

    def analyse(self, blog_url: str | None, progress: Progress | None,
                limits: Limits = DEFAULT_LIMITS) -> Counts:
        """Read this blog's inputs again, analysing each kept post's body as it goes by."""
        home = merge_blogs(self.blogs).url if self.blogs else None
        urls = urls_of(((i, p.url, p.path) for i, p in self.posts.items()), home)
        found = Counts()
        done: set[str] = set()
        advance = counter(progress, "analysing", len(self.posts))
        for item in self.inputs:
            for record in SourceRead(item, blog_url=blog_url, limits=limits):
                if not isinstance(record, Post) or record.id in done:
                    continue
                kept = self.posts.get(record.id)
                if kept is None or (kept.where is not None and kept.where != _where(record)):
                    continue
                done.add(record.id)
                found.analysis(analyse(record.content, record.url or home, urls,
                                       content_type=record.content_type))
                advance(1)
        return found


def _before(comment: Where, post: Where) -> bool:
    return bool(comment and post and comment[0] == post[0] and comment[1] < post[1])


def _is_page(item: Input) -> bool:
    if item.capture:  # from a WARC
        return True
    try:
        return sniff(head(item.opener), item.name) == "html"
    except (SourceError, OSError):  # reported when it is read
        return False


def survey(
    sources: Source | Iterable[Source],
    *,
    blog_url: str | None = None,
    report: ReadReport | None = None,
    progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> list[Summary] | None:
    """What ``info`` prints of each blog in ``sources``, read in two streaming passes.

    None when a source holds HTML pages (their copies merge by rules that need whole posts:
    use ``summarise(read_all(...))``). Errors are handled as ``read_all`` handles them.
    """
    blog_url = check_blog_url(blog_url)
    expanded = expand_all(sources, report)
    if any(_is_page(item) for inputs in expanded for item in inputs):
        return None
    groups: dict[str, Census] = {}
    notes: list[str] = []
    for key, item, read, census in readings(expanded, collect=Census.of, blog_url=blog_url,
                                            report=report, notes=notes, progress=progress,
                                            limits=limits):
        group = groups.setdefault(key, Census())
        group.merge(census)
        keep_reading(group, item, read)
        group.inputs.append(item)
    return [group.summary(notes, group.analyse(blog_url, progress, limits))
            for _, group in sorted(groups.items())]
