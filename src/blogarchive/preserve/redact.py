"""Redaction: e-mail addresses out of authors and settings, everything else left intact.

Exports from 2008-2011 carry authors' real addresses (``author/email``) and settings such as
``BLOG_COMMENT_EMAIL``. Redaction removes them from every author (blog, posts, comments),
every setting value, and any unmapped XML kept beside an author; Blogger's placeholder
``noreply@blogger.com`` is not personal and stays. Post and comment bodies are the authors'
own words and are not touched.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Final

import attrs

from .._words import counted
from ..folder import EVENTS
from ..model import Archive, Author, Blog, Comment, Post

__all__ = ["REDACTIONS", "Redactor", "redact", "redacted_when_written"]

REDACTIONS: Final = ("emails",)
PLACEHOLDER: Final = "noreply@blogger.com"
_EMAIL: Final = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")


class Redactor:
    """Removes addresses record by record, remembering the distinct ones it removed (so a
    whole archive need not be held: ``spool`` redacts as it writes)."""

    def __init__(self) -> None:
        self.found: set[str] = set()

    def text(self, value: str) -> str:
        def one(match: re.Match[str]) -> str:
            if match.group(0).lower() == PLACEHOLDER:
                return match.group(0)
            self.found.add(match.group(0))
            return ""

        return _EMAIL.sub(one, value)

    def author(self, author: Author | None) -> Author | None:
        if author is None:
            return None
        email = author.email
        if email and email.strip().lower() != PLACEHOLDER:
            self.found.add(email.strip())
            email = None
        extras = tuple(self.text(x) for x in author.extras)
        if email == author.email and extras == author.extras:
            return author
        return attrs.evolve(author, email=email, extras=extras)

    def record(self, record: Post | Comment) -> Post | Comment:
        author = self.author(record.author)
        return record if author is record.author else attrs.evolve(record, author=author)

    def note(self) -> str | None:
        """The archive's note on what was removed (None when nothing was)."""
        if not self.found:
            return None
        return (counted(len(self.found), "e-mail address", "e-mail addresses")
                + " of authors and settings redacted")

    def blog(self, blog: Blog) -> Blog:
        settings = tuple(
            s if (value := self.text(s.value)) == s.value else attrs.evolve(s, value=value)
            for s in blog.settings
        )
        extras = tuple(self.text(x) for x in blog.extras)
        return attrs.evolve(blog, author=self.author(blog.author), settings=settings,
                            extras=extras)


def redact(archive: Archive, what: str = "emails") -> tuple[Archive, int]:
    """``archive`` with the e-mail addresses of authors and settings removed, and how many
    distinct addresses were removed. Raises ValueError for an unknown redaction."""
    if what not in REDACTIONS:
        raise ValueError(f"unknown redaction {what!r}; known: {', '.join(REDACTIONS)}")
    r = Redactor()
    redacted = attrs.evolve(
        archive,
        blog=r.blog(archive.blog),
        posts=tuple(r.record(p) for p in archive.posts),  # type: ignore[misc]
        comments=tuple(r.record(c) for c in archive.comments),  # type: ignore[misc]
    )
    note = r.note()
    if note is not None:
        redacted = attrs.evolve(redacted, notes=(*redacted.notes, note))
    return redacted, len(r.found)



def redacted_when_written(data: Path | None) -> bool:
    """Was the archive whose data folder is ``data`` written with e-mail redaction?

    Its last conversion (the last ``migration`` event) was redacted when a ``redaction``
    event follows it. The archive remembers this in its events only, so the data files stay
    exactly what the records give."""
    path = data / EVENTS if data is not None else None
    if path is None or not path.is_file():
        return False
    redacted = False
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            kind = json.loads(line).get("eventType")
        except (ValueError, AttributeError):
            continue  # validate reports a damaged line; it says nothing about redaction
        if kind == "migration":
            redacted = False
        elif kind == "redaction":
            redacted = True
    return redacted
