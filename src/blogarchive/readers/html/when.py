"""Dates and times as Blogger pages print them: date headers, bylines, comment times.

Visible times carry no zone: they are the blog's local time, kept naive (never given an
invented offset). Headers are localised ("Dienstag, 28. April 2020", "mardi 5 juin 2018",
"sábado, 25 de noviembre de 2017") and may lack the year ("Sunday, October 29"); the caller
supplies the year from the permalink then. ``showComment=<ms>`` is exact UTC.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from typing import Final

from ...analysis._trie import trie_pattern
from ...analysis.dates import _MONTHS  # the month names of seven languages

__all__ = [
    "from_header",
    "from_show_comment",
    "parse_day",
    "parse_moment",
    "parse_time_of_day",
    "url_year",
]

_MONTH: Final = trie_pattern(_MONTHS)
_ISO_DAY: Final = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_NUMERIC: Final = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})\b")  # US m/d/yyyy
_DAY_MONTH: Final = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th|er|º|\.)?\s+(?:de\s+)?({_MONTH})\.?,?(?:\s+(?:de\s+|del\s+)?"
    rf"(\d{{4}}))?", re.I)
_MONTH_DAY: Final = re.compile(
    rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b", re.I)
_TIME: Final = re.compile(
    r"\b(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?(?![\d/])", re.I)
_SHOW_COMMENT: Final = re.compile(r"[?&]showComment=(\d{10,14})")
_URL_YEAR: Final = re.compile(r"/((?:19|20)\d\d)/\d\d/")


def parse_day(text: str, year: int | None = None) -> date | None:
    """The first calendar day written in ``text``; ``year`` fills a header that omits it."""
    candidates = []
    for pattern, order in ((_ISO_DAY, "ymd"), (_NUMERIC, "mdy"), (_DAY_MONTH, "dmy"),
                           (_MONTH_DAY, "mdy")):
        match = pattern.search(text)
        if not match:
            continue
        parts = dict(zip(order, match.groups(), strict=False))
        month_text = parts["m"]
        month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text.lower())
        y = parts.get("y")
        if y and len(y) == 2:
            y = "20" + y if int(y) < 70 else "19" + y
        full_year = int(y) if y else year
        if month is None or full_year is None:
            continue
        try:
            candidates.append((match.start(), date(full_year, month, int(parts["d"]))))
        except ValueError:
            continue
    return min(candidates)[1] if candidates else None


def parse_time_of_day(text: str) -> time | None:
    """``2:33 PM``, ``21:11``, ``03:44:00 PM``, ``6:23 pm`` -> a time."""
    match = _TIME.search(text)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    second = int(match.group(3) or 0)
    marker = (match.group(4) or "").lower().replace(".", "")
    if marker == "pm" and hour < 12:
        hour += 12
    elif marker == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def parse_moment(text: str, year: int | None = None) -> tuple[datetime | None, bool]:
    """A day and (if given) a time in one text -> naive datetime, and whether a time was
    found. ``5/13/2004 03:44:00 PM``, ``14 May, 2004 15:49``, ``October 27, 2011 at 5:39 AM``."""
    day = parse_day(text, year)
    if day is None:
        return None, False
    rest = _without_day(text)
    moment = parse_time_of_day(rest)
    if moment is None:
        return datetime.combine(day, time()), False
    return datetime.combine(day, moment), True


def _without_day(text: str) -> str:
    for pattern in (_ISO_DAY, _NUMERIC, _DAY_MONTH, _MONTH_DAY):
        text = pattern.sub(" ", text, count=1)
    return text


def from_show_comment(href: str | None) -> datetime | None:
    """``...?showComment=1433578985419#c...`` -> that instant in UTC (milliseconds kept)."""
    if not href:
        return None
    match = _SHOW_COMMENT.search(href)
    if not match:
        return None
    millis = int(match.group(1))
    if len(match.group(1)) <= 10:
        millis *= 1000
    return datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=millis)


def url_year(url: str | None) -> int | None:
    """The year of a permalink's ``/YYYY/MM/``: it completes a date header without one."""
    match = _URL_YEAR.search(url or "")
    return int(match.group(1)) if match else None


def from_header(header: str | None, visible: str | None,
                year: int | None) -> tuple[datetime, str, str | None] | None:
    """A date header's day with the visible time (naive), or the day alone; None without
    a readable header. Returns ``(moment, published_source, published_precision)``."""
    day = parse_day(header, year) if header else None
    if day is None:
        return None
    at = parse_time_of_day(visible or "")
    if at is not None:
        return datetime.combine(day, at), "date-header+byline-time", None
    return datetime.combine(day, time()), "date-header", "date"
