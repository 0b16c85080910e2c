"""The site's dates and post files worked out with less CPU (issue 11, branch exp11j): each
faster path gives what the code it replaced gave (that code is restated here as the
reference), and the zone is looked up once a name."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo

import attrs
import pytest

import export_archive
from blogarchive import model
from blogarchive.export import sitepaths
from blogarchive.export.sitepaths import SitePaths
from blogarchive.export.sitetext import When, summarise, when
from blogarchive.model import Archive


def _old_when(archive: Archive, moment: datetime | None,
              precision: str | None = None) -> When | None:
    """``when`` as it was before this branch: strftime for the day, minute and offset."""
    if moment is None:
        return None
    if precision == "date" or moment.tzinfo is None:
        return When(iso=moment.date().isoformat(), text=moment.strftime("%Y-%m-%d"))
    local = archive.local_time(moment)
    offset = local.strftime("%z")
    offset = f"UTC{offset[:3]}:{offset[3:]}" if offset else ""
    name = local.tzname() or ""
    zone = offset if not name or name.startswith(("UTC", "+", "-")) else f"{name}, {offset}"
    return When(iso=local.isoformat(), text=f"{local:%Y-%m-%d %H:%M} ({zone})")


class _Nameless(tzinfo):
    """A zone with an offset (seconds and all) and no name."""

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return timedelta(hours=-4, minutes=-17, seconds=-3)

    def tzname(self, dt: datetime | None) -> str | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None


class _NoOffset(tzinfo):
    """Aware in name only: no offset, so %z is empty."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return "LMT"

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None


_ZONES = [None, "America/Los_Angeles", "Asia/Kolkata", "Australia/Lord_Howe", "Europe/Dublin",
          "Not/AZone", "../etc/passwd"]
_TIMES = [
    datetime(2011, 7, 1, 12, 30, tzinfo=timezone.utc),
    datetime(2011, 1, 1, 0, 0, 59, 999999, tzinfo=timezone(timedelta(hours=-3))),
    datetime(2020, 10, 4, 1, 45, tzinfo=timezone(timedelta(hours=5, minutes=30, seconds=15))),
    datetime(2020, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=1), "CET")),
    datetime(1999, 12, 31, 23, 59, tzinfo=_Nameless()),
    datetime(2005, 5, 5, 5, 5, tzinfo=_NoOffset()),
    datetime(999, 3, 1, 8, 0, tzinfo=timezone.utc),  # strftime does not pad such a year
    datetime(42, 3, 1, 8, 0, tzinfo=timezone(timedelta(hours=2))),
    datetime(2, 1, 1, 8, 0, tzinfo=timezone(timedelta(hours=2))),
    datetime(2011, 7, 1, 12, 30),  # naive
]


def _archive(zone: str | None) -> Archive:
    archive = export_archive.archive()
    return attrs.evolve(archive, blog=attrs.evolve(archive.blog, time_zone=zone))


@pytest.mark.parametrize("zone", _ZONES)
def test_a_date_is_shown_as_strftime_showed_it(zone: str | None) -> None:
    archive = _archive(zone)
    for moment in _TIMES:
        for precision in (None, "date", "datetime"):
            assert when(archive, moment, precision) == _old_when(archive, moment, precision)
    assert when(archive, None) is None


def test_a_time_without_an_offset_is_shown_as_before() -> None:
    moment = datetime(2005, 5, 5, 5, 5, tzinfo=_NoOffset())
    assert when(_archive(None), moment) == _old_when(_archive(None), moment) == When(
        iso="2005-05-05T05:05:00", text="2005-05-05 05:05 (LMT, )")


@pytest.mark.parametrize("zone", _ZONES)
def test_a_summary_shows_the_date_year_and_month_as_before(zone: str | None) -> None:
    archive = _archive(zone)
    post = archive.posts[0]
    paths = SitePaths([post])
    for moment in [*_TIMES, None]:
        for precision in (None, "date"):
            dated = attrs.evolve(post, published=moment, published_precision=precision)
            summary = summarise(archive, dated, paths)
            local = (archive.local_time(moment) if moment is not None
                     and moment.tzinfo is not None else moment)
            assert summary.when == _old_when(archive, moment, precision)
            assert (summary.year, summary.month) == ((local.year, local.month) if local
                                                     else (None, None))


def test_the_zone_is_looked_up_once_a_name() -> None:
    model._zone.cache_clear()
    archive = _archive("Asia/Kolkata")
    moment = datetime(2011, 7, 1, 12, 30, tzinfo=timezone.utc)
    for _ in range(5):
        assert archive.local_time(moment).isoformat() == "2011-07-01T18:00:00+05:30"
    assert model._zone.cache_info().misses == 1


@pytest.mark.parametrize("zone", ["Not/AZone", "../etc/passwd", ""])
def test_an_unknown_zone_leaves_the_time_as_the_source_wrote_it(zone: str) -> None:
    moment = datetime(2011, 7, 1, 12, 30, tzinfo=timezone(timedelta(hours=-3)))
    assert _archive(zone).local_time(moment) is moment
    assert _archive(zone).local_time(moment.replace(tzinfo=None)).tzinfo is None


def test_a_posts_url_is_split_only_when_its_path_is_no_blogger_path(
        monkeypatch: pytest.MonkeyPatch) -> None:
    post = export_archive.archive().posts[0]
    split = sitepaths.urlsplit
    calls: list[str] = []

    def counted(url: str) -> object:
        calls.append(url)
        return split(url)

    monkeypatch.setattr(sitepaths, "urlsplit", counted)
    url = "https://x.blogspot.com/2010/03/from-the-url.html?m=1"
    cases = [("/2010/03/a-post.html", url, "2010/03/a-post.html", 0),
             ("", url, "2010/03/from-the-url.html", 1),
             (None, url, "2010/03/from-the-url.html", 1),
             ("/search/label/x", url, "2010/03/from-the-url.html", 1),
             ("", "https://x.blogspot.com/p/about.html#top", "p/about.html", 1),
             ("", "https://x.blogspot.com/2010/03/", None, 1),
             ("", None, None, 0)]
    for path, post_url, expected, splits in cases:
        calls.clear()
        assert sitepaths._blogger_path(attrs.evolve(post, path=path, url=post_url)) == expected
        assert len(calls) == splits
