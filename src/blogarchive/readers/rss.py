"""RSS 2.0 feeds (`/feeds/posts/default?alt=rss`), mapped as FORMATS.md section 3.3 pairs them
with Atom: `guid` is the Atom id, `pubDate` (RFC 822) is `published`, `atom:updated` keeps the
original offset, `category[@domain]` are labels, `description` is the content HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Final

from lxml import etree

from .._time import parse_rfc822
from .._xml import Opener, iter_records
from ..errors import UnsupportedFormat
from ..limits import DEFAULT_LIMITS, Limits
from ..model import Author, Blog, Comment, Link, Origin, Post, Skipped
from ._common import (
    LABEL_SCHEME,
    THR,
    A,
    BadTimes,
    FeedExtras,
    Fields,
    Skips,
    blog_id_of,
    comment_count_of,
    item_id_of,
    line_of,
    thumbnail_of,
    url_path,
)

_AUTHOR: Final = re.compile(r"^\s*(\S+@\S+)\s*\((.*)\)\s*$")


def _author(text: str | None) -> Author | None:
    """RSS writes `noreply@blogger.com (name)`."""
    if text is None:
        return None
    m = _AUTHOR.match(text)
    if m:
        return Author(name=m.group(2), email=m.group(1))
    return Author(name=text.strip())


class RssReader:
    """Reads one RSS 2.0 document into posts; learns the blog from the channel."""

    def __init__(self, source: str, opener: Opener, limits: Limits = DEFAULT_LIMITS) -> None:
        self.source = source
        self.opener = opener
        self.limits = limits
        self.skips = Skips(source, limits)
        self.notes: list[str] = []
        self.bad_times = BadTimes(source, limits, self.notes)
        self.entries = 0
        self.format = "rss"
        self.kinds_seen: set[str] = set()
        self.feed_id: str | None = None
        self.title = ""
        self.url: str | None = None
        self.description: str | None = None
        self.updated: datetime | None = None
        self.author: Author | None = None
        self.generator: str | None = None
        self.categories: list[str] = []
        self.links: list[Link] = []
        self.extras = FeedExtras(source, limits)

    def __iter__(self) -> Iterator[Post | Comment | Skipped]:
        elements = iter_records(
            self.opener, self.source, lambda _root: 2, self.notes, self.limits
        )
        next(elements)  # the <rss> root
        for element in elements:
            if element.tag == "item":
                index = self.entries
                self.entries += 1
                post = self._item(element, index)
                if post is None:
                    skipped = self.skips.skip(index, line_of(element), "RSS item has no guid")
                    if skipped is not None:
                        yield skipped
                else:
                    self.kinds_seen.add("post")
                    yield post
            else:
                self._channel_child(element)
        self.finish()

    def finish(self) -> None:
        """After the last item (or the last readable one of a damaged feed)."""
        note = self.skips.note()
        if note:
            self.notes.append(note)
        self.bad_times.finish()
        if not blog_id_of(self.feed_id) and not (self.generator or "").startswith("Blogger"):
            raise UnsupportedFormat(
                self.source,
                "an RSS feed, but not from Blogger (no tag:blogger.com channel id); "
                "blogarchive reads Blogger exports and feeds",
            )

    def _channel_child(self, element: etree._Element) -> None:
        tag = element.tag
        text = element.text or ""
        if tag == A + "id":
            self.feed_id = text.strip()
        elif tag == "title":
            self.title = text
        elif tag == "link" and self.url is None:
            self.url = text.strip()
        elif tag == "description":
            self.description = text
        elif tag == "lastBuildDate":
            try:
                self.updated = parse_rfc822(text)
            except ValueError:
                self.extras.keep(element)
        elif tag == "managingEditor":
            self.author = _author(text)
        elif tag == "generator":
            self.generator = text.strip()
        elif tag == "category" and element.get("domain") is None:
            self.categories.append(text)
        elif tag == A + "link":
            self.links.append(Link(rel=element.get("rel"), href=element.get("href"),
                                   type=element.get("type"), title=element.get("title")))
        elif isinstance(tag, str):
            self.extras.keep(element)

    def _item(self, element: etree._Element, index: int) -> Post | None:
        f = Fields(element)
        guid = f.stripped("guid")
        if not guid:
            return None
        labels = []
        for category in f.take_all("category"):
            if category.get("domain") == LABEL_SCHEME:
                labels.append(category.text or "")
            else:
                f.untake(category)
        published = None
        pub = f.take("pubDate")
        if pub is not None:
            try:
                published = parse_rfc822(pub.text or "")
            except ValueError:
                f.untake(pub)  # kept as written, and noted
                f.bad_times.append(f"pubDate: {(pub.text or '').strip()[:40]!r}")
        url = f.stripped("link")
        post = Post(
            id=item_id_of(guid),
            kind="page" if ".page-" in guid else "post",
            status="live",  # public feeds carry only published posts
            title=f.text("title") or "",
            content=f.text("description") or "",
            url=url,
            path=url_path(url),
            published=published,
            updated=f.time(A + "updated"),
            author=_author(f.text("author")),
            labels=tuple(labels),
            atom_id=guid,
            thumbnail=thumbnail_of(f),
            comment_count=comment_count_of(f, THR + "total"),
            extras=f.rest(),
            origin=Origin(format=self.format, source=self.source, entry=index,
                          line=line_of(element)),
        )
        self.bad_times.entry(index, f)
        return post

    def blog(self) -> Blog:
        return Blog(
            id=blog_id_of(self.feed_id),
            title=self.title,
            url=self.url,
            description=self.description,
            atom_id=self.feed_id,
            updated=self.updated,
            author=self.author,
            generator=self.generator,
            categories=tuple(self.categories),
            links=tuple(self.links),
            extras=tuple(self.extras.items),
        )

