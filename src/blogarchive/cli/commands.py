"""One function per subcommand: call the public API, print, return the exit code."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TextIO

from .._words import counted
from ..census import survey
from ..describe import Summary, blogs_summary, info_json, info_lines, summarise
from ..errors import ArchiveError
from ..folder import archives_in
from ..listing import check_options, format_row, rows, unknown_target
from ..model import Archive
from ..preserve import (
    archives,
    convert,
    package,
    validate,
)
from ..reading import ReadReport, read_all
from ..store import load
from .capturing import capture_kwargs, refuse_without_capture
from .media import captured_lines, with_capture
from .options import (
    Usage,
    bag_info,
    event_options,
    limits_of,
    redaction,
    refuse_bag_options,
    waiting,
)
from .output import (
    bar_done,
    print_collection_summary,
    print_problems,
    print_validation,
    summarise_run,
)

__all__ = [
    "EXIT_BUG",
    "EXIT_INPUT",
    "EXIT_OK",
    "EXIT_PIPE",
    "EXIT_USAGE",
    "capture_command",
    "convert_command",
    "info_command",
    "list_command",
    "package_command",
    "validate_command",
]


EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3


EXIT_PIPE = 128 + 13  # SIGPIPE: standard output was closed by its reader


def _read(args: argparse.Namespace, report: ReadReport) -> list[Archive]:
    try:
        return read_all(args.sources, blog_url=args.blog_url, report=report,
                        progress=args.progress, analyse=not getattr(args, "no_analysis", False),
                        limits=limits_of(args))
    finally:
        bar_done(args)


def convert_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    report = ReadReport()
    refuse_bag_options(args)
    info = bag_info(args)
    refuse_without_capture(args)
    fetching = capture_kwargs(args) if args.capture else None
    try:
        try:
            results = convert(
                args.sources, args.output, originals=not args.no_originals, bag=args.bag,
                bag_info=info, redact_emails=redaction(args),
                blog_url=args.blog_url, analyse=not args.no_analysis, report=report,
                progress=args.progress, options=event_options(args), **waiting(args, err),
                limits=limits_of(args), recover=args.recover, capture=fetching,
                jobs=args.jobs,
            )
        finally:
            bar_done(args)
    except ArchiveError as problem:
        print_problems(report, err, args.quiet)
        print(f"error: {problem}", file=err)
        return EXIT_USAGE
    except OSError as problem:  # the destination's own failures are ArchiveErrors (exit 2)
        where = problem.filename or args.output
        print(f"error: {where}: {problem.strerror or problem}", file=err)
        return EXIT_INPUT
    print_problems(report, err, args.quiet)
    if not results:
        print("error: nothing was converted", file=err)
        return EXIT_INPUT
    if not args.quiet:
        summarise_run(results, args, out)
    captures = [r.capture for r in results if r.capture is not None]
    if not args.quiet:
        for capture_report in captures:
            for line in [f"capture into {capture_report.path}/:", *capture_report.lines()]:
                print(line, file=out)
    return EXIT_OK if report.ok and not any(c.failed for c in captures) else EXIT_INPUT


def package_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    info = bag_info(args)
    updated = f"; bag-info.txt has {', '.join(sorted(info))}" if info else ""
    try:
        for path in archives(args.archive):  # one archive, or each of a folder of them
            package(path, info, **waiting(args, err))
            if not args.quiet:
                print(f"{path}/ is a BagIt bag (payload in data/){updated}", file=out)
    except ArchiveError as problem:
        print(f"error: {problem}", file=err)
        return EXIT_USAGE
    return EXIT_OK


def validate_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        paths = archives(args.archive)
    except ArchiveError as problem:
        print(f"error: {problem}", file=err)
        return EXIT_USAGE
    reports = []
    try:
        for path in paths:
            try:
                reports.append(validate(path, progress=args.progress))
            except ArchiveError as problem:  # e.g. removed while we were checking
                print(f"error: {problem}", file=err)
                return EXIT_USAGE
            bar_done(args)
            print_validation(reports[-1], args, out)
    finally:
        bar_done(args)
    if (len(paths) > 1 or paths[0] != Path(args.archive)) and not args.quiet:
        print_collection_summary(args.archive, reports, err)
    return EXIT_OK if all(r.valid for r in reports) else EXIT_INPUT


def _loaded(args: argparse.Namespace, report: ReadReport,
            folders: dict[int, Path] | None = None) -> tuple[list[Archive], list[str]]:
    """Written archives (or folders of them) among the arguments, loaded; and the other
    sources. ``folders`` learns the folder of each archive loaded (by ``id``)."""
    loaded: list[Archive] = []
    sources = []
    for source in args.sources:
        found = archives_in(Path(source))  # an archive, or a folder of archives
        for path in found:
            try:
                loaded.append(load(path))
                if folders is not None:
                    folders[id(loaded[-1])] = path
            except ArchiveError as problem:
                report.failed.append(problem)  # type: ignore[arg-type]
        if not found:
            sources.append(source)
    return loaded, sources


def _gather(args: argparse.Namespace, report: ReadReport, err: TextIO,
            folders: dict[int, Path] | None = None) -> list[Archive]:
    """Archives from the arguments: written archive folders are loaded, sources read."""
    loaded, sources = _loaded(args, report, folders)
    if sources:
        args.sources = sources
        loaded.extend(_read(args, report))
    print_problems(report, err, args.quiet)
    return loaded


def _summaries(args: argparse.Namespace, report: ReadReport, err: TextIO) -> list[Summary]:
    """What info prints of each blog: sources are counted as they stream by where they
    allow it (``census.survey``: exports, feeds, Takeout), without holding their records."""
    folders: dict[int, Path] = {}
    loaded, sources = _loaded(args, report, folders)
    found: list[Summary] | None = []
    if sources:
        try:
            found = survey(sources, blog_url=args.blog_url, report=report,
                           progress=args.progress, limits=limits_of(args))
        finally:
            bar_done(args)
    if found is None:  # pages: their copies merge as a whole
        args.sources = sources
        loaded.extend(_read(args, report))
    print_problems(report, err, args.quiet)
    return [with_capture(summarise(a), a, folders.get(id(a))) for a in loaded] + (found or [])


def info_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    report = ReadReport()
    summaries = _summaries(args, report, err)
    if args.json:
        for summary in summaries:
            print(json.dumps(info_json(summary), sort_keys=True, ensure_ascii=False), file=out)
    else:
        for summary in summaries:
            for line in info_lines(summary):
                print(line, file=out)
        several = blogs_summary(summaries)
        if several:
            print(several, file=out)
    if report.failed or not summaries:
        return EXIT_INPUT
    return EXIT_OK


_SINGULAR = {"quotes": "quote", "lists": "list", "links": "link", "media": "media item"}


def list_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    report = ReadReport()
    wrong = check_options(args.what, broken=args.broken, internal=args.internal, to=args.to,
                          kind=args.kind, missing=args.missing)
    if wrong is not None:
        raise Usage(wrong)
    folders: dict[int, Path] = {}
    found = _gather(args, report, err, folders)
    wrong = unknown_target(found, args.to) if found else None
    if wrong is not None:
        raise Usage(wrong)
    shown = 0
    for archive in found:
        if any(p.analysis is None for p in archive.posts) and not args.quiet:
            print(f"note: {archive.blog.title or archive.blog.id}: some posts were not "
                  "analysed (archive written with analysis off)", file=err)
        for row in rows(archive, args.what, broken=args.broken, internal=args.internal,
                        to=args.to, kind=args.kind, missing=args.missing,
                        captured=captured_lines(args.what, folders.get(id(archive)))):
            shown += 1
            if args.json:
                print(json.dumps(row, sort_keys=True, ensure_ascii=False), file=out)
            else:
                print(format_row(args.what, row), file=out)
    if not args.json and not args.quiet:
        print(counted(shown, _SINGULAR[args.what], args.what), file=err)
    if report.failed or not found:
        return EXIT_INPUT
    return EXIT_OK


def capture_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..capture import capture  # httpx is loaded only by a run that may fetch something

    given = capture_kwargs(args)
    try:
        report = capture(args.archive, dry_run=args.dry_run, **given, **waiting(args, err))
    except ArchiveError as problem:
        print(f"error: {problem}", file=err)
        return EXIT_USAGE
    if args.dry_run or not args.quiet:  # a dry run's listing is what was asked for
        for line in report.lines():
            print(line, file=out)
    return EXIT_INPUT if report.failed else EXIT_OK
