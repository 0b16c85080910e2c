"""The fast paths of ``_time`` give exactly what the general code gave: the same datetime
(value, offset object and its name), the same text, and the same error for every input.

``parse_time`` reads Blogger's usual form with ``datetime.fromisoformat`` and everything else
by its general path (the whole function before), compared here on every kind of text;
``format_time`` spells the date with ``isoformat`` and caches each fixed offset's text,
compared with the function as it was (``reference_format``)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo

from hypothesis import given, settings
from hypothesis import strategies as st

from blogarchive._time import _parse_general as reference_parse
from blogarchive._time import _zone, format_time, parse_time


def reference_format(value: datetime) -> str:
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
    offset = value.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{text}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def outcome(function: object, text: str) -> tuple[object, ...]:
    """What a parse gives, compared in full: the value, its offset object's identity and
    name (the archive writes the offset as the source spelled it), or the error's words."""
    try:
        value = function(text)  # type: ignore[operator]
    except ValueError as err:
        return ("error", str(err))
    assert isinstance(value, datetime)
    zone = value.tzinfo
    return (value, value.utcoffset(), zone is timezone.utc,
            zone.tzname(None) if zone is not None else None)


digits = st.text("0123456789", min_size=1, max_size=4)
offsets = st.sampled_from(["Z", "z", "+00:00", "-00:00", "-08:00", "+05:30", "+14:00",
                           "-23:59", "-24:00", "+0700", "+99:99", ""])
# Blogger's own form with every field drawn from anywhere in its digit range (out-of-range
# months, hours 24, day 30 of February), and the near misses around it.
blogger_like = st.builds(
    lambda y, mo, d, h, mi, s, frac, sep, off: f"{y}-{mo}-{d}{sep}{h}:{mi}:{s}{frac}{off}",
    st.integers(0, 9999).map(lambda n: f"{n:04d}"),
    st.integers(0, 13).map(lambda n: f"{n:02d}"),
    st.integers(0, 32).map(lambda n: f"{n:02d}"),
    st.integers(0, 25).map(lambda n: f"{n:02d}"),
    st.integers(0, 60).map(lambda n: f"{n:02d}"),
    st.integers(0, 61).map(lambda n: f"{n:02d}"),
    st.sampled_from([".000", ".123", ".5", ".1234567", "", ".", ".12a"]),
    st.sampled_from(["T", "t", " "]),
    offsets,
)


@settings(max_examples=600, deadline=None)
@given(st.one_of(blogger_like, st.text(max_size=40),
                 st.builds(lambda a, b: a + b, blogger_like, st.sampled_from(["", " ", "\n",
                                                                               "x", "٣"]))))
def test_parse_time_reads_every_text_as_the_general_path_did(text: str) -> None:
    assert outcome(parse_time, text) == outcome(reference_parse, text)


def test_parse_time_reads_other_digits_as_before() -> None:
    # \d matches any decimal digit: such a text never takes the ASCII-only fast path
    text = "٢٠٠٤-01-01T09:00:00.000Z"
    assert outcome(parse_time, text) == outcome(reference_parse, text)


def test_offsets_keep_their_spelling_through_the_fast_path() -> None:
    zero = parse_time("2010-01-01T00:00:00.000+00:00")
    assert zero.tzinfo is not timezone.utc and format_time(zero).endswith("+00:00")
    assert format_time(parse_time("2010-01-01T00:00:00.000Z")).endswith("Z")
    assert format_time(parse_time("2010-01-01T00:00:00.000-00:00")).endswith("+00:00")


class _Shifting(tzinfo):
    """A zone whose offset depends on the date (as zoneinfo's do): never cached."""

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return timedelta(hours=1 if dt is not None and dt.month > 6 else -3, seconds=-7)

    def tzname(self, dt: datetime | None) -> str:
        return "shifting"

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)


zones = st.sampled_from([
    None, timezone.utc, _zone(0, "+00:00"), _zone(-480, "-08:00"), _zone(330, "+05:30"),
    timezone(timedelta(0)), timezone(timedelta(hours=3)), timezone(timedelta(seconds=-28378)),
    timezone(timedelta(minutes=-1, microseconds=5)), _Shifting(),
])


@settings(max_examples=600, deadline=None)
@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
       st.sampled_from([0, 1, 500, 1000, 123000, 123456, 999999]), zones)
def test_format_time_writes_what_the_general_code_wrote(
    moment: datetime, micro: int, zone: tzinfo | None
) -> None:
    value = moment.replace(microsecond=micro, tzinfo=zone)
    assert format_time(value) == reference_format(value)
    # twice: the second time from the offset cache
    assert format_time(value) == reference_format(value)


def test_the_archives_own_form_takes_the_fast_path(monkeypatch: object) -> None:
    # the archive writes a time of .000 without its fraction (format_time), so every time
    # an export or `load` reads back has that form: it must not fall to the general path
    import pytest

    from blogarchive import _time

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setattr(_time, "_parse_general", lambda text: pytest.fail(text))
    for text in ("2004-01-01T16:00:00-08:00", "2004-01-01T16:00:00Z",
                 "2004-01-01T16:00:00.000+05:30"):
        value = parse_time(text)
        assert format_time(value) == text.replace(".000", "")
