"""Blogger HTML pages (every template generation) into the same records as the exports.

``HtmlReader`` reads one page: it checks the page is Blogger's (and whole), finds its posts
with the classic or the widget-engine rules, and yields Post and Comment records whose
``origin`` names the page (and, from a WARC, the record and capture date). A post seen on
several pages is merged later by the assembler, which prefers the item page's full body.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Final

from ...analysis.urls import path_kind, split_url
from ...errors import ParseError, UnsupportedFormat
from ...model import Author, Blog, Comment, FieldSources, Origin, Post, Skipped
from .classic import find_classic_posts, is_classic
from .comments import FoundComment
from .found import FoundPost
from .generation import generation
from .layouts import find_posts
from .page import Page, canonical_url, is_blogger, parse_page

__all__ = ["HtmlReader"]

Record = Post | Comment | Skipped
_WIDGET_ENGINE: Final = re.compile(
    r"""class=["'][^"']*\b(?:widget Blog|hentry|post-outer|blog-post)\b|_WidgetManager""")


class HtmlReader:
    """Reads one saved page; afterwards knows the blog it belongs to."""

    def __init__(self, source: str, opener: object, *, warc_record: str | None = None,
                 captured: datetime | None = None, target_url: str | None = None) -> None:
        self.source = source
        self.opener = opener
        self.notes: list[str] = []
        self.entries = 0
        self.format = "html"
        self.warc_record = warc_record
        self.captured = captured
        self.target_url = target_url
        self._blog: Blog | None = None

    def _load(self) -> Page:
        stream: IO[bytes] = self.opener()  # type: ignore[operator]
        try:
            data = stream.read()
        finally:
            stream.close()
        page = parse_page(self.source, data)
        if not is_blogger(page.text):
            raise UnsupportedFormat(self.source, "an HTML page, but not from a Blogger blog "
                                    "(no Blogger markup or links in it)")
        lowered = page.text[-4096:].lower()
        if "<html" in page.text[:4096].lower() and "</html>" not in lowered:
            lines = page.text.count("\n") + 1
            raise ParseError(self.source, "truncated: the page ends before </html>",
                             line=lines)
        if page.url is None and self.target_url:
            page.url = canonical_url(self.target_url)
        return page

    def __iter__(self) -> Iterator[Record]:
        page = self._load()
        # Only the blog's identity outlives the page: a mirror has thousands of pages, and a
        # parsed page (tree and text) is many times its size.
        self._blog = Blog(id=page.blog_id, title=page.blog_title, url=page.blog_url)
        classic = not _WIDGET_ENGINE.search(page.text) and is_classic(page.text)
        found = find_classic_posts(page) if classic else find_posts(page)
        template = generation(page.text, classic)
        self.notes.extend(f"{self.source}: {note}" for note in page.notes)  # finding adds some
        if not found:
            self.notes.append(f"{self.source}: a Blogger page with no posts on it")
        kind = _page_kind(page, found)
        for post in found:
            index = self.entries
            self.entries += 1
            origin = Origin(format=self.format, source=self.source, entry=index, line=post.line,
                            page_url=page.url, page_kind=kind, warc_record=self.warc_record,
                            captured=self.captured, template=template)
            if post.id is None:
                yield Skipped(source=self.source, entry=index, line=post.line,
                              reason=f"a post ({post.title or 'untitled'!r}) whose id the page "
                                     "does not give (no a[name], postId or postID= link)",
                              url=post.url)
                continue
            yield _post(post, origin)
            for comment in post.comments:
                yield _comment(comment, post, origin)

    def blog(self) -> Blog:
        return self._blog if self._blog is not None else Blog(id=None)


def _page_kind(page: Page, found: list[FoundPost]) -> str:
    parts = split_url(page.url) if page.url else None
    if parts is not None:
        kind = path_kind(parts.path)
        if kind == "post":
            return "item"
        if kind == "page":
            return "static"
    if len(found) == 1 and found[0].comments:
        return "item"
    if any(p.partial for p in found) and "mobile-index" in page.text:
        return "mobile-index"
    return "index"


def _post(found: FoundPost, origin: Origin) -> Post:
    assert found.id is not None
    parts = split_url(found.url) if found.url else None
    path = parts.path if parts is not None else None
    kind = "page" if path and path.startswith("/p/") else "post"
    author = Author(name=found.author or "", uri=found.author_url) if (
        found.author or found.author_url) else None
    return Post(
        id=found.id,
        kind=kind,
        status="live",
        title=found.title,
        content=found.content,
        url=found.url,
        path=path,
        published=found.published,
        updated=None,
        author=author,
        labels=tuple(found.labels),
        comment_count=found.comment_count,
        published_source=found.published_source,
        published_precision=found.precision,
        field_sources=FieldSources(author=found.sources.get("author") if author else None,
                                   url=found.sources.get("url") if found.url else None,
                                   labels=found.sources.get("labels") if found.labels else None),
        content_partial=found.partial,
        origin=origin,
    )


def _comment(found: FoundComment, post: FoundPost, origin: Origin) -> Comment:
    return Comment(
        id=found.id,
        post_id=post.id,
        parent_id=found.parent_id,
        status="removed" if found.removed else "live",
        content=found.content,
        published=found.published,
        author=Author(name=found.author, uri=found.author_url) if found.author else None,
        url=found.url,
        origin=origin,
    )
