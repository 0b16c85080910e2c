"""A folder of archives (several blogs, one archive each) is a destination like any other."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import blogarchive
from blogarchive import listing
from blogarchive.cli import commands, main
from blogarchive.preserve import archives, convert, validate
from conftest import EXAMPLE, FIXTURES

OTHER = FIXTURES / "legacy" / "pitfalls.xml"  # another blog: 1111111111111111111
FIELD_NOTES, PITFALLS = "blog-7310571962934481820", "blog-1111111111111111111"


def events(root: Path) -> list[dict[str, object]]:
    lines = (root / "events.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture
def multi(tmp_path: Path) -> Path:
    dest = tmp_path / "multi"
    assert main(["convert", "-q", str(EXAMPLE), str(OTHER), "-o", str(dest)]) == 0
    assert sorted(p.name for p in dest.iterdir()) == [PITFALLS, FIELD_NOTES]
    return dest


@pytest.fixture
def no_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """info and list must load the archives, never read their originals again."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("sources were read")

    monkeypatch.setattr(commands, "read_all", refuse)
    monkeypatch.setattr(commands, "survey", refuse)


def test_convert_prints_a_summary_for_several_blogs(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "multi"
    assert main(["convert", str(EXAMPLE), str(OTHER), "-o", str(dest)]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith("2 blogs: ") and last.endswith(f"each in its own folder under {dest}/")


def test_validate_a_folder_of_archives(multi: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert archives(multi) == [multi / PITFALLS, multi / FIELD_NOTES]
    assert main(["validate", str(multi)]) == 0
    captured = capsys.readouterr()
    assert captured.out.count("valid: ") == 2
    assert f"{multi}: a folder of 2 archives: 2 valid, 0 invalid" in captured.err
    posts = multi / PITFALLS / "posts.jsonl"
    posts.write_bytes(posts.read_bytes() + b"\n")  # changed since it was written
    assert main(["validate", "--json", str(multi)]) == 1  # the worst of them
    captured = capsys.readouterr()
    verdicts = [json.loads(line)["valid"] for line in captured.out.splitlines()]
    assert verdicts == [False, True]
    assert "1 valid, 1 invalid" in captured.err
    with pytest.raises(blogarchive.ArchiveError, match="a folder of 2 archives"):
        validate(multi)


def test_info_and_list_load_a_folder_of_archives(
        multi: Path, no_reading: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", "--json", str(multi)]) == 0
    captured = capsys.readouterr()
    titles = sorted(json.loads(line)["blog"]["title"] for line in captured.out.splitlines())
    assert titles == ["Field Notes", "Pitfalls"]
    assert "skipped" not in captured.err
    assert main(["list", "links", "--json", str(multi)]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows and len(rows) == len(list(listing.rows(blogarchive.load(multi / FIELD_NOTES),
                                                   "links")))


def test_convert_one_blog_into_a_folder_of_archives(
        multi: Path, capsys: pytest.CaptureFixture[str]) -> None:
    untouched = {p: p.read_bytes() for p in (multi / PITFALLS).rglob("*") if p.is_file()}
    assert main(["convert", str(EXAMPLE), "-o", str(multi)]) == 0
    assert f"wrote {multi / FIELD_NOTES}/" in capsys.readouterr().out
    assert sorted(p.name for p in multi.iterdir()) == [PITFALLS, FIELD_NOTES]
    assert len(events(multi / FIELD_NOTES)) == 2
    assert {p: p.read_bytes() for p in (multi / PITFALLS).rglob("*") if p.is_file()} == (
        untouched)
    # The library does the same, and a blog not yet there gets a folder of its own.
    (done,) = convert(OTHER, multi)
    assert done.path == multi / PITFALLS and len(events(done.path)) == 2
    assert all(validate(p) for p in archives(multi))


def test_a_folder_with_other_things_is_not_a_folder_of_archives(
        multi: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (multi / "notes.txt").write_text("mine")
    assert main(["validate", str(multi)]) == 2
    assert "nor a folder of archives" in capsys.readouterr().err
    assert main(["convert", "-q", str(EXAMPLE), "-o", str(multi)]) == 2
    assert "is not a blogarchive archive" in capsys.readouterr().err


def test_a_run_into_one_archive_of_the_folder_waits_for_a_run_into_the_folder(
        multi: Path) -> None:
    from blogarchive.preserve.lock import locked

    with locked(multi), pytest.raises(blogarchive.ArchiveError, match="another blogarchive run"):
        convert(EXAMPLE, multi / FIELD_NOTES)  # flock: a second open file conflicts
    (done,) = convert(EXAMPLE, multi / FIELD_NOTES)
    assert len(events(done.path)) == 2
    assert sorted(p.name for p in multi.parent.iterdir()) == ["multi"]  # no lock left


def test_package_a_folder_of_archives(multi: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["package", str(multi), "--source-organization", "Example Library"]) == 0
    assert capsys.readouterr().out.count("is a BagIt bag") == 2
    assert all((p / "bagit.txt").is_file() and validate(p) for p in archives(multi))
    assert main(["validate", str(multi)]) == 0
