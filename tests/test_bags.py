"""BagIt bags: real 1.0 bags, 0.97 bags still valid, bag options that apply or are refused."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from pathlib import Path

import bagit
import pytest

import blogarchive
from blogarchive.cli import main
from blogarchive.preserve import convert, package, validate
from conftest import EXAMPLE


def _problems(dest: Path) -> list[str]:
    report = validate(dest)
    assert not report.valid
    return [str(p) for p in report.problems]


def test_bags_are_bagit_1_0(tmp_path: Path) -> None:
    dest = tmp_path / "bag"
    convert(EXAMPLE, dest, bag=True)
    declaration = (dest / "bagit.txt").read_bytes()
    assert declaration == b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
    bag = bagit.Bag(str(dest))
    assert bag.version_info == (1, 0)
    assert bag.is_valid()
    # The tag manifests cover the declaration as it is now, not as bagit-python wrote it.
    for algorithm in ("sha512", "sha256"):
        lines = dict(reversed(line.split("  ", 1)) for line in
                     (dest / f"tagmanifest-{algorithm}.txt").read_text().splitlines())
        assert lines["bagit.txt"] == hashlib.new(algorithm, declaration).hexdigest()
        assert set(lines) == {"bagit.txt", "bag-info.txt", "manifest-sha512.txt",
                              "manifest-sha256.txt"}
    assert validate(dest)


def test_a_0_97_bag_is_still_valid(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    convert(EXAMPLE, plain)
    for name in ("manifest-sha512.txt", "manifest-sha256.txt"):
        (plain / name).unlink()
    logging.getLogger("bagit").setLevel(logging.ERROR)
    bagit.make_bag(str(plain), {}, checksums=["sha512", "sha256"])  # bagit-python's 0.97
    assert (plain / "bagit.txt").read_text().startswith("BagIt-Version: 0.97\n")
    report = validate(plain)
    assert report.valid, report.problems
    assert report.layout == "bag"


def test_validate_names_the_tag_file_that_changed(tmp_path: Path) -> None:
    dest = tmp_path / "bag"
    convert(EXAMPLE, dest, bag=True)
    info = dest / "bag-info.txt"
    info.write_text(info.read_text().replace("Field Notes", "Field Notez"))
    problems = _problems(dest)
    assert any(p.startswith("bag-info.txt: ") for p in problems), problems
    assert not any(p.startswith("bagit.txt") for p in problems), problems


def test_validate_names_bag_info_when_the_payload_oxum_is_wrong(tmp_path: Path) -> None:
    dest = tmp_path / "bag"
    convert(EXAMPLE, dest, bag=True)
    shutil.copy(dest / "data" / "blog.json", tmp_path / "spare")
    (dest / "data" / "blog.json").write_text("{}\n")
    problems = _problems(dest)
    assert any(p.startswith("data/blog.json: changed") for p in problems), problems
    assert not any(p.startswith("bagit.txt") for p in problems), problems


# -- bag options that apply or are refused --------------------------------------------------


@pytest.mark.parametrize("option", [["--bag-info", "Contact-Name=A. Archivist"],
                                    ["--source-organization", "Example Library"]])
def test_bag_options_without_a_bag_are_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], option: list[str]) -> None:
    dest = tmp_path / "a"
    assert main(["convert", "-q", *option, str(EXAMPLE), "-o", str(dest)]) == 2
    err = capsys.readouterr().err
    assert option[0] in err and "--bag" in err and "\n" not in err.rstrip("\n")
    assert not dest.exists()
    with pytest.raises(blogarchive.ArchiveError, match="bag_info applies only to a bag"):
        convert(EXAMPLE, dest, bag_info={"Contact-Name": "A. Archivist"})
    assert not dest.exists()


def _events(bag: Path) -> list[dict[str, object]]:
    lines = (bag / "data" / "events.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_package_applies_new_bag_info_to_a_bag(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "bag"
    assert main(["convert", "-q", "--bag", "--source-organization", "Example Library",
                 str(EXAMPLE), "-o", str(dest)]) == 0
    payload = {n: (dest / "data" / n).read_bytes() for n in ("blog.json", "posts.jsonl")}
    assert main(["package", str(dest), "--bag-info", "Contact-Name=A. Archivist"]) == 0
    assert "Contact-Name" in capsys.readouterr().out
    bag = bagit.Bag(str(dest))
    assert bag.info["Contact-Name"] == "A. Archivist"
    assert bag.info["Source-Organization"] == "Example Library"  # kept
    assert bag.version_info == (1, 0) and bag.is_valid()
    assert {n: (dest / "data" / n).read_bytes() for n in payload} == payload
    last = _events(dest)[-1]
    assert last["eventType"] == "metadata modification"
    assert last["bagInfo"] == {"Contact-Name": "A. Archivist"}
    assert validate(dest)
    # The same with nothing new leaves the bag exactly as it is.
    before = {p: p.read_bytes() for p in dest.rglob("*") if p.is_file()}
    package(dest)
    assert {p: p.read_bytes() for p in dest.rglob("*") if p.is_file()} == before


def test_package_does_not_rebag_a_damaged_bag(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "bag"
    convert(EXAMPLE, dest, bag=True)
    posts = dest / "data" / "posts.jsonl"
    posts.write_text(posts.read_text().replace("Wells", "Walls"))
    assert main(["package", str(dest), "--bag-info", "Contact-Name=A. Archivist"]) == 2
    err = capsys.readouterr().err
    assert "not a valid bag" in err and "posts.jsonl" in err
    assert "Contact-Name" not in (dest / "bag-info.txt").read_text()


def test_a_bag_stays_a_bag_with_its_bag_info(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "bag"
    convert(EXAMPLE, dest, bag=True, bag_info={"Source-Organization": "Example Library"})
    (done,) = convert(EXAMPLE, dest)  # a rerun without bag=True
    bag = bagit.Bag(str(dest))
    assert bag.is_valid() and bag.info["Source-Organization"] == "Example Library"
    assert done.events[-1]["eventType"] == "information package creation"
    # bag-info without --bag is accepted for a destination that is a bag already
    assert main(["convert", "--bag-info", "Contact-Name=B", str(EXAMPLE), "-o",
                 str(dest)]) == 0
    assert bagit.Bag(str(dest)).info["Contact-Name"] == "B"
    assert "; a BagIt bag" in capsys.readouterr().out
    assert validate(dest)
