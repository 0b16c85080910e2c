"""Progress reporting: one small protocol the library calls, and the terminal bar the CLI shows.

A long call (``read``, ``read_all``, ``iter_records``, ``convert``, ``validate``) takes an
optional ``progress`` callable and calls it as ``progress(phase, done, total)``:

- ``phase``: what is being done now, one of :data:`PHASES` (a new phase starts at ``done`` 0);
- ``done``: how much of the phase is done so far (it only grows within a phase);
- ``total``: how much there is in all, or None when it is not known in advance.

What ``done`` counts depends on the phase (:data:`UNITS`): bytes for reading and schema
checks, posts for the analysis, files for writing and fixity. Phases may repeat (one
"analysing" per blog). The callback must be cheap: it is called for every block read.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import IO, Any, Final, Protocol

__all__ = ["PHASES", "UNITS", "Progress", "TerminalProgress", "counter"]


class Progress(Protocol):
    """``progress(phase, done, total)``: see the module documentation."""

    def __call__(self, phase: str, done: int, total: int | None) -> None: ...


UNITS: Final = {
    "reading": "B",
    "analysing": "post",
    "writing": "file",
    "loading": "file",
    "checking fixity": "file",
    "checking the bag": "bag",
    "checking schemas": "B",
}
PHASES: Final = tuple(UNITS)


def _ignore(n: int = 1) -> None:
    pass


def counter(progress: Progress | None, phase: str, total: int | None) -> Callable[[int], None]:
    """Start ``phase`` (reported at 0) and return ``advance(n=1)``, which adds to ``done``.

    With no ``progress`` this is a no-op, so callers need not check.
    """
    if progress is None:
        return _ignore
    done = 0
    progress(phase, 0, total)

    def advance(n: int = 1) -> None:
        nonlocal done
        done += n
        progress(phase, done, total)

    return advance


class TerminalProgress:
    """A tqdm bar on a terminal for each phase in turn: its name, how much, rate and ETA.

    Shown only when ``stream`` is a terminal, so logs and pipes get no bar characters.
    Use as a context manager (the last bar is cleared on exit), then pass it as ``progress``.
    """

    def __init__(self, stream: IO[str] | None = None) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._bar: Any = None
        self._phase: str | None = None

    @property
    def shown(self) -> bool:
        return bool(getattr(self._stream, "isatty", lambda: False)())

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        if not self.shown:
            return
        if phase != self._phase or self._bar is None or done < self._bar.n:  # (re)started
            from tqdm import tqdm

            self.close()
            unit = UNITS.get(phase, "item")
            self._bar = tqdm(total=total, desc=phase, unit=unit, unit_scale=unit == "B",
                             leave=False, file=self._stream, dynamic_ncols=True)
            self._phase = phase
        bar = self._bar
        if total != bar.total:
            bar.total = total
        bar.update(done - bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        self._bar = None
        self._phase = None

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
