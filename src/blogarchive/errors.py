"""One error hierarchy. Every error a user can cause names the file, the place and the problem.

``str(error)`` is the one-line message the command line prints, e.g.
``blog.xml: line 12, column 5: not well-formed XML: Premature end of data in tag feed``.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ArchiveError",
    "BlogarchiveError",
    "InvalidArgument",
    "ParseError",
    "SourceError",
    "UnsafeInput",
    "UnsupportedFormat",
]


# Every character str.splitlines() breaks at: any of them in a message would split the one
# line the command line prints (and a log reader's idea of one problem per line).
_BREAKS: Final = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_ESCAPED: Final = {ord(c): repr(c)[1:-1] for c in _BREAKS}


def _one_line(text: str) -> str:
    """``text`` with each line break written as its escape (``\\n``): one line, nothing lost."""
    return text.translate(_ESCAPED)


class BlogarchiveError(Exception):
    """Base class of every error blogarchive raises on purpose."""


class SourceError(BlogarchiveError):
    """An input could not be read. Carries the source name and, when known, the place.

    Attributes: ``source`` (file name), ``line`` and ``column`` (1-based, or None),
    ``entry`` (0-based entry position, or None) and ``problem`` (the bare message).
    The message is always one line: a line break in the source name or the problem (a
    library's message quoting the input, a file name with a newline) is written escaped.
    """

    def __init__(
        self,
        source: str,
        problem: str,
        *,
        line: int | None = None,
        column: int | None = None,
        entry: int | None = None,
    ) -> None:
        self.source = _one_line(source)
        self.problem = _one_line(problem)
        self.line = line
        self.column = column
        self.entry = entry
        super().__init__(self._format())

    def _format(self) -> str:
        place = []
        if self.line is not None:
            place.append(f"line {self.line}")
            if self.column is not None:
                place.append(f"column {self.column}")
        if self.entry is not None:
            place.append(f"entry {self.entry}")
        where = f" ({', '.join(place)})" if place else ""
        return f"{self.source}{where}: {self.problem}"


class ParseError(SourceError, ValueError):
    """The input is damaged: not well-formed XML, truncated, or a required part is missing."""


class UnsafeInput(ParseError):
    """The input asks for something blogarchive never does: a DTD, entities, network access."""


class UnsupportedFormat(SourceError):
    """The input is readable but is not a Blogger format this version reads.

    The message says what it looks like instead (an HTML page, JSON, a non-Blogger feed, ...).
    """


class ArchiveError(BlogarchiveError):
    """A JSON archive on disk is missing, damaged, or not a blogarchive archive."""


class InvalidArgument(BlogarchiveError, ValueError):
    """A value given to the library (or an option on the command line) that cannot be right,
    e.g. a ``blog_url`` that is not a blog's home URL. The command line exits 2 for it."""
