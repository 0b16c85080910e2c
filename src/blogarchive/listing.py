"""Rows for ``blogarchive list quotes|lists|links|media``: the analysis without writing code.

Each row is a plain dict (the post's id, title and URL, then the item's own fields), printed
as one JSON object per line with ``--json`` or as a short line of text otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

import cattrs

from .capture.state import CAPTURED, capture_field, media_url, state_of
from .model import Archive, Post

__all__ = ["KINDS", "LINK_OPTIONS", "WHAT", "check_options", "format_row", "rows", "unknown_target"]

WHAT: Final = ("quotes", "lists", "links", "media")
# The values ``--kind`` can take for each: the analysis's own vocabulary (see the records'
# field docs: Quote.kind, LinkList.form, BodyLink.kind, Media.kind). A kind outside these
# could only ever give zero rows, so it is refused rather than silently matched by nothing.
KINDS: Final = {
    "quotes": ("blockquote", "blockquote-cite", "editor-quote", "indent", "quote-mark-paragraph"),
    "lists": ("ul", "ol", "lines", "paragraphs"),
    "links": ("post", "page", "label", "search", "archive", "home", "feed", "other"),
    "media": ("image", "video", "audio", "iframe", "embed"),
}
LINK_OPTIONS: Final = ("--broken", "--internal", "--to")
_converter = cattrs.Converter()


def _head(post: Post) -> dict[str, Any]:
    # "post", not "post_id": a link's own post_id is the post it points to.
    return {"post": post.id, "post_title": post.title, "post_url": post.url}


def rows(
    archive: Archive,
    what: str,
    *,
    broken: bool = False,
    internal: bool = False,
    to: str | None = None,
    kind: str | None = None,
    missing: bool = False,
    captured: Mapping[str, Mapping[str, Any]] | None = None,
) -> Iterator[dict[str, Any]]:
    """Rows of one kind over every analysed post, filtered as the options ask.

    ``captured``: the media.jsonl lines of the archive (media rows then carry ``capture``,
    its state); ``missing``: only media not captured (failed or not tried)."""
    for post in archive.posts:
        analysis = post.analysis
        if analysis is None:
            continue
        items: tuple[Any, ...] = {
            "quotes": analysis.quotes,
            "lists": analysis.link_lists,
            "links": analysis.links,
            "media": analysis.media,
        }[what]
        for item in items:
            if kind is not None and getattr(item, "form" if what == "lists" else "kind") != kind:
                continue
            if what == "links" and (
                (broken and not item.broken)
                or (internal and not item.internal)
                or (to is not None and item.post_id != to)
            ):
                continue
            if what == "media" and (missing or captured is not None):
                line = (captured or {}).get(media_url(item.url, post.url))
                if missing and state_of(line) == CAPTURED:
                    continue
                if captured is not None:
                    yield _head(post) | _converter.unstructure(item) | {
                        "capture": capture_field(line)}
                    continue
            yield _head(post) | _converter.unstructure(item)


def check_options(
    what: str,
    *,
    broken: bool = False,
    internal: bool = False,
    to: str | None = None,
    kind: str | None = None,
    missing: bool = False,
) -> str | None:
    """Why these options cannot apply to ``what`` (one line naming the option), or None.

    Checked before anything is read; ``unknown_target`` checks ``--to`` once it is.
    """
    if what != "links":
        given = [name for name, value in zip(LINK_OPTIONS, (broken, internal, to is not None),
                                             strict=True) if value]
        if given:
            return f"{given[0]} applies to 'list links' only, not to 'list {what}'"
    if missing and what != "media":
        return f"--missing applies to 'list media' only, not to 'list {what}'"
    if kind is not None and kind not in KINDS[what]:
        return (f"--kind {kind!r} is not a kind of {what}; the kinds are: "
                + ", ".join(KINDS[what]))
    return None


def unknown_target(archives: Iterable[Archive], to: str | None) -> str | None:
    """``--to`` naming a post that none of the archives holds: it could match no link."""
    if to is not None and not any(a.post(to) is not None for a in archives):
        return f"--to {to}: no post or page with this id in the archive"
    return None


def _short(text: str, width: int = 100) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def format_row(what: str, row: dict[str, Any]) -> str:
    """One row as a human-readable line (lists take one line per item)."""
    post = f"post {row['post']}"
    if what == "quotes":
        extra = "".join(
            f" ({label} {row[key]})" for key, label in (("cite", "cite"), ("attribution", "by"))
            if row[key]
        )
        return f"{post} {row['kind']}{extra}: {_short(row['text'])}"
    if what == "lists":
        lines = [f"{post} [{row['form']}] {row['intro']}"]
        for item in row["items"]:
            where = (f"post {item['post_id']}" if item["post_id"]
                     else "not in archive" if item["same_blog"] else "elsewhere")
            lines.append(f"  {item['date'] or '????-??'}  {_short(item['title'], 60)}  "
                         f"-> {where}  {item['url']}")
        return "\n".join(lines)
    if what == "links":
        if row["internal"]:
            target = ("BROKEN" if row["broken"] else
                      f"{row['kind']} {row['post_id']}" if row["post_id"] else row["kind"])
        else:
            target = "external"
        return f"{post} -> {target}: {row['url']}" + (
            f"  ({_short(row['text'], 60)})" if row["text"] else "")
    size = "x".join(v for v in (row["width"], row["height"]) if v)
    return f"{post} {row['kind']} {row['url']}" + (f" [{size}]" if size else "") + (
        f" original {row['original']}" if row["original"] and row["original"] != row["url"]
        else "") + _capture_tag(row.get("capture"))


def _capture_tag(capture: Mapping[str, Any] | None) -> str:
    """`` (captured)``, `` (failed: http-status HTTP 404)``, `` (not tried)``; "" for sources."""
    if capture is None:
        return ""
    error = capture["error"]
    return f" ({capture['state']}" + (
        f": {error['kind']} {error['detail']}".rstrip() if error else "") + ")"
