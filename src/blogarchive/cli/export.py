"""``blogarchive export DEST --format FORMAT -o OUT``: the archive as a site or a migration."""

from __future__ import annotations

import argparse
from typing import TextIO

from ..errors import ArchiveError

__all__ = ["export_command", "export_parser"]


def export_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from ..export import BODIES, FORMATS

    parser = sub.add_parser(
        "export", help="write the archive as a browsable site, or for Hugo, Jekyll, WordPress",
        description="Exit 0 when exported, 2 when DEST is not an archive, OUT is not empty "
        "(without --force) or an option is wrong.")
    parser.add_argument("archive", metavar="DEST", help="an archive written by convert")
    parser.add_argument("--format", choices=FORMATS, default="site",
                        help="site: a static access copy that works offline (default); hugo, "
                        "jekyll: a site to build; wxr: a WordPress import file")
    parser.add_argument("-o", "--output", required=True, metavar="OUT",
                        help="folder to write (must be empty, or use --force)")
    parser.add_argument("--force", action="store_true",
                        help="empty OUT first when it holds anything")
    parser.add_argument("--templates", metavar="DIR",
                        help="site: Jinja2 templates overriding the built-in ones")
    parser.add_argument("--body", choices=BODIES, default="markdown",
                        help="hugo, jekyll: bodies as Markdown (default; kept as HTML where "
                        "Markdown would lose structure) or kept as HTML")
    parser.add_argument("-q", "--quiet", action="store_true", help="errors only")
    parser.set_defaults(func=export_command)


def export_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..export import export
    from .commands import EXIT_OK, EXIT_USAGE

    try:
        report = export(args.archive, args.output, args.format, force=args.force,
                        templates=args.templates, body=args.body)
    except ArchiveError as problem:
        print(f"error: {problem}", file=err)
        return EXIT_USAGE
    if not args.quiet:
        for line in report.lines():
            print(line, file=out)
    return EXIT_OK
