"""info's streaming census gives what a full read gives, without holding the records."""

from __future__ import annotations

from pathlib import Path

import pytest

import blogarchive
from blogarchive.census import survey
from blogarchive.describe import info_json, info_lines, summarise
from conftest import CORPUS, EXAMPLE, FIXTURES

SOURCES = [
    EXAMPLE,
    FIXTURES / "takeout" / "Takeout",
    FIXTURES / "feeds",
    FIXTURES / "legacy",
    [EXAMPLE, FIXTURES / "feeds" / "posts.rss.xml", FIXTURES / "bad" / "truncated.xml"],
    [FIXTURES / "feeds" / "posts-page1.atom", FIXTURES / "feeds" / "posts-page2.atom",
     FIXTURES / "feeds" / "posts-page1.atom"],  # the same posts twice: duplicates merged
    FIXTURES / "json",  # GData JSON feeds and Blogger API responses, with an Atom twin
]
CORPUS_FEEDS = sorted((CORPUS / "atom").glob("*")) if (CORPUS / "atom").is_dir() else []


@pytest.mark.parametrize("source", SOURCES, ids=str)
def test_census_prints_what_a_full_read_prints(source: object) -> None:
    archives = blogarchive.read_all(source, report=blogarchive.ReadReport())  # type: ignore[arg-type]
    summaries = survey(source, report=blogarchive.ReadReport())  # type: ignore[arg-type]
    assert summaries is not None and len(summaries) == len(archives) > 0
    for archive, summary in zip(archives, summaries, strict=True):
        assert info_lines(summary) == info_lines(archive)
        assert info_json(summary) == info_json(archive)
        assert summary == summarise(archive)


def test_census_reports_failures_as_a_read_does(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    for name in ("not-xml.txt", "gdata.json", "wordpress.atom"):
        (folder / name).write_bytes((FIXTURES / "bad" / name).read_bytes())
    (folder / "export.xml").write_bytes(EXAMPLE.read_bytes())
    bad = [FIXTURES / "bad" / name for name in ("empty.xml", "truncated.xml", "opml.xml")]
    for source in ([folder, *bad], bad):
        read_report, census_report = blogarchive.ReadReport(), blogarchive.ReadReport()
        archives = blogarchive.read_all(source, report=read_report)
        summaries = survey(source, report=census_report)
        assert summaries is not None
        assert [info_lines(s) for s in summaries] == [info_lines(a) for a in archives]
        assert [str(e) for e in census_report.failed] == [str(e) for e in read_report.failed]
        assert [str(e) for e in census_report.ignored] == [str(e) for e in read_report.ignored]
        assert len(census_report.failed) == 3
    with pytest.raises(blogarchive.ParseError):  # without a report, as read_all: raised
        survey(bad)


@pytest.mark.skipif(not CORPUS_FEEDS, reason="the optional test corpus (corpus/atom) is absent")
@pytest.mark.parametrize("path", CORPUS_FEEDS, ids=lambda p: p.name)
def test_census_on_the_corpus_feeds(path: Path) -> None:
    report = blogarchive.ReadReport()
    archives = blogarchive.read_all(path, report=report)
    summaries = survey(path, report=blogarchive.ReadReport())
    assert summaries is not None
    assert [info_json(s) for s in summaries] == [info_json(a) for a in archives]


def test_pages_are_left_to_a_full_read() -> None:
    assert survey(FIXTURES / "html" / "mirror") is None


def test_census_holds_no_record(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing of a post but its counted fields is kept between the passes."""
    import blogarchive.census as census

    kept: list[census.Census] = []
    real = census.Census.of

    def spy(records: object) -> census.Census:
        found = real(records)  # type: ignore[arg-type]
        kept.append(found)
        return found

    monkeypatch.setattr(census.Census, "of", staticmethod(spy))
    survey(EXAMPLE)
    (found,) = kept
    for value in [*found.posts.values(), *found.comments.values()]:
        assert not any(isinstance(v, (blogarchive.Post, blogarchive.Comment)) for v in value)
        assert all(len(v) < 200 for v in value if isinstance(v, str))
