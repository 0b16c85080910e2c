"""OUTDIR/batch.jsonl and OUTDIR/catalog.jsonl.

batch.jsonl is appended to as each task finishes (its inputs' rows flushed and synced
together), so a batch killed at any moment leaves a record of everything it finished; a
rerun reads it to skip those. At the end of a run it is rewritten whole (atomically) with
one line per input: the latest row of each. catalog.jsonl has one line per blog archive
in OUTDIR, taken from the newest row that wrote it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final, TextIO

__all__ = ["BATCH", "CATALOG", "DONE", "Ledger", "catalog", "done_before", "read_rows",
           "write_lines"]

BATCH: Final = "batch.jsonl"
CATALOG: Final = "catalog.jsonl"
# folder.BATCH_FILES names these two, so OUTDIR stays a folder of archives for validate.
DONE: Final = frozenset({"ok", "warnings"})


def read_rows(outdir: Path) -> list[dict[str, Any]]:
    """The rows of an earlier run's batch.jsonl (a line cut short by a kill is left out)."""
    path = outdir / BATCH
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    rows = []
    for line in text.splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue  # the line being written when the batch was killed
        if isinstance(row, dict) and isinstance(row.get("source"), str):
            rows.append(row)
    return rows


def done_before(rows: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The latest row of each source."""
    latest: dict[str, dict[str, Any]] = {}
    for row in rows:
        latest[row["source"]] = row
    return latest


def is_done(row: dict[str, Any] | None, sha256: str | None, options: str) -> bool:
    """Skip an input done before with the same bytes and options; failures are redone."""
    return (row is not None and sha256 is not None and row.get("status") in DONE
            and row.get("sha256") == sha256 and row.get("options") == options)


class Ledger:
    """batch.jsonl while a batch runs: one line appended per finished input."""

    def __init__(self, outdir: Path) -> None:
        self.path = outdir / BATCH
        self._file: TextIO = self.path.open("a", encoding="utf-8")

    def add(self, rows: Iterable[dict[str, Any]]) -> None:
        """The rows of one task, on disk when this returns: one fsync for them all (a task
        of small blogs brings about five at once; each fsync is a journal commit, the
        kernel's work on the cores the workers convert on)."""
        lines = [_line(row) for row in rows]
        if not lines:
            return
        self._file.writelines(lines)
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        self._file.close()


def write_lines(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    """``path`` rewritten with one JSON line per row, atomically (a temp file renamed)."""
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with temp.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(_line(row))
        f.flush()
        os.fsync(f.fileno())
    os.replace(temp, path)


def catalog(rows: Iterable[dict[str, Any]], outdir: Path) -> list[dict[str, Any]]:
    """One line per archive in OUTDIR, from the row that wrote it last, in folder order."""
    newest: dict[str, tuple[str, dict[str, Any]]] = {}
    for row in rows:
        for blog in row.get("blogs") or []:
            name = blog.get("archive")
            if not isinstance(name, str) or not (outdir / name).is_dir():
                continue
            finished = str(row.get("finished") or "")
            if name not in newest or finished >= newest[name][0]:
                newest[name] = (finished, blog)
    return [newest[name][1] for name in sorted(newest)]


def _line(row: dict[str, Any]) -> str:
    return json.dumps(row, sort_keys=True, ensure_ascii=False) + "\n"
