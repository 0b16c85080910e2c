"""The small value records the main records hold: authors, links, properties, places,
thumbnails, reply targets, origins, the page reader's field sources, settings.

Part of the model (see ``model``, which names them all and is where they are known from:
their ``__module__`` is ``blogarchive.model``). Frozen, slotted attrs classes with no I/O,
each field documented in ``metadata["doc"]``.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from ._doc import doc, documented

__all__ = ["Author", "FieldSources", "InReplyTo", "Link", "Location", "Origin", "Property",
           "Setting", "Thumbnail"]

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
