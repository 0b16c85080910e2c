"""The site export's CPU by phase, user and system apart, on an archive converted once.

    python benchmarks/export_phases.py ARCHIVE OUT        # OUT emptied first

Each phase is a function of the export wrapped by a timer that charges the CPU used since
the last change of phase to the phase that was running (so time is counted once, in the
innermost phase: the bodies sanitised for a comment are "bodies", not "post pages").
``getrusage`` is read at every change, about twenty times a post: on the 100 MB export that
is about 300,000 reads, a few tenths of a second, so the total here is a little above an
uninstrumented run's (``benchmarks/export.py``). ``export.py --phases`` prints this table
for its site step.

The pages' rendering and their files are told apart: "files" is creating and writing them
(``sitefiles._create``: ``open``, ``write``, ``close``); rendering and encoding them is their
template's phase. (With code from before ``sitefiles.py``, each page is rendered into a list
first, then written: the same work as that export's, in two steps.)
"""

from __future__ import annotations

import functools
import os
import resource
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

PHASES = {
    "prepare": "reading the archive into the spool (prepare), but for visit",
    "visit": "  SiteIndex.visit (what the pages need, gathered per post)",
    "bodies": "sanitising bodies and comments (Bodies.render)",
    "post render": "post pages: templates (post.html)",
    "list render": "home, label, month, year and other pages: templates",
    "files": "creating and writing the page files (os.open, write, close)",
    "mkdir": "making the folders (os.makedirs)",
    "search": "search index (SearchIndex.add)",
    "comments": "each post's comments (shown_comment; read back with its row since exp11m)",
    "keep_html": "list entries rendered once (keep_html)",
    "backlinks": "backlinks",
    "other": "the rest: the post pages' rows read back, threads, set-up, ...",
}


class Clock:
    """CPU (user, system) charged to the phase running, phases nested as a stack."""

    def __init__(self) -> None:
        self.user: dict[str, float] = dict.fromkeys(PHASES, 0.0)
        self.system: dict[str, float] = dict.fromkeys(PHASES, 0.0)
        self._stack = ["other"]
        self._last = self._now()

    @staticmethod
    def _now() -> tuple[float, float]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime, usage.ru_stime

    def switch(self, phase: str | None) -> None:
        """Charge the time since the last switch, then enter ``phase`` (None: leave)."""
        now = self._now()
        top = self._stack[-1]
        self.user[top] += now[0] - self._last[0]
        self.system[top] += now[1] - self._last[1]
        self._last = now
        if phase is None:
            self._stack.pop()
        else:
            self._stack.append(phase)

    def reset(self) -> None:
        """Start counting now (after the wrapping's own imports)."""
        for phase in PHASES:
            self.user[phase] = self.system[phase] = 0.0
        self._last = self._now()

    def wrap(self, phase: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            self.switch(phase)
            try:
                return function(*args, **kwargs)
            finally:
                self.switch(None)
        return timed

    def wrap_iter(self, phase: str, function: Callable[..., Iterator[Any]]
                  ) -> Callable[..., Iterator[Any]]:
        """A generator function timed per item (its work runs as each item is taken)."""
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Iterator[Any]:
            items = function(*args, **kwargs)
            while True:
                self.switch(phase)
                try:
                    item = next(items, StopIteration)
                finally:
                    self.switch(None)
                if item is StopIteration:
                    return
                yield item
        return timed


def instrument(clock: Clock) -> None:
    """Wrap the site export's phases (imports blogarchive's modules)."""
    from blogarchive.export import sanitise, search, site, siteindex, sitetext, spool

    site.prepare = clock.wrap("prepare", site.prepare)
    siteindex.SiteIndex.visit = clock.wrap("visit", siteindex.SiteIndex.visit)
    sanitise.Bodies.render = clock.wrap("bodies", sanitise.Bodies.render)
    search.SearchIndex.add = clock.wrap("search", search.SearchIndex.add)
    spool.Spool.comment_records = clock.wrap("comments", spool.Spool.comment_records)
    site.shown_comment = clock.wrap("comments", sitetext.shown_comment)
    siteindex.SiteIndex.keep_html = clock.wrap("keep_html", siteindex.SiteIndex.keep_html)
    siteindex.SiteIndex.backlinks = clock.wrap("backlinks", siteindex.SiteIndex.backlinks)
    os.makedirs = clock.wrap("mkdir", os.makedirs)  # site calls os.makedirs
    pages_write = site._Pages.write

    def write(self: Any, template: str, path: str, **context: Any) -> None:
        phase = "post render" if template == "post.html" else "list render"
        clock.switch(phase)
        try:
            pages_write(self, template, path, **context)
        finally:
            clock.switch(None)

    site._Pages.write = write  # type: ignore[method-assign]
    try:
        from blogarchive.export import sitefiles
    except ImportError:  # before sitefiles.py: each page written as it was rendered
        files = clock.wrap("files", site._write_page)

        def rendered_then_written(target: str, chunks: Iterator[str]) -> None:
            pieces = list(chunks)  # rendering: charged to the page's template phase
            files(target, iter(pieces))

        site._write_page = rendered_then_written
    else:  # rendered and encoded as given (the template's phase), created in batches
        sitefiles._create = clock.wrap("files", sitefiles._create)


def table(clock: Clock) -> str:
    total_user, total_system = sum(clock.user.values()), sum(clock.system.values())
    total = total_user + total_system
    lines = [f"{'phase':12} {'user':>6} {'system':>6} {'CPU s':>6} {'share':>6}"]
    for phase, what in PHASES.items():
        cpu = clock.user[phase] + clock.system[phase]
        lines.append(f"{phase:12} {clock.user[phase]:6.2f} {clock.system[phase]:6.2f} "
                     f"{cpu:6.2f} {cpu / total if total else 0:6.1%}  {what}")
    lines.append(f"{'whole':12} {total_user:6.2f} {total_system:6.2f} {total:6.2f}")
    return "\n".join(lines)


def main() -> None:
    archive, out = Path(sys.argv[1]), Path(sys.argv[2])
    shutil.rmtree(out, ignore_errors=True)
    import blogarchive

    clock = Clock()
    instrument(clock)
    clock.reset()
    blogarchive.export(archive, out)
    clock.switch(None)
    print(table(clock))


if __name__ == "__main__":
    main()
