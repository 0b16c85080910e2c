"""The command line: a thin layer over the public API.

    blogarchive convert SOURCE... -o DEST     one-shot conversion into a JSON archive
    blogarchive info SOURCE...                what is in a source (or in an archive)
    blogarchive validate DEST                 fixity, schemas, references, counts
    blogarchive package DEST                  make an archive a BagIt bag
    blogarchive list WHAT SOURCE...           quotes, lists, links or media, one per line
    blogarchive capture DEST                  fetch the posts' media into DEST/media/*.warc.gz
    blogarchive export DEST -o OUT            the archive as a site, or for Hugo, Jekyll, WordPress

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

Laid out as ``parser`` (the options and their help), ``options`` (checking them and turning
them into the library's arguments), ``commands`` (one function per subcommand) and ``output``
(what is printed).
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence

from ..errors import BlogarchiveError, InvalidArgument
from ..progress import TerminalProgress
from .commands import EXIT_BUG, EXIT_INPUT, EXIT_PIPE, EXIT_USAGE
from .options import Usage
from .parser import build_parser

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
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
    except (Usage, InvalidArgument) as problem:
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
