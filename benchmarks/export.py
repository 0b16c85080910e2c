"""Time and peak memory of ``export --format site`` against ``convert``, on one archive.

    python benchmarks/export.py benchmarks/data/blog-100mb.xml   # convert it, then export it
    python benchmarks/export.py                                   # a generated 10 MB export
    python benchmarks/export.py FILE --phases                     # and the site's CPU by phase
    python benchmarks/export.py FILE --repeat 3                   # 3 rounds, medians

Each step runs in its own process (so peak RSS is its own), one after the other:
  convert  the export file into an archive (read, analyse, write, originals, manifests)
  load     blogarchive.load(archive): the whole archive in memory, which the export avoids
           (a reference: what the export would hold if it loaded the archive)
  site     blogarchive.export(archive, out, "site"): the archive read a line at a time into
           a temporary SQLite file, then every page, index and file
CPU is shown as user and system apart: the site writes about a file per post, and creating a
file is the kernel's work. With ``--phases`` the site step also times its phases
(``export_phases.py``: prepare, bodies, templates, files, search, ...), which costs it a few
tenths of a second more. The site step also samples its RSS every 0.2 s while it writes:
"growth" is its peak minus the RSS when the archive had been read, the memory the pages
themselves cost. CPU seconds (user + system, the process's own) count more than wall seconds
on a shared machine. The target (issue 11): site no slower than convert, and its peak the
same for an archive ten times the size (run it on two sizes). With ``--repeat N`` the two
are alternated N times (the load once), each round into fresh folders and nothing deleted
until all have run; the median ratio is the steady figure (this machine's speed drifts by up
to a third over minutes). Run it a few minutes after anything deleted many files: ext4
without a journal skips inodes freed in the last minute or so, and the site, which creates
a file per post, pays for them in system time (docs/performance.md, exp11j).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

CHILD = r"""
import json, resource, sys, threading, time
source, archive, out, what, phases = sys.argv[1:6]
start = time.perf_counter()
import blogarchive
samples = []
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20
if what == "convert":
    blogarchive.convert(source, archive)
    n = 0
elif what == "load":
    a = blogarchive.load(archive)
    n = len(a.posts)
else:
    stop = threading.Event()
    def sample():
        while not stop.wait(0.2):
            samples.append(rss())
    import importlib
    site = importlib.import_module("blogarchive.export.site")
    loaded = {}
    original = site.write
    def write(job):
        loaded["rss"] = rss()
        thread.start()
        original(job)
    site.write = write
    thread = threading.Thread(target=sample, daemon=True)
    if phases:
        sys.path.insert(0, phases)
        import export_phases
        clock = export_phases.Clock()
        export_phases.instrument(clock)
        clock.reset()
    report = blogarchive.export(archive, out)
    stop.set()
    if phases:
        clock.switch(None)
        print(export_phases.table(clock))
    n = report.files
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
peak = usage.ru_maxrss / 1024
result = {"what": what, "seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime,
          "user": usage.ru_utime, "system": usage.ru_stime,
          "peak_mib": peak, "items": n}
if what == "site":
    result["loaded_mib"] = loaded["rss"]
    result["writing_max_mib"] = max(samples, default=loaded["rss"])
print(json.dumps(result))
"""


def measure(source: Path, archive: Path, out: Path, what: str,
            phases: bool = False) -> dict[str, Any]:
    here = str(Path(__file__).resolve().parent) if phases and what == "site" else ""
    done = subprocess.run([sys.executable, "-c", CHILD, str(source), str(archive), str(out),
                           what, here], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{what} failed:\n{done.stderr}")
    lines = done.stdout.strip().splitlines()
    result: dict[str, Any] = json.loads(lines[-1])
    result["phases"] = "\n".join(lines[:-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", nargs="?", type=Path)
    parser.add_argument("--phases", action="store_true",
                        help="also time the site's phases (export_phases.py)")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="N rounds of convert and site, alternated (default 1)")
    args = parser.parse_args()
    source: Path | None = args.source
    work = Path(tempfile.mkdtemp(prefix="blogarchive-export-bench-"))
    try:
        if source is None:
            from generate import generate

            source = work / "blog-10mb.xml"
            generate(10, source)
        rounds = []
        load: dict[str, Any] = {}
        for number in range(max(1, args.repeat)):
            # every round into fresh folders, nothing deleted until all have run: on a file
            # system that skips the inodes freed in the last minutes (ext4 without a
            # journal), a site written just after another was deleted pays for that
            # deletion in system time (docs/performance.md, exp11j)
            archive, out = work / f"archive-{number}", work / f"site-{number}"
            convert = measure(source, archive, out, "convert")
            if not load:
                load = measure(source, archive, out, "load")
            site = measure(source, archive, out, "site", args.phases and number == 0)
            rounds.append({"convert": convert, "load": load, "site": site})
        show(source, rounds)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def show(source: Path, rounds: list[dict[str, dict[str, Any]]]) -> None:
    first = rounds[0]
    size_mb = source.stat().st_size / 1e6
    print(f"file: {source} ({size_mb:.1f} MB, {first['load']['items']:,} posts and pages"
          f"; the site: {first['site']['items']:,} files)")
    print(f"{'':8} {'seconds':>8} {'CPU s':>7} {'user':>7} {'system':>7} {'peak MiB':>9} "
          f"{'x convert CPU':>14}")
    for number, results in enumerate(rounds, 1):
        if len(rounds) > 1:
            print(f"round {number}")
        for what, r in results.items():
            if what == "load" and number > 1:
                continue
            print(f"{what:8} {r['seconds']:8.2f} {r['cpu']:7.2f} {r['user']:7.2f} "
                  f"{r['system']:7.2f} {r['peak_mib']:9.0f} "
                  f"{r['cpu'] / results['convert']['cpu']:14.2f}")
    if len(rounds) > 1:
        ratios = [r["site"]["cpu"] / r["convert"]["cpu"] for r in rounds]
        users = [r["site"]["user"] / r["convert"]["cpu"] for r in rounds]
        print(f"site / convert CPU over {len(rounds)} rounds: median "
              f"{statistics.median(ratios):.2f} (rounds "
              f"{', '.join(f'{x:.2f}' for x in ratios)}); the site's user time alone: "
              f"median {statistics.median(users):.2f}")
    site = first["site"]
    print(f"site RSS when the archive was read {site['loaded_mib']:.0f} MiB, at most "
          f"{site['writing_max_mib']:.0f} MiB while writing pages (growth "
          f"{site['writing_max_mib'] - site['loaded_mib']:.0f} MiB)")
    if site["phases"]:
        print(f"the site's CPU by phase (export_phases.py):\n{site['phases']}")


if __name__ == "__main__":
    main()
