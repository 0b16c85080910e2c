"""Throughput and peak memory of blogarchive against bare lxml iterparse, on the same file.

    python benchmarks/run.py benchmarks/data/blog-100mb.xml
    python benchmarks/run.py benchmarks/data/pages-3000       # a folder of saved pages

Each measurement runs in its own process (so peak RSS is its own), one after the other on
the same file:
  floor    lxml.etree.iterparse over every element, clearing done entries (no mapping)
  stream   blogarchive.iter_records(file): every record made, none kept (flat memory)
  plain    blogarchive.read(file, analyse=False): records, assembled Archive, no body analysis
  read     blogarchive.read(file): the same with every post body analysed
  convert  the CLI's work: read + write the JSON archive to a temporary folder
Figures are MB/s of input and peak RSS in MiB, and each as a ratio to the floor; the body
analysis's cost is reported as (read - plain) as a share of convert.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, resource, sys, time, tempfile
path, what = sys.argv[1], sys.argv[2]
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
else:
    import blogarchive
    a = blogarchive.read(path)
    with tempfile.TemporaryDirectory() as d:
        blogarchive.write(a, d + "/archive")
    n = len(a.posts) + len(a.comments)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"what": what, "seconds": seconds, "peak_mib": peak, "items": n}))
"""


def measure(path: Path, what: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", CHILD, str(path), what],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    if path is None:
        from generate import generate

        path = Path(tempfile.gettempdir()) / "blogarchive-bench-10mb.xml"
        generate(10, path)
    pages = sorted(path.rglob("*.html")) if path.is_dir() else []
    size_mb = (sum(p.stat().st_size for p in pages) if pages else path.stat().st_size) / 1e6
    steps = ("floor", "stream", "plain", "read", "convert")
    results = {what: measure(path, what) for what in steps}
    floor = results["floor"]
    print(f"{'folder' if pages else 'file'}: {path} ({size_mb:.1f} MB"
          + (f", {len(pages):,} pages)" if pages else ")"))
    print(f"{'':8} {'seconds':>8} {'MB/s':>8} {'peak MiB':>9} {'time x floor':>13} "
          f"{'memory x floor':>15}")
    for what, r in results.items():
        print(f"{what:8} {r['seconds']:8.2f} {size_mb / r['seconds']:8.1f} {r['peak_mib']:9.0f} "
              f"{r['seconds'] / floor['seconds']:13.2f} {r['peak_mib'] / floor['peak_mib']:15.2f}"
              + (f" {len(pages) / r['seconds']:10.0f} pages/s" if pages else ""))
    analysis = results["read"]["seconds"] - results["plain"]["seconds"]
    print(f"body analysis: {analysis:.2f} s = {analysis / results['convert']['seconds']:.0%} "
          "of convert")


if __name__ == "__main__":
    main()
