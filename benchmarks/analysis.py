"""The body analysis alone, on the posts of an export, against what any Python analysis pays.

    python benchmarks/analysis.py benchmarks/data/blog-100mb.xml
    python benchmarks/analysis.py FILE --repeat 3 --baseline /tmp/base/blogarchive

Reads FILE without analysing it, keeps each post's body, then measures in this one process,
in CPU seconds (the fastest of --repeat runs, the steps taking turns in each run):

  (a) parse     libxml2's HTML parse of every body (the analysis's own parser options)
  (b) loop      the same, plus one bare Python loop over every element of each tree
  (b') texts    the same loop reading each element's text and tail
  (c) analysis  ``blogarchive.analysis.analyse`` of every body, with the archive's URL map

and, given --baseline (the ``blogarchive`` package folder of another commit, e.g. from
``git archive COMMIT src/blogarchive | tar -x -C /tmp/base``), the same analysis by that code,
taking turns with this one: an A/B on one machine at one time, which separate runs on a
shared machine cannot give. Its results must be equal, or the run stops. Each figure is also
a ratio to the floor of ``run.py`` (bare iterparse of FILE, in its own process, fastest of
--repeat).
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from lxml import etree

sys.path.insert(0, str(Path(__file__).parent))
from run import measure

import blogarchive
from blogarchive import analysis, annotate
from blogarchive.analysis._tree import _PARSER


def _baseline(folder: Path) -> tuple[ModuleType, ModuleType]:
    """Another commit's ``analysis`` and ``annotate``, imported under another package name."""
    spec = importlib.util.spec_from_file_location(
        "blogarchive_baseline", folder / "__init__.py", submodule_search_locations=[str(folder)])
    assert spec is not None and spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules["blogarchive_baseline"] = package
    spec.loader.exec_module(package)
    return (importlib.import_module("blogarchive_baseline.analysis"),
            importlib.import_module("blogarchive_baseline.annotate"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--baseline", type=Path, help="another commit's blogarchive folder")
    args = parser.parse_args()

    floor = min(measure(args.file, "floor", Path("/tmp"), 1)["cpu"] for _ in range(args.repeat))
    archive = blogarchive.read(args.file, analyse=False)
    posts = [(p.content, p.url or archive.blog.url, p.content_type) for p in archive.posts]
    ids = [(p.id, p.url, p.path) for p in archive.posts]
    home = archive.blog.url
    del archive
    print(f"{len(posts):,} posts and pages; floor {floor:.2f} CPU s", flush=True)

    html = _PARSER  # the analysis's own parser, options and all
    docs = [("<html><body>" + c + "</body></html>").encode("utf-8", "replace")
            for c, _, _ in posts]

    def parse() -> None:
        for doc in docs:
            etree.fromstring(doc, html)

    def loop() -> None:
        for doc in docs:
            for _ in etree.fromstring(doc, html).iter():
                pass

    def texts() -> None:
        for doc in docs:
            for el in etree.fromstring(doc, html).iter():
                el.text  # noqa: B018 -- the read is what is measured
                el.tail  # noqa: B018

    def analyse(module: Any, maps: Any) -> Callable[[], list[Any]]:
        urls = maps.urls_of(ids, home)

        def run() -> list[Any]:
            fresh = type(urls)(posts=urls.posts, hosts=urls.hosts)  # its memo empty
            return [module.analyse(c, u, fresh, content_type=t) for c, u, t in posts]
        return run

    steps: dict[str, Callable[[], object]] = {
        "(a) parse": parse, "(b) loop": loop, "(b') texts": texts,
        "(c) analysis": analyse(analysis, annotate),
    }
    if args.baseline:
        old, old_maps = _baseline(args.baseline)
        steps["(c) analysis, baseline"] = analyse(old, old_maps)
        if [repr(r) for r in steps["(c) analysis"]()] != \
                [repr(r) for r in steps["(c) analysis, baseline"]()]:
            sys.exit("the baseline's analysis differs from this one's")
    best = dict.fromkeys(steps, float("inf"))
    for _ in range(args.repeat):
        for name, step in steps.items():
            gc.collect()
            start = time.process_time()
            step()
            best[name] = min(best[name], time.process_time() - start)
    print(f"{'':24} {'CPU s':>7} {'x floor':>8}")
    for name, cpu in best.items():
        print(f"{name:24} {cpu:7.2f} {cpu / floor:8.2f}")


if __name__ == "__main__":
    main()
