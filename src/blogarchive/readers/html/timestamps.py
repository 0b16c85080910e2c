"""Free-form timestamps as a classic byline prints them, in any format Blogger's settings offered.

Classic templates let the blogger pick the ``<$BlogItemDateTime$>`` format (``4/19/2005
02:47:00 AM``, ``2:47 AM``, ``Monday, March 5, 2007``, ``05.03.07``, ``19/04/2005``, ``2007-03-05``
...) in the blog's language. python-dateutil's parser reads all of these (given the month
names of the languages ``analysis.dates`` knows); what it cannot say is which fields the text
held and whether ``05.03.07`` is the 5th of March or the 3rd of May. So each text is parsed
against two defaults (a field that changes with the default was not written) and in both
day/month orders: when the orders disagree, a month from the permalink's ``/YYYY/MM/`` decides,
and otherwise the reading is kept with the ambiguity stated (``Stamp.ambiguous``), never
guessed silently. Times stay naive, as written: classic pages carry no offset.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any, Final

import attrs
from dateutil import parser as dateutil_parser

from ...analysis.dates import _MONTHS

__all__ = ["Stamp", "read_stamp"]


class _Info(dateutil_parser.parserinfo):
    """English and the other languages of ``analysis.dates``: month names, and the small
    words between a date's parts ("5 de marzo de 2007", "6. Juni 2015 um 10:23")."""

    def __init__(self) -> None:
        # Set before parserinfo's __init__, which builds its lookup tables from them.
        names: list[Any] = [
            tuple(sorted(name for name, number in _MONTHS.items() if number == month))
            for month in range(1, 13)]
        self.MONTHS = names
        self.JUMP = [*dateutil_parser.parserinfo.JUMP, "de", "del", "um", "à", "às", "alle",
                     "las", "uhr", "le", "der", "den", "om", "el", "il"]
        super().__init__()


_INFO: Final = _Info()
_PARSER: Final = dateutil_parser.parser(_INFO)
# Two defaults that differ in every field: what the parse takes from the default was not
# written. Leap years both, so a written 29 February parses against either.
_DEFAULTS: Final = (datetime(2000, 1, 1, 0, 0, 0), datetime(2004, 2, 2, 1, 1, 1))
_YEAR_FIRST: Final = re.compile(r"^\s*\d{4}\s*[-/.]")
_NUMERIC_DAY: Final = re.compile(r"\b\d{1,2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{2,4}\b")
_DOTTED: Final = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{2,4}\b")
_CLOCK: Final = re.compile(r"\d{1,2}\s*:\s*\d{2}")
_MAX: Final = 120  # a byline's timestamp is short; longer text is not one


@attrs.frozen
class Stamp:
    """A timestamp as written (naive): the day and the time of day it holds, each or both."""

    day: date | None
    at: time | None
    ambiguous: str | None = None
    """Set when the day and month could be either way round and the permalink did not
    decide: how it was read (``"05.03.07: day and month could be either way round; read as
    5 March (...), not 3 May"``)."""

    def moment(self, day: date | None = None) -> datetime | None:
        """The naive datetime, completing a time alone with ``day`` (a date header's)."""
        on = self.day or day
        if on is None:
            return None
        return datetime.combine(on, self.at or time())


def _parse(text: str, dayfirst: bool, default: datetime) -> datetime | None:
    try:
        # ignoretz: a stamp is kept naive, as written; and a word dateutil takes for a zone
        # name it does not know ("11:02 EM") would otherwise print a warning on stderr.
        return _PARSER.parse(text, default=default, dayfirst=dayfirst, fuzzy=True,
                             ignoretz=True)
    except (ValueError, OverflowError, TypeError):
        return None


def _written(text: str, dayfirst: bool) -> tuple[datetime, set[str]] | None:
    """The parse and the names of the fields the text wrote."""
    first, second = (_parse(text, dayfirst, default) for default in _DEFAULTS)
    if first is None or second is None:
        return None
    fields = {name for name in ("year", "month", "day", "hour", "minute", "second")
              if getattr(first, name) == getattr(second, name)}
    return first, fields


def read_stamp(text: str, year: int | None = None, month: int | None = None) -> Stamp | None:
    """The date and/or time written in ``text`` (a byline's timestamp, not a whole byline).

    ``year`` and ``month`` come from the permalink: the year completes a date written without
    one ("Sunday, October 29"), the month decides a day/month order the text leaves open.
    None when the text holds neither a whole date nor a time of day."""
    text = " ".join(text.replace("|", " ").split())
    if not text or len(text) > _MAX or not any(c.isdigit() for c in text):
        return None
    # Dotted numeric dates (05.03.07) are day first wherever they are written; slashed ones
    # follow Blogger's default, M/D/YYYY.
    dayfirst = _DOTTED.search(text) is not None
    read = _written(text, dayfirst)
    if read is None:
        return None
    moment, fields = read
    at = None
    if {"hour", "minute"} <= fields and _CLOCK.search(text):
        at = moment.time() if "second" in fields else moment.time().replace(second=0)
    day = None
    if {"month", "day"} <= fields:
        if "year" in fields:
            day = moment.date()
        elif year is not None:
            try:
                day = moment.date().replace(year=year)
            except ValueError:  # 29 February of a year that has none
                day = None
    if day is None and at is None:
        return None
    ambiguous = None
    if day is not None and not _YEAR_FIRST.match(text) and _NUMERIC_DAY.search(text):
        other = _written(text, not dayfirst)
        flipped = other[0].date().replace(year=day.year) if other is not None else day
        if flipped != day:
            if month is not None and flipped.month == month != day.month:
                day = flipped
            elif month is None or day.month != month:
                order = "day first" if dayfirst else "month first, Blogger's default"
                ambiguous = (f"{text}: day and month could be either way round; read as "
                             f"{day.day} {day:%B} ({order}), not {flipped.day} {flipped:%B}")
    return Stamp(day=day, at=at, ambiguous=ambiguous)
