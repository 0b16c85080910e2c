"""Bad and hostile input: one clear error naming the file and the place; nothing expanded."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import blogarchive
from blogarchive.cli import main
from conftest import FIXTURES

BAD = FIXTURES / "bad"
UNSAFE = FIXTURES / "unsafe"


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("empty.xml", blogarchive.ParseError, "empty.xml (line 1): empty file"),
        ("not-xml.txt", blogarchive.UnsupportedFormat, "not XML: the file starts with"),
        ("page.html", blogarchive.UnsupportedFormat, "an HTML page"),
        ("gdata.json", blogarchive.UnsupportedFormat, "JSON"),
        ("wordpress.atom", blogarchive.UnsupportedFormat, "an Atom feed, but not from Blogger"),
        ("opml.xml", blogarchive.UnsupportedFormat, "root element <opml>"),
        ("truncated.xml", blogarchive.ParseError, "truncated"),
    ],
)
def test_bad_input_gets_a_clear_error(name: str, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as info:
        blogarchive.read(BAD / name)
    assert message in str(info.value)
    assert str(info.value).startswith(name)


def test_truncated_file_names_line_and_column() -> None:
    with pytest.raises(blogarchive.ParseError) as info:
        blogarchive.read(BAD / "truncated.xml")
    assert info.value.line == 1 and info.value.column is not None
    assert f"(line 1, column {info.value.column})" in str(info.value)


@pytest.mark.parametrize("name", ["billion-laughs.xml", "xxe-file.xml", "xxe-remote-dtd.xml"])
def test_dtds_are_refused_quickly_and_nothing_is_written(name: str, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    started = time.monotonic()
    with pytest.raises(blogarchive.UnsafeInput, match="refused: the document declares a DOCTYPE"):
        blogarchive.read(UNSAFE / name)
    assert time.monotonic() - started < 5
    assert main(["convert", str(UNSAFE / name), "-o", str(tmp_path / "out")]) == 1
    assert not (tmp_path / "out").exists()
    err = capsys.readouterr().err
    assert f"{name} (line 1): refused" in err and "Traceback" not in err


def test_file_contents_never_leak_through_entities() -> None:
    hostname = Path("/etc/hostname")
    secret = hostname.read_text().strip() if hostname.exists() else None
    try:
        archive = blogarchive.read(UNSAFE / "xxe-file.xml")
    except blogarchive.UnsafeInput:
        return
    assert secret is None or all(secret not in p.content for p in archive.posts)


def test_undeclared_entity_is_an_error_not_an_expansion() -> None:
    with pytest.raises(blogarchive.ParseError, match="entity"):
        blogarchive.read(UNSAFE / "undeclared-entity.xml")


def test_missing_path() -> None:
    with pytest.raises(blogarchive.SourceError, match="no such file or folder"):
        blogarchive.read(FIXTURES / "nope.xml")
