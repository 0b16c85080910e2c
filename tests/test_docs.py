"""Every recipe in README.md and docs/ runs as written and prints what the docs show.

The recipes (jq, DuckDB, pandas, shell) are taken from the Markdown files themselves (see
docblocks.py for the markers) and run in a folder holding ``archive/`` converted from the
example export, as README's first command makes it; each also runs on an archive written with
``--no-analysis``, where ``analysis`` is null in every post (issue 9, items 5 and 6).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest

import blogarchive
from blogarchive.cli import main
from conftest import EXAMPLE, FIXTURES, ROOT
from docblocks import DOCS, Block, code_blocks, matches, recipes

BIN = Path(sys.executable).parent  # the venv's scripts (duckdb, bagit.py) even when not activated
# tool -> (what must be present, how to get it)
TOOLS: dict[str, tuple[str, str]] = {
    "jq": ("jq", "jq is not installed: apt-get install jq (bash .ci/run does)"),
    "duckdb": ("duckdb", "the duckdb command is not installed: pip install -e '.[test]' "
               "(it brings duckdb-cli)"),
    "pandas": ("pandas", "pandas is not installed: pip install -e '.[test]'"),
    "sh": ("sha512sum", "sha512sum (GNU coreutils) is not installed"),
    "bagit": ("bagit.py", "bagit.py is not installed: pip install bagit"),
}
ARCHIVES = ("example", "bag", "rerun", "folder", "collection")
WITHOUT_ANALYSIS = ("same", "nothing")
# A block using one of these is a recipe and must be marked as one, so none goes untested.
TOOL_WORDS = re.compile(r"\bjq\b|\bduckdb\b|read_json|sha512sum|bagit\.py")
GONE = "6655443322110099887"  # the example's untitled draft, absent from the "newer export"


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def _require(tool: str) -> None:
    what, how = TOOLS[tool]
    if tool == "pandas":
        present = importlib.util.find_spec("pandas") is not None
    else:
        present = shutil.which(what, path=_environment()["PATH"]) is not None
    if not present:
        pytest.skip(how)


def run(recipe: Block, folder: Path) -> subprocess.CompletedProcess[str]:
    """Run the recipe as written, in ``folder`` (which holds ``archive/``)."""
    _require(recipe.attrs["tool"])
    if recipe.lang == "python":
        command = [sys.executable, "-c", recipe.text]
    else:
        command = ["bash", "-e", "-o", "pipefail", "-c", recipe.text]
    return subprocess.run(command, cwd=folder, env=_environment(), capture_output=True,
                          text=True, timeout=120, check=False)


def _without_entry(text: str, ident: str) -> str:
    pattern = re.compile(r"<entry><id>[^<]*\.post-" + ident + r"</id>.*?</entry>", re.S)
    assert pattern.search(text), ident
    return pattern.sub("", text, count=1)


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """A folder holding ``archive/`` of the given kind, made once per module."""
    made: dict[str, Path] = {}

    def make(kind: str) -> Path:
        if kind == "collection" and kind not in made:  # docs/batch.md: a batch's OUTDIR
            folder = tmp_path_factory.mktemp(kind)
            assert main(["batch", str(EXAMPLE), str(FIXTURES / "legacy" / "pitfalls.xml"),
                         str(FIXTURES / "takeout" / "Takeout"), "-o",
                         str(folder / "collection"), "-q"]) == 0
            made[kind] = folder
        if kind not in made:
            folder = tmp_path_factory.mktemp(kind)
            dest = str(folder / "archive")
            # As README's first command makes it: blogarchive convert EXAMPLE -o archive
            options = {"bag": ["--bag"], "no-analysis": ["--no-analysis"]}.get(kind, [])
            # "folder": a second blog converted with it, so archive/ is a folder of archives.
            second = [str(FIXTURES / "legacy" / "pitfalls.xml")] if kind == "folder" else []
            assert main(["convert", str(EXAMPLE), *second, "-o", dest, *options]) == 0
            if kind == "rerun":
                newer = folder / "blog-11-02-2010.xml"
                newer.write_text(_without_entry(EXAMPLE.read_text(encoding="utf-8"), GONE),
                                 encoding="utf-8")
                assert main(["convert", str(newer), "-o", dest]) == 0
            made[kind] = folder
        return made[kind]

    return make


RECIPES = recipes()


def _id(recipe: Block) -> str:
    return f"{recipe.where}-{recipe.attrs.get('tool')}"


def test_every_recipe_is_marked_and_shows_its_output() -> None:
    assert len(RECIPES) >= 15, "the recipe markers were not found"
    for path in DOCS:
        for block in code_blocks(path):
            if block.marker != "recipe":
                assert not TOOL_WORDS.search(block.text), (
                    f"{block.where}: uses jq/duckdb/pandas/sha512sum/bagit.py but is not "
                    "marked <!-- recipe tool=... -->, so no test runs it")
                continue
            assert block.attrs.get("tool") in TOOLS, f"{block.where}: unknown tool"
            assert block.attrs.get("on", "example") in ARCHIVES, f"{block.where}: unknown on="
            assert block.attrs.get("no-analysis", "same") in WITHOUT_ANALYSIS, block.where
            assert block.output is not None, f"{block.where}: no <!-- output --> block after it"


@pytest.mark.parametrize("recipe", RECIPES, ids=_id)
def test_recipe_prints_what_the_docs_show(recipe: Block,
                                          archives: Callable[[str], Path]) -> None:
    done = run(recipe, archives(recipe.attrs.get("on", "example")))
    assert done.returncode == 0, f"{recipe.where}: exit {done.returncode}: {done.stderr}"
    assert recipe.output is not None
    assert matches(recipe.output.text, done.stdout), (
        f"{recipe.where} printed:\n{done.stdout}\nthe docs show:\n{recipe.output.text}")


@pytest.mark.parametrize(
    "recipe", [r for r in RECIPES if r.attrs.get("on", "example") == "example"], ids=_id)
def test_recipe_runs_on_an_archive_without_analysis(recipe: Block,
                                                    archives: Callable[[str], Path]) -> None:
    done = run(recipe, archives("no-analysis"))
    assert (done.returncode, done.stderr) == (0, ""), recipe.where
    if recipe.attrs.get("no-analysis", "same") == "nothing":
        assert done.stdout == "", recipe.where
    else:
        assert recipe.output is not None
        assert matches(recipe.output.text, done.stdout), f"{recipe.where}:\n{done.stdout}"


def _named(name: str) -> Block:
    found = [r for r in RECIPES if r.attrs.get("name") == name]
    assert len(found) == 1, name
    return found[0]


def test_most_commented_keeps_untitled_posts_apart(tmp_path: Path) -> None:
    # Two commented posts without a title: grouped by title they would be one row of 4.
    archive = blogarchive.read(EXAMPLE)
    commented = {c.post_id for c in archive.comments}
    assert len(commented) == 2
    untitled = tuple(attrs.evolve(p, title="") if p.id in commented else p
                     for p in archive.posts)
    blogarchive.write(attrs.evolve(archive, posts=untitled), tmp_path / "archive")
    done = run(_named("most-commented"), tmp_path)
    assert done.returncode == 0, done.stderr
    rows = {tuple(cell.strip() for cell in line.split("│")[1:-1])
            for line in done.stdout.splitlines() if re.search(r"\d{19}", line)}
    assert rows == {("4471062391287760124", "", "3"), ("3377889900112233445", "", "1")}


def test_pandas_recipe_keeps_ids_that_a_plain_read_corrupts(
        archives: Callable[[str], Path]) -> None:
    _require("pandas")
    import pandas as pd

    comments = archives("example") / "archive" / "comments.jsonl"
    in_file = [json.loads(line)["parent_id"] for line in comments.read_text().splitlines()]
    replies = [p for p in in_file if p is not None]
    assert replies == ["1029384756102938475"]
    plain = pd.read_json(comments, lines=True)  # what the warning in docs/recipes.md is about
    assert str(plain["parent_id"].dropna().iloc[0]) != replies[0]
    kept = pd.read_json(comments, lines=True, dtype=False)  # what the recipe does
    assert list(kept["parent_id"].dropna()) == replies
    done = run(_named("pandas"), archives("example"))
    assert done.returncode == 0, done.stderr
    assert "5647382910564738291 1029384756102938475 4471062391287760124" in done.stdout


# -- the docs stand alone (issue 9, item 15) ------------------------------------------------

USER_DOCS = (*DOCS, ROOT / "benchmarks" / "README.md")
# The project's own research notes and test corpus are not where users can read them.
ELSEWHERE = re.compile(r"\.\./shared|shared/(?:docs|corpus)|\]\([^)]*(?:DESIGN|FORMATS|HTML|"
                       r"PRESERVATION|STYLE)\.md")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _slug(heading: str) -> str:
    """The anchor a Markdown renderer gives a heading (GitHub's rule)."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_user_docs_point_only_at_what_users_have() -> None:
    for path in USER_DOCS:
        text = path.read_text(encoding="utf-8")
        for n, line in enumerate(text.splitlines(), 1):
            found = ELSEWHERE.search(line)
            assert not found, f"{path.relative_to(ROOT)}:{n}: points at {found.group()}"
        for target in LINK.findall(text):
            if re.match(r"[a-z]+:", target):
                continue  # a web address
            name, _, anchor = target.partition("#")
            linked = (path.parent / name).resolve() if name else path
            assert linked.exists(), f"{path.relative_to(ROOT)}: link to missing {target}"
            if anchor and linked.suffix == ".md":
                headings = re.findall(r"^#+ (.+)$", linked.read_text(encoding="utf-8"), re.M)
                assert anchor in {_slug(h) for h in headings}, (
                    f"{path.relative_to(ROOT)}: no heading for #{anchor} in {linked.name}")


def test_public_docstrings_point_only_at_what_users_have() -> None:
    # help(blogarchive), help(blogarchive.Post) ... are docs too.
    import inspect

    texts = [blogarchive.__doc__ or ""]
    for name in blogarchive.__all__:
        thing = getattr(blogarchive, name)
        texts.append(inspect.getdoc(thing) or "")
        if inspect.isclass(thing):
            texts += [inspect.getdoc(m) or "" for _, m in inspect.getmembers(thing, callable)]
    plain = re.compile(r"\.\./shared|shared/(?:docs|corpus)|\b(?:DESIGN|FORMATS|HTML|"
                       r"PRESERVATION|STYLE)\.md")
    assert [t for t in texts if plain.search(t)] == []
