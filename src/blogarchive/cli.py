"""The command line: a thin layer over the public API.

    blogarchive convert SOURCE... -o DEST     one-shot conversion into a JSON archive
    blogarchive info SOURCE...                what is in a source (or in an archive)
    blogarchive validate DEST                 fixity, schemas, references, counts
    blogarchive package DEST                  make an archive a BagIt bag
    blogarchive list WHAT SOURCE...           quotes, lists, links or media, one per line
    blogarchive capture DEST                  fetch the posts' media into DEST/media/*.warc.gz

Exit codes: 0 everything converted (warnings allowed); 1 some input could not be read (the
rest was still converted); 2 usage or destination problem; 3 an internal error (a bug).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from . import __version__
from .describe import describe_counts, info_json, info_lines
from .errors import ArchiveError, BlogarchiveError
from .listing import WHAT, format_row, rows
from .model import Archive
from .preserve import REDACTIONS, convert, package, validate
from .reading import ReadReport, read_all
from .sources import expand
from .store import data_dir, load

__all__ = ["main"]

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3


def _progress(sources: Sequence[str], enabled: bool) -> tuple[Callable[[int], None] | None, Any]:
    """A byte-counting progress bar on stderr, only when it is a terminal."""
    if not enabled or not sys.stderr.isatty():
        return None, None
    from tqdm import tqdm

    total = 0
    for source in sources:
        with contextlib.suppress(BlogarchiveError):  # the read reports it properly
            total += sum(item.size or 0 for item in expand(source))
    bar = tqdm(total=total or None, unit="B", unit_scale=True, desc="reading", leave=False)
    return bar.update, bar


def _read(args: argparse.Namespace, report: ReadReport) -> list[Archive]:
    update, bar = _progress(args.sources, not getattr(args, "quiet", False))
    try:
        return read_all(args.sources, blog_url=args.blog_url, report=report, progress=update,
                        analyse=not getattr(args, "no_analysis", False))
    finally:
        if bar is not None:
            bar.close()


def _print_problems(report: ReadReport, err: TextIO) -> None:
    for problem in report.failed:
        print(f"error: {problem}", file=err)
    for problem in report.ignored:
        print(f"skipped: {problem}", file=err)


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


def _options(args: argparse.Namespace) -> str:
    """The options of this run, as recorded in the provenance event."""
    given = []
    for flag, value in (("--bag", args.bag), ("--no-originals", args.no_originals),
                        ("--no-analysis", args.no_analysis)):
        if value:
            given.append(flag)
    for name in args.redact or []:
        given.append(f"--redact {name}")
    if args.blog_url:
        given.append(f"--blog-url {args.blog_url}")
    given.extend(f"--bag-info {item}" for item in args.bag_info or [])
    if args.source_organization:
        given.append(f"--source-organization {args.source_organization}")
    return " ".join(given)


def _convert(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    report = ReadReport()
    info = _bag_info(args)
    update, bar = _progress(args.sources, not args.quiet)
    try:
        results = convert(
            args.sources, args.output, originals=not args.no_originals, bag=args.bag,
            bag_info=info, redact_emails="emails" in (args.redact or []),
            blog_url=args.blog_url, analyse=not args.no_analysis, report=report,
            progress=update, options=_options(args),
        )
    except ArchiveError as problem:
        _print_problems(report, err)
        print(f"error: {problem}", file=err)
        return EXIT_USAGE
    except OSError as problem:
        print(f"error: {args.output}: cannot write: {problem.strerror or problem}", file=err)
        return EXIT_INPUT
    finally:
        if bar is not None:
            bar.close()
    _print_problems(report, err)
    if not results:
        print("error: nothing was converted", file=err)
        return EXIT_INPUT
    for result in results:
        archive, blog = result.archive, result.archive.blog
        print(f"wrote {result.path}/  {blog.title or '(untitled)'} "
              f"(blog {blog.id or 'without id'})", file=out)
        for line in describe_counts(archive):
            print(f"  {line}", file=out)
        for note in archive.notes:
            print(f"  note: {note}", file=out)
        print(f"  provenance: {', '.join(e['eventType'] for e in result.events)} event(s) "
              "added to events.jsonl" + ("; a BagIt bag" if args.bag else ""), file=out)
    return EXIT_INPUT if report.failed else EXIT_OK


def _package(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        path = package(args.archive, _bag_info(args))
    except ArchiveError as problem:
        print(f"error: {problem}", file=err)
        return EXIT_USAGE
    print(f"{path}/ is a BagIt bag (payload in data/)", file=out)
    return EXIT_OK


def _validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        report = validate(args.archive)
    except ArchiveError as problem:
        print(f"error: {problem}", file=err)
        return EXIT_USAGE
    if args.json:
        print(json.dumps({"path": str(report.path), "layout": report.layout,
                          "valid": report.valid, "checked": report.checked,
                          "problems": [{"file": p.file, "line": p.line, "reason": p.reason}
                                       for p in report.problems]},
                         sort_keys=True, ensure_ascii=False), file=out)
    else:
        what = ", ".join(f"{n} {k}" for k, n in sorted(report.checked.items()))
        state = "valid" if report.valid else f"INVALID ({len(report.problems)} problem(s))"
        print(f"{state}: {report.path} ({report.layout} archive; checked {what})", file=out)
        for found in report.problems:
            print(f"  {found}", file=out)
    return EXIT_OK if report.valid else EXIT_INPUT


def _gather(args: argparse.Namespace, report: ReadReport, err: TextIO) -> list[Archive]:
    """Archives from the arguments: written archive folders are loaded, sources read."""
    archives: list[Archive] = []
    sources = []
    for source in args.sources:
        if (data_dir(Path(source)) / "blog.json").is_file():
            try:
                archives.append(load(source))
            except ArchiveError as problem:
                report.failed.append(problem)  # type: ignore[arg-type]
        else:
            sources.append(source)
    if sources:
        args.sources = sources
        archives.extend(_read(args, report))
    _print_problems(report, err)
    return archives


def _info(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    report = ReadReport()
    archives = _gather(args, report, err)
    if args.json:
        for archive in archives:
            print(json.dumps(info_json(archive), sort_keys=True, ensure_ascii=False), file=out)
    else:
        for archive in archives:
            for line in info_lines(archive):
                print(line, file=out)
    if report.failed or not archives:
        return EXIT_INPUT
    return EXIT_OK


def _list(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    report = ReadReport()
    archives = _gather(args, report, err)
    shown = 0
    for archive in archives:
        if any(p.analysis is None for p in archive.posts):
            print(f"note: {archive.blog.title or archive.blog.id}: some posts were not "
                  "analysed (archive written with analysis off)", file=err)
        for row in rows(archive, args.what, broken=args.broken, internal=args.internal,
                        to=args.to, kind=args.kind):
            shown += 1
            if args.json:
                print(json.dumps(row, sort_keys=True, ensure_ascii=False), file=out)
            else:
                print(format_row(args.what, row), file=out)
    if not args.json:
        print(f"{shown} {args.what if shown != 1 else args.what.rstrip('s')}", file=err)
    if report.failed or not archives:
        return EXIT_INPUT
    return EXIT_OK


def _capture(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .capture import FetchOptions, capture, parse_rewrite, parse_size, user_agent

    try:
        rewrites = [parse_rewrite(r) for r in args.rewrite or []]
        max_size = parse_size(args.max_size)
    except ValueError as problem:
        raise _Usage(str(problem)) from None
    if args.concurrency < 1:
        raise _Usage(f"--concurrency wants a number of at least 1, not {args.concurrency}")
    if not args.rate > 0:
        raise _Usage(f"--rate wants requests per second above 0, not {args.rate}")
    options = FetchOptions(concurrency=args.concurrency, max_size=max_size,
                           per_host_interval=1 / args.rate,
                           user_agent=user_agent(args.user_agent))
    given = " ".join(
        [f"--scope {args.scope}", f"--concurrency {args.concurrency}",
         f"--max-size {args.max_size}", f"--rate {args.rate:g}"]
        + [f"--{flag} {value}" for flag in ("include", "exclude", "rewrite")
           for value in getattr(args, flag) or []]
        + (["--retry-failed"] if args.retry_failed else [])
        + (["--avatars"] if args.avatars else []))
    try:
        report = capture(args.archive, dry_run=args.dry_run, scope=args.scope,
                         include=args.include or (), exclude=args.exclude or (),
                         rewrites=rewrites, retry_failed=args.retry_failed,
                         avatars=args.avatars, options=options,
                         options_text=given)
    except ArchiveError as problem:
        print(f"error: {problem}", file=err)
        return EXIT_USAGE
    for line in report.lines():
        print(line, file=out)
    return EXIT_INPUT if report.failed else EXIT_OK


def _bag_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source-organization", metavar="NAME",
                        help="bag-info Source-Organization")
    parser.add_argument("--bag-info", action="append", metavar="LABEL=VALUE",
                        help="another bag-info.txt field (repeatable)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="blogarchive",
        description="Blogger exports and feeds into a normalised JSON archive.",
        epilog="Exit codes: 0 converted, 1 some input unreadable, 2 usage, 3 internal error.",
    )
    parser.add_argument("-V", "--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    convert = sub.add_parser("convert", help="convert sources into a JSON archive")
    convert.add_argument("sources", nargs="+", metavar="SOURCE",
                         help="export, feed, Takeout folder or zip (gzip welcome)")
    convert.add_argument("-o", "--output", required=True, metavar="DEST",
                         help="archive folder to write (replaced atomically)")
    convert.add_argument("--blog-url", help="home URL for Takeout permalinks, when "
                         "settings.csv does not give it")
    convert.add_argument("--no-originals", action="store_true",
                         help="do not keep copies of the source files in originals/")
    convert.add_argument("--bag", action="store_true",
                         help="write a BagIt 1.0 bag (payload in DEST/data/)")
    convert.add_argument("--redact", action="append", choices=REDACTIONS,
                         help="remove personal data: 'emails' (authors' and settings' e-mail "
                         "addresses; originals are then not kept)")
    _bag_options(convert)
    convert.add_argument("--no-analysis", action="store_true",
                         help="leave post bodies unanalysed (no quotes, link lists, links, "
                         "media): about twice as fast")
    convert.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    convert.set_defaults(func=_convert)
    info = sub.add_parser("info", help="describe what a source or archive holds")
    info.add_argument("sources", nargs="+", metavar="SOURCE")
    info.add_argument("--json", action="store_true", help="one JSON object per blog")
    info.add_argument("--blog-url", help=argparse.SUPPRESS)
    info.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    info.set_defaults(func=_info)
    pack = sub.add_parser("package", help="make an existing archive a BagIt bag")
    pack.add_argument("archive", metavar="DEST")
    _bag_options(pack)
    pack.set_defaults(func=_package)
    check = sub.add_parser(
        "validate", help="check an archive: fixity, schemas, references, counts",
        description="Exit 0 when valid, 1 when invalid, 2 when DEST is not an archive.")
    check.add_argument("archive", metavar="DEST")
    check.add_argument("--json", action="store_true", help="the report as one JSON object")
    check.set_defaults(func=_validate)
    listing = sub.add_parser(
        "list", help="list the quotes, link lists, links or media found in post bodies")
    listing.add_argument("what", choices=WHAT)
    listing.add_argument("sources", nargs="+", metavar="SOURCE",
                         help="sources to read, or an archive folder written earlier")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.add_argument("--kind", help="only this kind (quotes: blockquote, indent, ...; "
                         "media: image, video, ...)")
    listing.add_argument("--internal", action="store_true", help="links: internal only")
    listing.add_argument("--broken", action="store_true",
                         help="links: internal links to posts not in the archive")
    listing.add_argument("--to", metavar="POST_ID",
                         help="links: those pointing to this post (its backlinks)")
    listing.add_argument("--blog-url", help=argparse.SUPPRESS)
    listing.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    listing.set_defaults(func=_list)
    grab = sub.add_parser(
        "capture", help="fetch the posts' images and media into a WARC inside the archive",
        description="Exit 0 when every URL was captured, 1 when some failed (each is "
        "recorded in media.jsonl), 2 when DEST is not an archive or an option is wrong.")
    grab.add_argument("archive", metavar="DEST", help="an archive written by convert")
    grab.add_argument("--dry-run", action="store_true",
                      help="print what would be fetched, per host; fetch nothing")
    grab.add_argument("--scope", choices=("blogger", "all"), default="blogger",
                      help="blogger: Blogger's and Google's image hosts (default); all: "
                      "every media URL")
    grab.add_argument("--include", action="append", metavar="HOST_PATTERN",
                      help="also fetch from hosts matching this shell pattern (repeatable)")
    grab.add_argument("--exclude", action="append", metavar="HOST_PATTERN",
                      help="never fetch from hosts matching this pattern (repeatable)")
    grab.add_argument("--rewrite", action="append", metavar="PREFIX=REPLACEMENT",
                      help="fetch a URL starting with PREFIX from REPLACEMENT + the rest (a "
                      "mirror, a proxy); media.jsonl keeps the URL as written (repeatable)")
    grab.add_argument("--concurrency", type=int, default=4, metavar="N",
                      help="requests at once (default 4)")
    grab.add_argument("--rate", type=float, default=10.0, metavar="PER_SECOND",
                      help="most requests per second to one host (default 10)")
    grab.add_argument("--max-size", default="200M", metavar="SIZE",
                      help="largest file fetched, e.g. 500K, 200M (default), 2G")
    grab.add_argument("--user-agent", metavar="CONTACT",
                      help="added to blogarchive's User-Agent: a URL or e-mail to reach you")
    grab.add_argument("--avatars", action="store_true",
                      help="also fetch the pictures of post and comment authors")
    grab.add_argument("--retry-failed", action="store_true",
                      help="fetch again the URLs that failed in earlier runs")
    grab.set_defaults(func=_capture)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        code: int = args.func(args, sys.stdout, sys.stderr)
        return code
    except _Usage as problem:
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


if __name__ == "__main__":
    sys.exit(main())
