"""The command line as a user meets it: pipes, progress, quiet runs, wording, refused options."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import blogarchive
from blogarchive.cli import main
from conftest import EXAMPLE


def _run_into_closed_pipe(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the command with its standard output a pipe whose reader has already gone, as
    after ``| head -1`` has read its line: every write fails, whatever the timing."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, "-m", "blogarchive", *args], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, check=False, timeout=120)
    finally:
        os.close(write_end)


@pytest.mark.parametrize("command", [["list", "links"], ["info"], ["info", "--json"]])
def test_a_closed_stdout_ends_quietly(command: list[str]) -> None:
    done = _run_into_closed_pipe(*command, str(EXAMPLE))
    assert done.returncode == 141, done.stderr
    assert done.stderr == ""


def test_convert_into_a_closed_stdout_still_writes_the_archive(tmp_path: Path) -> None:
    done = _run_into_closed_pipe("convert", "-q", str(EXAMPLE), "-o", str(tmp_path / "a"))
    assert (done.returncode, done.stderr) == (141, "")
    assert blogarchive.load(tmp_path / "a") == blogarchive.read(EXAMPLE)


def test_head_reads_the_first_line_and_the_rest_is_dropped(tmp_path: Path) -> None:
    head = subprocess.Popen(["head", "-1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert head.stdin is not None
    done = subprocess.run([sys.executable, "-m", "blogarchive", "list", "links", str(EXAMPLE)],
                          stdout=head.stdin, stderr=subprocess.PIPE, text=True, check=False,
                          timeout=120)
    head.stdin.close()
    assert head.stdout is not None
    first = head.stdout.read()
    head.wait(timeout=60)
    assert first.decode().startswith("post ")
    assert done.returncode in (0, 141) and "Traceback" not in done.stderr


def test_main_turns_a_broken_pipe_into_exit_141(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    class Closed:
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self) -> int:
            raise ValueError("no file")

    monkeypatch.setattr(sys, "stdout", Closed())
    assert main(["info", str(EXAMPLE)]) == 141
    assert "internal error" not in capsys.readouterr().err
