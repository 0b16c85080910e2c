"""Archive -> the normalised JSON archive on disk (docs/archive-format.md); reading it back
is ``loading``'s (its public names are importable from here too, as they always were).

    DEST/blog.json        the blog, labels, authors, counts, sources, skipped entries, notes
    DEST/posts.jsonl      one post or page per line
    DEST/comments.jsonl   one comment per line

UTF-8, keys sorted, no floats, ids as strings, RFC 3339 times with their own offsets, a
``schema`` id and ``schema_version`` in every document and every line. Nothing run-specific
is written, so the same input gives byte-identical files. The archive is written into a
temporary sibling folder and swapped into place, so an interrupted run leaves either the
previous archive or the new one, never half of one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any, TextIO

from ._codec import SCHEMA_IDS, SCHEMA_VERSION, converter
from ._lines import encode, line_encoder, unstructurer
from .analysis.records import BodyAnalysis
from .durable import sync
from .errors import ArchiveError
from .folder import FILES, data_dir, real_destination, recover, replaceable, staging
from .loading import (
    analysis_of,
    iter_comments,
    iter_lines,
    iter_posts,
    load,
    load_head,
    parse_line,
)
from .model import Archive, Author, Comment, InReplyTo, Post
from .stats import counts

__all__ = [
    "FILES",
    "SCHEMA_IDS",
    "SCHEMA_VERSION",
    "LabelIndex",
    "analysis_of",
    "analysis_value",
    "author_list",
    "author_order",
    "blog_document",
    "data_dir",
    "dumps_line",
    "encode_line",
    "iter_comments",
    "iter_lines",
    "iter_posts",
    "load",
    "load_head",
    "parse_line",
    "recover",
    "replaceable",
    "staging",
    "write",
    "write_blog",
    "write_data",
]


def _dumps(value: Any, indent: int | None = None) -> str:
    return json.dumps(
        value,
        sort_keys=True,
        ensure_ascii=False,
        allow_nan=False,
        indent=indent,
        separators=(",", ": ") if indent else (",", ":"),
    )


def _reference_line(record: Post | Comment) -> str:
    """What ``dumps_line`` gives, the general (slow) way: the tests' reference."""
    kind = "comment" if isinstance(record, Comment) else "post"
    data = converter.unstructure(record)
    data["schema"] = SCHEMA_IDS[kind]
    data["schema_version"] = SCHEMA_VERSION
    return _dumps(data)


# One generated function per record class (``_lines``): the same bytes, a third of the time.
_LINES = {
    cls: line_encoder(converter, cls, {"schema": SCHEMA_IDS[kind],
                                        "schema_version": SCHEMA_VERSION},
                      shared=(Author, InReplyTo))  # one object each, in what readers make
    for cls, kind in ((Post, "post"), (Comment, "comment"))
}


def dumps_line(record: Post | Comment) -> str:
    """One JSON Lines line (without the newline) for a post or comment."""
    encoder = _LINES.get(type(record))
    return encoder(record) if encoder is not None else _reference_line(record)


# -- lines as data: what ``spool`` changes in a line without making its record again -------

_ANALYSIS = unstructurer(converter, BodyAnalysis)


def analysis_value(found: BodyAnalysis | None) -> dict[str, Any] | None:
    """A post's ``analysis`` as its line holds it (``json.loads`` of the line gives the
    same value)."""
    return None if found is None else _ANALYSIS(found)


def encode_line(data: Any) -> str:
    """A line decoded by ``json.loads`` (keys still in their sorted order), some of its
    values changed, encoded again: the bytes ``dumps_line`` gives of the changed record
    (or one value of it, as the line holds it)."""
    return encode(data)


def _authors(archive: Archive) -> list[dict[str, Any]]:
    """Distinct post authors, with how many posts each wrote (derived: ignored by load)."""
    seen: dict[tuple[str, str | None], int] = {}
    for post in archive.posts:
        if post.author is not None:
            key = (post.author.name, post.author.uri)
            seen[key] = seen.get(key, 0) + 1
    return author_list(seen)


def author_list(written: Mapping[tuple[str, str | None], int]) -> list[dict[str, Any]]:
    """blog.json's ``authors``: each distinct post author (name, uri) with the posts they
    wrote (``written``), in ``author_order``."""
    return [{"name": name, "uri": uri, "posts": n}
            for (name, uri), n in sorted(written.items(), key=lambda kv: author_order(kv[0]))]


def author_order(author: tuple[str, str | None]) -> tuple[str, str]:
    """The order of blog.json's ``authors``: by name, then uri (none first)."""
    name, uri = author
    return name, uri or ""


def blog_document(archive: Archive, authors: list[dict[str, Any]] | None = None,
                  found: dict[str, Any] | None = None) -> dict[str, Any]:
    """blog.json's document; ``authors`` and ``found`` (the counts), when given, are what
    ``_authors`` and ``counts`` would give for the posts and comments written elsewhere (an
    archive assembled on disk holds none in memory)."""
    return {
        "schema": SCHEMA_IDS["blog"],
        "schema_version": SCHEMA_VERSION,
        "blog": converter.unstructure(archive.blog),
        "labels": converter.unstructure(archive.labels),
        "authors": _authors(archive) if authors is None else authors,
        "counts": counts(archive) if found is None else found,
        "sources": converter.unstructure(archive.sources),
        "skipped": converter.unstructure(archive.skipped),
        "notes": list(archive.notes),
    }


def write(archive: Archive, dest: str | os.PathLike[str]) -> Path:
    """Write ``archive`` as a JSON archive folder at ``dest``, atomically. Returns the path.

    The folder holds the three data files and their manifests (``manifest-sha512.txt``,
    ``manifest-sha256.txt``). An existing ``dest`` is replaced only if it is an earlier
    blogarchive archive or empty; any other existing path raises ArchiveError, so a typo never
    overwrites unrelated files. ``blogarchive.convert`` writes the fuller preserved form
    (originals, provenance, optionally a BagIt bag).
    """
    from .preserve.fixity import write_manifests
    from .preserve.lock import locked

    target = real_destination(Path(os.fspath(dest)))
    if target.is_dir() and any((target / n).exists() for n in ("events.jsonl", "originals",
                                                              "bagit.txt")):
        raise ArchiveError(
            f"{target}: is a preserved archive (originals, provenance or a bag) that write() "
            "would reduce to its data files; update it with blogarchive.convert()"
        )
    with locked(target), staging(target) as temp:
        write_data(archive, temp)
        write_manifests(temp, FILES.values())
    return target


def write_data(archive: Archive, folder: Path) -> None:
    """The three data files into ``folder`` (fsynced); blog.json last."""
    _write_lines(folder / FILES["post"], archive.posts)
    _write_lines(folder / FILES["comment"], archive.comments)
    write_blog(folder, blog_document(archive))


LabelIndex = Iterable[tuple[str, Iterable[str]]]
"""A label index as a stream: each label's name and its post ids, labels in name order."""

_LABELS_HERE = "blogarchive: the label index goes here"  # in place of the streamed value


def write_blog(folder: Path, document: dict[str, Any], labels: LabelIndex | None = None
               ) -> None:
    """blog.json, written last: a folder with a blog.json is a complete archive.

    With ``labels``, the document's label index is written from that stream, one post id
    at a time, instead of from ``document["labels"]``: the same bytes, without the index of
    a large blog (a few hundred bytes a post, and as much again as JSON text) in memory.
    """
    path = folder / FILES["blog"]
    if labels is None:
        _write_text(path, _dumps(document, indent=1) + "\n")
        return
    text = _dumps({**document, "labels": _LABELS_HERE}, indent=1) + "\n"
    before, mark, after = text.partition(_dumps(_LABELS_HERE))
    if not mark or _dumps(_LABELS_HERE) in after:  # a value that reads as the mark: held
        held = [{"name": name, "post_ids": list(ids)} for name, ids in labels]
        _write_text(path, _dumps({**document, "labels": held}, indent=1) + "\n")
        return
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write(before)
        _write_labels(out, labels)
        out.write(after)
        sync(out)


def _write_labels(out: TextIO, labels: LabelIndex) -> None:
    """The label index as ``_dumps(..., indent=1)`` spells it as a value of blog.json's
    top-level object (two levels deep: labels two spaces in, their ids four)."""
    opened = False
    for name, ids in labels:
        out.write(f'{"," if opened else "["}\n  {{\n   "name": {_string(name)},\n   "post_ids": ')
        opened = True
        some = False
        for ident in ids:
            out.write(f'{"," if some else "["}\n    {_string(ident)}')
            some = True
        out.write("\n   ]\n  }" if some else "[]\n  }")
    out.write("\n ]" if opened else "[]")


def _string(value: object) -> str:
    """``_dumps(value)`` for a string (the encoder's own escaping, without an encoder made
    for each of a label index's thousands of post ids), or any other value."""
    return encode_basestring(value) if type(value) is str else _dumps(value)


def _write_lines(path: Path, records: tuple[Post, ...] | tuple[Comment, ...]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for record in records:
            out.write(dumps_line(record))
            out.write("\n")
        sync(out)


def _write_text(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write(text)
        sync(out)


