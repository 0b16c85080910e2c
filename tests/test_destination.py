"""The destination: read-only, full and symlinked destinations; one run at a time (locking)."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from blogarchive.cli import main
from blogarchive.preserve import convert, validate
from conftest import EXAMPLE, ROOT


def events(root: Path) -> list[dict[str, object]]:
    lines = (root / "events.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def one_line_error(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), text
    assert "Traceback" not in text
    return lines[0]


@pytest.fixture
def read_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """Folders listed here become read-only: by their mode for a normal user; for root
    (whom modes do not stop) by a file system that answers EROFS to every write under them."""
    folders: list[Path] = []
    if os.geteuid() != 0:
        yield folders
        for folder in folders:
            folder.chmod(0o755)
        return

    def under(path: object) -> bool:
        name = os.path.abspath(os.fsdecode(path))  # type: ignore[call-overload]
        return any(name.startswith(str(f) + os.sep) or name == str(f) for f in folders)

    def refuse(path: object) -> OSError:
        return OSError(errno.EROFS, os.strerror(errno.EROFS), os.fsdecode(path))  # type: ignore[call-overload]

    real_open, real_mkdir = os.open, os.mkdir

    def fake_open(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if under(path) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise refuse(path)
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    def fake_mkdir(path: object, *args: object, **kwargs: object) -> None:
        if under(path):
            if os.path.exists(path):  # type: ignore[arg-type]
                raise FileExistsError(errno.EEXIST, "File exists", os.fsdecode(path))  # type: ignore[call-overload]
            raise refuse(path)
        real_mkdir(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", fake_open)
    monkeypatch.setattr(os, "mkdir", fake_mkdir)
    yield folders


def make_read_only(folders: list[Path], folder: Path) -> None:
    folders.append(folder)
    if os.geteuid() != 0:
        folder.chmod(0o555)


# -- read-only and full destinations -------------------------------------------------------


def test_package_on_a_read_only_destination(
        tmp_path: Path, read_only: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "shelf" / "a"
    convert(EXAMPLE, dest)
    make_read_only(read_only, tmp_path / "shelf")
    make_read_only(read_only, dest)
    assert main(["package", str(dest)]) == 2
    line = one_line_error(capsys.readouterr().err)
    assert str(dest) in line and "cannot write" in line
    assert not (dest / "bagit.txt").exists()


def test_convert_into_a_read_only_destination(
        tmp_path: Path, read_only: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "shelf").mkdir()
    make_read_only(read_only, tmp_path / "shelf")
    dest = tmp_path / "shelf" / "a"
    assert main(["convert", "-q", str(EXAMPLE), "-o", str(dest)]) == 2
    line = one_line_error(capsys.readouterr().err)
    assert str(dest) in line and "cannot write" in line


@pytest.mark.parametrize("command", ["convert", "package"])
def test_a_full_destination(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str], command: str) -> None:
    dest = tmp_path / "a"
    convert(EXAMPLE, dest)
    before = sorted(p.name for p in tmp_path.iterdir())

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    argv = ["convert", "-q", str(EXAMPLE), "-o", str(dest)] if command == "convert" else [
        "package", str(dest)]
    assert main(argv) == 2
    line = one_line_error(capsys.readouterr().err)
    assert str(dest) in line and "No space left on device" in line
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no half-built folder
    assert validate(dest) and len(events(dest)) == 1


# -- a symlinked destination ---------------------------------------------------------------


def test_a_symlinked_destination_is_updated_where_it_points(tmp_path: Path) -> None:
    real = tmp_path / "store" / "a"
    convert(EXAMPLE, real)
    link = tmp_path / "current"
    link.symlink_to(real)
    assert main(["convert", "-q", str(EXAMPLE), "-o", str(link)]) == 0
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert len(events(real)) == 2 and validate(real)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["current", "store"]
    assert sorted(p.name for p in (tmp_path / "store").iterdir()) == ["a"]
    assert main(["package", str(link)]) == 0
    assert link.is_symlink() and (real / "bagit.txt").is_file() and validate(real)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["current", "store"]


# -- one run at a time ---------------------------------------------------------------------

HOLDER = """
import sys
from pathlib import Path
from blogarchive.preserve.lock import locked
with locked(Path(sys.argv[1])):
    print("locked", flush=True)
    sys.stdin.read()  # hold the lock until the test closes our stdin
"""


def _blogarchive(*args: str) -> list[str]:
    return [sys.executable, "-m", "blogarchive", *args]


def test_a_second_run_refuses_or_waits(tmp_path: Path) -> None:
    dest = tmp_path / "a"
    convert(EXAMPLE, dest)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(dest)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        for command in (["convert", "-q", str(EXAMPLE), "-o", str(dest)], ["package", str(dest)]):
            refused = subprocess.run(_blogarchive(*command), capture_output=True, text=True,
                                     env=env, check=False)
            assert refused.returncode == 2, refused.stderr
            line = one_line_error(refused.stderr)
            assert f"pid {holder.pid}" in line and "--wait" in line
        assert len(events(dest)) == 1 and not (dest / "bagit.txt").exists()
        # Without -q: the note is what a waiting run says (-q would silence it).
        waiter = subprocess.Popen(_blogarchive("convert", "--wait", str(EXAMPLE), "-o",
                                               str(dest)), stderr=subprocess.PIPE,
                                  stdout=subprocess.DEVNULL, text=True, env=env)
        assert waiter.stderr is not None
        notice = waiter.stderr.readline()  # printed once it finds the lock taken
        assert notice.startswith("note: waiting for") and f"pid {holder.pid}" in notice
        assert waiter.poll() is None
    finally:
        holder.communicate("")  # release
    assert waiter.wait(timeout=120) == 0
    assert len(events(dest)) == 2 and validate(dest)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]  # no lock file left behind


def test_two_runs_at_once_lose_nothing(tmp_path: Path) -> None:
    dest = tmp_path / "a"
    convert(EXAMPLE, dest)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    runs = [subprocess.Popen(_blogarchive("convert", "-q", "--wait", str(EXAMPLE), "-o",
                                          str(dest)), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=env) for _ in range(2)]
    assert [r.wait(timeout=120) for r in runs] == [0, 0]
    assert len(events(dest)) == 3 and validate(dest)


def test_only_the_destination_is_blamed_for_a_permission_error(tmp_path: Path) -> None:
    from blogarchive.folder import cannot_write

    dest = tmp_path / "a"

    def denied(name: Path) -> OSError:
        return PermissionError(errno.EACCES, "Permission denied", str(name))

    for ours in (dest, dest / "posts.jsonl", tmp_path / ".a.tmp-12/originals/x.xml",
                 tmp_path / ".a.lock", tmp_path):
        assert cannot_write(dest, denied(ours)) is not None, ours
    for theirs in (tmp_path / "export.xml", tmp_path / "ab" / "x", tmp_path / ".ab.lock"):
        assert cannot_write(dest, denied(theirs)) is None, theirs
    full = OSError(errno.ENOSPC, "No space left on device")
    assert "No space left on device" in str(cannot_write(dest, full))
