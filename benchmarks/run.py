"""Throughput and peak memory of blogarchive against bare lxml iterparse, on the same file.

    python benchmarks/run.py benchmarks/data/blog-100mb.xml
    python benchmarks/run.py benchmarks/data/pages-3000       # a folder of saved pages
    python benchmarks/run.py FILE --steps floor,convert,validate --repeat 3

Each measurement runs in its own process (so peak RSS is its own), one after the other on
the same file:
  floor    lxml.etree.iterparse over every element, clearing done entries (no mapping)
  stream   blogarchive.iter_records(file): every record made, none kept (flat memory)
  plain    blogarchive.read(file, analyse=False): records, assembled Archive, no body analysis
  read     blogarchive.read(file): the same with every post body analysed
  write    read + write the JSON data files alone (blogarchive.write)
  convert  what `blogarchive convert` does: read, analyse, write data, originals, events,
           schemas and manifests (blogarchive.convert)
  convert-plain   the same with analyse=False, originals=False (`--no-analysis --no-originals`)
  convert-jobs    convert with jobs=N (--jobs N, default 0: every core)
  validate the archive convert wrote (blogarchive.validate); needs the convert step
Figures are wall seconds, MB/s of input, peak RSS in MiB (of the process or its largest
worker) and CPU seconds (the process and its workers), each also as a ratio to the floor;
on a busy machine the CPU ratio is the steadier figure (wall time includes waiting for a
core). For the convert steps, the main process's CPU and the workers' are also given
phase by phase (reading, analysing, writing...), with the wall time they would take on
--cores idle cores (see ``idle_wall``): what a loaded machine cannot measure. The body
analysis's cost is reported as (read - plain) as a share of convert. With
--repeat N each step runs N times and the fastest run is kept (the floor too): on a shared
machine the fastest run is the one least slowed by others.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, resource, sys, time, tempfile
path, what, work, jobs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
start = time.perf_counter()
from pathlib import Path
if what == "floor" and Path(path).is_dir():  # a mirror: bare libxml2 HTML parse of every page
    from lxml import etree
    n = 0
    for page in sorted(Path(path).rglob("*.html")):
        etree.HTML(page.read_bytes())
        n += 1
elif what == "floor":
    from lxml import etree
    n = 0
    for _, el in etree.iterparse(path, events=("end",), resolve_entities=False,
                                 no_network=True, load_dtd=False):
        n += 1
        if el.tag == "{http://www.w3.org/2005/Atom}entry":
            el.clear()
            while el.getprevious() is not None:
                del el.getparent()[0]
elif what == "stream":
    import blogarchive
    n = sum(1 for _ in blogarchive.iter_records(path))
elif what in ("read", "plain"):
    import blogarchive
    a = blogarchive.read(path, analyse=what == "read")
    n = len(a.posts) + len(a.comments)
elif what == "write":
    import blogarchive
    a = blogarchive.read(path)
    with tempfile.TemporaryDirectory() as d:
        blogarchive.write(a, d + "/archive")
    n = len(a.posts) + len(a.comments)
elif what.startswith("convert"):
    import multiprocessing, os
    import blogarchive
    options = {"convert-plain": {"analyse": False, "originals": False},
               "convert-jobs": {"jobs": jobs}}.get(what, {})
    tick = os.sysconf("SC_CLK_TCK")

    def cpu_now():
        # This process's CPU, and its workers': those ended (RUSAGE_CHILDREN) and those
        # still running (their /proc stat: utime and stime, in clock ticks).
        own = resource.getrusage(resource.RUSAGE_SELF)
        ended = resource.getrusage(resource.RUSAGE_CHILDREN)
        workers = ended.ru_utime + ended.ru_stime
        for child in multiprocessing.active_children():
            try:
                with open(f"/proc/{child.pid}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                workers += (int(fields[11]) + int(fields[12])) / tick
            except (OSError, IndexError, ValueError):
                pass
        # The main thread's CPU is the serial part; the process's other threads (the data
        # files' writer with --jobs) can run on another core: counted with the workers'.
        main = time.thread_time()
        return main, workers + own.ru_utime + own.ru_stime - main

    phases = [("start", 0.0, 0.0)]  # each phase's name and the CPU when it began
    helped = [0.0]  # the analysis the main process took on while the workers were behind
    try:
        from blogarchive.spool.ahead import Ahead
    except ImportError:  # a version before the analysis ahead
        Ahead = None
    if Ahead is not None and hasattr(Ahead, "_help"):
        own_help = Ahead._help

        def timed_help(self, chunk):
            began = time.process_time()
            own_help(self, chunk)
            helped[0] += time.process_time() - began

        Ahead._help = timed_help

    def progress(phase, done, total):
        if phase != phases[-1][0]:
            main, workers = cpu_now()
            phases.append((phase, main - helped[0], workers + helped[0]))

    if Ahead is not None:
        own_finish = Ahead.finish

        def marked_finish(self):
            # The sources are read and the workers done: resolving the records, until the
            # posts are written, is the main process's alone (a phase of its own).
            own_finish(self)
            progress("resolving", 0, None)

        Ahead.finish = marked_finish

    done = blogarchive.convert(path, work + "/" + what, progress=progress, **options)
    main_thread = time.thread_time()
    # From the summary: c.archive would load the whole archive back into this process.
    n = sum(c.summary.posts + c.summary.counts["comments"]["total"] for c in done)
elif what == "validate":
    import blogarchive
    report = blogarchive.validate(work + "/convert")
    assert report.valid, report.problems[:3]
    n = report.checked["posts"] + report.checked["comments"]
seconds = time.perf_counter() - start
own = resource.getrusage(resource.RUSAGE_SELF)
workers = resource.getrusage(resource.RUSAGE_CHILDREN)
peak = max(own.ru_maxrss, workers.ru_maxrss) / 1024
cpu = own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime
found = {"what": what, "seconds": seconds, "cpu": cpu, "peak_mib": peak, "items": n,
         "main_cpu": own.ru_utime + own.ru_stime}
if what.startswith("convert"):  # each phase's CPU: (name, main, workers)
    # The analysis the main process took on counts as the workers' work: on idle cores
    # (the estimate below) the workers would have done it.
    found["helped"] = helped[0]
    ends = [*phases[1:], ("end", main_thread - helped[0], cpu - main_thread + helped[0])]
    found["phases"] = [(name, end_main - main, end_workers - workers)
                       for (name, main, workers), (_, end_main, end_workers)
                       in zip(phases, ends)]
print(json.dumps(found))
"""


STEPS = ("floor", "stream", "plain", "read", "write", "convert", "convert-plain", "validate")


def measure(path: Path, what: str, work: Path, jobs: int) -> dict[str, float]:
    if what.startswith("convert"):
        shutil.rmtree(work / what, ignore_errors=True)
    done = subprocess.run([sys.executable, "-c", CHILD, str(path), what, str(work), str(jobs)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def idle_wall(phases: list[tuple[str, float, float]], cores: int) -> float:
    """The wall seconds of a run on ``cores`` idle cores, from each phase's CPU seconds in
    the main process and in the workers: a phase lasts at least as long as the main
    process's part of it (one process runs on one core), and at least its total CPU spread
    over every core; phases follow one another. Waiting (disk, a worker's last chunk) is
    not counted, so this is a lower bound a loaded machine's wall time cannot give."""
    return sum(max(main, (main + work) / cores) for _, main, work in phases)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path)
    parser.add_argument("--steps", default=",".join(STEPS),
                        help="comma-separated steps (floor is always measured)")
    parser.add_argument("--jobs", type=int, default=None,
                        help="also measure convert with this many jobs (0: every core)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per step; fastest kept")
    parser.add_argument("--cores", type=int, default=2,
                        help="idle cores to estimate convert's wall time on (default 2)")
    args = parser.parse_args()
    path = args.path
    if path is None:
        from generate import generate

        path = Path(tempfile.gettempdir()) / "blogarchive-bench-10mb.xml"
        generate(10, path)
    pages = sorted(path.rglob("*.html")) if path.is_dir() else []
    size_mb = (sum(p.stat().st_size for p in pages) if pages else path.stat().st_size) / 1e6
    steps = ["floor", *(s for s in args.steps.split(",") if s and s != "floor")]
    if args.jobs is not None:
        steps.append("convert-jobs")
    if "validate" in steps and "convert" not in steps:
        steps.insert(steps.index("validate"), "convert")
    results = {}
    with tempfile.TemporaryDirectory(prefix="blogarchive-bench-") as work:
        for what in steps:
            runs = [measure(path, what, Path(work), args.jobs or 0) for _ in range(args.repeat)]
            results[what] = min(runs, key=lambda r: r["seconds"])
    floor = results["floor"]
    print(f"{'folder' if pages else 'file'}: {path} ({size_mb:.1f} MB"
          + (f", {len(pages):,} pages)" if pages else ")"))
    print(f"{'':13} {'seconds':>8} {'MB/s':>8} {'peak MiB':>9} {'time x floor':>13} "
          f"{'memory x floor':>15} {'CPU s':>7} {'CPU x floor':>12}")
    for what, r in results.items():
        print(f"{what:13} {r['seconds']:8.2f} {size_mb / r['seconds']:8.1f} "
              f"{r['peak_mib']:9.0f} {r['seconds'] / floor['seconds']:13.2f} "
              f"{r['peak_mib'] / floor['peak_mib']:15.2f} {r['cpu']:7.2f} "
              f"{r['cpu'] / floor['cpu']:12.2f}"
              + (f" {len(pages) / r['seconds']:10.0f} pages/s" if pages else ""))
    phased = {what: r for what, r in results.items() if "phases" in r}
    if phased:
        print(f"\nCPU seconds by process, and the wall time they would take on {args.cores} "
              "idle cores (each phase: the longer of the main process's CPU and the total "
              "spread over the cores; the phases one after the other):")
        print("(the analysis the main process took on when the workers were behind counts as "
              "the workers' work; so does the CPU of its threads other than the main one)")
        print(f"{'':13} {'main CPU':>9} {'workers':>8} {'helped':>7} {'est. wall':>10} "
              f"{'x floor':>8}   phases (main + workers)")
        for what, r in phased.items():
            wall = idle_wall(r["phases"], args.cores)
            where = ", ".join(f"{name} {main:.2f}+{work:.2f}" for name, main, work
                              in r["phases"] if main + work >= 0.01)
            print(f"{what:13} {r['main_cpu']:9.2f} {r['cpu'] - r['main_cpu']:8.2f} "
                  f"{r['helped']:7.2f} {wall:10.2f} {wall / floor['cpu']:8.2f}   {where}")
    if {"read", "plain", "convert"} <= results.keys():
        analysis = results["read"]["seconds"] - results["plain"]["seconds"]
        print(f"body analysis: {analysis:.2f} s = "
              f"{analysis / results['convert']['seconds']:.0%} of convert")


if __name__ == "__main__":
    main()
