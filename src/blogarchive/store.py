"""Archive <-> the normalised JSON archive on disk (docs/archive-format.md).

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
from collections.abc import Iterable, Iterator
from datetime import datetime
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any, Final, TextIO

import attrs
import cattrs

from ._blogjson import read_document
from ._lines import encode, line_encoder, unstructurer
from ._structure import structurer
from ._time import format_time, parse_time
from .analysis.records import BodyAnalysis
from .durable import sync
from .errors import ArchiveError
from .folder import FILES, data_dir, real_destination, recover, replaceable, staging
from .model import (
    Archive,
    Author,
    Blog,
    Comment,
    InReplyTo,
    Label,
    Post,
    Skipped,
    SourceInfo,
)
from .stats import counts

__all__ = [
    "FILES",
    "SCHEMA_IDS",
    "SCHEMA_VERSION",
    "LabelIndex",
    "analysis_of",
    "analysis_value",
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

SCHEMA_VERSION: Final = "1-6-0"  # SchemaVer MODEL-REVISION-ADDITION
SCHEMA_IDS: Final = {
    "blog": "urn:blogarchive:schema:1:blog",
    "post": "urn:blogarchive:schema:1:post",
    "comment": "urn:blogarchive:schema:1:comment",
}

_converter = cattrs.Converter()
_converter.register_unstructure_hook(datetime, format_time)
_converter.register_structure_hook(datetime, lambda value, _type: parse_time(value))


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
    data = _converter.unstructure(record)
    data["schema"] = SCHEMA_IDS[kind]
    data["schema_version"] = SCHEMA_VERSION
    return _dumps(data)


# One generated function per record class (``_lines``): the same bytes, a third of the time.
_LINES = {
    cls: line_encoder(_converter, cls, {"schema": SCHEMA_IDS[kind],
                                        "schema_version": SCHEMA_VERSION},
                      shared=(Author, InReplyTo))  # one object each, in what readers make
    for cls, kind in ((Post, "post"), (Comment, "comment"))
}


def dumps_line(record: Post | Comment) -> str:
    """One JSON Lines line (without the newline) for a post or comment."""
    encoder = _LINES.get(type(record))
    return encoder(record) if encoder is not None else _reference_line(record)


# -- lines as data: what ``spool`` changes in a line without making its record again -------

_ANALYSIS = unstructurer(_converter, BodyAnalysis)


def analysis_value(found: BodyAnalysis | None) -> dict[str, Any] | None:
    """A post's ``analysis`` as its line holds it (``json.loads`` of the line gives the
    same value)."""
    return None if found is None else _ANALYSIS(found)


def analysis_of(value: Any) -> BodyAnalysis | None:
    """A line's ``analysis`` value back as a BodyAnalysis."""
    return None if value is None else _converter.structure(value, BodyAnalysis)


def encode_line(data: Any) -> str:
    """A line decoded by ``json.loads`` (keys still in their sorted order), some of its
    values changed, encoded again: the bytes ``dumps_line`` gives of the changed record
    (or one value of it, as the line holds it)."""
    return encode(data)


def parse_line(text: str, kind: str) -> Post | Comment:
    """A line this version wrote, back as its record (``load``'s checks, its errors)."""
    data = json.loads(text)
    _check_schema(data, kind, "line")
    data.pop("schema")
    data.pop("schema_version", None)
    record: Post | Comment = _structure(data, Post if kind == "post" else Comment, "line", "$")
    return record


def _authors(archive: Archive) -> list[dict[str, Any]]:
    """Distinct post authors, with how many posts each wrote (derived: ignored by load)."""
    seen: dict[tuple[str, str | None], int] = {}
    for post in archive.posts:
        if post.author is not None:
            key = (post.author.name, post.author.uri)
            seen[key] = seen.get(key, 0) + 1
    return [
        {"name": name, "uri": uri, "posts": n}
        for (name, uri), n in sorted(seen.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))
    ]


def blog_document(archive: Archive, authors: list[dict[str, Any]] | None = None,
                  found: dict[str, Any] | None = None) -> dict[str, Any]:
    """blog.json's document; ``authors`` and ``found`` (the counts), when given, are what
    ``_authors`` and ``counts`` would give for the posts and comments written elsewhere (an
    archive assembled on disk holds none in memory)."""
    return {
        "schema": SCHEMA_IDS["blog"],
        "schema_version": SCHEMA_VERSION,
        "blog": _converter.unstructure(archive.blog),
        "labels": _converter.unstructure(archive.labels),
        "authors": _authors(archive) if authors is None else authors,
        "counts": counts(archive) if found is None else found,
        "sources": _converter.unstructure(archive.sources),
        "skipped": _converter.unstructure(archive.skipped),
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


# -- loading ---------------------------------------------------------------------------------


def load(dest: str | os.PathLike[str]) -> Archive:
    """Read a JSON archive back into the records that were written.

    Raises ArchiveError naming the file and line when something is missing or damaged.
    """
    head = load_head(dest)
    folder = data_dir(Path(os.fspath(dest)))
    head = load_head(folder)
    return attrs.evolve(
        head,
        posts=tuple(iter_lines(folder / FILES["post"], "post", Post)),
        comments=tuple(iter_lines(folder / FILES["comment"], "comment", Comment)),
    )


def load_head(dest: str | os.PathLike[str], *, label_posts: bool = True) -> Archive:
    """An archive's blog.json alone: the Archive without its posts and comments (read them
    one at a time with ``iter_lines``). Raises ArchiveError as ``load`` does.

    ``label_posts=False``: the labels with ``post_ids`` empty (not read, so not checked): the
    label index grows with the blog (8 MB at 1 GB), and the exports need only the names.
    blog.json is decoded as it is read (``_blogjson``), never held whole."""
    folder = data_dir(Path(os.fspath(dest)))
    blog_path = folder / FILES["blog"]
    if not blog_path.is_file():
        raise ArchiveError(f"{folder}: not a blogarchive archive (no blog.json)")
    try:
        document = read_document(blog_path, label_posts=label_posts)
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise ArchiveError(f"{blog_path}: unreadable: {err}") from None
    _check_schema(document, "blog", str(blog_path))
    if "blog" not in document:
        raise ArchiveError(f"{blog_path}: does not match the schema: field blog missing")
    where = str(blog_path)
    blog = _structure(document["blog"], Blog, where, "blog")
    labels = _structure(document.get("labels", []), tuple[Label, ...], where, "labels")
    sources = _structure(document.get("sources", []), tuple[SourceInfo, ...], where, "sources")
    skipped = _structure(document.get("skipped", []), tuple[Skipped, ...], where, "skipped")
    notes = tuple(document.get("notes", []))
    return Archive(blog=blog, posts=(), comments=(), labels=labels, sources=sources,
                   skipped=skipped, notes=notes)


def _problem(exc: BaseException, tp: type | None) -> str:
    """cattrs' wording for one failed field, with the value's own complaint when it has
    one (a time that does not parse says what it got)."""
    general = cattrs.v.format_exception(exc, tp)
    if isinstance(exc, ValueError) and str(exc):
        return f"{general}: {str(exc)[:160]}"
    return general


def _describe(err: BaseException, base: str) -> str:
    """Which field is wrong and how, e.g. ``field published: invalid value for type,
    expected datetime | None: 'yesterday' is not an RFC 3339 time``; not cattrs' bare
    "While structuring Post (1 sub-exception)"."""
    if not isinstance(err, cattrs.BaseValidationError):
        field = base.removeprefix("$").lstrip(".") or "(the record)"
        return f"field {field}: {cattrs.v.format_exception(err, None)}: {str(err)[:160]}"
    found = cattrs.transform_error(err, path=base, format_exception=_problem)
    described = []
    for line in found[:3]:
        problem, _, path = line.rpartition(" @ ")
        field = path.removeprefix("$").lstrip(".") or "(the record)"
        described.append(f"field {field}: {problem}")
    if len(found) > 3:
        described.append(f"and {len(found) - 3} more")
    return "; ".join(described)


def _structure(value: Any, tp: Any, where: str, path: str) -> Any:
    """``value`` as ``tp``, or an ArchiveError naming ``where`` and the field."""
    try:
        return _converter.structure(value, tp)
    except (ValueError, TypeError, KeyError, cattrs.BaseValidationError) as err:
        raise ArchiveError(f"{where}: does not match the schema: {_describe(err, path)}"
                           ) from None


def _check_schema(data: Any, kind: str, where: str) -> None:
    if not isinstance(data, dict) or data.get("schema") != SCHEMA_IDS[kind]:
        found = data.get("schema") if isinstance(data, dict) else type(data).__name__
        raise ArchiveError(f"{where}: expected schema {SCHEMA_IDS[kind]}, found {found!r}")


def iter_lines(path: Path, kind: str, cls: type[Any]) -> Iterator[Any]:
    """The records of one JSON Lines file of an archive, one at a time; ArchiveError names
    the file, line and field of the first that is damaged."""
    if not path.is_file():
        raise ArchiveError(f"{path}: missing")
    fast = structurer(cls)
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            where = f"{path}: line {number}"
            try:
                data = json.loads(line)
            except ValueError as err:
                raise ArchiveError(f"{where}: not JSON: {err}") from None
            _check_schema(data, kind, where)
            data.pop("schema")
            data.pop("schema_version", None)
            try:  # the generated function; cattrs where it is unsure (see _structure.py)
                record = fast(data)
            except Exception:
                ident = f" ({kind} {data['id']})" if isinstance(data.get("id"), str) else ""
                record = _structure(data, cls, where + ident, "$")
            yield record


# -- streaming -------------------------------------------------------------------------------
# What ``load`` reads, a record at a time: the exports hold one post in memory, not the
# archive. The same checks and the same messages as ``load``.


def iter_posts(dest: str | os.PathLike[str]) -> Iterator[Post]:
    """The posts and pages of posts.jsonl in the archive's order, one line at a time.

    Raises ArchiveError naming the file and line (as ``load``) when it reaches a bad line.
    """
    return iter_lines(data_dir(Path(os.fspath(dest))) / FILES["post"], "post", Post)


def iter_comments(dest: str | os.PathLike[str]) -> Iterator[Comment]:
    """The comments of comments.jsonl in the archive's order, one line at a time (errors as
    ``iter_posts``)."""
    return iter_lines(data_dir(Path(os.fspath(dest))) / FILES["comment"], "comment", Comment)
