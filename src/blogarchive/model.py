"""The records every reader produces and the store writes: Blog, Post, Comment, Label, Author.

Frozen, slotted attrs classes with no I/O. Each field carries its documentation in
``metadata["doc"]``; the JSON Schema and docs/archive-format.md are generated from it, so the
three never disagree (``python -m blogarchive.schema`` rewrites both).

Timestamps are aware ``datetime`` objects with the offset the source wrote (``Z`` is kept as
``timezone.utc``, ``+00:00`` as a named zero offset). Ids are strings: Blogger's are 19-digit
numbers that must never pass through a float.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from datetime import datetime

import attrs

from ._doc import doc, documented
from ._packed import install
from .analysis.records import BodyAnalysis, BodyLink

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


# -- small value records ---------------------------------------------------------------------


@documented
@attrs.frozen
class Author:
    """A person (or placeholder such as ``Anonymous``) named as author."""

    name: str = doc("Display name as the source wrote it (`author/name`).", default="")
    uri: str | None = doc("Profile URL (`author/uri`), when given.", default=None)
    email: str | None = doc(
        "E-mail (`author/email`). Usually `noreply@blogger.com`; 2008-2011 exports carry real "
        "addresses.",
        default=None,
    )
    image: str | None = doc(
        "Avatar URL (`gd:image/@src`), often protocol-relative (`//...`).", default=None
    )
    image_rel: str | None = doc(
        "`gd:image/@rel` as written (Blogger: `http://schemas.google.com/g/2005#thumbnail`).",
        default=None,
    )
    image_width: str | None = doc(
        "`gd:image/@width` as written (pixels, e.g. `16`, `32`).", default=None
    )
    image_height: str | None = doc(
        "`gd:image/@height` as written (pixels).", default=None
    )
    kind: str | None = doc(
        "Takeout `author/blogger:type` (`BLOGGER`, `ANONYMOUS`), as written.", default=None
    )
    extras: tuple[str, ...] = doc(
        "Child elements of `author` that no field maps, serialised as XML (Blogger API: "
        "members, as one-member JSON objects, e.g. the author's `id`); a `gd:image` with "
        "attributes, children or text beyond `src`, `rel`, `width` and `height` is kept here "
        "whole too.", default=()
    )


@documented
@attrs.frozen
class Link:
    """An Atom `link` element (or its RSS equivalent), attributes as written."""

    rel: str | None = doc("`@rel` (`alternate`, `replies`, `edit`, `self`, `related`, ...).")
    href: str | None = doc("`@href`.")
    type: str | None = doc("`@type` (media type).", default=None)
    title: str | None = doc("`@title` (e.g. the localised `N Comments`).", default=None)


@documented
@attrs.frozen
class Property:
    """A `gd:extendedProperty` name/value pair."""

    name: str = doc("`@name`, e.g. `blogger.displayTime`, `blogger.contentRemoved`.")
    value: str | None = doc("`@value` as written.")


@documented
@attrs.frozen
class Location:
    """Where a post was written: georss (legacy, feeds) or `blogger:location` (Takeout)."""

    name: str | None = doc("Place name (`georss:featurename`, `blogger:name`).", default=None)
    latitude: str | None = doc("Latitude as written (kept as text: no floats).", default=None)
    longitude: str | None = doc("Longitude as written.", default=None)
    span: str | None = doc("Takeout `blogger:span` (`lat,lng` extent) as written.", default=None)
    box: str | None = doc("`georss:box` as written.", default=None)


@documented
@attrs.frozen
class Thumbnail:
    """`media:thumbnail`: the small image Blogger picked for a post."""

    url: str = doc("`@url`.")
    width: str | None = doc("`@width` as written.", default=None)
    height: str | None = doc("`@height` as written.", default=None)


@documented
@attrs.frozen
class InReplyTo:
    """`thr:in-reply-to` on a comment: what the source says it replies to."""

    ref: str | None = doc("`@ref`: the Atom id of the post (pages too are written `.post-`).")
    href: str | None = doc("`@href`: the post's permalink.", default=None)
    source: str | None = doc("`@source`: the post's feed URL.", default=None)
    type: str | None = doc("`@type`.", default=None)


@documented
@attrs.frozen
class Origin:
    """Where a record came from in its source."""

    format: str = doc("Source format (see `SourceInfo.format`).")
    source: str = doc("Source name: the file name, or `archive.zip!member/path`.")
    entry: int = doc("0-based position of the entry among the source's entries.")
    line: int | None = doc("Line of the entry's end in the source, when known.", default=None)
    page_url: str | None = doc(
        "HTML pages: the page's own URL (canonical form), when the page states it.",
        default=None,
    )
    page_kind: str | None = doc(
        "HTML pages: `item`, `index` (home, label, search, archive pages), `static` (`/p/`), "
        "`mobile-index`.",
        default=None,
    )
    warc_record: str | None = doc(
        "Pages from a WARC: the `WARC-Record-ID` of the response or resource record.",
        default=None,
    )
    captured: datetime | None = doc("Pages from a WARC: the `WARC-Date` of the capture.",
                                    default=None)
    template: str | None = doc(
        "HTML pages: the template generation the page was read as: `classic`, `layouts` "
        "(widget templates 2006-2016), `2017+` (responsive themes), `third-party`, "
        "`google` (corporate blogs), `mobile`.",
        default=None,
    )


@documented
@attrs.frozen
class FieldSources:
    """HTML pages: the page reader's rule that gave each field, so a wrong value can be traced.

    `published` has its own `published_source`. A field the page does not give has no rule."""

    author: str | None = doc(
        "Where the author was read: `itemprop=name`, `span.fn`, `a.g-profile`, "
        "`a[rel=author]`, `span.post-author`, `span.byline-author`, `json-ld` (Layouts and "
        "later); `byline-text` (the name after \"posted by\" in a classic byline), "
        "`byline-profile-link`, `byline-author-class`.",
        default=None,
    )
    url: str | None = doc(
        "Where the permalink was read: `a.timestamp-link`, `post-timestamp meta`, "
        "`post-title link`, `a[itemprop=url]`, `page-url` (an item page's own URL: a "
        "fallback); classic: `byline-permalink-time` (a link titled \"permanent link\" "
        "whose text is the time), `byline-time-link`, `byline-permalink-title`, "
        "`byline-mark-link` (`#`, `¶`), `byline-post-link`.",
        default=None,
    )
    labels: str | None = doc(
        "Where the labels were read: `post-labels` (the post's own list: `post-labels`, "
        "`blogger-labels`...), `rel=tag`, `post-footer`, `label-links` (any label link "
        "around the post, outside menus and breadcrumbs: a fallback).",
        default=None,
    )


@documented
@attrs.frozen
class Setting:
    """One blog setting (legacy `kind#settings` entry, or a settings.csv column)."""

    name: str = doc("Setting name: `BLOG_TIME_ZONE` (legacy) or `blog_time_zone` (Takeout).")
    value: str = doc("Value as written (often empty).")
    title: str | None = doc(
        "Legacy only: the localised description Blogger put in the entry's title.", default=None
    )


# -- the main records ------------------------------------------------------------------------


@documented
@attrs.frozen
class Post:
    """A post or a page (`kind`), with every status and date the source gives."""

    id: str = doc(
        "Blogger's numeric id as a string (`.post-<id>` / `.page-<id>`); converter-made files "
        "keep their own ids (`post-17`)."
    )
    kind: str = doc("`post` or `page`.")
    status: str = doc(
        "`live`, `draft`, `scheduled`, `soft-trashed`; any other value is kept exactly as the "
        "source wrote it, never turned into `live`."
    )
    title: str = doc("Title as written; may be empty.")
    content: str = doc("Body HTML exactly as decoded from the source (entities kept).")
    url: str | None = doc(
        "Permalink (`link[@rel=alternate]`, RSS `link`, or Takeout host + filename). Drafts "
        "have none."
    )
    path: str | None = doc("Path part of the permalink (Takeout `blogger:filename`).")
    published: datetime | None = doc("`published`, with the source's own offset.")
    updated: datetime | None = doc("`updated`, with the source's own offset.")
    created: datetime | None = doc(
        "Takeout `blogger:created`: may be later than `published` (back-dated posts).",
        default=None,
    )
    author: Author | None = doc("The entry's (first) author.", default=None)
    labels: tuple[str, ...] = doc(
        "Labels in source order, never split on commas.", default=()
    )
    atom_id: str | None = doc("The full Atom id (`tag:blogger.com,1999:blog-...`).", default=None)
    title_type: str | None = doc("`title/@type` when not `text`.", default=None)
    content_type: str | None = doc("`content/@type` when not `html`.", default=None)
    summary: str | None = doc("`summary` (summary-mode feeds), as written.", default=None)
    search_description: str | None = doc(
        "Takeout `blogger:metaDescription` (the search description).", default=None
    )
    location: Location | None = doc("Where it was written, when given.", default=None)
    thumbnail: Thumbnail | None = doc("`media:thumbnail`, when given.", default=None)
    comment_count: int | None = doc(
        "`thr:total`: the server's count; from HTML pages, the number the page prints. Not "
        "checked against the comments in the file.",
        default=None,
    )
    published_source: str | None = doc(
        "HTML pages: where `published` was read (`abbr.published`, `time.published`, "
        "`json-ld`, `date-header+byline-time`, `byline-timestamp`, `date-header` ...).",
        default=None,
    )
    published_precision: str | None = doc(
        "`date` when only a day is known (`published` is then that day at 00:00, naive); "
        "null when the time is known.",
        default=None,
    )
    field_sources: FieldSources | None = doc(
        "HTML pages: which rule gave the author, the permalink and the labels.", default=None
    )
    content_partial: bool = doc(
        "HTML pages: `content` is a snippet or cut at a \"Read more\" jump link (index pages), "
        "not the whole body; or the body nested elements too deep to parse and is kept "
        "without their tags (the archive's notes say so).",
        default=False,
    )
    trashed: str | None = doc("Takeout `blogger:trashed` text, when not empty.", default=None)
    links: tuple[Link, ...] = doc("Every link the entry carries, in source order.", default=())
    properties: tuple[Property, ...] = doc("`gd:extendedProperty` pairs.", default=())
    extras: tuple[str, ...] = doc(
        "Entry children that no field maps, serialised as XML, so nothing is lost (Blogger "
        "API: members, as one-member JSON objects such as `{\"etag\":...}`).", default=()
    )
    retained: bool = doc(
        "Kept from an earlier conversion into this archive: not in the latest sources "
        "(deleted from the blog since, or outside the newer export). Never silently dropped.",
        default=False,
    )
    analysis: BodyAnalysis | None = doc(
        "What the body holds: quotes, link lists, links, media, plain text (derived from "
        "`content`; see docs/archive-format.md). Null when not analysed.",
        default=None,
    )
    origin: Origin | None = doc("Where the record came from.", default=None)


@documented
@attrs.frozen
class Comment:
    """A comment on a post or page; threads through `parent_id`."""

    id: str = doc("Blogger's numeric comment id as a string.")
    post_id: str | None = doc(
        "Id of the post or page commented on (legacy comments on pages say `.post-<pageId>`: "
        "resolved by number)."
    )
    parent_id: str | None = doc(
        "Id of the comment this one replies to (legacy `link[@rel=related]`, Takeout "
        "`blogger:inReplyTo`); null for a top-level comment."
    )
    status: str = doc(
        "`live`, `removed` (a tombstone: `blogger.contentRemoved`), or the source's own value "
        "(Takeout `blogger:status`) kept as written when unknown."
    )
    content: str = doc("Body HTML exactly as decoded from the source.")
    published: datetime | None = doc("`published`, with the source's own offset.")
    updated: datetime | None = doc("`updated`, with the source's own offset.", default=None)
    created: datetime | None = doc("Takeout `blogger:created`.", default=None)
    author: Author | None = doc("The comment's author.", default=None)
    url: str | None = doc("Comment permalink (`...?showComment=<ms>#c<id>`).", default=None)
    post_kind: str | None = doc(
        "`post` or `page` once resolved against the archive; null for an orphan.", default=None
    )
    orphan: bool = doc(
        "True when the post or page it belongs to is not in the archive.", default=False
    )
    generated_title: str | None = doc(
        "Legacy `title`: Blogger's truncation of the body (HTML included), not a real title.",
        default=None,
    )
    in_reply_to: InReplyTo | None = doc("`thr:in-reply-to` as written.", default=None)
    atom_id: str | None = doc("The full Atom id.", default=None)
    trashed: str | None = doc("Takeout `blogger:trashed` text, when not empty.", default=None)
    links: tuple[Link, ...] = doc("Every link the entry carries, in source order.", default=())
    properties: tuple[Property, ...] = doc("`gd:extendedProperty` pairs.", default=())
    extras: tuple[str, ...] = doc(
        "Entry children that no field maps, serialised as XML (Blogger API: members, as "
        "one-member JSON objects).", default=()
    )
    retained: bool = doc(
        "Kept from an earlier conversion into this archive: not in the latest sources "
        "(deleted from the blog since, or outside the newer export). Never silently dropped.",
        default=False,
    )
    origin: Origin | None = doc("Where the record came from.", default=None)


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
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        if not self.blog.time_zone or moment.tzinfo is None:
            return moment
        try:
            return moment.astimezone(ZoneInfo(self.blog.time_zone))
        except (ZoneInfoNotFoundError, ValueError):
            return moment


# A body and its analysed text may be held compressed (``_packed``: ``read()`` packs them;
# they read the same): most of what an Archive in memory holds is these two.
install(Post, "content")
install(Comment, "content")
install(BodyAnalysis, "text")


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
