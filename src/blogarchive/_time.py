"""Timestamps as the sources write them: RFC 3339 (Atom) and RFC 822 (RSS).

The offset the source wrote is kept: ``Z`` parses to ``timezone.utc`` and ``+00:00`` to a
named zero offset, so writing the archive gives back the same spelling. Fractions of a second
are kept to the microsecond.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Final

__all__ = ["format_time", "parse_rfc822", "parse_time"]

_RFC3339: Final = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,9}))?)?"
    r"(?:([Zz])|([+-])(\d\d):?(\d\d))?"
)
_ZERO: Final = timedelta(0)
# Shared named offsets: equal datetimes compare equal whatever the name, and reusing the
# objects keeps memory flat on exports with many thousands of timestamps.
_ZONES: dict[tuple[int, str], timezone] = {}


def _zone(minutes: int, text: str) -> timezone:
    key = (minutes, text)
    zone = _ZONES.get(key)
    if zone is None:
        zone = timezone(timedelta(minutes=minutes), text)
        _ZONES[key] = zone
    return zone


def parse_time(text: str) -> datetime:
    """Parse an RFC 3339 / ISO 8601 timestamp, keeping its own offset.

    A timestamp without an offset (HTML pages) gives a naive datetime: never an invented zone.
    Raises ValueError with the text when it is not a timestamp.
    """
    m = _RFC3339.fullmatch(text.strip())
    if m is None:
        raise ValueError(f"not an RFC 3339 timestamp: {text.strip()[:40]!r}")
    year, month, day, hour, minute, second, frac, z, sign, oh, om = m.groups()
    micro = int((frac or "0")[:6].ljust(6, "0"))
    tz: timezone | None
    if z:
        tz = timezone.utc
    elif sign:
        minutes = int(oh) * 60 + int(om)
        tz = _zone(-minutes if sign == "-" else minutes, f"{sign}{oh}:{om}")
    else:
        tz = None
    return datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro, tz
    )


def parse_rfc822(text: str) -> datetime:
    """Parse an RSS ``pubDate`` (RFC 822), keeping its offset. Raises ValueError."""
    try:
        value = parsedate_to_datetime(text.strip())
    # OverflowError: a year or offset too large for a C int (`9999999999 Mar 2 9:0`)
    except (TypeError, ValueError, IndexError, OverflowError) as err:
        raise ValueError(f"not an RFC 822 date: {text.strip()[:40]!r}") from err
    offset = value.utcoffset()
    if offset is None:
        return value
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    spelled = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return value.replace(tzinfo=_zone(minutes, spelled))


def format_time(value: datetime) -> str:
    """RFC 3339 text for the archive: the value's own offset, ``Z`` only where the source had it.

    Milliseconds are written when the value has a fraction (microseconds when they need it).
    """
    text = (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
        f"T{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    )
    if value.microsecond:
        frac = f"{value.microsecond:06d}"
        text += "." + (frac[:3] if frac.endswith("000") else frac)
    tz = value.tzinfo
    if tz is None:
        return text
    if tz is timezone.utc:
        return text + "Z"
    offset = value.utcoffset() or _ZERO
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{text}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
