"""``python -m tests.fuzz --minutes N [--seed S] [--out DIR] [--minimise]``: a longer fuzz run
(from the repository root, in the project's environment).

Prints the count of each outcome and one paragraph per failure class (new ones first), and
writes each class's smallest input, its traceback and how to regenerate it to DIR for triage.
Exit status: 0 when every failure class is a known one (tests/fuzz/known.py), 1 otherwise.
The worker runs at nice 19 by default: the machine is shared.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .runner import OUTCOMES, Failure, Run, fuzz, minimise, save


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=1.0, help="how long (default 1)")
    parser.add_argument("--executions", type=int, help="stop after this many instead")
    parser.add_argument("--seed", default="0", help="any text; the same seed, the same inputs")
    parser.add_argument("--start", type=int, default=0,
                        help="first mutant index (with --executions 1: regenerate one input)")
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"),
                        help="where failing inputs go (default ./fuzz-failures)")
    parser.add_argument("--minimise", action="store_true",
                        help="shrink each failure class's input at the end (a few hundred runs "
                        "per class); written to DIR/NN-class/minimal/")
    parser.add_argument("--memory-mb", type=int, default=2048, help="worker memory cap")
    parser.add_argument("--cpu-seconds", type=float, default=3.0,
                        help="CPU time per input before it counts as a hang (default 3, "
                        "plus 4 s per MB of input)")
    parser.add_argument("--nice", type=int, default=19, help="worker niceness (default 19)")
    return parser


def _clock(seconds: float) -> str:
    return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"


def _progress(run: Run) -> None:
    counts = " ".join(f"{o} {run.counts[o]}" for o in OUTCOMES)
    print(f"  ... {run.executions} executions, {_clock(run.seconds)}: {counts}; "
          f"{len(run.failures)} failure class(es)", file=sys.stderr, flush=True)


def report(run: Run, out: Path | None) -> list[str]:
    """The summary a person reads: outcome counts, then each failure class."""
    rate = run.executions / run.seconds if run.seconds else 0.0
    lines = [f"fuzz: seed {run.seed!r}, {run.executions} executions in {_clock(run.seconds)} "
             f"({rate:.1f}/s), {run.restarts} worker start(s)"]
    lines += [f"  {outcome:<10} {run.counts[outcome]:>7}" for outcome in OUTCOMES]
    failures = sorted(run.failures.values(), key=lambda f: (f.known is not None, f.key))
    lines.append(f"{len(failures)} failure class(es): {len(run.new)} new, "
                 f"{len(failures) - len(run.new)} known" + (f"; inputs in {out}/" if out else ""))
    for failure in failures:
        lines += _describe(failure, run.seed)
    return lines


def _describe(failure: Failure, seed: str) -> list[str]:
    result, case = failure.result, failure.case
    status = f"known ({failure.known})" if failure.known else "NEW"
    inner = f"{result.get('frame', '?')}" + (f" line {result['frame_line']}"
                                             if result.get("frame_line") else "")
    ours = f"{result.get('project_frame', '?')}" + (f" line {result['project_line']}"
                                                    if result.get("project_line") else "")
    message = (result.get("message") or "").strip().splitlines()
    lines = [f"- {failure.key}  x{failure.count}  [{status}]",
             f"    innermost frame: {inner}; in blogarchive: {ours}",
             f"    message: {message[0][:200]!r}" if message else "    message: (none)",
             f"    smallest input: {case.kind} {case.seed}/{case.member}, {len(case.focus)} "
             f"bytes, mutations {'+'.join(case.ops)}; regenerate: --seed {seed} --start "
             f"{failure.index} --executions 1"]
    if failure.minimal is not None:
        lines.append(f"    minimised to {len(failure.minimal.focus)} bytes: "
                     f"{failure.minimal.focus[:120]!r}")
    if failure.folder is not None:
        lines.append(f"    saved: {failure.folder}/")
    return lines


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    run = fuzz(args.seed, executions=args.executions,
               seconds=None if args.executions else args.minutes * 60, start=args.start,
               out=out, memory_mb=args.memory_mb, cpu_seconds=args.cpu_seconds,
               niceness=args.nice, progress=_progress)
    if args.minimise:
        for failure in run.failures.values():
            print(f"  ... minimising {failure.key}", file=sys.stderr, flush=True)
            failure.minimal = minimise(failure, memory_mb=args.memory_mb,
                                       cpu_seconds=args.cpu_seconds, niceness=args.nice)
            save(failure, run.seed)
    text = "\n".join(report(run, out))
    print(text)
    (out / "summary.txt").write_text(text + "\n")
    return 1 if run.new else 0


if __name__ == "__main__":
    sys.exit(main())
