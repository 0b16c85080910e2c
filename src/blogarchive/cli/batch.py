"""``blogarchive batch``: a whole collection, one archive per blog, here or on Dask."""

from __future__ import annotations

import argparse
import copy
import time
from typing import IO, Any, TextIO

from .._words import counted
from ..batch import BATCH, CATALOG, Settings, run_batch
from ..errors import ArchiveError
from .capturing import capture_kwargs, refuse_without_capture
from .options import (
    bag_info,
    conversion_options,
    destination_options,
    event_options,
    limits_of,
    quiet_option,
    redaction,
    refuse_bag_options,
    waiting,
)

__all__ = ["BatchBar", "add_batch_parser", "batch_command"]

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3


def add_batch_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = sub.add_parser(
        "batch", help="convert a collection: one archive per blog under OUTDIR",
        description="Convert many sources, each as convert would, into OUTDIR/blog-<id>/ "
        "(one archive per blog); record each input in OUTDIR/batch.jsonl and each blog in "
        "OUTDIR/catalog.jsonl. Run it again to resume: inputs done with the same bytes and "
        "options are skipped, failures redone.",
        epilog="Exit codes: 0 every input converted (warnings allowed), 1 some input failed "
        "(the others were converted; see batch.jsonl), 2 usage or OUTDIR problem, 3 internal "
        "error.")
    run.add_argument("sources", nargs="*", metavar="SOURCE",
                     help="export, feed, Takeout folder or zip, pages, WARC")
    run.add_argument("-o", "--output", required=True, metavar="OUTDIR",
                     help="folder to hold one archive per blog (blog-<id>/), batch.jsonl and "
                     "catalog.jsonl")
    run.add_argument("--from", dest="from_list", metavar="LIST",
                     help="a file naming the sources: one a line (# comments), or a CSV with "
                     "a 'source' column and optionally 'blog_url'; relative paths are taken "
                     "from the list's folder")
    run.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                     help="worker processes on this machine (default 1); with --dask local, "
                     "the LocalCluster's workers (default 2)")
    run.add_argument("--dask", metavar="ADDRESS",
                     help="run on a Dask cluster: its scheduler's address (tcp://host:8786), "
                     "or 'local' for a LocalCluster here; needs pip install "
                     "'blogarchive[dask]'")
    conversion_options(run, each=True)
    destination_options(run)
    quiet_option(run)
    run.set_defaults(func=batch_command)


class BatchBar:
    """The batch's bar on a terminal: blogs done of all, posts per second, ETA."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._bar: Any = None
        self._phase = ""
        self._posts = 0
        self._start = time.monotonic()

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        if not getattr(self._stream, "isatty", lambda: False)():
            return
        if phase != self._phase:
            from tqdm import tqdm

            self.close()
            self._phase, self._start = phase, time.monotonic()
            unit = "blog" if phase == "converting" else "input"
            # A blog is a coarse unit: redraw on each one (mininterval=0), or the last
            # blogs of a fast batch never show.
            self._bar = tqdm(total=total, desc=phase, unit=unit, leave=False,
                             file=self._stream, dynamic_ncols=True, mininterval=0)
        self._bar.update(done - self._bar.n)

    def row(self, row: dict[str, Any]) -> None:
        self._posts += int(row.get("posts") or 0)
        if self._bar is not None:
            rate = self._posts / max(time.monotonic() - self._start, 1e-6)
            self._bar.set_postfix_str(f"{rate:,.0f} posts/s", refresh=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        self._bar = None


def batch_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    refuse_bag_options(args)
    refuse_without_capture(args)
    fetching = capture_kwargs(args) if args.capture else None
    plain = copy.copy(args)
    plain.blog_url = None  # each input's own blog URL is added to its options
    # The capture's options join the recorded ones: a rerun with others is not "done".
    options = event_options(plain) + (f" --capture {fetching['options_text']}"
                                      if fetching is not None else "")
    settings = Settings(
        originals=not args.no_originals, bag=args.bag, bag_info=bag_info(args),
        redact_emails=redaction(args), analyse=not args.no_analysis, recover=args.recover,
        limits=limits_of(args), capture=fetching, options=options.strip())
    bar = BatchBar(err) if not args.quiet else None
    try:
        outcome = run_batch(args.sources, args.output, settings=settings,
                            from_list=args.from_list, jobs=args.jobs, dask=args.dask,
                            blog_url=args.blog_url, progress=bar,
                            on_row=bar.row if bar is not None else None,
                            **waiting(args, err))
    except ArchiveError as problem:  # OUTDIR is one archive, holds other things, is locked
        print(f"error: {problem}", file=err)
        return EXIT_USAGE
    finally:
        if bar is not None:
            bar.close()
    for line in outcome.repaired:
        print(f"note: {line}", file=err)
    for row in outcome.rows:
        if row["status"] == "failed":
            for line in (row.get("error") or "").splitlines():
                print(f"failed: {row['source']}: {line}", file=err)
    if not args.quiet:
        blogs = {b["archive"] for row in outcome.rows for b in row.get("blogs") or []}
        ok = outcome.converted - outcome.failed
        print(f"batch: {counted(len(outcome.rows), 'input')} on {outcome.runner}: "
              f"{outcome.converted:,} converted ({ok:,} ok, {outcome.failed:,} failed), "
              f"{outcome.skipped:,} skipped as done before; {counted(len(blogs), 'blog')} in "
              f"{args.output}/ ({BATCH}, {CATALOG})", file=out)
    if outcome.bugs:
        print("internal error: a bug in blogarchive stopped some inputs (see their rows in "
              f"{BATCH}); please report it", file=err)
        return EXIT_BUG
    return EXIT_INPUT if outcome.failed else EXIT_OK
