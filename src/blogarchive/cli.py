"""The command line: a thin layer over the public API.

    blogarchive convert SOURCE... -o DEST     one-shot conversion into a JSON archive
    blogarchive info SOURCE...                what is in a source (or in an archive)
    blogarchive list WHAT SOURCE...           quotes, lists, links or media, one per line

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
from .errors import ArchiveError, BlogarchiveError
from .listing import WHAT, format_row, rows
from .model import Archive
from .reading import ReadReport, read_all
from .sources import expand
from .stats import counts
from .store import load, write

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


def _describe_counts(archive: Archive) -> list[str]:
    c = counts(archive)
    lines = []
    for kind, statuses in c["posts"].items():
        total = sum(statuses.values())
        detail = ", ".join(f"{status} {n}" for status, n in statuses.items())
        lines.append(f"{kind}s: {total}" + (f" ({detail})" if detail else ""))
    cc = c["comments"]
    lines.append(
        f"comments: {cc['total']} ({cc['replies']} replies in threads, {cc['orphans']} orphans, "
        f"{cc['removed']} removed, {cc['on_pages']} on pages)"
    )
    lines.append(f"labels: {c['labels']}")
    lines.extend(_describe_analysis(c["analysis"]))
    lines.append(f"skipped entries: {c['skipped']}")
    for skip in archive.skipped:
        lines.append(f"  {skip.source} (entry {skip.entry}, line {skip.line}): {skip.reason}")
    return lines


def _describe_analysis(found: dict[str, Any]) -> list[str]:
    if not found["posts_analysed"]:
        return []
    kinds = ", ".join(f"{kind} {n}" for kind, n in found["quotes"].items())
    quotes = sum(found["quotes"].values())
    return [
        f"quotes: {quotes}" + (f" ({kinds})" if kinds else ""),
        f"link lists: {found['link_lists']} ({found['link_list_items']} items, "
        f"{found['link_list_items_archived']} pointing to archived posts)",
        f"links: {found['links']} ({found['internal_links']} internal, "
        f"{found['broken_internal_links']} broken internal)",
        f"images: {found['media'].get('image', 0)}; other media: "
        f"{sum(n for k, n in found['media'].items() if k != 'image')}",
    ]


def _convert(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    report = ReadReport()
    archives = _read(args, report)
    _print_problems(report, err)
    dest = Path(args.output)
    if not archives:
        print("error: nothing was converted", file=err)
        return EXIT_INPUT
    several = len(archives) > 1
    for archive in archives:
        target = dest / _folder_name(archive) if several else dest
        try:
            write(archive, target)
        except ArchiveError as problem:
            print(f"error: {problem}", file=err)
            return EXIT_USAGE
        except OSError as problem:
            print(f"error: {target}: cannot write: {problem.strerror or problem}", file=err)
            return EXIT_INPUT
        blog = archive.blog
        print(f"wrote {target}/  {blog.title or '(untitled)'} (blog {blog.id or 'without id'})",
              file=out)
        for line in _describe_counts(archive):
            print(f"  {line}", file=out)
        for note in archive.notes:
            print(f"  note: {note}", file=out)
    return EXIT_INPUT if report.failed else EXIT_OK


def _folder_name(archive: Archive) -> str:
    """Safe ASCII folder name for one of several blogs: its id, or its source's name."""
    if archive.blog.id:
        return f"blog-{archive.blog.id}"
    name = archive.sources[0].name if archive.sources else "blog"
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in name)


def _gather(args: argparse.Namespace, report: ReadReport, err: TextIO) -> list[Archive]:
    """Archives from the arguments: written archive folders are loaded, sources read."""
    archives: list[Archive] = []
    sources = []
    for source in args.sources:
        if Path(source, "blog.json").is_file():
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
            print(json.dumps(_info_json(archive), sort_keys=True, ensure_ascii=False), file=out)
    else:
        for archive in archives:
            for line in _info_lines(archive):
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


def _date_range(archive: Archive) -> str:
    dates = [p.published for p in archive.posts if p.published is not None]
    if not dates:
        return "none"
    first, last = min(dates, key=_utc), max(dates, key=_utc)
    return f"{first.date().isoformat()} .. {last.date().isoformat()}"


def _utc(value: Any) -> float:
    return float(value.timestamp()) if value.tzinfo is not None else 0.0


def _info_lines(archive: Archive) -> list[str]:
    blog = archive.blog
    lines = [f"blog: {blog.title or '(untitled)'} (id {blog.id or 'none'})"]
    if blog.url:
        lines.append(f"url: {blog.url}")
    for source in archive.sources:
        lines.append(f"source: {source.name} ({source.format}, {source.size:,} bytes, "
                     f"{source.entries} entries, sha256 {source.sha256[:16]}...)")
    if blog.time_zone or blog.locale:
        lines.append(f"time zone: {blog.time_zone or '?'}; locale: {blog.locale or '?'}")
    lines.append(f"published: {_date_range(archive)}")
    lines.extend(_describe_counts(archive))
    if archive.labels:
        top = sorted(archive.labels, key=lambda lb: (-len(lb.post_ids), lb.name))[:10]
        lines.append("most used labels: " + ", ".join(f"{lb.name} ({len(lb.post_ids)})"
                                                      for lb in top))
    untitled = sum(1 for p in archive.posts if not p.title.strip())
    if untitled:
        lines.append(f"untitled posts or pages: {untitled}")
    for note in archive.notes:
        lines.append(f"note: {note}")
    return lines


def _info_json(archive: Archive) -> dict[str, Any]:
    return {
        "blog": {"id": archive.blog.id, "title": archive.blog.title, "url": archive.blog.url,
                 "time_zone": archive.blog.time_zone},
        "sources": [{"name": s.name, "format": s.format, "size": s.size, "sha256": s.sha256}
                    for s in archive.sources],
        "counts": counts(archive),
        "published": _date_range(archive),
        "notes": list(archive.notes),
    }


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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        code: int = args.func(args, sys.stdout, sys.stderr)
        return code
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
