"""README's claims, checked as written: its library example runs on every input the tests
have and passes ``mypy --strict`` (issue 9, item 7); a rerun changes only what it says.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import blogarchive
from conftest import EXAMPLE, FIXTURES, ROOT, corpus_dir
from docblocks import example

LIBRARY = example(ROOT / "README.md", "library")
NAME = '"blog-10-02-2010.xml"'
POST_ID = '"4471062391287760124"'
# The inputs the tests have that blogarchive reads as one blog (bad/ and unsafe/ are refused
# on purpose; these two pages are refused as not Blogger's and as truncated).
REFUSED = {"not-blogger.html", "truncated-blogger.html"}
FIXTURE_INPUTS = [
    EXAMPLE,
    *sorted((FIXTURES / "legacy").glob("*.xml")),
    *sorted((FIXTURES / "preserve").glob("*.xml")),
    *sorted((FIXTURES / "feeds").iterdir()),
    *sorted((FIXTURES / "json").iterdir()),
    FIXTURES / "takeout" / "Takeout",
    *sorted(p for p in (FIXTURES / "html").glob("*.html") if p.name not in REFUSED),
    FIXTURES / "html" / "mirror",
]


def exec_in(where: Path, code: str, name: str) -> str:
    """Run ``code`` as a script in the folder ``where``; what it prints."""
    out = io.StringIO()
    cwd = Path.cwd()
    os.chdir(where)
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, name, "exec"), {"__name__": "__main__"})
    finally:
        os.chdir(cwd)
    return out.getvalue()


def _check(source: Path, where: Path) -> str:
    """README's example with its file name (and post id) replaced, run in ``where``."""
    assert LIBRARY.text.count(NAME) == 1 and LIBRARY.text.count(POST_ID) == 1
    archive = blogarchive.read(source, analyse=False)
    code = LIBRARY.text.replace(NAME, repr(str(source)))
    if archive.posts:  # the post with the longest body, so its analysis has something to show
        longest = max(archive.posts, key=lambda p: len(p.content or ""))
        code = code.replace(POST_ID, repr(longest.id))
    printed = exec_in(where, code, f"README.md:{LIBRARY.line}")
    for record in (*archive.posts, *archive.comments):
        assert f"\n{record.id} " in f"\n{printed}", f"{source.name}: {record.id} not printed"
    assert printed.rstrip().endswith("Blog"), source.name  # iter_records ran to the end
    assert (where / "preserved" / "bagit.txt").is_file()
    return printed


@pytest.mark.parametrize("source", FIXTURE_INPUTS, ids=lambda p: p.name)
def test_library_example_runs_on_every_fixture(source: Path, tmp_path: Path) -> None:
    _check(source, tmp_path)


def test_library_example_runs_on_every_corpus_file(tmp_path: Path) -> None:
    files = [p for name in ("atom", "html") for p in sorted(corpus_dir(name).iterdir())
             if p.is_file() and not p.name.endswith((".tsv", ".json"))]
    assert files
    for n, source in enumerate(files):
        where = tmp_path / str(n)
        where.mkdir()
        _check(source, where)


def test_library_example_on_a_page_that_gives_no_date(tmp_path: Path) -> None:
    # The example used to call post.published.isoformat(), which crashed here.
    source = FIXTURES / "html" / "static-page.html"
    assert [p.published for p in blogarchive.read(source).posts] == [None]
    assert "date unknown" in _check(source, tmp_path)


def _package_example() -> str:
    """The example in blogarchive's docstring (what help(blogarchive) shows), as a script."""
    lines = (blogarchive.__doc__ or "").splitlines()
    code = [line[4:] for line in lines if line.startswith("    ")]
    assert code and NAME in code[0], "blogarchive's docstring lost its example"
    return "import blogarchive\n\n" + "\n".join(code) + "\n"


def test_package_docstring_example_runs(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE, tmp_path / "blog-10-02-2010.xml")
    printed = exec_in(tmp_path, _package_example(), "blogarchive.__doc__")
    assert "4471062391287760124 blockquote-cite" in printed


def test_library_examples_pass_mypy_strict(tmp_path: Path) -> None:
    # README's example and the one in blogarchive's docstring, in one (slow, cold) mypy run.
    if shutil.which("mypy", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("mypy is not installed: pip install -e '.[test]'")
    (tmp_path / "readme_example.py").write_text(LIBRARY.text, encoding="utf-8")
    (tmp_path / "docstring_example.py").write_text(_package_example(), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "readme_example.py",
         "docstring_example.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"Success: no issues found in 2 source files", done.stdout)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _changed(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


@pytest.mark.parametrize("bag", [False, True], ids=["plain", "bag"])
def test_rerun_changes_what_readme_says(tmp_path: Path, bag: bool) -> None:
    # README: the data files and originals stay byte for byte; events.jsonl gets the new
    # run's events (two with --bag), and what lists its digest changes with it.
    dest = tmp_path / "archive"
    blogarchive.convert(EXAMPLE, dest, bag=bag)
    before = _files(dest)
    blogarchive.convert(EXAMPLE, dest, bag=bag)
    after = _files(dest)
    data = "data/" if bag else ""
    expected = {f"{data}events.jsonl", "manifest-sha512.txt", "manifest-sha256.txt"}
    if bag:
        expected |= {"bag-info.txt", "tagmanifest-sha512.txt", "tagmanifest-sha256.txt"}
    assert _changed(before, after) == expected
    events = after[f"{data}events.jsonl"]
    assert events.startswith(before[f"{data}events.jsonl"])
    assert events.count(b"\n") == before[f"{data}events.jsonl"].count(b"\n") + (2 if bag else 1)
    for manifest in ("manifest-sha512.txt", "manifest-sha256.txt"):
        old, new = (set(files[manifest].splitlines()) for files in (before, after))
        assert [line.split()[-1] for line in old ^ new] == [f"{data}events.jsonl".encode()] * 2
    if bag:
        old_info, new_info = (set(files["bag-info.txt"].splitlines()) for files in (before, after))
        assert {line.split(b":")[0] for line in old_info ^ new_info} <= {
            b"Payload-Oxum", b"Bagging-Date"}
