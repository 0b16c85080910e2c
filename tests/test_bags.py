"""BagIt bags: real 1.0 bags, 0.97 bags still valid, bag options that apply or are refused."""

from __future__ import annotations

import hashlib
import logging
import shutil
from pathlib import Path

import bagit

from blogarchive.preserve import convert, validate
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
