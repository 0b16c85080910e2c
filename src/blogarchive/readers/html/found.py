"""What a page says about one post, before it becomes a ``Post`` record."""

from __future__ import annotations

from datetime import datetime

import attrs

from .comments import FoundComment

__all__ = ["FoundPost"]


@attrs.define
class FoundPost:
    id: str | None = None
    title: str = ""
    url: str | None = None
    published: datetime | None = None
    published_source: str | None = None
    precision: str | None = None
    author: str | None = None
    author_url: str | None = None
    labels: list[str] = attrs.Factory(list)
    content: str = ""
    partial: bool = False
    comment_count: int | None = None
    comments: list[FoundComment] = attrs.Factory(list)
    line: int | None = None
    sources: dict[str, str] = attrs.Factory(dict)
    """``author``, ``url``, ``labels`` -> the rule that gave each."""
