"""The command line's options: how each is declared, checked and turned into the library's
arguments, and how a run's options are recorded in its provenance event.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from ..errors import InvalidArgument
from ..folder import real_destination
from ..limits import DEFAULT_LIMITS, Limits, format_size, parse_size
from ..preserve.bag import is_bag
from ..reading import check_blog_url

__all__ = [
    "LIMIT_OPTIONS",
    "Usage",
    "bag_info",
    "bag_options",
    "blog_url",
    "conversion_options",
    "destination_options",
    "event_options",
    "jobs_count",
    "limit_options",
    "limits_of",
    "quiet_option",
    "redaction",
    "refuse_bag_options",
    "waiting",
]


class Usage(Exception):
    """A usage mistake found after argparse (exit 2, one line)."""


def blog_url(text: str) -> str:
    """``--blog-url``, checked as argparse reads it (exit 2 with the expected form)."""
    try:
        return check_blog_url(text) or text
    except InvalidArgument as problem:
        raise argparse.ArgumentTypeError(str(problem)) from None


def _size(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError as problem:
        raise argparse.ArgumentTypeError(str(problem)) from None


def _count(text: str) -> int:
    if not text.replace(",", "").replace("_", "").isdigit():
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}")
    return int(text.replace(",", "").replace("_", ""))


def quiet_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="errors only: no progress bar, summary, counts or warnings "
                        "(what was asked for, info's description or list's rows, is printed)")


def bag_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source-organization", metavar="NAME",
                        help="bag-info Source-Organization")
    parser.add_argument("--bag-info", action="append", metavar="LABEL=VALUE",
                        help="another bag-info.txt field (repeatable)")


def destination_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--wait", action="store_true",
                        help="when another run is writing DEST, wait for it instead of "
                        "refusing")


LIMIT_OPTIONS = (("--max-input-size", "max_input_size"), ("--max-entry-size", "max_entry_size"),
                  ("--max-entry-elements", "max_entry_elements"),
                  ("--max-feed-extras", "max_feed_extras"))


def limit_options(parser: argparse.ArgumentParser) -> None:
    what = {"max_input_size": "largest document read, after decompression",
            "max_entry_size": "largest entry or item read",
            "max_entry_elements": "most XML elements in one entry",
            "max_feed_extras": "most unmapped feed-level XML kept in the blog's extras"}
    for option, name in LIMIT_OPTIONS:
        default = getattr(DEFAULT_LIMITS, name)
        if name == "max_entry_elements":
            parser.add_argument(option, type=_count, metavar="N", dest=name,
                                help=f"{what[name]} (default {default:,})")
            continue
        parser.add_argument(option, type=_size, metavar="SIZE", dest=name,
                            help=f"{what[name]} (default {format_size(default)}; e.g. 500M, "
                            "4G)")


def conversion_options(parser: argparse.ArgumentParser, *, each: bool = False) -> None:
    """How sources become an archive: the options of ``convert``, declared once for it and
    for ``batch`` (``each``: worded for a batch, where they apply to every input and to
    every blog's archive). The caller adds --wait, -q and its own --jobs."""
    # Imported here: capturing needs this module's Usage.
    from ..preserve import REDACTIONS
    from .capturing import add_capture_options

    parser.add_argument("--blog-url", type=blog_url, metavar="URL", help=(
        "every blog's home URL for Takeout permalinks (a CSV list can give one per row "
        "instead)" if each else
        "the blog's home URL, https://NAME.blogspot.com/ (or its own domain), for Takeout "
        "permalinks when settings.csv does not give it"))
    parser.add_argument("--no-originals", action="store_true",
                        help="do not keep copies of the source files in originals/")
    parser.add_argument("--bag", action="store_true", help=(
        "write each archive as a BagIt 1.0 bag" if each else
        "write a BagIt 1.0 bag (payload in DEST/data/)"))
    parser.add_argument("--redact", action="append", choices=REDACTIONS, help=(
        "remove personal data: 'emails' (authors' and settings' e-mail addresses; originals "
        "are then not kept). An archive written so stays redacted on later runs"))
    parser.add_argument("--no-redact", action="store_true", help=(
        "do not redact, even into archives written with --redact" if each else
        "do not redact, even into an archive written with --redact"))
    bag_options(parser)
    parser.add_argument("--no-analysis", action="store_true",
                        help="leave post bodies unanalysed (no quotes, link lists, links, "
                        "media): about twice as fast")
    parser.add_argument("--recover", action="store_true", help=(
        "keep the complete entries of damaged exports, report what was lost (the input is "
        "then recorded as failed)" if each else
        "keep the complete entries of a damaged (e.g. truncated) export, report what was "
        "lost, and exit 1"))
    limit_options(parser)
    group = parser.add_argument_group(
        "capture", "with --capture, the posts' media are fetched into "
        + ("each blog's archive after its conversion" if each else
           "the archive after the conversion")
        + ", as by 'blogarchive capture DEST' with these options")
    group.add_argument("--capture", action="store_true",
                       help="then capture the media (see 'blogarchive capture --help')")
    add_capture_options(group)


def bag_info(args: argparse.Namespace) -> dict[str, str]:
    info: dict[str, str] = {}
    for item in getattr(args, "bag_info", None) or []:
        label, sep, value = item.partition("=")
        label, value = label.strip(), value.strip()
        if not sep or not label or not value or any(c in label for c in ":\r\n"):
            raise Usage(f"--bag-info wants LABEL=VALUE (a BagIt label), not {item!r}")
        info[label] = value
    if getattr(args, "source_organization", None):
        info["Source-Organization"] = args.source_organization
    return info


def limits_of(args: argparse.Namespace) -> Limits:
    given = {name: getattr(args, name) for _, name in LIMIT_OPTIONS
             if getattr(args, name, None) is not None}
    return Limits(**given) if given else DEFAULT_LIMITS


def event_options(args: argparse.Namespace) -> str:
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
    limits = limits_of(args)
    for option, name in LIMIT_OPTIONS:
        if getattr(limits, name) != getattr(DEFAULT_LIMITS, name):
            given.append(f"{option} {getattr(limits, name)}")
    return " ".join(given)


def refuse_bag_options(args: argparse.Namespace) -> None:
    """bag-info labels need a bag: --bag, or a destination that is one already."""
    if args.bag or is_bag(real_destination(Path(args.output))):
        return
    for flag, given in (("--bag-info", args.bag_info),
                        ("--source-organization", args.source_organization)):
        if given:
            raise Usage(f"{flag} applies only to a bag: add --bag (or package the archive "
                         "later with blogarchive package DEST " + flag + " ...)")


def redaction(args: argparse.Namespace) -> bool | None:
    """--redact emails: True; --no-redact: False; neither: as the archive was written."""
    if args.redact and args.no_redact:
        raise Usage("--redact and --no-redact contradict each other: give one")
    return True if "emails" in (args.redact or []) else (False if args.no_redact else None)


def waiting(args: argparse.Namespace, err: TextIO) -> dict[str, Any]:
    """``wait`` and ``notify`` for a run that may find another run writing its destination."""
    def notify(message: str) -> None:
        if not args.quiet:
            print(f"note: {message}", file=err, flush=True)

    return {"wait": args.wait, "notify": notify}


def jobs_count(text: str) -> int:
    """``--jobs N``: 0 (one per core) or more processes for the body analysis."""
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"not a whole number of processes (0: one per "
                                         f"core): {text!r}")
    return int(text)
