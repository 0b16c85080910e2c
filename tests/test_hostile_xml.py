"""Hostile and damaged XML (issue 15): no crash, the data kept where it can be, a clear error
naming the place where it cannot. The inputs live in tests/fixtures/hostile/xml-*."""

from __future__ import annotations

from pathlib import Path

import pytest

import blogarchive
from blogarchive._time import parse_rfc822, parse_time
from blogarchive.cli import main
from conftest import FIXTURES

HOSTILE = FIXTURES / "hostile"


@pytest.mark.parametrize(
    ("name", "where", "element"),
    [
        ("xml-unknown-prefix-entry.xml", "post", '<x:y xmlns:x="urn:blogarchive:undeclared:x"'),
        ("xml-unknown-prefix-feed.xml", "blog",
         '<zz:setting xmlns:zz="urn:blogarchive:undeclared:zz"'),
    ],
)
def test_unknown_undeclared_prefix_is_kept_under_a_placeholder_namespace(
    name: str, where: str, element: str
) -> None:
    archive = blogarchive.read(HOSTILE / name, analyse=False)
    extras = archive.posts[0].extras if where == "post" else archive.blog.extras
    assert len(extras) == 1 and extras[0].startswith(element)
    assert ">kept<" in extras[0] or "a=\"1\"" in extras[0]
    prefix = element.split(":")[0].lstrip("<")
    assert any(f"namespace prefix '{prefix}' is used without a declaration" in n
               and "placeholder namespace" in n for n in archive.notes)


def test_unknown_prefix_in_a_non_blogger_feed_is_a_clean_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # The issue's own reproduction: no feed id, so after the repair it is "not from Blogger".
    assert main(["convert", str(HOSTILE / "xml-unknown-prefix-bare.xml"),
                 "-o", str(tmp_path / "out"), "-q"]) == 1
    err = capsys.readouterr().err
    assert "not from Blogger" in err and "Traceback" not in err


def test_rss_date_too_large_is_kept_as_written_not_a_crash() -> None:
    archive = blogarchive.read(HOSTILE / "xml-rss-date-overflow.xml", analyse=False)
    post = archive.posts[0]
    assert post.published is None
    assert any("9999999999 Mar 2 9:0" in extra for extra in post.extras)


@pytest.mark.parametrize(
    "text",
    ["9999999999 Mar 2 9:0", "Mon, 1 Jan 99999999999999999999 00:00:00 +0000",
     "Mon, 1 Jan 2000 00:00:00 +999999999999999999999"],
)
def test_rfc822_overflow_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="not an RFC 822 date"):
        parse_rfc822(text)


@pytest.mark.parametrize(
    "text", ["0000-01-01T00:00:00Z", "2010-13-01T00:00:00Z", "2010-01-01T00:00:00+99:99",
             "10000-01-01T00:00:00Z", "99999999999999999999-01-01T00:00:00Z"],
)
def test_rfc3339_out_of_range_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        parse_time(text)


def test_undeclared_entity_is_placed_and_named(capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path) -> None:
    with pytest.raises(blogarchive.ParseError) as info:
        blogarchive.read(HOSTILE / "xml-undeclared-entity.xml")
    assert (info.value.line, info.value.column) == (4, 22)
    assert "undeclared entity &foo;" in str(info.value)
    assert main(["convert", str(HOSTILE / "xml-undeclared-entity.xml"),
                 "-o", str(tmp_path / "out"), "-q"]) == 1
    assert "(line 4, column 22): undeclared entity &foo;" in capsys.readouterr().err
