"""Every file in tests/fixtures/hostile/ through the real command line, in a capped subprocess.

Each file (or folder) is a reproduction of a defect someone found: named ``sources-*``,
``xml-*``, ``html-*`` by the engineers who fix them, ``fuzz-<class>.*`` for the fuzzer's
classes. ``convert FILE -o DEST`` and ``info FILE`` must end with exit 0 or 1 (never 3, never
a signal), print no traceback, and print every problem as one ``error:``/``skipped:`` line.
Files whose defect is not fixed yet are listed in tests/fuzz/known.py (KNOWN) and expected to
fail, strictly: a fix makes the test fail until its entry is removed there.

The caps do not depend on the machine's load: CPU time (RLIMIT_CPU, so a busy machine does
not turn a slow run into a "hang") and address space (RLIMIT_AS) of the child; a wall-clock
timeout only catches a child that blocks without using CPU.
"""

from __future__ import annotations

import re
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES
from fuzz.known import FUZZ_CLASSES, KNOWN

HOSTILE = FIXTURES / "hostile"
CPU_SECONDS = 10  # these files are small: a fixed reader takes well under a second
MEMORY = 2 * 1024**3
WALL_SECONDS = 300
# What the command line may print on stderr: one line per problem, each with its prefix.
_LINE = re.compile(r"(error|skipped|note|warning): \S")


def _hostile() -> list[Path]:
    if not HOSTILE.is_dir():
        return []
    return sorted(p for p in HOSTILE.iterdir()
                  if not p.name.startswith(".") and p.name != "README.md")


def _caps() -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 5))
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            [sys.executable, "-m", "blogarchive.cli", *args], cwd=cwd, capture_output=True,
            text=True, errors="replace", timeout=WALL_SECONDS, preexec_fn=_caps, check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{' '.join(args)}: blocked for {WALL_SECONDS} s without finishing")


def check(done: subprocess.CompletedProcess[str], what: str) -> None:
    """Exit 0 or 1, no traceback, each stderr line one prefixed problem."""
    code = done.returncode
    if code == -signal.SIGXCPU:
        pytest.fail(f"{what}: a hang (more than {CPU_SECONDS} s of CPU time)")
    assert code >= 0, f"{what}: killed by {signal.Signals(-code).name}\n{done.stderr[-2000:]}"
    assert "Traceback" not in done.stderr, f"{what}: a traceback\n{done.stderr[-3000:]}"
    assert code in (0, 1), f"{what}: exit {code}\n{done.stderr[-2000:]}"
    lines = done.stderr.splitlines()
    stray = [line for line in lines if not _LINE.match(line)]  # blank ones included
    assert not stray, f"{what}: stderr lines that are not one-line problems: {stray[:5]}"
    if code == 1:
        assert any(line.startswith("error: ") for line in lines), (
            f"{what}: exit 1 with no error line: the user is not told what failed")


def _param(path: Path) -> object:
    marks = []
    if path.name in KNOWN:
        marks.append(pytest.mark.xfail(reason=KNOWN[path.name], strict=True))
    return pytest.param(path, id=path.name, marks=marks)


@pytest.mark.parametrize("path", [_param(p) for p in _hostile()])
def test_hostile_file(path: Path, tmp_path: Path) -> None:
    done = _run("convert", "-q", str(path), "-o", str(tmp_path / "out"), cwd=tmp_path)
    check(done, f"convert {path.name}")
    done = _run("info", "-q", str(path), cwd=tmp_path)
    check(done, f"info {path.name}")


def test_known_entries_name_files_that_exist() -> None:
    names = {p.name for p in _hostile()}
    assert sorted(set(KNOWN) - names) == []


def test_fuzz_classes_point_at_known_files() -> None:
    # A fuzz class is tolerated only while its reproduction still fails: when a fix lands
    # and the KNOWN entry goes, the FUZZ_CLASSES entry must go too.
    assert sorted(f for f in FUZZ_CLASSES.values() if f not in KNOWN) == []


@pytest.mark.parametrize(("code", "stderr"), [
    (3, "Traceback (most recent call last):\n  ...\nKeyError: 'x'\n"),
    (2, "error: bad usage\n"),
    (-signal.SIGXCPU, ""),
    (-signal.SIGKILL, ""),
    (1, "error: x.xml: two\nlines\n"),
    (1, "error: x.xml: one line\n\n"),
    (1, "skipped: y.html: not a page\n"),
    (0, "    WARNING: Record not followed by newline\n"),
])
def test_check_rejects_what_a_user_must_not_see(code: int, stderr: str) -> None:
    done = subprocess.CompletedProcess(["blogarchive"], code, "", stderr)
    with pytest.raises((AssertionError, pytest.fail.Exception)):
        check(done, "convert x")


def test_check_accepts_clear_problems() -> None:
    check(subprocess.CompletedProcess(["blogarchive"], 0, "", ""), "convert x")
    check(subprocess.CompletedProcess(
        ["blogarchive"], 1, "", "skipped: a.html: not Blogger\nerror: b.xml (line 2): cut\n"),
        "convert x")
