"""The argument parser: every subcommand and its options, with their help."""

from __future__ import annotations

import argparse

from .. import __version__
from ..listing import KINDS, WHAT
from .batch import add_batch_parser
from .capturing import add_capture_options
from .commands import (
    capture_command,
    convert_command,
    info_command,
    list_command,
    package_command,
    validate_command,
)
from .export import export_parser
from .options import (
    bag_options,
    blog_url,
    conversion_options,
    destination_options,
    jobs_count,
    limit_options,
    quiet_option,
)

__all__ = ['build_parser']


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="blogarchive",
        description="Blogger exports and feeds into a normalised JSON archive.",
        epilog="Exit codes: 0 converted, 1 some input unreadable, 2 usage or destination "
               "(read-only, full, locked), 3 internal error, 141 standard output closed early "
               "(as by | head).",
    )
    parser.add_argument("-V", "--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    convert = sub.add_parser("convert", help="convert sources into a JSON archive")
    convert.add_argument("sources", nargs="+", metavar="SOURCE",
                         help="export, feed, Takeout folder or zip (gzip welcome)")
    convert.add_argument("-o", "--output", required=True, metavar="DEST",
                         help="archive folder to write (replaced atomically)")
    conversion_options(convert)
    destination_options(convert)
    quiet_option(convert)
    convert.add_argument("--jobs", type=jobs_count, default=1, metavar="N",
                         help="analyse post bodies in N processes (0: one per core); the "
                         "archive is the same whatever N (default 1)")
    convert.set_defaults(func=convert_command)
    info = sub.add_parser("info", help="describe what a source or archive holds")
    info.add_argument("sources", nargs="+", metavar="SOURCE")
    info.add_argument("--json", action="store_true", help="one JSON object per blog")
    info.add_argument("--blog-url", type=blog_url, help=argparse.SUPPRESS)
    limit_options(info)
    quiet_option(info)
    info.set_defaults(func=info_command)
    pack = sub.add_parser("package", help="make an existing archive a BagIt bag, or give a "
                          "bag new bag-info")
    pack.add_argument("archive", metavar="DEST")
    bag_options(pack)
    quiet_option(pack)
    destination_options(pack)
    pack.set_defaults(func=package_command)
    check = sub.add_parser(
        "validate", help="check an archive: fixity, schemas, references, counts",
        description="Exit 0 when valid, 1 when invalid, 2 when DEST is not an archive.")
    check.add_argument("archive", metavar="DEST")
    check.add_argument("--json", action="store_true", help="the report as one JSON object")
    quiet_option(check)
    check.set_defaults(func=validate_command)
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
    listing.add_argument("--missing", action="store_true",
                         help="media: only those not captured into the archive (failed or "
                         "not tried by blogarchive capture)")
    listing.add_argument("--blog-url", type=blog_url, help=argparse.SUPPRESS)
    limit_options(listing)
    quiet_option(listing)
    listing.set_defaults(func=list_command)
    _capture_parser(sub)
    export_parser(sub)
    add_batch_parser(sub)
    return parser


def _capture_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    grab = sub.add_parser(
        "capture", help="fetch the posts' images and media into a WARC inside the archive",
        description="Exit 0 when every URL was captured, 1 when some failed (each is "
        "recorded in media.jsonl), 2 when DEST is not an archive or an option is wrong.")
    grab.add_argument("archive", metavar="DEST", help="an archive written by convert")
    grab.add_argument("--dry-run", action="store_true",
                      help="print what would be fetched, per host; fetch nothing")
    add_capture_options(grab)
    destination_options(grab)
    quiet_option(grab)
    grab.set_defaults(func=capture_command)

