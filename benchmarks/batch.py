"""Blogs per minute for `blogarchive batch`: one process, two worker processes, and a Dask
LocalCluster of two worker processes, on the same generated collection; and where each run's
seconds went.

    python benchmarks/batch.py [BLOGS] [MEGABYTES_EACH] [--repeat N] [--no-dask]
    # default 200 blogs of 0.2 MB, each way once

Writes the collection (benchmarks/collection.py, without the broken/duplicate/Takeout extras)
into benchmarks/data/, then runs each way into a fresh folder, in a child process each (this
script again, calling the batch as `blogarchive batch` does), and prints:

- one line per run: seconds, blogs per minute, the speed-up over the `--jobs 1` run of the
  same round, the mean time one blog took inside its worker (batch.jsonl's "duration": when
  it grows from one process to two, the workers were not getting a core each, a busy
  machine, whatever the code does), the CPU seconds of the run's processes (the child and
  the worker processes it waited for; a Dask LocalCluster's workers are not counted, they
  are the forkserver's children) and the load average when the run started;
- with `--repeat N` (N rounds, the ways alternated within each round, so that a change in
  the machine's load falls on every way alike): each way's median seconds and spread, and
  the speed-up as the ratio of the medians, the steady figure to compare with the targets
  (run to run, on one machine, a single run's ratio moves by a tenth or more);
- the breakdown of each way's seconds by phase (medians over the rounds): importing
  blogarchive; starting the workers (on Dask also importing it and starting the
  LocalCluster); the survey; converting; stopping the workers; writing batch.jsonl and
  catalog.jsonl; and the CPU seconds of the parent process (on Dask, the scheduler runs
  there too), with its share in the start-up and in the convert phase.

`--no-dask` leaves the Dask run out. The Dask run needs `pip install 'blogarchive[dask]'`;
its time includes starting and stopping the LocalCluster.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from collection import write_collection

RUNS = (("--jobs 1", ["1"]), ("--jobs 2", ["2"]), ("--dask local (2 workers)", ["2", "local"]))


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(*sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description="blogs per minute for blogarchive batch")
    parser.add_argument("blogs", nargs="?", type=int, default=200)
    parser.add_argument("size", nargs="?", type=float, default=0.2, help="MB each")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="rounds, the ways alternated in each (default 1)")
    parser.add_argument("--no-dask", action="store_true", help="leave the Dask run out")
    args = parser.parse_args()
    blogs, size = args.blogs, args.size
    ways = RUNS[:2] if args.no_dask else RUNS
    data = Path(__file__).resolve().parent / "data" / f"batch-{blogs}x{size:g}mb"
    if not (data / "list.txt").exists():
        write_collection(data, blogs, size, extras=False)
    total = sum(p.stat().st_size for p in data.glob("*.xml"))
    print(f"{blogs} blogs, {total / 1e6:.1f} MB in all, in {data}")
    results: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in ways}
    print("| round | run | seconds | blogs/min | x one process | s per blog in its worker "
          "| CPU s | load |")
    print("|---|---|---|---|---|---|---|---|")
    for round_ in range(1, max(1, args.repeat) + 1):
        base = None
        for name, options in ways:
            load = os.getloadavg()[0]
            got = run(data, options)
            if got is None:
                print(f"| {round_} | {name} | failed | | | | | {load:.1f} |", flush=True)
                continue
            results[name].append(got)
            seconds = got["seconds"]
            base = base or seconds
            print(f"| {round_} | {name} | {seconds:.1f} | {blogs / seconds * 60:.0f} | "
                  f"{base / seconds:.2f} | {got['per_blog']:.3f} | {got['cpu']:.1f} | "
                  f"{load:.1f} |", flush=True)
    done = [(name, got) for name, got in results.items() if got]
    if not done:
        return
    if args.repeat > 1:
        summary(done, blogs)
    phases = list(done[0][1][0]["phases"])
    print()
    print("Where the seconds went (wall-clock seconds per phase; CPU seconds of the parent "
          "process" + ("; medians over the rounds" if args.repeat > 1 else "") + "):")
    print()
    print(f"| run | import | {' | '.join(phases)} | parent CPU | of it in start-up, convert |")
    print("|---|---|" + "---|" * len(phases) + "---|---|")
    for name, runs in done:
        def median(pick: Any, runs: list[dict[str, Any]] = runs) -> float:
            return statistics.median(pick(got) for got in runs)

        cells = " | ".join(f"{median(lambda g, p=p: g['phases'][p][0]):.2f}" for p in phases)
        print(f"| {name} | {median(lambda g: g['import']):.2f} | {cells} | "
              f"{median(lambda g: g['parent_cpu']):.2f} | "
              f"{median(lambda g: g['phases']['start-up'][1]):.2f}, "
              f"{median(lambda g: g['phases']['convert'][1]):.2f} |")


def run(data: Path, options: list[str]) -> dict[str, Any] | None:
    """One run in a child process into a fresh folder: its figures, or None (said why)."""
    out = data.parent / f"{data.name}-out"
    shutil.rmtree(out, ignore_errors=True)
    done = subprocess.run([sys.executable, __file__, "--child", str(data / "list.txt"),
                           str(out), *options], check=False, capture_output=True, text=True)
    shutil.rmtree(out, ignore_errors=True)
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        return None
    got: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return got


def summary(done: list[tuple[str, list[dict[str, Any]]]], blogs: int) -> None:
    """Each way's median seconds over the rounds, their spread, and the ratio of medians."""
    print()
    print("Over the rounds (median, and lowest to highest):")
    print()
    print("| run | rounds | seconds | spread | blogs/min | x one process (medians) "
          "| s per blog in its worker |")
    print("|---|---|---|---|---|---|---|")
    base = None
    for name, runs in done:
        seconds = [got["seconds"] for got in runs]
        middle = statistics.median(seconds)
        base = base or middle
        print(f"| {name} | {len(runs)} | {middle:.1f} | {min(seconds):.1f} to "
              f"{max(seconds):.1f} | {blogs / middle * 60:.0f} | {base / middle:.2f} | "
              f"{statistics.median(got['per_blog'] for got in runs):.3f} |")


def child(listing: str, out: str, jobs: str, dask: str | None = None) -> None:
    """One run, as `blogarchive batch --from LISTING -o OUT --jobs JOBS [--dask DASK]` with
    the default options; prints its figures as one JSON line."""
    started = time.perf_counter()
    from blogarchive.batch import Settings, run_batch  # timed: every run pays it

    # Dask is imported in the start-up phase, as the command's run imports it.
    imported = time.perf_counter()
    outcome = run_batch([], out, settings=Settings(), from_list=listing, jobs=int(jobs),
                        dask=dask)
    ended = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)  # those waited for: --jobs's
    rows = outcome.rows
    if any(row["status"] != "ok" for row in rows):
        sys.exit("some input was not converted: " + json.dumps(
            [row for row in rows if row["status"] != "ok"][:1]))
    print(json.dumps({
        "seconds": ended - started,
        "import": imported - started,
        "phases": {p.name: (p.seconds, p.cpu) for p in outcome.phases},
        "parent_cpu": usage.ru_utime + usage.ru_stime,
        "cpu": usage.ru_utime + usage.ru_stime + workers.ru_utime + workers.ru_stime,
        "per_blog": sum(row["duration"] for row in rows) / len(rows),
    }))


if __name__ == "__main__":
    main()
