"""The capture options, shared by ``capture`` and ``convert --capture``: declared once,
checked once, and turned into ``blogarchive.capture``'s keyword arguments."""

from __future__ import annotations

import argparse
from typing import Any

from .options import Usage

__all__ = ["add_capture_options", "capture_kwargs", "refuse_without_capture"]

def add_capture_options(parser: argparse._ActionsContainer) -> None:
    """What to fetch and how: --scope, --include, --exclude, --rewrite, --concurrency,
    --rate, --max-size, --user-agent, --avatars, --retry-failed."""
    parser.add_argument("--scope", choices=("blogger", "all"), default="blogger",
                        help="blogger: Blogger's and Google's image hosts (default); all: "
                        "every media URL")
    parser.add_argument("--include", action="append", metavar="HOST_PATTERN",
                        help="also fetch from hosts matching this shell pattern (repeatable)")
    parser.add_argument("--exclude", action="append", metavar="HOST_PATTERN",
                        help="never fetch from hosts matching this pattern (repeatable)")
    parser.add_argument("--rewrite", action="append", metavar="PREFIX=REPLACEMENT",
                        help="fetch a URL starting with PREFIX from REPLACEMENT + the rest (a "
                        "mirror, a proxy); media.jsonl keeps the URL as written (repeatable)")
    parser.add_argument("--concurrency", type=int, default=4, metavar="N",
                        help="requests at once (default 4)")
    parser.add_argument("--rate", type=float, default=10.0, metavar="PER_SECOND",
                        help="most requests per second to one host (default 10)")
    parser.add_argument("--max-size", default="200M", metavar="SIZE",
                        help="largest file fetched, e.g. 500K, 200M (default), 2G")
    parser.add_argument("--user-agent", metavar="CONTACT",
                        help="added to blogarchive's User-Agent: a URL or e-mail to reach you")
    parser.add_argument("--avatars", action="store_true",
                        help="also fetch the pictures of post and comment authors")
    parser.add_argument("--retry-failed", action="store_true",
                        help="fetch again the URLs that failed in earlier runs")


def capture_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """``blogarchive.capture``'s keyword arguments from the options (Usage when one is
    wrong), with the options as given for the capture event."""
    # Imported here: httpx is loaded only by a run that may fetch something.
    from ..capture import FetchOptions, parse_rewrite, parse_size, user_agent

    try:
        rewrites = [parse_rewrite(r) for r in args.rewrite or []]
        max_size = parse_size(args.max_size)
    except ValueError as problem:
        raise Usage(str(problem)) from None
    if args.concurrency < 1:
        raise Usage(f"--concurrency wants a number of at least 1, not {args.concurrency}")
    if not args.rate > 0:
        raise Usage(f"--rate wants requests per second above 0, not {args.rate}")
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
    return {"scope": args.scope, "include": args.include or (), "exclude": args.exclude or (),
            "rewrites": rewrites, "retry_failed": args.retry_failed, "avatars": args.avatars,
            "options": options, "options_text": given}


def refuse_without_capture(args: argparse.Namespace) -> None:
    """``convert --scope all`` without ``--capture`` would fetch nothing: say so."""
    if not args.capture:
        bare = argparse.ArgumentParser(add_help=False)
        add_capture_options(bare)
        defaults = vars(bare.parse_args([]))  # the options' own defaults, declared once
        given = [name for name, default in defaults.items() if getattr(args, name) != default]
        if given:
            flag = "--" + given[0].replace("_", "-")
            raise Usage(f"{flag} applies only with --capture")
