"""The few fields of each post and comment that the site export reads, taken straight from
the archive's decoded lines: the narrow reader beside ``loading``'s whole records.

``loading.iter_lines`` structures every field of every line (authors, origins, links,
media, the analysis's link lists, extras) into records; the access copy shows a dozen of
them, and structuring the rest was most of what reading the archive into the site's spool
cost. ``site_posts`` and ``site_comments`` read each line as ``iter_lines`` does (the same
JSON, schema and missing-file errors) and structure only the fields below, through the
same generated functions (``_structure.structurer``): a field holding exactly its type is
taken as it is; anything else (a wrong type, a missing required key, a time that does not
parse) makes the whole line go through cattrs as ``load`` structures it, so a value cattrs
coerces gives the value of cattrs' record, and a damaged line ``load``'s error.

What is not read is not checked: a line whose damage lies only in fields the site never
shows (its ``updated``, its origin, a link's text) is exported, where ``load`` would refuse
it (``blogarchive validate`` checks every field). The narrow records keep the model's field
names, types and defaults (``tests/test_narrow.py`` checks both, and that the values are
those of the whole records over the test archives and generated ones), so the site's code
reads them as it read ``Post`` and ``Comment``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import attrs

from .analysis.records import Quote
from .folder import FILES, data_dir
from .loading import structured_lines
from .model import Author, Comment, Post

__all__ = ["Byline", "Linked", "SiteAnalysis", "SiteComment", "SitePost", "comment_of",
           "post_of", "site_comments", "site_posts"]

# The classes are not frozen: a frozen attrs class sets each field through
# object.__setattr__ (a call per field, and a post has one Linked per link). Nothing assigns
# to them.


@attrs.define(weakref_slot=False)
class Byline:
    """An ``Author``'s name and profile URL."""

    name: str = ""
    uri: str | None = None


@attrs.define(weakref_slot=False)
class Linked:
    """A ``BodyLink``'s archived target (the post it points to), for backlinks."""

    post_id: str | None = None


@attrs.define(weakref_slot=False)
class SiteAnalysis:
    """A ``BodyAnalysis``'s text (excerpts, the search index), quotes and links."""

    text: str
    quotes: tuple[Quote, ...] = ()
    links: tuple[Linked, ...] = ()


@attrs.define(weakref_slot=False)
class SitePost:
    """What the site export reads of a ``Post``."""

    id: str
    kind: str
    status: str
    title: str
    content: str
    url: str | None
    path: str | None
    published: datetime | None
    published_precision: str | None = None
    author: Byline | None = None
    labels: tuple[str, ...] = ()
    analysis: SiteAnalysis | None = None


@attrs.define(weakref_slot=False)
class SiteComment:
    """What the site export reads of a ``Comment``."""

    id: str
    post_id: str | None
    parent_id: str | None
    status: str
    content: str
    published: datetime | None
    author: Byline | None = None
    url: str | None = None


def _byline(author: Author | None) -> Byline | None:
    return None if author is None else Byline(author.name, author.uri)


def post_of(post: Post) -> SitePost:
    """The narrow record of a whole one (for a line cattrs had to structure)."""
    analysis = post.analysis
    return SitePost(
        post.id, post.kind, post.status, post.title, post.content, post.url, post.path,
        post.published, post.published_precision, _byline(post.author), post.labels,
        None if analysis is None else SiteAnalysis(
            analysis.text, analysis.quotes,
            tuple(Linked(link.post_id) for link in analysis.links)))


def comment_of(comment: Comment) -> SiteComment:
    """The narrow record of a whole one (for a line cattrs had to structure)."""
    return SiteComment(comment.id, comment.post_id, comment.parent_id, comment.status,
                       comment.content, comment.published, _byline(comment.author),
                       comment.url)


N = TypeVar("N")


def _narrowed(path: Path, kind: str, whole: type[Any], narrow: type[N],
              of: Callable[[Any], N]) -> Iterator[N]:
    # the fields read, each of exactly its type; else cattrs decides, over the whole line,
    # as load does
    return cast("Iterator[N]", structured_lines(path, kind, whole, narrow, of))


def site_posts(dest: str | os.PathLike[str]) -> Iterator[SitePost]:
    """The posts and pages of posts.jsonl in the archive's order, narrow (ArchiveError as
    ``store.iter_posts``)."""
    return _narrowed(data_dir(Path(os.fspath(dest))) / FILES["post"], "post", Post,
                     SitePost, post_of)


def site_comments(dest: str | os.PathLike[str]) -> Iterator[SiteComment]:
    """The comments of comments.jsonl in the archive's order, narrow (ArchiveError as
    ``store.iter_comments``)."""
    return _narrowed(data_dir(Path(os.fspath(dest))) / FILES["comment"], "comment", Comment,
                     SiteComment, comment_of)
