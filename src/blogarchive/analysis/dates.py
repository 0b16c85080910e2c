"""Dates as authors write them in link lists: long form in several languages, ISO, URL parts.

``June 6, 2008``, ``6 June 2008``, ``6 juin 2008``, ``6. Juni 2008``, ``6 de junio de 2008``,
``6 de junho de 2008``, ``2008-06-06``, ``March 2010``; failing those, ``/2008/06/`` in the
link's URL gives the month. Only real calendar dates are returned.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Final

from ._trie import trie_pattern

__all__ = ["find_date", "url_month"]

_MONTHS: Final = {
    # English
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    # French
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12,
    # German
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "juni": 6, "juli": 7,
    "oktober": 10, "dezember": 12,
    # Spanish
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11,
    "diciembre": 12,
    # Portuguese
    "janeiro": 1, "fevereiro": 2, "março": 3, "marco": 3, "maio": 5, "junho": 6,
    "julho": 7, "setembro": 9, "outubro": 10, "novembro": 11, "dezembro": 12,
    # Italian and Dutch, common enough in the same lists
    "gennaio": 1, "febbraio": 2, "aprile": 4, "maggio": 5, "giugno": 6, "luglio": 7,
    "settembre": 9, "ottobre": 10, "dicembre": 12, "januari": 1, "februari": 2,
    "maart": 3, "mei": 5, "augustus": 8,
}
_MONTH: Final = trie_pattern(_MONTHS)  # matched on text as written: see re.I below
_ISO: Final = re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b")
_DAY_FIRST: Final = re.compile(
    rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th|er|º|°|\.)?\s+(?:de\s+)?(?P<mon>{_MONTH})\.?,?\s+"
    rf"(?:de\s+|del\s+)?(?P<y>\d{{4}})\b",
    re.I,
)
_MONTH_FIRST: Final = re.compile(
    rf"\b(?P<mon>{_MONTH})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})\b", re.I
)
_MONTH_YEAR: Final = re.compile(
    rf"\b(?P<mon>{_MONTH})\.?,?\s+(?:de\s+)?(?P<y>\d{{4}})\b", re.I
)
# What every date form above holds; starting with a class of characters, the engine skips to
# it in C, where the forms (starting with ``\b``) are tried at every position.
_YEAR: Final = re.compile(r"\d{4}")
# Every character any form above can match: word characters (digits, month names in any
# case, "de", "st"), spaces, and ". , - ° º". A match lies inside one run of them, so each
# form is searched only in the runs holding a year; the run's ends are the text's ends to
# the engine (``pos``/``endpos``), and as the characters around a run are none of these,
# ``\b`` at its ends reads the same as in the whole text.
_RUN: Final = re.compile(r"[\w\s.,\-°º]*")
_URL_MONTH: Final = re.compile(r"/(?P<y>(?:19|20)\d\d)/(?P<m>0[1-9]|1[0-2])/")


def _month(name: str) -> int:
    """The number of a month name the patterns matched (ignoring case)."""
    found = _MONTHS.get(name.lower())
    if found is None:
        # re.I matches by each letter's simple case mapping, which lower() does not always
        # give: "\u017feptember" (a long s) matched "september" and its lookup raised KeyError.
        found = next(number for month, number in _MONTHS.items()
                     if re.fullmatch(re.escape(month), name, re.I))
    return found


def _day(y: str, m: int, d: str) -> str | None:
    try:
        return date(int(y), m, int(d)).isoformat()
    except ValueError:
        return None


def find_date(text: str) -> tuple[str, str, int, int] | None:
    """``(iso, as written, start, end)`` for the first date in ``text``, or None."""
    year = _YEAR.search(text)
    if year is None:
        return None  # every form below has a four-digit year: found in C, not tried at each word
    # The forms start with \b, which the engine tries at every position: over a whole item
    # ("(March 15, 2009): a long excerpt...") that was a fifth of the link lists' time. Only
    # the runs holding a year can hold a date: each found from its year outwards (to the
    # left as a match on the reversed text), not the whole text cut into runs.
    runs: list[tuple[int, int]] = []
    backwards = text[::-1]
    size = len(text)
    while year is not None:
        at = year.start()
        end = _run_end(text, at)
        runs.append((size - _run_end(backwards, size - at), end))
        year = _YEAR.search(text, end)
    best: tuple[str, str, int, int] | None = None
    for pattern in (_ISO, _DAY_FIRST, _MONTH_FIRST, _MONTH_YEAR):
        found = _first(pattern, text, runs, len(text) if best is None else best[2])
        if found is not None and (best is None or found[2] < best[2]):
            best = found
    return best


def _run_end(text: str, at: int) -> int:
    """Where the run of ``_RUN``'s characters from ``at`` ends."""
    found = _RUN.match(text, at)
    return found.end() if found is not None else at  # always found: it may match nothing


def _first(pattern: re.Pattern[str], text: str, runs: list[tuple[int, int]],
           before: int) -> tuple[str, str, int, int] | None:
    """The first date ``pattern`` finds in ``text`` (``pattern.finditer``'s first match that
    is a real date), looked for only in ``runs`` starting before ``before``."""
    for lo, hi in runs:
        if lo >= before:
            return None  # nothing there could start before the date already found
        for match in pattern.finditer(text, lo, hi):
            groups = match.groupdict()
            month = int(groups["m"]) if "m" in groups else _month(groups["mon"])
            if "d" in groups:
                iso = _day(groups["y"], month, groups["d"])
            else:
                iso = f"{groups['y']}-{month:02d}" if 1 <= month <= 12 else None
            if iso is not None:
                return iso, match.group(0), match.start(), match.end()
    return None


def url_month(url: str) -> tuple[str, str] | None:
    """``("YYYY-MM", "/YYYY/MM/")`` from a permalink, or None."""
    match = _URL_MONTH.search(url)
    if not match:
        return None
    return f"{match['y']}-{match['m']}", match.group(0)
