"""Records from one blog's sources -> an Archive: merge, dedupe, resolve, index, order.

- The same post or comment read twice (pages of one feed, Takeout's Blogs and Comments feeds)
  becomes one record: the copy updated last wins; identical copies are simply merged.
- Comments are resolved to their post or page by number (legacy comments on pages say
  `.post-<pageId>`); a comment whose post is absent is kept and marked `orphan`.
- Posts are ordered by publication time, then id; comments likewise. The order is documented
  in docs/archive-format.md and is part of the byte-identical-output promise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Final

import attrs

from ._packed import replace
from ._words import counted
from .model import Archive, Blog, Comment, FieldSources, Label, Post, Skipped, SourceInfo

__all__ = ["KNOWN_COMMENT_STATUS", "KNOWN_POST_STATUS", "Assembler", "id_key", "label_index",
           "merge_blogs", "merged_copy", "resolution_notes", "sort_time"]

KNOWN_POST_STATUS: Final = frozenset({"live", "draft", "scheduled", "soft-trashed"})
KNOWN_COMMENT_STATUS: Final = frozenset({"live", "removed", "draft", "soft-trashed"})


def sort_time(value: datetime | None) -> tuple[int, float]:
    if value is None:
        return (1, 0.0)
    if value.tzinfo is None:  # a naive page time: ordered as if UTC (never shown so)
        value = value.replace(tzinfo=timezone.utc)
    return (0, value.timestamp())


def id_key(value: str) -> tuple[int, int, str]:
    # Numeric ids by number, as Blogger's are; by length first, so that no id is ever given
    # to int(), which refuses 4,300 digits and more (and "²", which isdigit() admits).
    if value.isascii() and value.isdigit():
        return (0, len(value.lstrip("0")), value.lstrip("0"))
    return (1, 0, value)


def _newer(a: Post | Comment, b: Post | Comment) -> bool:
    """Is ``b`` a later copy than ``a``?"""
    return sort_time(b.updated) > sort_time(a.updated)


_PAGE_RANK: Final = {"item": 0, "static": 0, "index": 1, "mobile-index": 2}


def _from_pages(a: Post, b: Post) -> bool:
    return any(p.origin is not None and p.origin.format == "html" for p in (a, b))


def _page_rank(post: Post) -> tuple[int, int, int]:
    """Lower is better: a whole body, from an item page, the longest."""
    kind = post.origin.page_kind if post.origin is not None else None
    feed = 0 if post.origin is None or post.origin.format != "html" else 1
    return (int(post.content_partial), _PAGE_RANK.get(kind or "", 1) + feed,
            -len(post.content))


def _page_merge(a: Post, b: Post) -> Post:
    """One post seen on several pages: the best copy (the item page's full body, never a
    snippet over a whole body), with what only the other copy states filled in."""
    best, other = (a, b) if _page_rank(a) <= _page_rank(b) else (b, a)
    fill = {}
    for name in ("published", "author", "labels", "comment_count", "title", "url", "path"):
        if getattr(best, name) in (None, "", ()) and getattr(other, name) not in (None, "", ()):
            fill[name] = getattr(other, name)
    if "published" in fill:  # with the rule that read it
        fill.update(published_source=other.published_source,
                    published_precision=other.published_precision)
    traced = {name: getattr(other.field_sources, name) for name in ("author", "url", "labels")
              if name in fill and other.field_sources is not None}
    if traced:  # a field filled from the other copy keeps the rule that read it there
        fill["field_sources"] = attrs.evolve(best.field_sources or FieldSources(), **traced)
    if best.published_precision == "date" and other.published is not None and (
        other.published_precision is None
    ):
        fill.update(published=other.published, published_source=other.published_source,
                    published_precision=None)
    return attrs.evolve(best, **fill) if fill else best


def merged_copy(seen: Post | Comment, record: Post | Comment) -> Post | Comment | None:
    """What one blog holds for an id once ``record`` arrives while ``seen`` is held: the
    new copy (or the two pages' copies merged), or None to keep ``seen``. The one rule for
    duplicates, used by ``Assembler`` and by the on-disk assembly of ``spool``."""
    if seen == record:
        return None
    if isinstance(record, Post) and isinstance(seen, Post) and _from_pages(seen, record):
        return _page_merge(seen, record)
    return record if _newer(seen, record) else None


def resolution_notes(*, orphans: int, early: int, missing_parents: int,
                     duplicates: Counter[str], odd: Counter[str], covered: int) -> list[str]:
    """The notes on what assembling found, worded once for ``read`` and ``info``'s census."""
    notes = []
    if orphans:
        notes.append(f"{counted(orphans, 'comment')} whose post or page is not in the sources "
                     "(kept, marked orphan)")
    if early:
        notes.append(f"{counted(early, 'comment')} "
                     + ("comes before its post" if early == 1 else "come before their post")
                     + " in the source")
    if missing_parents:
        notes.append(f"{counted(missing_parents, 'reply', 'replies')} whose parent comment "
                     "is not in the sources")
    for kind, count in sorted(duplicates.items()):
        notes.append(f"{counted(count, kind + ' entry', kind + ' entries')} read more than "
                     "once, merged by id (the copy updated last, or a page's whole body, kept)")
    for status, count in sorted(odd.items()):
        notes.append(f"{counted(count, 'record')} with status {status!r}, kept as written")
    if covered:
        notes.append(f"{counted(covered, 'post')} shown without an id on an index page, "
                     "found with their id on another page (matched by permalink)")
    return notes


def label_index(posts: Iterable[Post]) -> dict[str, list[str]]:
    """Label name -> ids of the posts carrying it, in post order (a label counted once each)."""
    index: dict[str, list[str]] = {}
    for post in posts:
        for name in dict.fromkeys(post.labels):
            index.setdefault(name, []).append(post.id)
    return index


def merge_blogs(blogs: list[Blog]) -> Blog:
    """One blog from several sources: the first source that states a field wins."""
    merged = blogs[0]
    for other in blogs[1:]:
        changes = {}
        for field in attrs.fields(Blog):
            mine, theirs = getattr(merged, field.name), getattr(other, field.name)
            if field.name == "settings":
                names = {s.name for s in mine}
                extra = tuple(s for s in theirs if s.name not in names)
                if extra:
                    changes["settings"] = mine + extra
            elif mine in (None, "", ()) and theirs not in (None, "", ()):
                changes[field.name] = theirs
        if changes:
            merged = attrs.evolve(merged, **changes)
    return merged


class Assembler:
    """Collects one blog's records, then builds the Archive. A record's fields held packed
    (``_packed``: ``read`` packs the bodies) stay packed in the records it makes."""

    def __init__(self) -> None:
        self._posts: dict[str, Post] = {}
        self._comments: dict[str, Comment] = {}
        self._order: dict[tuple[str, str], tuple[str, int]] = {}
        self.blogs: list[Blog] = []
        self.sources: list[SourceInfo] = []
        self.skipped: list[Skipped] = []
        self.notes: list[str] = []
        self._duplicates = Counter[str]()

    def add(self, record: Post | Comment | Skipped) -> None:
        if isinstance(record, Skipped):
            self.skipped.append(record)
            return
        table: dict[str, Post] | dict[str, Comment]
        kind = "comment" if isinstance(record, Comment) else "post"
        table = self._comments if isinstance(record, Comment) else self._posts
        seen = table.get(record.id)
        if seen is not None:
            self._duplicates[kind] += 1
            merged = merged_copy(seen, record)
            if merged is None:
                return
            record = merged
        table[record.id] = record  # type: ignore[assignment]
        if record.origin is not None:
            self._order[(kind, record.id)] = (record.origin.source, record.origin.entry)

    def add_all(self, records: Iterable[Post | Comment | Skipped]) -> None:
        for record in records:
            self.add(record)

    def keep_previous(self, previous: Archive) -> None:
        """Carry over what an earlier conversion held and the new sources no longer do.

        Call after the new sources' records are added: a post or comment the new sources
        carry is taken from them; one they lack is kept, marked ``retained``.
        """
        kept = Counter[str]()
        for post in previous.posts:
            if post.id not in self._posts:
                self._posts[post.id] = post if post.retained else replace(post, retained=True)
                kept["post"] += 1
        for comment in previous.comments:
            if comment.id not in self._comments:
                self._comments[comment.id] = (
                    comment if comment.retained else replace(comment, retained=True)
                )
                kept["comment"] += 1
        if kept:
            self.notes.append(
                f"{counted(kept['post'], 'post or page', 'posts or pages')} and "
                f"{counted(kept['comment'], 'comment')} kept from an earlier conversion: not in "
                "the latest sources (marked retained)"
            )

    def archive(self, extra_notes: Iterable[str] = ()) -> Archive:
        posts = sorted(
            self._posts.values(), key=lambda p: (sort_time(p.published), id_key(p.id), p.kind)
        )
        kinds = {p.id: p.kind for p in posts}
        notes = list(self.notes)
        orphans = early = 0
        comments = []
        for c in self._comments.values():
            kind = kinds.get(c.post_id) if c.post_id is not None else None
            if kind is None:
                orphans += 1
            elif self._before_its_post(c):
                early += 1
            if c.post_kind != kind or c.orphan != (kind is None):
                c = replace(c, post_kind=kind, orphan=kind is None)
            comments.append(c)
        comments.sort(key=lambda c: (sort_time(c.published), id_key(c.id)))
        ids = {c.id for c in comments}
        missing_parents = sum(1 for c in comments if c.parent_id and c.parent_id not in ids)
        labels = label_index(posts)
        odd = Counter(p.status for p in posts if p.status not in KNOWN_POST_STATUS)
        odd.update(c.status for c in comments if c.status not in KNOWN_COMMENT_STATUS)
        skipped = list(self.skipped)
        urls = {p.url for p in posts if p.url}
        covered = [s for s in skipped if s.url and s.url in urls]
        skipped = [s for s in skipped if s not in covered]
        notes += resolution_notes(orphans=orphans, early=early, missing_parents=missing_parents,
                                  duplicates=self._duplicates, odd=odd, covered=len(covered))
        notes.extend(extra_notes)
        return Archive(
            blog=merge_blogs(self.blogs) if self.blogs else Blog(id=None),
            posts=tuple(posts),
            comments=tuple(comments),
            labels=tuple(
                Label(name=name, post_ids=tuple(ids))
                for name, ids in sorted(labels.items(), key=lambda kv: kv[0])
            ),
            sources=tuple(self.sources),
            skipped=tuple(skipped),
            notes=tuple(dict.fromkeys(notes)),
        )

    def _before_its_post(self, comment: Comment) -> bool:
        mine = self._order.get(("comment", comment.id))
        theirs = self._order.get(("post", comment.post_id or ""))
        return bool(mine and theirs and mine[0] == theirs[0] and mine[1] < theirs[1])
