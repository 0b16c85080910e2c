"""What the site's templates show of a post or comment: titles, dates in the blog's own time
zone, labels with their pages, excerpts, and comment threads in reading order."""

from __future__ import annotations

import functools
import marshal
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Final, NamedTuple, Protocol, TypeVar

import attrs

from ..model import Archive, Comment, Post
from .sanitise import Bodies
from .sitepaths import SitePaths

if TYPE_CHECKING:  # annotations only: the site's narrow records
    from ..narrow import SiteComment, SitePost

__all__ = ["CommentView", "ShownComment", "Summary", "SummaryFields", "When", "comment_record",
           "comment_view", "lang_of", "shown_comment", "summarise", "summary_fields",
           "summary_of", "thread", "when"]

_EXCERPT_WORDS: Final = 40


# When and Summary: slotted, not frozen. A frozen attrs class sets each field through
# object.__setattr__ from Python (Summary 1.6 µs, When 0.7 µs a time on an idle machine, where
# these take 0.34 and 0.31), and the export makes about four of each a post: read back from
# the spool for its page, its neighbours, the kept list entries and the year pages. Nothing
# assigns to them (a template cannot), and they stay hashable and equal by value
# (``unsafe_hash``) as frozen ones were: a user's template may put them in a set or ``unique``.
@attrs.define(unsafe_hash=True)
class When:
    iso: str  # for <time datetime>
    text: str  # as a reader sees it


@attrs.define(unsafe_hash=True)
class Summary:
    """A post or page as lists, navigation and the post page itself show it."""

    id: str
    kind: str
    title: str
    path: str  # its file under OUT
    when: When | None
    year: int | None
    month: int | None
    author: str | None
    author_url: str | None
    labels: tuple[tuple[str, str], ...]  # (label, its page under OUT)
    excerpt: str


@attrs.frozen
class CommentView:
    id: str
    author: str
    author_url: str | None
    when: When | None
    removed: bool
    body: str  # sanitised HTML (empty for a removed comment)


def when(archive: Archive, moment: datetime | None, precision: str | None = None,
         local: datetime | None = None) -> When | None:
    """``moment`` in the blog's time zone (the offset the source wrote when the blog names no
    zone); only the day when only the day is known. ``local``: ``archive.local_time(moment)``
    when the caller has it already."""
    if moment is None:
        return None
    if precision == "date" or moment.tzinfo is None:
        return When(iso=moment.date().isoformat(), text=moment.strftime("%Y-%m-%d"))
    return _shown(local if local is not None else archive.local_time(moment))


def _shown(local: datetime) -> When:
    """``when`` of an aware time already in the blog's zone."""
    iso = local.isoformat()
    zone = _zone_text(local.utcoffset(), local.tzname())
    if local.year < 1000:  # strftime's %Y does not pad the year to four digits; isoformat does
        return When(iso=iso, text=f"{local:%Y-%m-%d %H:%M} ({zone})")
    # the day and minute cut from isoformat: the same characters as strftime's, which took
    # half of this function's time
    return When(iso=iso, text=f"{iso[:10]} {iso[11:16]} ({zone})")


@functools.lru_cache(maxsize=256)
def _zone_text(offset: timedelta | None, name: str | None) -> str:
    """How a time's zone is shown: its offset (and its name unless that is an offset too).
    Worked out once an offset and name: a blog's times have few, and every post and
    comment shows one."""
    # %z depends on the offset alone
    text = "" if offset is None else datetime(2000, 1, 1, tzinfo=timezone(offset)).strftime("%z")
    text = f"UTC{text[:3]}:{text[3:]}" if text else ""
    name = name or ""
    return text if not name or name.startswith(("UTC", "+", "-")) else f"{name}, {text}"


def lang_of(locale: str | None) -> str:
    """A BCP 47 tag from Blogger's locale (``pt_BR`` -> ``pt-BR``); ``und`` when unknown."""
    if not locale or not locale.replace("_", "").replace("-", "").isalnum():
        return "und"
    return locale.replace("_", "-")


# what ``summary_fields`` gives: id, kind, title, path, the time's iso and text, year,
# month, author, author_url, the labels as the post names them (once each), excerpt
SummaryFields = tuple[str, str, str, str, str | None, str | None, int | None, int | None,
                      str | None, str | None, tuple[str, ...], str]


def summary_fields(archive: Archive, post: Post | SitePost, path: str) -> SummaryFields:
    """``summarise``'s values as plain ones, the labels without their files (the spool
    stores this tuple; ``summary_of`` makes it a ``Summary``): the site's walk over the
    posts built a ``Summary`` and a ``When`` only to take them apart again."""
    published = post.published
    # the local time worked out once, for the date shown and for the year and month
    local = archive.local_time(published) if published is not None else None
    moment = when(archive, published, post.published_precision, local)
    text = post.analysis.text if post.analysis else ""
    # the first words and whether more follow: not the whole text cut into words
    words = text.split(maxsplit=_EXCERPT_WORDS)
    excerpt = " ".join(words[:_EXCERPT_WORDS]) + (" …" if len(words) > _EXCERPT_WORDS else "")
    title = post.title.strip() or (f"Untitled {post.kind} of {moment.text[:10]}" if moment
                                   else f"Untitled {post.kind}")
    author = post.author
    return (post.id, post.kind, title, path, moment.iso if moment else None,
            moment.text if moment else None, local.year if local else None,
            local.month if local else None,
            author.name if author and author.name else None,
            author.uri if author and author.uri else None,
            tuple(dict.fromkeys(post.labels)), excerpt)


def summary_of(fields: SummaryFields, label_files: Mapping[str, str]) -> Summary:
    """The ``Summary`` of ``summary_fields``' values, each label with its file
    (``label_files``; a label without one is left out)."""
    (ident, kind, title, path, iso, shown, year, month, author, author_url, labels,
     excerpt) = fields
    return Summary(ident, kind, title, path,
                   When(iso, shown) if iso is not None and shown is not None else None,
                   year, month, author, author_url,
                   tuple((label, label_files[label]) for label in labels
                         if label in label_files),
                   excerpt)


def summarise(archive: Archive, post: Post | SitePost, paths: SitePaths) -> Summary:
    return summary_of(summary_fields(archive, post, paths.posts[post.id]), paths.labels)


class ShownComment(NamedTuple):
    """What a post page shows of a comment, all of it but the body worked out as the spool
    reads the archive (``comment_record``): kept instead of the whole comment, whose
    unpickling (its author, origin, links and extras as records) was a twentieth of the
    export. The body is sanitised when the page is written: its links need every post's
    file."""

    id: str
    parent_id: str | None
    removed: bool
    author: str
    author_url: str | None
    when: When | None
    content: str  # empty when removed: not shown
    url: str | None


def comment_record(archive: Archive) -> Callable[[Comment | SiteComment], bytes]:
    """How the spool stores a comment for the site (``shown_comment`` reads it back):
    plain values, marshalled."""
    def record(comment: Comment | SiteComment) -> bytes:
        removed = comment.status == "removed"
        author = comment.author
        moment = when(archive, comment.published)
        return marshal.dumps((
            comment.id, comment.parent_id, removed,
            author.name if author and author.name else "Anonymous",
            author.uri if author and author.uri else None,
            moment.iso if moment else None, moment.text if moment else None,
            "" if removed else comment.content, comment.url))
    return record


def shown_comment(record: bytes) -> ShownComment:
    (ident, parent, removed, author, author_url, iso, shown, content,
     url) = marshal.loads(record)
    return ShownComment(ident, parent, removed, author, author_url,
                        When(iso, shown) if iso is not None else None, content, url)


def comment_view(comment: ShownComment, bodies: Bodies, page: str,
                 post_url: str | None) -> CommentView:
    """``comment`` as the page shows it; its body's relative links are read against its
    post's permalink ``post_url`` (else its own)."""
    return CommentView(
        id=comment.id, author=comment.author, author_url=comment.author_url,
        when=comment.when, removed=comment.removed,
        body="" if comment.removed else bodies.render(
            comment.content, base=post_url or comment.url, page=page))


class Threaded(Protocol):
    """A comment as ``thread`` sees it."""

    @property
    def id(self) -> str: ...

    @property
    def parent_id(self) -> str | None: ...


C = TypeVar("C", bound=Threaded)


def thread(comments: Sequence[C]) -> list[tuple[str, C | None]]:
    """The comments as a nested list in reading order: ``open``/``close`` a list, ``start``
    an item (with its comment), ``end`` it. A reply follows its parent; a reply whose parent
    is not among them, or that sits in a cycle of replies, is shown at the top level."""
    ids = {c.id for c in comments}
    children: dict[str | None, list[C]] = {}
    for comment in comments:
        parent = comment.parent_id
        children.setdefault(parent if parent in ids and parent != comment.id else None,
                            []).append(comment)
    steps: list[tuple[str, C | None]] = []
    seen: set[str] = set()

    def walk(top: list[C]) -> None:
        steps.append(("open", None))
        stack = [iter(top)]
        while stack:
            comment = next(stack[-1], None)
            if comment is None:
                stack.pop()
                steps.append(("close", None))
                if stack:
                    steps.append(("end", None))
                continue
            if comment.id in seen:
                continue
            seen.add(comment.id)
            steps.append(("start", comment))
            replies = children.get(comment.id)
            if replies:
                steps.append(("open", None))
                stack.append(iter(replies))
            else:
                steps.append(("end", None))

    if comments:
        walk(children.get(None, []))
        left = [c for c in comments if c.id not in seen]  # replies in a cycle: no root
        if left:
            walk(left)
    return steps
