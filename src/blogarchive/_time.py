"""Timestamps as the sources write them: RFC 3339 (Atom) and RFC 822 (RSS).

The offset the source wrote is kept: ``Z`` parses to ``timezone.utc`` and ``+00:00`` to a
named zero offset, so writing the archive gives back the same spelling. Fractions of a second
are kept to the microsecond.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
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


# The form Blogger writes every timestamp in (milliseconds, `Z` or `+HH:MM`), in ASCII digits,
# and the same without the milliseconds, as the archive writes a time with no fraction
# (format_time: every Blogger time of .000, so every time an export or `load` reads back):
# read by datetime.fromisoformat, three times faster than the general path below, which
# reads everything else (and words the error when a value is out of range).
_BLOGGER: Final = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{3})?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})"
)
_blogger: Final = _BLOGGER.fullmatch
_OFFSETS: dict[str, timezone] = {}  # "+HH:MM" -> its named offset (from _zone)


def parse_time(text: str) -> datetime:
    """Parse an RFC 3339 / ISO 8601 timestamp, keeping its own offset.

    A timestamp without an offset (HTML pages) gives a naive datetime: never an invented zone.
    Raises ValueError with the text when it is not a timestamp.
    """
    if (match := _blogger(text)) is not None:
        cut = match.start(1)  # where the offset group begins
        offset = text[cut:]
        try:
            local = datetime.fromisoformat(text[:cut])
        except ValueError:  # out of range (month 13, hour 24): said by the general path
            pass
        else:
            zone = timezone.utc if offset == "Z" else _OFFSETS.get(offset)
            if zone is None:
                minutes = int(offset[1:3]) * 60 + int(offset[4:6])
                zone = _zone(-minutes if offset[0] == "-" else minutes, offset)
                _OFFSETS[offset] = zone
            return datetime.combine(local, local.time(), zone)
    return _parse_general(text)


def _parse_general(text: str) -> datetime:
    """``parse_time`` for any form RFC 3339 allows (what it did before its fast path)."""
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
    # Imported here: the email package is a twentieth of `import blogarchive`, and only RSS
    # (and pages' RFC 822 dates) need it.
    from email.utils import parsedate_to_datetime

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
    # isoformat (C) spells the date and time as wanted (four-digit years, microseconds
    # after position 19); the offset is ours (minutes, `Z` only for timezone.utc itself).
    iso = value.isoformat()
    text = iso[:19]
    if value.microsecond:
        frac = iso[20:26]
        text += "." + (frac[:3] if frac.endswith("000") else frac)
    tz = value.tzinfo
    if tz is None:
        return text
    if tz is timezone.utc:
        return text + "Z"
    if type(tz) is timezone:  # a fixed offset: its spelling depends on the offset alone
        suffix = _SUFFIXES.get(tz)
        if suffix is None:
            suffix = _offset_text(value)
            if len(_SUFFIXES) < 4096:
                _SUFFIXES[tz] = suffix
        return text + suffix
    return text + _offset_text(value)


# Fixed offsets (equal when their offsets are: timezone.utc is never looked up) -> "+HH:MM".
_SUFFIXES: dict[timezone, str] = {}


def _offset_text(value: datetime) -> str:
    offset = value.utcoffset() or _ZERO
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
