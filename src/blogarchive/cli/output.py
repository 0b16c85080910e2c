"""What the commands print: problems, the conversion summary, validation reports.

Results go to standard output, problems to standard error; ``-q`` keeps errors and losses
only. The progress bar is cleared before anything is printed, so the two never interleave.
"""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from .._words import counted
from ..describe import blogs_summary, describe_counts
from ..preserve import (
    Converted,
    ValidationReport,
)
from ..preserve.bag import is_bag
from ..progress import TerminalProgress
from ..reading import ReadReport

__all__ = [
    "bar_done",
    "print_collection_summary",
    "print_problems",
    "print_validation",
    "summarise_run",
]


def bar_done(args: argparse.Namespace) -> None:
    """Clear the progress bar before printing results, so the two never interleave."""
    if isinstance(args.progress, TerminalProgress):
        args.progress.close()


def print_problems(report: ReadReport, err: TextIO, quiet: bool = False) -> None:
    """Errors and losses always; files skipped and warnings unless ``-q`` (they are in the
    archive's notes)."""
    for problem in report.failed:
        print(f"error: {problem}", file=err)
    for salvage in report.recovered:  # data was lost: as loud as an error (exit 1)
        print(f"recovered: {salvage}", file=err)
    if quiet:
        return
    for problem in report.ignored:
        print(f"skipped: {problem}", file=err)
    for warning in report.warnings:
        print(f"warning: {warning}", file=err)


def summarise_run(results: list[Converted], args: argparse.Namespace, out: TextIO) -> None:
    for result in results:
        summary, blog = result.summary, result.summary.blog
        print(f"wrote {result.path}/  {blog.title or '(untitled)'} "
              f"(blog {blog.id or 'without id'})", file=out)
        for line in describe_counts(summary):
            print(f"  {line}", file=out)
        for note in summary.notes:
            print(f"  note: {note}", file=out)
        for notice in result.notices:
            print(f"  {notice}", file=out)
        kinds = [e["eventType"] for e in result.events]
        print(f"  provenance: {', '.join(kinds)} {'event' if len(kinds) == 1 else 'events'} "
              "added to events.jsonl" + ("; a BagIt bag" if is_bag(result.path) else ""),
              file=out)
    several = blogs_summary([result.summary for result in results])
    if several:
        print(f"{several}; each in its own folder under {args.output}/", file=out)


def print_validation(report: ValidationReport, args: argparse.Namespace, out: TextIO) -> None:
    if args.json:
        print(json.dumps({"path": str(report.path), "layout": report.layout,
                          "valid": report.valid, "checked": report.checked,
                          "problems": [{"file": p.file, "line": p.line, "reason": p.reason}
                                       for p in report.problems]},
                         sort_keys=True, ensure_ascii=False), file=out)
    elif not (args.quiet and report.valid):
        what = ", ".join(counted(n, k.removesuffix("s"), k)
                         for k, n in sorted(report.checked.items()))
        state = "valid" if report.valid else f"INVALID ({counted(len(report.problems), 'problem')})"
        print(f"{state}: {report.path} ({report.layout} archive; checked {what})", file=out)
        for found in report.problems:
            print(f"  {found}", file=out)


def print_collection_summary(folder: str, reports: list[ValidationReport],
                              err: TextIO) -> None:
    """One line for a folder of archives (stderr, so --json output stays one object a line)."""
    bad = sum(not r.valid for r in reports)
    print(f"{folder}: a folder of {counted(len(reports), 'archive')}: "
          f"{len(reports) - bad:,} valid, {bad:,} invalid", file=err)
