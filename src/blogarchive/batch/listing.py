"""The inputs of a batch: sources named on the command line, or in a list file (one source a
line, or a CSV with a ``source`` column and per-row options)."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from pathlib import Path

import attrs

from ..errors import InvalidArgument
from ..reading import check_blog_url

__all__ = ["COLUMNS", "Item", "items", "read_list"]

COLUMNS = ("source", "blog_url")
"""The columns a CSV list may have; ``source`` is required. Other per-row options join here
(and in ``Item``) as convert gains them."""


@attrs.frozen
class Item:
    """One input of a batch: a source (path as given, resolved) and its own options."""

    source: str
    blog_url: str | None = None
    where: str = ""
    """Where it was named (``LIST, line N``), for messages."""


def items(sources: Iterable[str | os.PathLike[str]], from_list: str | os.PathLike[str] | None,
          blog_url: str | None = None) -> list[Item]:
    """The inputs in order: the list file's rows, then the sources named directly. A source
    named twice is kept once (its first place wins): the same file converted twice in one
    batch would only add an event."""
    found = read_list(Path(os.fspath(from_list)), blog_url) if from_list is not None else []
    found += [Item(os.fspath(s), blog_url, "command line") for s in sources]
    seen: set[str] = set()
    unique = []
    for item in found:
        if item.source not in seen:
            seen.add(item.source)
            unique.append(item)
    return unique


def read_list(path: Path, blog_url: str | None = None) -> list[Item]:
    """A list file's inputs. Relative paths are taken from the list's own folder, so a list
    can travel with its collection. Raises InvalidArgument naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as err:
        raise InvalidArgument(f"{path}: cannot read the list: {err.strerror or err}") from None
    except UnicodeDecodeError as err:
        raise InvalidArgument(f"{path}: the list is not UTF-8 text ({err.reason} at byte "
                              f"{err.start})") from None
    first = text.lstrip().split("\n", 1)[0].strip()
    header = [c.strip().lower().replace("-", "_") for c in next(csv.reader([first]))] \
        if first else []
    if "source" in header and (len(header) > 1 or first.lower() == "source"):
        return _csv_rows(path, text, blog_url)
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        name = line.strip()
        if name and not name.startswith("#"):
            out.append(Item(_resolved(path, name), blog_url, f"{path}, line {number}"))
    return out


def _csv_rows(path: Path, text: str, blog_url: str | None) -> list[Item]:
    rows = csv.reader(io.StringIO(text))
    header = [c.strip().lower().replace("-", "_") for c in next(rows)]
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        raise InvalidArgument(f"{path}, line 1: unknown column {unknown[0]!r}; a batch list "
                              f"has the columns {', '.join(COLUMNS)} (source required)")
    out = []
    for number, row in enumerate(rows, 2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise InvalidArgument(f"{path}, line {number}: {len(row)} fields, the header has "
                                  f"{len(header)}")
        cells = dict(zip(header, (c.strip() for c in row), strict=True))
        if not cells["source"]:
            raise InvalidArgument(f"{path}, line {number}: no source")
        url = cells.get("blog_url") or blog_url
        try:
            url = check_blog_url(url)
        except InvalidArgument as problem:
            raise InvalidArgument(f"{path}, line {number}: {problem}") from None
        out.append(Item(_resolved(path, cells["source"]), url, f"{path}, line {number}"))
    return out


def _resolved(listing: Path, name: str) -> str:
    given = Path(name).expanduser()
    return os.fspath(given if given.is_absolute() else listing.parent / given)
