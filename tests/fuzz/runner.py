"""Run cases in a capped worker process, classify the outcomes, keep one input per failure class.

A failure class is the outcome, the exception type and the innermost frame inside blogarchive
(``blogarchive/_xmlnames.py:repair``; the innermost frame of all, often in the standard library, is
recorded beside it). Line numbers are left out of the class so that a class found before an
unrelated edit is the same class after it. For each class the smallest input seen is kept.
"""

from __future__ import annotations

import json
import os
import random
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, Final

import attrs

from .cases import Case, generate, load_seeds, render
from .known import known_fixture

__all__ = ["OUTCOMES", "Failure", "Run", "Worker", "class_key", "fuzz", "minimise"]

OUTCOMES: Final = ("read", "clean", "exception", "hang", "oom")
WORKER: Final = Path(__file__).with_name("worker.py")
CPU_SECONDS_PER_MB: Final = 4.0
"""CPU time allowed per MB of input, on top of the base cap (inputs are at most ~2 MB)."""


def class_key(result: dict[str, Any]) -> str:
    """``outcome: Type at blogarchive/module.py:function`` (the project's innermost frame)."""
    where = result.get("project_frame") or "?"
    if where == "?":
        where = result.get("frame") or "?"
    return f"{result['outcome']}: {result.get('type', '?')} at {where}"


class Worker:
    """The worker subprocess: started lazily, restarted after a crash, a hang or an oom."""

    def __init__(self, memory_mb: int, cpu_seconds: float, wall_seconds: float,
                 niceness: int, scratch: Path) -> None:
        self.memory_mb, self.cpu_seconds = memory_mb, cpu_seconds
        self.wall_seconds, self.niceness = wall_seconds, niceness
        self._stderr = scratch / "worker-stderr.txt"
        self._proc: subprocess.Popen[bytes] | None = None
        self.restarts = 0

    def _start(self) -> subprocess.Popen[bytes]:
        niceness = self.niceness
        err = self._stderr.open("wb")
        try:
            proc = subprocess.Popen(
                [sys.executable, str(WORKER), str(self.memory_mb), str(self.cpu_seconds)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                preexec_fn=(lambda: os.nice(niceness)) if niceness else None,
            )
        finally:
            err.close()
        self.restarts += 1
        return proc

    def run(self, job: dict[str, Any]) -> dict[str, Any]:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = self._start()
        proc = self._proc
        stdin, stdout = proc.stdin, proc.stdout
        assert stdin is not None and stdout is not None
        try:
            stdin.write(json.dumps(job).encode() + b"\n")
            stdin.flush()
        except BrokenPipeError:
            return self._died()
        line = _readline(stdout, self.wall_seconds)
        spent = _cpu_seconds(proc.pid)
        while line is None and spent is not None:
            # Still using CPU (slowly: a niced worker on a busy machine): the CPU caps will
            # end it. Only a worker that used no CPU for a whole wait is blocked.
            line = _readline(stdout, self.wall_seconds)
            before, spent = spent, _cpu_seconds(proc.pid)
            if line is None and spent == before:
                break
        if line is None:  # blocked, not spinning: only the wall clock sees it
            self.stop()
            return {"outcome": "hang", "type": "no answer within the wall-clock cap",
                    "message": "", "frame": "?", "project_frame": "?"}
        if not line:
            return self._died()
        result: dict[str, Any] = json.loads(line)
        if result["outcome"] in ("hang", "oom"):
            self.stop()  # the worker exits after these; wait for it
        return result

    def _died(self) -> dict[str, Any]:
        assert self._proc is not None
        code = self._proc.wait()
        self._proc = None
        stderr = self._stderr.read_text("utf-8", "replace")[-3000:]
        if code == -signal.SIGXCPU:  # a hang in C code: RLIMIT_CPU ended it
            return {"outcome": "hang", "type": "CPU limit (hang outside Python code)",
                    "message": stderr, "frame": "?", "project_frame": "?"}
        name = signal.Signals(-code).name if code < 0 else f"exit {code}"
        outcome = "oom" if "MemoryError" in stderr else "exception"
        return {"outcome": outcome, "type": f"worker died ({name})", "message": stderr,
                "frame": "?", "project_frame": "?", "traceback": stderr}

    def stop(self) -> None:
        if self._proc is None:
            return
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        for stream in (self._proc.stdin, self._proc.stdout):
            if stream is not None:
                stream.close()
        self._proc = None


def _cpu_seconds(pid: int) -> float | None:
    """The process's user + system CPU time from /proc (None where there is no /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _readline(stream: IO[bytes], timeout: float) -> bytes | None:
    ready, _, _ = select.select([stream], [], [], timeout)
    return stream.readline() if ready else None


@attrs.define
class Failure:
    """A failure class: how often it came, and its smallest input."""

    key: str
    result: dict[str, Any]
    case: Case
    index: int
    count: int = 0
    folder: Path | None = None
    minimal: Case | None = None

    @property
    def known(self) -> str | None:
        return known_fixture(self.key)


@attrs.define
class Run:
    seed: str
    counts: Counter[str] = attrs.Factory(Counter)
    failures: dict[str, Failure] = attrs.Factory(dict)
    executions: int = 0
    seconds: float = 0.0
    restarts: int = 0

    @property
    def new(self) -> list[Failure]:
        return [f for f in self.failures.values() if f.known is None]


def fuzz(
    seed: str,
    *,
    executions: int | None = None,
    seconds: float | None = None,
    start: int = 0,
    out: Path | None = None,
    memory_mb: int = 2048,
    cpu_seconds: float = 3.0,
    wall_seconds: float = 120.0,
    niceness: int = 0,
    progress: Callable[[Run], None] | None = None,
) -> Run:
    """Run mutants ``start, start+1, ...`` of the fixtures until ``executions`` or ``seconds``.

    Mutant ``i`` of seed ``s`` is always the same input (its generator is seeded with
    ``"s:i"``), so any single failure can be regenerated from the two numbers.
    """
    seeds = load_seeds()
    run = Run(seed)
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="blogarchive-fuzz-") as tmp:
        scratch = Path(tmp)
        worker = Worker(memory_mb, cpu_seconds, wall_seconds, niceness, scratch)
        try:
            index = start
            while True:
                if executions is not None and run.executions >= executions:
                    break
                if seconds is not None and time.monotonic() - began >= seconds:
                    break
                case = generate(random.Random(f"{seed}:{index}"), seeds)
                result = _execute(worker, case, scratch)
                run.counts[result["outcome"]] += 1
                run.executions += 1
                if result["outcome"] not in ("read", "clean"):
                    _record(run, case, result, index, out)
                index += 1
                if progress is not None and run.executions % 100 == 0:
                    run.seconds = time.monotonic() - began
                    progress(run)
        finally:
            run.restarts = worker.restarts
            worker.stop()
    run.seconds = time.monotonic() - began
    return run


def _execute(worker: Worker, case: Case, scratch: Path) -> dict[str, Any]:
    work = scratch / "case"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir()
    job = render(case, work)
    # Large inputs may take longer, within reason: reading is linear, so is this allowance.
    job["cpu_seconds"] = worker.cpu_seconds + CPU_SECONDS_PER_MB * case.size / 1e6
    return worker.run(job)


def _record(run: Run, case: Case, result: dict[str, Any], index: int, out: Path | None) -> None:
    key = class_key(result)
    failure = run.failures.get(key)
    if failure is None:
        failure = run.failures[key] = Failure(key, result, case, index)
        if out is not None:
            failure.folder = out / f"{len(run.failures):02d}-{_slug(key)}"
    elif len(case.focus) < len(failure.case.focus):
        failure.case, failure.result, failure.index = case, result, index
    else:
        failure.count += 1
        return
    failure.count += 1
    if failure.folder is not None:
        save(failure, run.seed)


def _slug(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.]+", "-", key.replace("blogarchive/", "")).strip("-")[:80]


def save(failure: Failure, seed: str) -> None:
    """Write the failure's input (as read: file, folder or container) and its notes."""
    folder = failure.folder
    assert folder is not None
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    render(failure.case, folder)
    if failure.minimal is not None:
        minimal = folder / "minimal"
        minimal.mkdir()
        render(failure.minimal, minimal)
    notes = {"class": failure.key, "known_fixture": failure.known, "count": failure.count,
             "seed": seed, "index": failure.index, "case": failure.case.describe(),
             "minimal_size": len(failure.minimal.focus) if failure.minimal else None,
             **{k: v for k, v in failure.result.items() if k != "traceback"}}
    (folder / "failure.json").write_text(json.dumps(notes, indent=1, sort_keys=True) + "\n")
    (folder / "traceback.txt").write_text(failure.result.get("traceback") or "(none)\n")


def minimise(failure: Failure, *, budget: int = 400, memory_mb: int = 2048,
             cpu_seconds: float = 3.0, niceness: int = 0) -> Case:
    """The smallest focus (by removing chunks, halving their size) still in the same class."""
    case = failure.case
    with tempfile.TemporaryDirectory(prefix="blogarchive-fuzz-min-") as tmp:
        scratch = Path(tmp)
        worker = Worker(memory_mb, cpu_seconds, 4 * cpu_seconds + 30, niceness, scratch)
        tries = 0

        def same(candidate: Case) -> bool:
            nonlocal tries
            tries += 1
            return class_key(_execute(worker, candidate, scratch)) == failure.key

        try:
            chunk = max(1, len(case.focus) // 2)
            while chunk >= 1 and tries < budget:
                i, shrunk = 0, False
                while i < len(case.focus) and tries < budget:
                    candidate = case.with_focus(case.focus[:i] + case.focus[i + chunk:])
                    if same(candidate):
                        case, shrunk = candidate, True
                    else:
                        i += chunk
                if not shrunk:
                    chunk //= 2
        finally:
            worker.stop()
    return case
