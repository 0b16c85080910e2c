"""A ``--jobs`` worker killed while a source of several blogs is converted (issue 13, branch
debt15): its blogs' archives were moved aside into OUTDIR/.batch-work/ then, and the task run
again wrote those blogs afresh, leaving the archives with everything converted into them
before stranded there. The task run again now moves them back first and merges into them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import blogarchive
from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from collection import TAKEOUT_BLOGS, write_collection, write_takeout
from generate import generate

# What differs between two runs of the same work: the events (time, id), the manifests
# listing their digests, batch.jsonl (durations, workers, times).
VARYING = ("events.jsonl", "manifest-sha256.txt", "manifest-sha512.txt", "batch.jsonl")

KILLED_ASIDE = """
import json, os, signal, sys
from pathlib import Path
import blogarchive
from blogarchive.batch import work

said, real = Path(sys.argv[1]), work._convert

def dies_once_aside(source, dest, *rest):
    # In a forked worker, the first time a source of several blogs is converted: its blogs'
    # archives already in OUTDIR are in the work folder now. What is there is said, then
    # the process is killed, as the pool kills the siblings of a worker that died.
    if dest.parent.name == work.SCRATCH and not said.exists():
        said.write_text(json.dumps(sorted(os.listdir(dest))))
        os.kill(os.getpid(), signal.SIGKILL)
    return real(source, dest, *rest)

work._convert = dies_once_aside
rows = blogarchive.batch(sys.argv[3:], sys.argv[2], jobs=2)
print(json.dumps(rows))
"""


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` but those that differ from run to run (hidden ones too:
    nothing may be left in .batch-work/)."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name not in VARYING}


def _events(archive: Path) -> int:
    return len((archive / "events.jsonl").read_text().splitlines())


def test_a_worker_killed_with_archives_moved_aside_strands_none(tmp_path: Path) -> None:
    sources = write_collection(tmp_path / "in", 3, extras=False)
    takeout = tmp_path / "in" / "Takeout"
    write_takeout(takeout)
    # An earlier export of the Takeout's first blog, with posts of its own: converted by a
    # first batch, so that its archive is in OUTDIR when the Takeout is converted.
    blog, title = TAKEOUT_BLOGS[0]
    earlier = tmp_path / "in" / "one-earlier.xml"
    generate(0.02, earlier, blog=blog, host="https://takeout-1.blogspot.com", title=title,
             seed=15, template=1000)
    given = [os.fspath(s) for s in [*sources, takeout]]

    expected, out = tmp_path / "expected", tmp_path / "out"
    for folder in (expected, out):
        assert blogarchive.batch([earlier], folder)[0]["status"] == "ok"
    blogarchive.batch(given, expected)
    (archive,) = [p.name for p in expected.iterdir() if blog in p.name]

    said = tmp_path / "in-the-work-folder.json"
    # In a process of its own: one thread, so the workers are forked and inherit the hook.
    done = subprocess.run([sys.executable, "-c", KILLED_ASIDE, os.fspath(said),
                           os.fspath(out), *given], capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    assert archive in json.loads(said.read_text())  # it was moved aside when killed
    rows = json.loads(done.stdout.splitlines()[-1])
    assert [row["status"] for row in rows] == ["ok"] * len(given)
    # The Takeout merged into the archive holding the earlier export, as without the kill:
    # the same files, one event for each conversion, nothing left in .batch-work/.
    assert tree(out) == tree(expected)
    assert _events(out / archive) == _events(expected / archive) == 2
    assert not (out / ".batch-work").exists()
    assert all(blogarchive.validate(p).valid for p in blogarchive.archives(out))

    # Run again: every input done before, nothing moves.
    before = tree(out)
    again = blogarchive.batch(given, out, jobs=2)
    assert [row["status"] for row in again] == ["ok"] * len(given)
    assert tree(out) == before and _events(out / archive) == 2


def test_an_archive_left_half_swapped_in_a_work_folder_is_put_back(tmp_path: Path) -> None:
    """Where a swap is two renames, a process killed between them left the blog's previous
    archive only as ``.NAME.old-<pid>`` in its work folder: both the task run again
    (``_reclaim``) and a later batch's ``repair`` put it back and move it to OUTDIR, rather
    than converting the blog afresh or removing the work folder with it."""
    from blogarchive.batch import work

    source = ROOT / "tests" / "fixtures" / "legacy" / "pitfalls.xml"
    for how in ("reclaim", "repair"):
        outdir = tmp_path / how
        built = outdir / "built"
        blogarchive.convert([source], built)
        folder = outdir / work.SCRATCH / "123-456"
        folder.mkdir(parents=True)
        name = "blog-1"
        built.rename(folder / f".{name}.old-999")
        if how == "reclaim":
            work._reclaim(outdir, (name,))
        else:
            assert work.repair(outdir) == [f"moved {folder / name} back to {outdir / name}"]
        assert (outdir / name / "events.jsonl").is_file()
        assert not folder.exists()
