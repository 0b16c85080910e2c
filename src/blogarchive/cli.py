"""The command line: a thin layer over the public API.

    blogarchive convert SOURCE... -o DEST     one-shot conversion into a JSON archive
    blogarchive info SOURCE...                what is in a source (or in an archive)
    blogarchive validate DEST                 fixity, schemas, references, counts
    blogarchive package DEST                  make an archive a BagIt bag
    blogarchive list WHAT SOURCE...           quotes, lists, links or media, one per line

On a terminal every long phase shows a bar on stderr (reading, analysing, writing; for
validate: checking fixity, checking the bag, checking schemas, loading) with its items, rate
and ETA. ``-q`` on any command prints errors only: no bar, summary, counts, skipped files or
warnings (those are kept in the archive's notes and events); what was asked for (info's
description, list's rows) is still printed.

Exit codes: 0 everything converted (warnings allowed); 1 some input could not be read (the
rest was still converted); 2 usage or destination problem; 3 an internal error (a bug);
141 (128 + SIGPIPE, what a shell reports for ``cat`` or ``grep`` in the same place) when the
reader of standard output closed it early, as ``| head`` does: no message, since stopping
reading is the reader's choice. Whatever was being written to the archive is complete by then:
commands print only after their work is done.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from . import __version__
from ._words import counted
from .census import survey
from .describe import Summary, blogs_summary, describe_counts, info_json, info_lines, summarise
from .errors import ArchiveError, BlogarchiveError, InvalidArgument
from .folder import archives_in, real_destination
from .limits import DEFAULT_LIMITS, Limits, format_size, parse_size
from .listing import KINDS, WHAT, check_options, format_row, rows, unknown_target
from .model import Archive
from .preserve import (
    REDACTIONS,
    Converted,
    ValidationReport,
    archives,
    convert,
    package,
    validate,
)
from .preserve.bag import is_bag
from .progress import TerminalProgress
from .reading import ReadReport, check_blog_url, read_all
from .store import load

__all__ = ["main"]

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3
EXIT_PIPE = 128 + 13  # SIGPIPE: standard output was closed by its reader


def _bar_done(args: argparse.Namespace) -> None:
    """Clear the progress bar before printing results, so the two never interleave."""
    if isinstance(args.progress, TerminalProgress):
        args.progress.close()


def _read(args: argparse.Namespace, report: ReadReport) -> list[Archive]:
    try:
        return read_all(args.sources, blog_url=args.blog_url, report=report,
                        progress=args.progress, analyse=not getattr(args, "no_analysis", False),
                        limits=_limits(args))
    finally:
        _bar_done(args)


def _print_problems(report: ReadReport, err: TextIO, quiet: bool = False) -> None:
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


def _bag_info(args: argparse.Namespace) -> dict[str, str]:
    info: dict[str, str] = {}
    for item in getattr(args, "bag_info", None) or []:
        label, sep, value = item.partition("=")
        label, value = label.strip(), value.strip()
        if not sep or not label or not value or any(c in label for c in ":\r\n"):
            raise _Usage(f"--bag-info wants LABEL=VALUE (a BagIt label), not {item!r}")
        info[label] = value
    if getattr(args, "source_organization", None):
        info["Source-Organization"] = args.source_organization
    return info


class _Usage(Exception):
    """A usage mistake found after argparse (exit 2, one line)."""


def _blog_url(text: str) -> str:
    """``--blog-url``, checked as argparse reads it (exit 2 with the expected form)."""
    try:
        return check_blog_url(text) or text
    except InvalidArgument as problem:
        raise argparse.ArgumentTypeError(str(problem)) from None


def _options(args: argparse.Namespace) -> str:
    """The options of this run, as recorded in the provenance event."""
    given = []
    for flag, value in (("--bag", args.bag), ("--no-originals", args.no_originals),
                        ("--no-analysis", args.no_analysis)):
        if value:
            given.append(flag)
    for name in args.redact or []:
        given.append(f"--redact {name}")
    if args.no_redact:
        given.append("--no-redact")
    if args.blog_url:
        given.append(f"--blog-url {args.blog_url}")
    given.extend(f"--bag-info {item}" for item in args.bag_info or [])
    if args.source_organization:
        given.append(f"--source-organization {args.source_organization}")
    if args.recover:
        given.append("--recover")
    limits = _limits(args)
    for option, name in _LIMIT_OPTIONS:
        if getattr(limits, name) != getattr(DEFAULT_LIMITS, name):
            given.append(f"{option} {getattr(limits, name)}")
    return " ".join(given)


def _refuse_bag_options(args: argparse.Namespace) -> None:
    """bag-info labels need a bag: --bag, or a destination that is one already."""
    if args.bag or is_bag(real_destination(Path(args.output))):
        return
    for flag, given in (("--bag-info", args.bag_info),
                        ("--source-organization", args.source_organization)):
        if given:
            raise _Usage(f"{flag} applies only to a bag: add --bag (or package the archive "
                         "later with blogarchive package DEST " + flag + " ...)")


def _redaction(args: argparse.Namespace) -> bool | None:
    """--redact emails: True; --no-redact: False; neither: as the archive was written."""
    if args.redact and args.no_redact:
        raise _Usage("--redact and --no-redact contradict each other: give one")
    return True if "emails" in (args.redact or []) else (False if args.no_redact else None)


def _convert(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    report = ReadReport()
    _refuse_bag_options(args)
    info = _bag_info(args)
    try:
        try:
            results = convert(
                args.sources, args.output, originals=not args.no_originals, bag=args.bag,
                bag_info=info, redact_emails=_redaction(args),
                blog_url=args.blog_url, analyse=not args.no_analysis, report=report,
                progress=args.progress, options=_options(args), **_waiting(args, err),
                limits=_limits(args), recover=args.recover,
            )
        finally:
            _bar_done(args)
    except ArchiveError as problem:
        _print_problems(report, err, args.quiet)
        print(f"error: {problem}", file=err)
        return EXIT_USAGE
    except OSError as problem:  # the destination's own failures are ArchiveErrors (exit 2)
        where = problem.filename or args.output
        print(f"error: {where}: {problem.strerror or problem}", file=err)
        return EXIT_INPUT
    _print_problems(report, err, args.quiet)
    if not results:
        print("error: nothing was converted", file=err)
        return EXIT_INPUT
    if not args.quiet:
        _summarise(results, args, out)
    return EXIT_OK if report.ok else EXIT_INPUT


def _summarise(results: list[Converted], args: argparse.Namespace, out: TextIO) -> None:
    for result in results:
        archive, blog = result.archive, result.archive.blog
        print(f"wrote {result.path}/  {blog.title or '(untitled)'} "
              f"(blog {blog.id or 'without id'})", file=out)
        for line in describe_counts(archive):
            print(f"  {line}", file=out)
        for note in archive.notes:
            print(f"  note: {note}", file=out)
        for notice in result.notices:
            print(f"  {notice}", file=out)
        kinds = [e["eventType"] for e in result.events]
        print(f"  provenance: {', '.join(kinds)} {'event' if len(kinds) == 1 else 'events'} "
              "added to events.jsonl" + ("; a BagIt bag" if is_bag(result.path) else ""),
              file=out)
    several = blogs_summary([result.archive for result in results])
    if several:
        print(f"{several}; each in its own folder under {args.output}/", file=out)


def _package(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    info = _bag_info(args)
    updated = f"; bag-info.txt has {', '.join(sorted(info))}" if info else ""
    try:
        for path in archives(args.archive):  # one archive, or each of a folder of them
            package(path, info, **_waiting(args, err))
            if not args.quiet:
                print(f"{path}/ is a BagIt bag (payload in data/){updated}", file=out)
    except ArchiveError as problem:
        print(f"error: {problem}", file=err)
        return EXIT_USAGE
    return EXIT_OK


def _validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
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
            _bar_done(args)
            _print_validation(reports[-1], args, out)
    finally:
        _bar_done(args)
    if (len(paths) > 1 or paths[0] != Path(args.archive)) and not args.quiet:
        _print_collection_summary(args.archive, reports, err)
    return EXIT_OK if all(r.valid for r in reports) else EXIT_INPUT


def _print_validation(report: ValidationReport, args: argparse.Namespace, out: TextIO) -> None:
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


def _print_collection_summary(folder: str, reports: list[ValidationReport],
                              err: TextIO) -> None:
    """One line for a folder of archives (stderr, so --json output stays one object a line)."""
    bad = sum(not r.valid for r in reports)
    print(f"{folder}: a folder of {counted(len(reports), 'archive')}: "
          f"{len(reports) - bad:,} valid, {bad:,} invalid", file=err)


def _loaded(args: argparse.Namespace, report: ReadReport) -> tuple[list[Archive], list[str]]:
    """Written archives (or folders of them) among the arguments, loaded; and the other
    sources."""
    loaded: list[Archive] = []
    sources = []
    for source in args.sources:
        found = archives_in(Path(source))  # an archive, or a folder of archives
        for path in found:
            try:
                loaded.append(load(path))
            except ArchiveError as problem:
                report.failed.append(problem)  # type: ignore[arg-type]
        if not found:
            sources.append(source)
    return loaded, sources


def _gather(args: argparse.Namespace, report: ReadReport, err: TextIO) -> list[Archive]:
    """Archives from the arguments: written archive folders are loaded, sources read."""
    loaded, sources = _loaded(args, report)
    if sources:
        args.sources = sources
        loaded.extend(_read(args, report))
    _print_problems(report, err, args.quiet)
    return loaded


def _summaries(args: argparse.Namespace, report: ReadReport, err: TextIO) -> list[Summary]:
    """What info prints of each blog: sources are counted as they stream by where they
    allow it (``census.survey``: exports, feeds, Takeout), without holding their records."""
    loaded, sources = _loaded(args, report)
    found: list[Summary] | None = []
    if sources:
        try:
            found = survey(sources, blog_url=args.blog_url, report=report,
                           progress=args.progress, limits=_limits(args))
        finally:
            _bar_done(args)
    if found is None:  # pages: their copies merge as a whole
        args.sources = sources
        loaded.extend(_read(args, report))
    _print_problems(report, err, args.quiet)
    return [summarise(a) for a in loaded] + (found or [])


def _info(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
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


def _list(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    report = ReadReport()
    wrong = check_options(args.what, broken=args.broken, internal=args.internal, to=args.to,
                          kind=args.kind)
    if wrong is not None:
        raise _Usage(wrong)
    found = _gather(args, report, err)
    wrong = unknown_target(found, args.to) if found else None
    if wrong is not None:
        raise _Usage(wrong)
    shown = 0
    for archive in found:
        if any(p.analysis is None for p in archive.posts) and not args.quiet:
            print(f"note: {archive.blog.title or archive.blog.id}: some posts were not "
                  "analysed (archive written with analysis off)", file=err)
        for row in rows(archive, args.what, broken=args.broken, internal=args.internal,
                        to=args.to, kind=args.kind):
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


_SINGULAR = {"quotes": "quote", "lists": "list", "links": "link", "media": "media item"}


def _quiet(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="errors only: no progress bar, summary, counts or warnings "
                        "(what was asked for, info's description or list's rows, is printed)")


def _waiting(args: argparse.Namespace, err: TextIO) -> dict[str, Any]:
    """``wait`` and ``notify`` for a run that may find another run writing its destination."""
    def notify(message: str) -> None:
        if not args.quiet:
            print(f"note: {message}", file=err, flush=True)

    return {"wait": args.wait, "notify": notify}


def _destination_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--wait", action="store_true",
                        help="when another run is writing DEST, wait for it instead of "
                        "refusing")


_LIMIT_OPTIONS = (("--max-input-size", "max_input_size"), ("--max-entry-size", "max_entry_size"),
                  ("--max-entry-elements", "max_entry_elements"),
                  ("--max-feed-extras", "max_feed_extras"))


def _size(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError as problem:
        raise argparse.ArgumentTypeError(str(problem)) from None


def _count(text: str) -> int:
    if not text.replace(",", "").replace("_", "").isdigit():
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}")
    return int(text.replace(",", "").replace("_", ""))


def _limit_options(parser: argparse.ArgumentParser) -> None:
    what = {"max_input_size": "largest document read, after decompression",
            "max_entry_size": "largest entry or item read",
            "max_entry_elements": "most XML elements in one entry",
            "max_feed_extras": "most unmapped feed-level XML kept in the blog's extras"}
    for option, name in _LIMIT_OPTIONS:
        default = getattr(DEFAULT_LIMITS, name)
        if name == "max_entry_elements":
            parser.add_argument(option, type=_count, metavar="N", dest=name,
                                help=f"{what[name]} (default {default:,})")
            continue
        parser.add_argument(option, type=_size, metavar="SIZE", dest=name,
                            help=f"{what[name]} (default {format_size(default)}; e.g. 500M, "
                            "4G)")


def _limits(args: argparse.Namespace) -> Limits:
    given = {name: getattr(args, name) for _, name in _LIMIT_OPTIONS
             if getattr(args, name, None) is not None}
    return Limits(**given) if given else DEFAULT_LIMITS


def _bag_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source-organization", metavar="NAME",
                        help="bag-info Source-Organization")
    parser.add_argument("--bag-info", action="append", metavar="LABEL=VALUE",
                        help="another bag-info.txt field (repeatable)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="blogarchive",
        description="Blogger exports and feeds into a normalised JSON archive.",
        epilog="Exit codes: 0 converted, 1 some input unreadable, 2 usage, 3 internal error, "
               "141 standard output closed early (as by | head).",
    )
    parser.add_argument("-V", "--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    convert = sub.add_parser("convert", help="convert sources into a JSON archive")
    convert.add_argument("sources", nargs="+", metavar="SOURCE",
                         help="export, feed, Takeout folder or zip (gzip welcome)")
    convert.add_argument("-o", "--output", required=True, metavar="DEST",
                         help="archive folder to write (replaced atomically)")
    convert.add_argument("--blog-url", type=_blog_url, metavar="URL",
                         help="the blog's home URL, https://NAME.blogspot.com/ (or its own "
                         "domain), for Takeout permalinks when settings.csv does not give it")
    convert.add_argument("--no-originals", action="store_true",
                         help="do not keep copies of the source files in originals/")
    convert.add_argument("--bag", action="store_true",
                         help="write a BagIt 1.0 bag (payload in DEST/data/)")
    convert.add_argument("--redact", action="append", choices=REDACTIONS,
                         help="remove personal data: 'emails' (authors' and settings' e-mail "
                         "addresses; originals are then not kept). An archive written so "
                         "stays redacted on later runs")
    convert.add_argument("--no-redact", action="store_true",
                         help="do not redact, even into an archive written with --redact")
    _bag_options(convert)
    _destination_options(convert)
    convert.add_argument("--no-analysis", action="store_true",
                         help="leave post bodies unanalysed (no quotes, link lists, links, "
                         "media): about twice as fast")
    convert.add_argument("--recover", action="store_true",
                         help="keep the complete entries of a damaged (e.g. truncated) "
                         "export, report what was lost, and exit 1")
    _limit_options(convert)
    _quiet(convert)
    convert.set_defaults(func=_convert)
    info = sub.add_parser("info", help="describe what a source or archive holds")
    info.add_argument("sources", nargs="+", metavar="SOURCE")
    info.add_argument("--json", action="store_true", help="one JSON object per blog")
    info.add_argument("--blog-url", type=_blog_url, help=argparse.SUPPRESS)
    _limit_options(info)
    _quiet(info)
    info.set_defaults(func=_info)
    pack = sub.add_parser("package", help="make an existing archive a BagIt bag, or give a "
                          "bag new bag-info")
    pack.add_argument("archive", metavar="DEST")
    _bag_options(pack)
    _quiet(pack)
    _destination_options(pack)
    pack.set_defaults(func=_package)
    check = sub.add_parser(
        "validate", help="check an archive: fixity, schemas, references, counts",
        description="Exit 0 when valid, 1 when invalid, 2 when DEST is not an archive.")
    check.add_argument("archive", metavar="DEST")
    check.add_argument("--json", action="store_true", help="the report as one JSON object")
    _quiet(check)
    check.set_defaults(func=_validate)
    listing = sub.add_parser(
        "list", help="list the quotes, link lists, links or media found in post bodies")
    listing.add_argument("what", choices=WHAT)
    listing.add_argument("sources", nargs="+", metavar="SOURCE",
                         help="sources to read, or an archive folder written earlier")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.add_argument("--kind", help="only this kind: " + "; ".join(
        f"{what}: {', '.join(kinds)}" for what, kinds in KINDS.items()))
    listing.add_argument("--internal", action="store_true", help="links: internal only")
    listing.add_argument("--broken", action="store_true",
                         help="links: internal links to posts not in the archive")
    listing.add_argument("--to", metavar="POST_ID",
                         help="links: those pointing to this post (its backlinks)")
    listing.add_argument("--blog-url", type=_blog_url, help=argparse.SUPPRESS)
    _limit_options(listing)
    _quiet(listing)
    listing.set_defaults(func=_list)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    bar = TerminalProgress(sys.stderr)
    # The bar shows only on a terminal; -q turns it off with everything else but errors.
    args.progress = None if args.quiet else bar
    try:
        code: int = args.func(args, sys.stdout, sys.stderr)
        sys.stdout.flush()  # here, not at exit, so that a closed pipe is caught below
        return code
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_PIPE
    except (_Usage, InvalidArgument) as problem:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    except BlogarchiveError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("interrupted: nothing was written", file=sys.stderr)
        return 130
    except Exception:
        traceback.print_exc()
        print("internal error: this is a bug in blogarchive; please report it with the "
              "traceback above", file=sys.stderr)
        return EXIT_BUG
    finally:
        bar.close()


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so the interpreter's own flush at exit does not
    fail again on the closed pipe (and print "Exception ignored ...")."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is no real file (e.g. replaced by a test)
        pass
    finally:
        os.close(devnull)


if __name__ == "__main__":
    sys.exit(main())
