"""The normalised JSON archive on disk back into records (``store`` writes it; its public
names are importable from ``store`` too): ``load`` the whole Archive, ``load_head`` its
blog.json alone, ``iter_lines`` and its kin a record at a time, ``parse_line`` one line.
Damage raises ArchiveError naming the file, line and field.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import cattrs

from ._blogjson import read_document
from ._codec import SCHEMA_IDS, converter
from ._structure import structurer
from .analysis.records import BodyAnalysis
from .errors import ArchiveError
from .folder import FILES, data_dir
from .model import Archive, Blog, Comment, Label, Post, Skipped, SourceInfo

__all__ = [
    "analysis_of",
    "decoded_lines",
    "head_of",
    "iter_comments",
    "iter_lines",
    "iter_posts",
    "load",
    "load_head",
    "parse_line",
    "structure_line",
    "structured_lines",
]


def analysis_of(value: Any) -> BodyAnalysis | None:
    """A line's ``analysis`` value back as a BodyAnalysis."""
    return None if value is None else converter.structure(value, BodyAnalysis)


def parse_line(text: str, kind: str) -> Post | Comment:
    """A line this version wrote, back as its record (``load``'s checks, its errors)."""
    data = json.loads(text)
    _check_schema(data, kind, "line")
    data.pop("schema")
    data.pop("schema_version", None)
    record: Post | Comment = _structure(data, Post if kind == "post" else Comment, "line", "$")
    return record


def load(dest: str | os.PathLike[str]) -> Archive:
    """Read a JSON archive back into the records that were written.

    Raises ArchiveError naming the file and line when something is missing or damaged.
    """
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
    return head_of(document, str(blog_path))


def head_of(document: Any, where: str) -> Archive:
    """blog.json's decoded ``document`` as ``load_head`` gives it (``where``: its path, for
    the errors): for a caller that decoded it already (``validate``), not to read it twice."""
    _check_schema(document, "blog", where)
    if "blog" not in document:
        raise ArchiveError(f"{where}: does not match the schema: field blog missing")
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
        return converter.structure(value, tp)
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
    return structured_lines(path, kind, cls)


def structured_lines(path: Path, kind: str, cls: type[Any], fast_as: type[Any] | None = None,
                     of: Callable[[Any], Any] | None = None) -> Iterator[Any]:
    """``iter_lines``; with ``fast_as``, each line taken as that class (a narrower one: the
    fields it names, each of exactly its type) where it can be, else structured whole as
    ``cls`` through cattrs, as ``load`` does, and made one by ``of``."""
    fast = structurer(fast_as or cls)
    for where, data in decoded_lines(path, kind):
        try:  # the generated function; cattrs where it is unsure (see _structure.py)
            record = fast(data)
        except Exception:
            record = structure_line(data, cls, kind, where)
            if of is not None:
                record = of(record)
        yield record


def decoded_lines(path: Path, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each line of one JSON Lines file of an archive decoded, its schema checked and taken
    off, with where it is (``path: line N``) for the errors; ArchiveError at the first line
    that is not JSON or names another schema."""
    if not path.is_file():
        raise ArchiveError(f"{path}: missing")
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
            yield where, data


def structure_line(data: dict[str, Any], cls: type[Any], kind: str, where: str) -> Any:
    """A decoded line as ``cls`` through cattrs (``load``'s record, or its error naming the
    line, the record's id and the field)."""
    ident = f" ({kind} {data['id']})" if isinstance(data.get("id"), str) else ""
    return _structure(data, cls, where + ident, "$")


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
