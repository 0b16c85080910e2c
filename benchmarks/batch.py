"""Blogs per minute for `blogarchive batch`: one process, two worker processes, and a Dask
LocalCluster of two worker processes, on the same generated collection.

    python benchmarks/batch.py [BLOGS] [MEGABYTES_EACH]     # default 200 blogs of 0.2 MB

Writes the collection (benchmarks/collection.py, without the broken/duplicate/Takeout extras)
into benchmarks/data/, then runs each way into a fresh folder, in a child process each, and
prints seconds, blogs per minute and the speed-up over one process. The Dask run needs
`pip install 'blogarchive[dask]'`; its time includes starting and stopping the LocalCluster.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from collection import write_collection

RUNS = (("--jobs 1", ["--jobs", "1"]), ("--jobs 2", ["--jobs", "2"]),
        ("--dask local (2 workers)", ["--dask", "local", "--jobs", "2"]))


def main() -> None:
    blogs = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    size = float(sys.argv[2]) if len(sys.argv) > 2 else 0.2
    data = Path(__file__).resolve().parent / "data" / f"batch-{blogs}x{size:g}mb"
    if not (data / "list.txt").exists():
        write_collection(data, blogs, size, extras=False)
    total = sum(p.stat().st_size for p in data.glob("*.xml"))
    print(f"{blogs} blogs, {total / 1e6:.1f} MB in all, in {data}")
    # The last column is the mean time one blog took inside its worker (batch.jsonl's
    # "duration"): when it grows from one process to two, the workers were not getting a
    # core each (a busy machine), whatever the code does.
    print("| run | seconds | blogs/min | x one process | s per blog in its worker |")
    print("|---|---|---|---|---|")
    base = None
    for name, options in RUNS:
        out = data.parent / f"{data.name}-out"
        shutil.rmtree(out, ignore_errors=True)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "blogarchive.cli", "batch", "--from",
                               str(data / "list.txt"), "-o", str(out), "-q", *options],
                              check=False)
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            print(f"| {name} | failed (exit {done.returncode}) | | | |")
            continue
        base = base or seconds
        rows = [json.loads(line) for line in (out / "batch.jsonl").read_text().splitlines()]
        each = sum(row["duration"] for row in rows) / len(rows)
        print(f"| {name} | {seconds:.1f} | {blogs / seconds * 60:.0f} | {base / seconds:.2f} "
              f"| {each:.3f} |", flush=True)
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
