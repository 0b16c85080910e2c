"""The records every reader produces and the store writes: Blog, Post, Comment, Label, Author.

Frozen, slotted attrs classes with no I/O. Each field carries its documentation in
``metadata["doc"]``; the JSON Schema and docs/archive-format.md are generated from it, so the
three never disagree (``python -m blogarchive.schema`` rewrites both).

Timestamps are aware ``datetime`` objects with the offset the source wrote (``Z`` is kept as
``timezone.utc``, ``+00:00`` as a named zero offset). Ids are strings: Blogger's are 19-digit
numbers that must never pass through a float.

This module holds the archive and its blog-level records, and names the whole model: the
small value records live in ``_values``, posts and comments in ``_entries``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from datetime import datetime, tzinfo

import attrs

from ._doc import doc, documented
from ._entries import Comment, Post
from ._values import (
    Author,
    FieldSources,
    InReplyTo,
    Link,
    Location,
    Origin,
    Property,
    Setting,
    Thumbnail,
)
from .analysis.records import BodyAnalysis, BodyLink  # noqa: F401 (Post's hints: see the end)

__all__ = [
    "Archive",
    "Author",
    "Blog",
    "Comment",
    "FieldSources",
    "InReplyTo",
    "Label",
    "Link",
    "Location",
    "Origin",
    "Post",
    "Property",
    "Setting",
    "Skipped",
    "SourceInfo",
    "Thumbnail",
]


@documented
@attrs.frozen
class Blog:
    """The blog itself: identity, settings, template, and feed-level data."""

    id: str | None = doc("Blogger's numeric blog id; null for converter-made files.")
    title: str = doc("Blog title.", default="")
    url: str | None = doc("Home URL (`link[@rel=alternate]`, or Takeout settings).", default=None)
    description: str | None = doc(
        "Description (`BLOG_DESCRIPTION`, feed `subtitle`, RSS `description`).", default=None
    )
    locale: str | None = doc("`BLOG_LOCALE` / `blog_locale`.", default=None)
    time_zone: str | None = doc(
        "The blog's time zone setting (`BLOG_TIME_ZONE`), e.g. `America/Los_Angeles`.",
        default=None,
    )
    atom_id: str | None = doc("Feed-level Atom id as written.", default=None)
    updated: datetime | None = doc(
        "Feed `updated` (for an export: when it was made).", default=None
    )
    author: Author | None = doc("Feed-level author.", default=None)
    generator: str | None = doc("`generator` text and version, e.g. `Blogger 7.00`.", default=None)
    settings: tuple[Setting, ...] = doc("Every setting, in source order.", default=())
    template: str | None = doc(
        "The template (legacy `kind#template` entry content), exactly as written.", default=None
    )
    categories: tuple[str, ...] = doc(
        "Feed-level `category` terms (public feeds list the blog's labels here).", default=()
    )
    links: tuple[Link, ...] = doc("Feed-level links.", default=())
    extras: tuple[str, ...] = doc(
        "Feed-level children that no field maps, serialised as XML (Blogger API lists: "
        "their own members such as `nextPageToken`, as one-member JSON objects).", default=()
    )


@documented
@attrs.frozen
class Label:
    """A label and the posts that carry it."""

    name: str = doc("Label text as written.")
    post_ids: tuple[str, ...] = doc("Ids of the posts carrying it, in archive order.")


@documented
@attrs.frozen
class SourceInfo:
    """One input that went into the archive."""

    name: str = doc("File name, or `archive.zip!member/path` (never an absolute path).")
    format: str = doc(
        "`legacy-export`, `takeout`, `takeout-comments`, `public-feed`, `comment-feed`, "
        "`rss`, `blogger-import` (converter-made look-alike), `takeout-settings`; "
        "`public-feed-json`, `comment-feed-json` (GData JSON feeds), `blogger-api` (Blogger "
        "API v3 responses)."
    )
    size: int = doc("Bytes read (after decompression).")
    sha256: str = doc("SHA-256 of the bytes read, lowercase hex.")
    entries: int = doc("Entries (or rows) read from it.", default=0)


@documented
@attrs.frozen
class Skipped:
    """An entry that could not become a record, and why."""

    source: str = doc("Source name.")
    entry: int | None = doc("0-based entry position, when known.")
    line: int | None = doc("Line in the source, when known.")
    reason: str = doc("What was wrong.")
    url: str | None = doc(
        "HTML pages: the permalink of a post whose id the page does not give (mobile index "
        "pages). Dropped from `skipped` when another page supplies that post.",
        default=None,
    )


@documented
@attrs.frozen
class Archive:
    """Everything read from one blog's sources."""

    blog: Blog = doc("The blog: identity, settings, template, feed-level data.")
    posts: tuple[Post, ...] = doc(
        "Posts and pages, by publication time then id (drafts without a date last).", default=()
    )
    comments: tuple[Comment, ...] = doc(
        "Comments, by publication time then id; threads through `parent_id`.", default=()
    )
    labels: tuple[Label, ...] = doc("Every label and its posts, by name.", default=())
    sources: tuple[SourceInfo, ...] = doc("The inputs read, with size and SHA-256.", default=())
    skipped: tuple[Skipped, ...] = doc(
        "Entries that could not become records, and why.", default=()
    )
    notes: tuple[str, ...] = doc(
        "Anything unusual noticed while reading (repairs, orphans, duplicates merged, ...).",
        default=(),
    )

    # The lookups below are indexed once per Archive, on first use. attrs gives a
    # cached_property on a frozen slotted class a slot of its own: it is not a field, so
    # equality, hashing, attrs.fields/asdict, evolve (a new Archive, a new index) and the
    # stored JSON are as if it were not there.

    @functools.cached_property
    def _posts_by_id(self) -> dict[str, Post]:
        by_id: dict[str, Post] = {}
        for p in self.posts:
            by_id.setdefault(p.id, p)  # the first, as a scan would find
        return by_id

    @functools.cached_property
    def _linked_from(self) -> dict[str, tuple[Post, ...]]:
        return backlink_index(self.posts)

    def post(self, post_id: str) -> Post | None:
        """The post or page with this id, if present."""
        return self._posts_by_id.get(post_id)

    def backlinks(self, post_id: str) -> Iterator[Post]:
        """Posts and pages whose body links to ``post_id`` (from the analysis), in order.

        The first call indexes every post's links; later calls are a dictionary lookup.
        """
        return iter(self._linked_from.get(post_id, ()))

    def broken_links(self) -> Iterator[tuple[Post, BodyLink]]:
        """Internal links to a post or page that is not in the archive, with their post."""
        for p in self.posts:
            for link in p.analysis.links if p.analysis else ():
                if link.broken:
                    yield p, link

    def comments_on(self, post_id: str) -> Iterator[Comment]:
        """Comments on one post or page, in archive order."""
        return (c for c in self.comments if c.post_id == post_id)

    def local_time(self, moment: datetime) -> datetime:
        """`moment` shown in the blog's own time zone (Takeout writes UTC).

        Returns `moment` unchanged when the blog names no zone or the zone is unknown here.
        """
        if not self.blog.time_zone or moment.tzinfo is None:
            return moment
        zone = _zone(self.blog.time_zone)
        if zone is None:
            return moment
        try:
            return moment.astimezone(zone)
        except ValueError:
            return moment


@functools.lru_cache(maxsize=64)
def _zone(name: str) -> tzinfo | None:
    """The zone named ``name``; None when it is unknown here or not a zone's name. Looked up
    once a name: the site shows every post's and comment's time in it, and the import and
    look-up in every call were 40% of ``local_time`` (30,040 calls at 100 MB: 0.062 ->
    0.038 CPU s). zoneinfo is imported here, not with the model: most commands never
    need it."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def backlink_index(posts: Iterable[Post]) -> dict[str, tuple[Post, ...]]:
    """Post id -> the other posts whose analysed body links to it, each once, in order."""
    index: dict[str, list[Post]] = {}
    for p in posts:
        if p.analysis is None:
            continue
        for target in dict.fromkeys(link.post_id for link in p.analysis.links):
            if target is not None and target != p.id:
                index.setdefault(target, []).append(p)
    return {target: tuple(found) for target, found in index.items()}

# Every record is known as this module's, as before the split: pickles name the class by
# module and name (the export spool pickles records by the hundred thousand, ``--jobs``
# workers send them back), the spool's fast reducers take the attrs classes whose module
# is this one, and ``help()`` says where to import them from. ``typing.get_type_hints``
# then reads the annotations in this module's namespace, which is why it imports
# ``datetime`` and ``BodyAnalysis`` (tests/test_model_split.py checks every record).
for _record in (Author, Comment, FieldSources, InReplyTo, Link, Location, Origin, Post,
                Property, Setting, Thumbnail):
    _record.__module__ = __name__
del _record
