"""Blogs per minute for `blogarchive batch`: one process, two worker processes, and a Dask
LocalCluster of two worker processes, on the same generated collection; and where each run's
seconds went.

    python benchmarks/batch.py [BLOGS] [MEGABYTES_EACH]     # default 200 blogs of 0.2 MB

Writes the collection (benchmarks/collection.py, without the broken/duplicate/Takeout extras)
into benchmarks/data/, then runs each way into a fresh folder, in a child process each (this
script again, calling the batch as `blogarchive batch` does), and prints two tables:

- seconds, blogs per minute, the speed-up over one process, and the mean time one blog took
  inside its worker (batch.jsonl's "duration": when it grows from one process to two, the
  workers were not getting a core each, a busy machine, whatever the code does);
- the breakdown of each run's seconds by phase: importing blogarchive; starting the workers
  (on Dask also importing it and starting the LocalCluster); the survey; converting;
  stopping the workers; writing batch.jsonl and catalog.jsonl; and the CPU seconds of the
  parent process (on Dask, the scheduler runs there too), the figure that a loaded machine
  changes least, with its share in the start-up and in the convert phase (on Dask, the
  scheduler's and the client's work of handing out the tasks).

The Dask run needs `pip install 'blogarchive[dask]'`; its time includes starting and stopping
the LocalCluster.
"""

from __future__ import annotations

import json
import resource
import shutil
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
    blogs = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    size = float(sys.argv[2]) if len(sys.argv) > 2 else 0.2
    data = Path(__file__).resolve().parent / "data" / f"batch-{blogs}x{size:g}mb"
    if not (data / "list.txt").exists():
        write_collection(data, blogs, size, extras=False)
    total = sum(p.stat().st_size for p in data.glob("*.xml"))
    print(f"{blogs} blogs, {total / 1e6:.1f} MB in all, in {data}")
    results: list[tuple[str, dict[str, Any]]] = []
    print("| run | seconds | blogs/min | x one process | s per blog in its worker |")
    print("|---|---|---|---|---|")
    base = None
    for name, options in RUNS:
        out = data.parent / f"{data.name}-out"
        shutil.rmtree(out, ignore_errors=True)
        done = subprocess.run([sys.executable, __file__, "--child", str(data / "list.txt"),
                               str(out), *options], check=False, capture_output=True,
                              text=True)
        shutil.rmtree(out, ignore_errors=True)
        if done.returncode != 0:
            print(f"| {name} | failed (exit {done.returncode}) | | | |")
            print(done.stderr, file=sys.stderr)
            continue
        got = json.loads(done.stdout.splitlines()[-1])
        results.append((name, got))
        seconds = got["seconds"]
        base = base or seconds
        print(f"| {name} | {seconds:.1f} | {blogs / seconds * 60:.0f} | {base / seconds:.2f} "
              f"| {got['per_blog']:.3f} |", flush=True)
    if not results:
        return
    phases = list(results[0][1]["phases"])
    print()
    print("Where the seconds went (wall-clock seconds per phase; CPU seconds of the parent "
          "process):")
    print()
    print(f"| run | import | {' | '.join(phases)} | parent CPU | of it in start-up, convert |")
    print("|---|---|" + "---|" * len(phases) + "---|---|")
    for name, got in results:
        cells = " | ".join(f"{got['phases'][p][0]:.2f}" for p in phases)
        print(f"| {name} | {got['import']:.2f} | {cells} | {got['parent_cpu']:.2f} | "
              f"{got['phases']['start-up'][1]:.2f}, {got['phases']['convert'][1]:.2f} |")


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
    rows = outcome.rows
    if any(row["status"] != "ok" for row in rows):
        sys.exit("some input was not converted: " + json.dumps(
            [row for row in rows if row["status"] != "ok"][:1]))
    print(json.dumps({
        "seconds": ended - started,
        "import": imported - started,
        "phases": {p.name: (p.seconds, p.cpu) for p in outcome.phases},
        "parent_cpu": usage.ru_utime + usage.ru_stime,
        "per_blog": sum(row["duration"] for row in rows) / len(rows),
    }))


if __name__ == "__main__":
    main()
