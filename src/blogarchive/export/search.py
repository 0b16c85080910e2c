"""The search page's index, built at export time and written entry by entry.

A browser cannot ``fetch`` a JSON file from file://, but it runs a script beside the page:
the index is ``search-index.js``, one assignment of an array with one entry per post or page
(title, file, date, and the distinct lower-case words of its title, labels and text, in
first-seen order). ``static/search.js`` matches each query word as a word prefix.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from pathlib import Path

from .sitetext import Summary

__all__ = ["SearchIndex", "words_of"]


@functools.cache
def _separators() -> str:
    """Every character of the Basic Multilingual Plane, those ``\\w`` does not match as a
    space: ``translate`` + ``split`` finds the words ``re.findall(r"\\w+")`` finds, twice as
    fast (a character beyond the BMP, an emoji say, is past the table's end and stays part
    of the word it touches). A string, not a dict: ``translate`` indexes it, a sixth faster
    than hashing each character."""
    return "".join(chr(c) if chr(c).isalnum() or c == 0x5F else " " for c in range(0x10000))


def words_of(*texts: str) -> str:
    """The distinct words of ``texts``, lower case, in first-seen order, one space apart.

    The whitespace-split tokens are made distinct first: a post repeats most of its words,
    and lowering and blanking each distinct token once gives the same words in the same
    first-seen order (``casefold`` and the table act on each character alone, and neither
    makes a space a word character), a tenth of this function's time."""
    tokens = dict.fromkeys("\n".join(texts).split())
    words = "\n".join(tokens).casefold().translate(_separators()).split()
    return " ".join(dict.fromkeys(words))


class SearchIndex:
    def __init__(self, path: Path) -> None:
        self._stream = path.open("w", encoding="utf-8")
        self._stream.write("window.BLOGARCHIVE_SEARCH = [\n")
        self._first = True

    def add(self, summary: Summary, labels: Sequence[str], text: str) -> None:
        """The entry of a post or page: its ``labels`` (all, as the post names them) and
        ``text`` (its analysed plain text)."""
        entry = [summary.title, summary.path, summary.when.text[:10] if summary.when else "",
                 words_of(summary.title, " ".join(labels), text)]
        # ensure_ascii: no U+2028 or lone surrogate can end the script's string early
        self._stream.write(("" if self._first else ",\n") + json.dumps(entry))
        self._first = False

    def close(self) -> None:
        if not self._stream.closed:
            self._stream.write("\n];\n")
            self._stream.close()
