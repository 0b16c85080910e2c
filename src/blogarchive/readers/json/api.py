"""Blogger API v3 responses as backup scripts save them (`blogger#postList`, `blogger#post`, ...).

Fields follow the API's discovery document (resources Post, Page, Comment, Blog and their
lists). Each member a field maps is taken; every other member (``etag``, ``images``,
``titleLink``, ``customMetaData``, ``readerComments``, an author's ``id``, ...) is kept in the
record's ``extras`` as a one-member JSON object, so nothing the file says is lost. A member of
the wrong type for its field (a number for a title) is kept there too, and noted.

Lists (`blogger#postList`, `pageList`, `commentList`) are pages of one listing, chained by
``nextPageToken``; their own members (tokens, ``etag``) are kept in the blog's ``extras``, as
the Atom feeds' openSearch paging elements are. A post fetched with its comments carries them
in ``replies.items``: they are read as the post's comments.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Final

from ..._time import parse_time
from ...limits import LimitExceeded, Limits
from ...model import Author, Blog, Comment, Link, Location, Origin, Post, Skipped
from .._common import Skips, count_of, url_path
from ..takeout import STATUS
from ._load import kind_of

__all__ = ["ApiReader", "is_api"]

Record = Post | Comment | Skipped

FORMAT: Final = "blogger-api"
_LISTS: Final = {"blogger#postList": "blogger#post", "blogger#pageList": "blogger#page",
                 "blogger#commentList": "blogger#comment"}
# Comment statuses (view=ADMIN): EMPTIED is the API's tombstone, as `contentRemoved` is Atom's.
_COMMENT_STATUS: Final = {"LIVE": "live", "EMPTIED": "removed"}


def is_api(value: Any) -> bool:
    """A Blogger API v3 object: its ``kind`` is `blogger#...`."""
    return isinstance(value, dict) and str(value.get("kind", "")).startswith("blogger#")


def _json(key: str, value: Any) -> str:
    return json.dumps({key: value}, ensure_ascii=False, separators=(",", ":"))


class Members:
    """An object's members, taken one mapped field at a time; the rest kept as JSON text.

    A member whose value has the wrong type for its field is not taken: it stays in
    ``rest()`` and its path is added to ``wrong``.
    """

    def __init__(self, value: dict[str, Any], path: str, wrong: list[str]) -> None:
        self._value = value
        self.path = path
        self._taken: set[str] = set()
        self._partly: dict[str, Members] = {}
        self.wrong = wrong

    def _get(self, key: str, types: tuple[type, ...], what: str) -> Any:
        if key not in self._value:
            return None
        value = self._value[key]
        if value is None:
            self._taken.add(key)  # null: the API's "not set"
            return None
        if isinstance(value, bool) or not isinstance(value, types):
            self.wrong.append(f"{self.path}.{key}: expected {what}, found {kind_of(value)}")
            return None
        self._taken.add(key)
        return value

    def untake(self, key: str) -> None:
        """Give a member back, so that a value its field cannot hold stays in ``rest()``."""
        self._taken.discard(key)

    def text(self, key: str) -> str | None:
        value: str | None = self._get(key, (str,), "text")
        return value

    def time(self, key: str) -> datetime | None:
        text = self.text(key)
        if text is None or not text.strip():
            return None
        try:
            return parse_time(text.strip())
        except ValueError:
            self._taken.discard(key)  # kept as written
            self.wrong.append(f"{self.path}.{key}: unreadable timestamp {text[:40]!r}")
            return None

    def items(self, key: str) -> list[Any]:
        value: list[Any] | None = self._get(key, (list,), "an array")
        return value or []

    def texts(self, key: str) -> tuple[str, ...]:
        values = self.items(key)
        if any(not isinstance(v, str) for v in values):
            self._taken.discard(key)
            self.wrong.append(f"{self.path}.{key}: expected an array of texts")
            return ()
        return tuple(values)

    def sub(self, key: str, *, own: bool = False) -> Members | None:
        """An object member. Its unmapped members are kept under its name in ``rest()``,
        unless the record it becomes keeps them itself (``own``: an author's extras)."""
        value = self._get(key, (dict,), "an object")
        if value is None:
            return None
        members = Members(value, f"{self.path}.{key}", self.wrong)
        if not own:
            self._partly[key] = members
        return members

    def leftover(self) -> dict[str, Any]:
        rest: dict[str, Any] = {}
        for key, value in self._value.items():
            if key not in self._taken:
                rest[key] = value
            elif key in self._partly and (inner := self._partly[key].leftover()):
                rest[key] = inner
        return rest

    def rest(self) -> tuple[str, ...]:
        return tuple(_json(key, value) for key, value in self.leftover().items())


class ApiReader:
    """Blogger API v3 objects: posts, pages and comments, alone or in (pages of) lists."""

    def __init__(self, source: str, limits: Limits, notes: list[str]) -> None:
        self.source = source
        self.limits = limits
        self.notes = notes
        self.skips = Skips(source, limits)
        self.entries = 0
        self.format = FORMAT
        self.blog_ids: list[str] = []
        self.blog_fields: dict[str, Any] = {}
        self.extras: list[str] = []
        self._extras_size = 0
        self._wrong = 0

    def read(self, value: dict[str, Any], part: str) -> Iterator[Record]:
        kind = value.get("kind")
        if kind in _LISTS:
            wrong: list[str] = []
            members = Members(value, part, wrong)
            members.text("kind")
            items = members.items("items")
            self._note_wrong(None, wrong)
            for text in members.rest():
                self._keep_extra(text, part)
            for i, item in enumerate(items):
                yield from self._item(item, f"{part}.items[{i}]", _LISTS[str(kind)])
        elif kind == "blogger#blog":
            yield from self._blog(value, part)
        else:
            yield from self._item(value, part, None)

    def _keep_extra(self, text: str, part: str) -> None:
        """A list's own member (paging tokens, etag), kept in the blog's extras, bounded."""
        self._extras_size += len(text.encode("utf-8"))
        if self._extras_size > self.limits.max_feed_extras:
            raise LimitExceeded(self.source, f"list-level members no field maps (at {part})",
                                "max_feed_extras", self.limits.max_feed_extras)
        self.extras.append(text)

    def _item(self, item: Any, path: str, expected: str | None) -> Iterator[Record]:
        index = self.entries
        self.entries += 1
        kind = item.get("kind", expected) if isinstance(item, dict) else None
        if not isinstance(item, dict):
            reason = f"{path}: expected an object, found {kind_of(item)}"
        elif kind in ("blogger#post", "blogger#page", "blogger#comment"):
            wrong: list[str] = []
            members = Members(item, path, wrong)
            item_id = members.text("id")
            if not item_id or not item_id.strip():
                reason = f"{path}: a {kind} with no id"
            else:
                members.text("kind")
                records = (self._comment(members, item_id.strip(), index, None)
                           if kind == "blogger#comment"
                           else self._post(members, item_id.strip(), str(kind), index))
                self._note_wrong(index, wrong)
                yield from records
                return
        else:
            reason = f"{path}: a Blogger API object of kind {kind!r}, which holds no post, " \
                     "page or comment"
        skipped = self.skips.skip(index, None, reason)
        if skipped is not None:
            yield skipped

    def _note_wrong(self, index: int | None, wrong: list[str]) -> None:
        for problem in wrong:
            self._wrong += 1
            if self._wrong <= self.limits.skipped_details:
                where = f"entry {index}: " if index is not None else ""
                kept = "record's" if index is not None else "blog's"
                self.notes.append(f"{self.source}: {where}{problem}; kept as written in the "
                                  f"{kept} extras")

    def _blog_id(self, members: Members) -> None:
        blog = members.sub("blog")
        blog_id = blog.text("id") if blog is not None else None
        if blog_id and blog_id not in self.blog_ids:
            self.blog_ids.append(blog_id)

    def _author(self, members: Members) -> Author | None:
        author = members.sub("author", own=True)
        if author is None:
            return None
        image = author.sub("image")
        return Author(
            name=author.text("displayName") or "",
            uri=author.text("url"),
            image=image.text("url") if image is not None else None,
            extras=author.rest(),
        )

    def _location(self, members: Members) -> Location | None:
        place = members.sub("location")
        if place is None:
            return None
        return Location(name=place.text("name"), latitude=place.text("lat"),
                        longitude=place.text("lng"), span=place.text("span"))

    def _origin(self, index: int) -> Origin:
        return Origin(format=FORMAT, source=self.source, entry=index)

    def _post(self, members: Members, post_id: str, kind: str,
              index: int) -> list[Record]:
        self._blog_id(members)
        status_text = members.text("status")
        # Without view=ADMIN the API lists only published items: no status means live.
        status = STATUS.get(status_text, status_text) if status_text else "live"
        url = members.text("url")
        links = []
        self_link = members.text("selfLink")
        if self_link is not None:
            links.append(Link(rel="self", href=self_link))
        replies = members.sub("replies")
        count = None
        comments: list[Record] = []
        if replies is not None:
            total = replies.text("totalItems")
            count = count_of(total) if total is not None else None
            if total is not None and count is None:
                replies.untake("totalItems")
                members.wrong.append(f"{members.path}.replies.totalItems: not a count: "
                                     f"{total[:40]!r}")
            feed = replies.text("selfLink")
            if feed is not None:
                links.append(Link(rel="replies", href=feed))
            for i, item in enumerate(replies.items("items")):
                comments.extend(self._reply(item, f"{members.path}.replies.items[{i}]",
                                            post_id))
        post = Post(
            id=post_id,
            kind="page" if kind == "blogger#page" else "post",
            status=status,
            title=members.text("title") or "",
            content=members.text("content") or "",
            url=url,
            path=url_path(url),
            published=members.time("published"),
            updated=members.time("updated"),
            author=self._author(members),
            labels=members.texts("labels"),
            location=self._location(members),
            comment_count=count,
            trashed=members.text("trashed"),
            links=tuple(links),
            extras=members.rest(),  # last: after every mapped member is taken
            origin=self._origin(index),
        )
        return [post, *comments]

    def _reply(self, item: Any, path: str, post_id: str) -> list[Record]:
        """A comment inside a post's ``replies.items``: its post is the one holding it."""
        self.entries += 1
        index = self.entries - 1
        if not isinstance(item, dict) or not item.get("id") or not isinstance(item["id"], str):
            skipped = self.skips.skip(index, None, f"{path}: not a comment with an id")
            return [skipped] if skipped is not None else []
        wrong: list[str] = []
        members = Members(item, path, wrong)
        comment_id = members.text("id") or ""
        members.text("kind")
        records = self._comment(members, comment_id.strip(), index, post_id)
        self._note_wrong(index, wrong)
        return records

    def _comment(self, members: Members, comment_id: str, index: int,
                 post_id: str | None) -> list[Record]:
        self._blog_id(members)
        post = members.sub("post")
        written = post.text("id") if post is not None else None
        reply_to = members.sub("inReplyTo")
        status_text = members.text("status")
        status = (_COMMENT_STATUS.get(status_text, status_text) if status_text else "live")
        links = []
        self_link = members.text("selfLink")
        if self_link is not None:
            links.append(Link(rel="self", href=self_link))
        comment = Comment(
            id=comment_id,
            post_id=written or post_id,
            parent_id=reply_to.text("id") if reply_to is not None else None,
            status=status,
            content=members.text("content") or "",
            published=members.time("published"),
            updated=members.time("updated"),
            author=self._author(members),
            links=tuple(links),
            extras=members.rest(),  # last: after every mapped member is taken
            origin=self._origin(index),
        )
        return [comment]

    def _blog(self, value: dict[str, Any], part: str) -> Iterator[Record]:
        """A `blogger#blog` object: the blog's own fields, and the posts and pages it
        carries when fetched with ``maxPosts``."""
        wrong: list[str] = []
        members = Members(value, part, wrong)
        members.text("kind")
        blog_id = members.text("id")
        if blog_id and blog_id not in self.blog_ids:
            self.blog_ids.insert(0, blog_id)
        self.blog_fields = {"title": members.text("name"), "url": members.text("url"),
                            "description": members.text("description"),
                            "updated": members.time("updated")}
        lists = [(key, sub) for key in ("posts", "pages") if (sub := members.sub(key))]
        found = [(key, sub.items("items")) for key, sub in lists]
        self._note_wrong(None, wrong)
        for text in members.rest():
            self._keep_extra(text, part)
        for key, items in found:
            expected = "blogger#post" if key == "posts" else "blogger#page"
            for i, item in enumerate(items):
                yield from self._item(item, f"{part}.{key}.items[{i}]", expected)

    def finish(self) -> None:
        note = self.skips.note()
        if note:
            self.notes.append(note)
        unlisted = self._wrong - self.limits.skipped_details
        if unlisted > 0:
            self.notes.append(f"{self.source}: {self._wrong:,} members of the wrong type in "
                              f"all; the other {unlisted:,} are only counted")
        if len(self.blog_ids) > 1:
            self.notes.append(f"{self.source}: items of {len(self.blog_ids)} blogs "
                              f"({', '.join(self.blog_ids)}); read as blog {self.blog_ids[0]}")

    def blog(self) -> Blog:
        fields = self.blog_fields
        return Blog(
            id=self.blog_ids[0] if self.blog_ids else None,
            title=fields.get("title") or "",
            url=fields.get("url"),
            description=fields.get("description"),
            updated=fields.get("updated"),
            extras=tuple(self.extras),
        )

