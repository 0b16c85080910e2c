"""The fuzz worker: one subprocess that runs many inputs, one JSON line in, one JSON line out.

Run by path (``python tests/fuzz/worker.py MEMORY_MB CPU_SECONDS``), it imports only the
standard library and blogarchive, so a crash, a leak or a hang in blogarchive never reaches
the fuzzer itself. Its caps are load-independent: memory is an address-space limit
(RLIMIT_AS: a ``MemoryError`` is reported as ``oom``) and time is the worker's own CPU time,
not the wall clock, so a busy shared machine does not turn slow inputs into "hangs".
A hang in Python code is interrupted by SIGPROF after CPU_SECONDS, which gives the frame it
was spinning in; a hang inside C code that never returns to Python is ended by RLIMIT_CPU
(SIGXCPU kills the worker) and the parent reports it as a hang without a frame.

A job: ``{"op": "read", "path": P, "as_bytes": bool, "write": bool}`` runs
``blogarchive.read_all`` on the file or folder P (or on its bytes), analysis included, and
with ``write`` writes each archive beside P and loads it back (it must come back equal);
``{"op": "analyse", "path": P, "base_url": U, "text": bool}`` runs ``blogarchive.analyse``
on P's bytes decoded as UTF-8 (undecodable bytes become lone surrogates: bodies hold them).
A result: ``{"outcome": "read" | "clean" | "exception" | "hang" | "oom", "type", "message",
"frame", "project_frame", "traceback"}``.
"""

from __future__ import annotations

import importlib.util
import io
import json
import resource
import signal
import sys
import tempfile
import traceback
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

__all__ = ["Hang", "RoundTrip", "classify", "main", "run_job"]

# Frames are named relative to the project's package or the standard library folder they
# come from, without line numbers: the source changes under the fuzzer, classes must not.
_PACKAGE = "blogarchive"
_SPEC = importlib.util.find_spec(_PACKAGE)  # found, not imported: the worker imports it later
assert _SPEC is not None and _SPEC.origin is not None
_PACKAGE_DIR = Path(_SPEC.origin).resolve().parent
_COMPREHENSIONS = ("<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>")


class Hang(BaseException):
    """Raised by the SIGPROF handler: the job used its CPU time without returning.

    ``frames``: the frames every one of a few stack samples shares, outermost first. A loop
    spreads its time over the functions it calls, so where one sample lands is chance; the
    deepest frame all samples share is where the loop is, and the same on every run.
    """

    def __init__(self, message: str, frames: list[traceback.FrameSummary]) -> None:
        super().__init__(message)
        self.frames = frames


_SAMPLES = 5
_samples: list[list[traceback.FrameSummary]] = []


def _on_cpu_timer(signum: int, frame: FrameType | None) -> None:
    _samples.append(list(traceback.extract_stack(frame)))
    if len(_samples) < _SAMPLES:
        signal.setitimer(signal.ITIMER_PROF, 0.05)  # another sample, 50 ms of CPU later
        return
    shared = []
    for level in zip(*_samples, strict=False):  # stacks differ in depth
        if len({(f.filename, f.name) for f in level}) > 1:
            break
        shared.append(level[-1])
    raise Hang("no result within the CPU time cap", shared)


def _ours(filename: str) -> bool:
    """Whether a frame is in the package's code (not merely under a folder of its name: a
    checkout is often called ``blogarchive`` too, and its tests are not the package)."""
    return Path(filename).resolve().is_relative_to(_PACKAGE_DIR)


def _where(filename: str, function: str) -> str:
    if _ours(filename):
        relative = Path(filename).resolve().relative_to(_PACKAGE_DIR).parts
        return "/".join((_PACKAGE, *relative)) + ":" + function
    return "/".join(Path(filename).parts[-2:]) + ":" + function


def _frames(tb: TracebackType | None) -> list[traceback.FrameSummary]:
    return list(traceback.extract_tb(tb)) if tb is not None else []


def classify(error: BaseException) -> dict[str, Any]:
    """The result for an exception: outcome, type, message and where it was raised."""
    frames = error.frames if isinstance(error, Hang) else _frames(error.__traceback__)
    # Comprehension frames stand for the function around them: Python 3.12 inlines them.
    ours = [f for f in frames if _ours(f.filename) and f.name not in _COMPREHENSIONS]
    inner = frames[-1] if frames else None
    project = ours[-1] if ours else None
    message = str(error)
    ours_on_purpose = False
    if isinstance(error, Hang):
        outcome = "hang"
    elif isinstance(error, MemoryError):
        outcome = "oom"
    else:
        from blogarchive import BlogarchiveError

        ours_on_purpose = isinstance(error, BlogarchiveError)
        outcome = "clean" if ours_on_purpose and _one_line(message) else "exception"
    kind = type(error).__name__
    if outcome == "exception" and ours_on_purpose:
        kind += " (message not one line)"
    return {
        "outcome": outcome,
        "type": kind,
        "message": message[:500],
        "frame": _where(inner.filename, inner.name) if inner else "?",
        "frame_line": inner.lineno if inner else None,
        "project_frame": _where(project.filename, project.name) if project else "?",
        "project_line": project.lineno if project else None,
        "traceback": "".join(traceback.format_exception(error))[-6000:],
    }


def _one_line(message: str) -> bool:
    return message.strip() != "" and "\n" not in message and "\r" not in message


def _read(job: dict[str, Any]) -> dict[str, Any]:
    import blogarchive

    path = Path(job["path"])
    report = blogarchive.ReadReport()
    source: Any = path.read_bytes() if job.get("as_bytes") else path
    archives = blogarchive.read_all(source, report=report)
    for problem in [*report.failed, *report.ignored]:
        if not _one_line(str(problem)):  # printed by the command line as it is
            return classify(problem)
    if job.get("write"):
        # In a folder of our own: an unmutated seed's path is a fixture in the repository.
        with tempfile.TemporaryDirectory(prefix="fuzz-written-") as scratch:
            for i, archive in enumerate(archives):
                if (wrong := _round_trip(archive, Path(scratch) / f"written-{i}")) is not None:
                    return wrong
    # Errors collected in the report are the clean kind: named, placed, one line.
    return {"outcome": "clean" if report.failed else "read",
            "posts": sum(len(a.posts) for a in archives),
            "failed": len(report.failed)}


class RoundTrip(Exception):
    """What was read did not survive ``write`` and ``load`` unchanged (or made them fail)."""


def _round_trip(archive: Any, folder: Path) -> dict[str, Any] | None:
    """Write the archive and load it back: any error, or any difference, is a bug (the
    archive came from blogarchive itself), so it is never a clean outcome."""
    import blogarchive

    try:
        blogarchive.write(archive, folder)
        same = blogarchive.load(folder) == archive
    except blogarchive.BlogarchiveError as error:
        result = classify(error)
        result.update(outcome="exception", type=f"{result['type']} from write/load")
        return result
    if same:
        return None
    try:
        raise RoundTrip("the archive loaded back differs from the one written")
    except RoundTrip as error:
        return classify(error) | {"project_frame": "blogarchive/store.py:load"}


def _analyse(job: dict[str, Any]) -> dict[str, Any]:
    import blogarchive

    html = Path(job["path"]).read_bytes().decode("utf-8", "surrogateescape")
    result = blogarchive.analyse(html, job.get("base_url"),
                                 content_type="text" if job.get("text") else None)
    return {"outcome": "read", "text_length": len(result.text)}


class _Stderr(io.StringIO):
    """Stands in for sys.stderr during a job: a library printing there (warcio's WARNINGs,
    Python warnings) puts stray lines among the command line's one-line problems."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[traceback.FrameSummary] = []

    def write(self, text: str) -> int:
        if text and not self.stack:
            self.stack = traceback.extract_stack()[:-1]
        return super().write(text)


def _stray(stderr: _Stderr) -> dict[str, Any]:
    ours = [f for f in stderr.stack if _ours(f.filename)]
    inner = stderr.stack[-1] if stderr.stack else None
    return {
        "outcome": "exception", "type": "output on stderr", "message": stderr.getvalue()[:500],
        "frame": _where(inner.filename, inner.name) if inner else "?",
        "frame_line": inner.lineno if inner else None,
        "project_frame": _where(ours[-1].filename, ours[-1].name) if ours else "?",
        "project_line": ours[-1].lineno if ours else None,
        "traceback": "".join(traceback.format_list(stderr.stack)),
    }


def _self_test(job: dict[str, Any]) -> dict[str, Any]:
    """``spin``, ``block`` and ``hog``: the harness's own tests check the caps catch them."""
    if job["op"] == "spin":
        while True:
            pass
    if job["op"] == "block":
        signal.pause()  # no CPU used: only the parent's wall clock can see this
    hoard = []
    while True:
        hoard.append(bytearray(64 * 1024 * 1024))


_OPS = {"read": _read, "analyse": _analyse, "spin": _self_test, "block": _self_test,
        "hog": _self_test}


def run_job(job: dict[str, Any], cpu_seconds: float) -> dict[str, Any]:
    """Run one job under the CPU timer; every exception becomes a classified result, and so
    does anything printed on stderr."""
    stderr = _Stderr()
    saved, sys.stderr = sys.stderr, stderr
    _samples.clear()
    signal.setitimer(signal.ITIMER_PROF, job.get("cpu_seconds", cpu_seconds))
    try:
        result = _OPS[job["op"]](job)
    except BaseException as error:
        signal.setitimer(signal.ITIMER_PROF, 0)
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        result = classify(error)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        sys.stderr = saved
    if stderr.stack and result["outcome"] in ("read", "clean"):
        return _stray(stderr)
    return result


def _cpu_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str]) -> int:
    memory_mb, cpu_seconds = int(argv[0]), float(argv[1])
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGPROF, _on_cpu_timer)
    import blogarchive  # noqa: F401 - imported once, before the first job's timer starts

    out = sys.stdout
    for line in sys.stdin:
        job = json.loads(line)
        # A hang in C code never sees SIGPROF: the hard CPU limit ends the worker instead.
        hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
        soft = int(_cpu_used() + 2 * job.get("cpu_seconds", cpu_seconds) + 1)
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
        result = run_job(job, cpu_seconds)
        out.write(json.dumps(result) + "\n")
        out.flush()
        if result["outcome"] in ("oom", "hang"):
            return 0  # the parent starts a fresh worker: this one's state is suspect
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
