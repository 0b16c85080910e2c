"""``blogarchive export``: what every format shares (arguments, OUT, a non-archive)."""

from __future__ import annotations

from pathlib import Path

import pytest

import blogarchive
from blogarchive.cli import main

EXAMPLE = Path(__file__).parent.parent / "examples" / "blog-10-02-2010.xml"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("export") / "archive"
    blogarchive.convert([EXAMPLE], dest)
    return dest


def test_not_an_archive_is_a_usage_error(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "plain").mkdir()
    code = main(["export", str(tmp_path / "plain"), "-o", str(tmp_path / "out")])
    assert code == 2
    assert "not a blogarchive archive" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_out_not_empty_is_refused_without_force(archive: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    code = main(["export", str(archive), "--format", "wxr", "-o", str(out)])
    assert code == 2
    assert "not empty" in capsys.readouterr().err
    assert (out / "keep.txt").read_text() == "mine"


def test_out_inside_the_archive_is_refused(archive: Path) -> None:
    with pytest.raises(blogarchive.InvalidArgument, match="outside the archive"):
        blogarchive.export(archive, archive / "site")
    assert not (archive / "site").exists()


def test_unknown_format_and_body_are_refused(archive: Path, tmp_path: Path) -> None:
    with pytest.raises(blogarchive.InvalidArgument, match="unknown export format 'pdf'"):
        blogarchive.export(archive, tmp_path / "out", "pdf")
    with pytest.raises(blogarchive.InvalidArgument, match="unknown body form 'rst'"):
        blogarchive.export(archive, tmp_path / "out", "hugo", body="rst")
