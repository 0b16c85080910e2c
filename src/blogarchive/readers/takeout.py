"""Google Takeout entries (namespace `http://schemas.google.com/blogger/2018`) and settings.csv.

FORMATS.md section 2: entries say what they are in `blogger:type` and `blogger:status`, come in
any order (a comment may precede its post), carry no permalinks (only `blogger:filename`, a
path), and write every time in UTC. The blog's host and time zone come from settings.csv.
"""

from __future__ import annotations

import csv
import io
from sys import intern
from typing import TYPE_CHECKING, Final

from ..model import Comment, Location, Post, Setting
from ._common import B18, A, Fields, author_of, inner_text, item_id_of, links_of

if TYPE_CHECKING:
    from .atom import AtomReader, Record

# Blogger API v3 status values, spelled the archive's way; anything else is kept as written.
STATUS: Final = {
    "LIVE": "live",
    "DRAFT": "draft",
    "SCHEDULED": "scheduled",
    "SOFT_TRASHED": "soft-trashed",
}
_LABEL_SCHEME_PREFIX: Final = "tag:blogger.com,1999:blog-"
_PRESENCE_ONLY: Final = (
    A + "link",
    A + "enclosure",
    A + "category",
    B18 + "location",
    B18 + "trashed",
    B18 + "metaDescription",
    B18 + "inReplyTo",
    B18 + "filename",
)


def entry(
    reader: AtomReader, f: Fields, atom_id: str, index: int, line: int | None
) -> Record | None:
    from .atom import EntrySkipped

    kind_text = f.stripped(B18 + "type")
    status_text = f.stripped(B18 + "status")
    # A missing status is not "live": say so rather than guess.
    status = STATUS.get(status_text, status_text) if status_text else "unspecified"
    f.drop_empty(*_PRESENCE_ONLY)
    kind = intern((kind_text or "").lower())
    if kind == "comment":
        return _comment(reader, f, atom_id, status, index, line)
    if kind in ("post", "page"):
        return _post(reader, f, atom_id, kind, status, index, line)
    raise EntrySkipped(f"Takeout entry of unknown blogger:type {kind_text!r} (id {atom_id})")


def _post(
    reader: AtomReader,
    f: Fields,
    atom_id: str,
    kind: str,
    status: str,
    index: int,
    line: int | None,
) -> Post:
    labels = []
    for category in f.take_all(A + "category"):
        scheme, term = category.get("scheme") or "", category.get("term")
        if scheme.startswith(_LABEL_SCHEME_PREFIX) and term is not None:
            labels.append(intern(term))
        else:
            f.untake(category)
    title_el = f.take(A + "title")
    content_el = f.take(A + "content")
    path = (f.text(B18 + "filename") or "").strip() or None
    url = reader.blog_url.rstrip("/") + path if reader.blog_url and path else None
    return Post(
        id=item_id_of(atom_id),
        kind=kind,
        status=status,
        title=inner_text(title_el) if title_el is not None else "",
        content=inner_text(content_el) if content_el is not None else "",
        url=url,
        path=path,
        published=f.time(A + "published"),
        updated=f.time(A + "updated"),
        created=f.time(B18 + "created"),
        author=author_of(f.take(A + "author"), reader.shared),
        labels=tuple(labels),
        atom_id=atom_id,
        search_description=f.text(B18 + "metaDescription") or None,
        location=_location(f),
        trashed=(f.text(B18 + "trashed") or "").strip() or None,
        links=links_of(f.take_all(A + "link"), reader.shared),
        extras=f.rest(),
        origin=reader.origin(index, line),
    )


def _comment(
    reader: AtomReader, f: Fields, atom_id: str, status: str, index: int, line: int | None
) -> Comment:
    parent = f.stripped(B18 + "parent")
    in_reply_to = f.stripped(B18 + "inReplyTo")
    content_el = f.take(A + "content")
    return Comment(
        id=item_id_of(atom_id),
        post_id=item_id_of(parent) if parent else None,
        parent_id=item_id_of(in_reply_to) if in_reply_to else None,
        status=status,
        content=inner_text(content_el) if content_el is not None else "",
        published=f.time(A + "published"),
        updated=f.time(A + "updated"),
        created=f.time(B18 + "created"),
        author=author_of(f.take(A + "author"), reader.shared),
        atom_id=atom_id,
        trashed=(f.text(B18 + "trashed") or "").strip() or None,
        links=links_of(f.take_all(A + "link"), reader.shared),
        extras=f.rest(),
        origin=reader.origin(index, line),
    )


def _location(f: Fields) -> Location | None:
    element = f.take(B18 + "location")
    if element is None:
        return None
    inner = Fields(element)
    location = Location(
        name=inner.text(B18 + "name"),
        latitude=inner.stripped(B18 + "latitude"),
        longitude=inner.stripped(B18 + "longitude"),
        span=inner.stripped(B18 + "span"),
    )
    if inner.rest():  # a child this reader does not know: keep the whole element
        f.untake(element)
    return location


def read_settings(data: bytes, source: str) -> list[Setting]:
    """settings.csv: one header row, one value row (FORMATS.md section 2.1).

    Raises ValueError (with the row or line) when the file is not that shape.
    """
    text = data.decode("utf-8-sig")
    # newline="": the csv module does its own line ending handling (CRLF, bare CR or LF, and
    # line breaks inside quoted values); a translated stream made a bare CR a csv.Error
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = [row for row in reader if row]
    except csv.Error as err:
        raise ValueError(f"line {reader.line_num}: {err}") from None
    if not rows:
        return []
    header = rows[0]
    values = rows[1] if len(rows) > 1 else [""] * len(header)
    if len(rows) > 2 or len(values) != len(header):
        raise ValueError(
            f"{source}: expected a header row and one value row of {len(header)} columns, "
            f"found {len(rows)} rows"
        )
    return [Setting(name=name, value=value) for name, value in zip(header, values, strict=True)]


def blog_url(settings: list[Setting]) -> str | None:
    """The blog's home URL from settings.csv: a custom domain if set, else the blogspot host."""
    values = {s.name.lower(): s.value.strip() for s in settings}
    for key, value in values.items():
        if value and ("custom_domain" in key or key in ("blog_url", "url")):
            return value if "://" in value else f"https://{value}/"
    sub = values.get("blog_subdomain") or values.get("subdomain")
    if sub:
        host = sub if "." in sub else f"{sub}.blogspot.com"
        return f"https://{host}/"
    return None
