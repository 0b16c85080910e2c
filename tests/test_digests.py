"""The manifests' digests are taken as the files are written or copied, not by reading them
again (issue 12): the same digests, one pass over the bytes fewer."""

from __future__ import annotations

from pathlib import Path

import pytest

import blogarchive
from blogarchive.preserve import fixity, writer
from blogarchive.preserve.fixity import Fixity, file_fixity, parse_manifest
from conftest import EXAMPLE


def _digested_by_reading(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files ``writer`` digests by reading them, as paths inside the staging folder (or
    the archive at ``dest`` being replaced)."""
    read: list[str] = []
    real = writer.file_fixity

    def spy(path: Path) -> Fixity:
        staged = next(p for p in path.parents
                      if p.name == "dest" or p.name.startswith(".dest.tmp-"))
        read.append(path.relative_to(staged).as_posix())
        return real(path)

    monkeypatch.setattr(writer, "file_fixity", spy)
    return read


def _check_manifests(dest: Path) -> None:
    for algorithm in fixity.ALGORITHMS:
        listed, problems = parse_manifest(
            (dest / fixity.manifest_name(algorithm)).read_text(encoding="utf-8"))
        assert not problems
        assert listed == {name: file_fixity(dest / name).digest(algorithm)
                          for name in fixity.payload_files(dest)}


def test_data_files_and_originals_are_not_read_again(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    read = _digested_by_reading(monkeypatch)
    dest = tmp_path / "dest"
    blogarchive.convert(EXAMPLE, dest)
    written = {"posts.jsonl", "comments.jsonl", f"originals/{EXAMPLE.name}"}
    assert written <= set(fixity.payload_files(dest))
    # Only the small files others write (blog.json, events, schemas), each once.
    assert sorted(read) == sorted(set(read)) == sorted(
        name for name in fixity.payload_files(dest) if name not in written)
    _check_manifests(dest)
    assert blogarchive.validate(dest).valid
    # A rerun carries the originals over: each is read once (to know its bytes are kept).
    read.clear()
    blogarchive.convert(EXAMPLE, dest)
    assert read.count(f"originals/{EXAMPLE.name}") == 1
    assert not {"posts.jsonl", "comments.jsonl"} & set(read)
    assert len(read) == len(set(read))
    _check_manifests(dest)
    assert blogarchive.validate(dest).valid


def test_without_originals_the_sources_are_not_read(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    read = _digested_by_reading(monkeypatch)
    dest = tmp_path / "dest"
    blogarchive.convert(EXAMPLE, dest, originals=False, analyse=False)
    assert not {"posts.jsonl", "comments.jsonl"} & set(read)
    assert len(read) == len(set(read))
    _check_manifests(dest)


@pytest.mark.parametrize("sizes", [[], [0], [1, 2, 3], [5, 40, 7, 100, 1, 64]])
def test_a_digesting_file_gives_what_reading_it_gives(sizes: list[int], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fixity, "_BLOCK", 32)  # several blocks from small writes
    path, found = tmp_path / "out.bin", {}
    with fixity.digesting(path, found) as out:
        for number, size in enumerate(sizes):
            out.write(bytes([number % 256]) * size)
    assert path.read_bytes() == b"".join(bytes([n % 256]) * s for n, s in enumerate(sizes))
    assert found == {path: file_fixity(path)}


def test_a_digesting_file_that_fails_gives_no_digest(tmp_path: Path) -> None:
    found: dict[Path, Fixity] = {}
    with pytest.raises(OSError), fixity.digesting(tmp_path / "out.bin", found) as out:
        out.write(b"half")
        raise OSError("disk full")
    assert found == {}
