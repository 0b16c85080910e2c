"""The determinism contract: speed work must not move a byte of the archive.

Every corpus file (optional test data, conftest.CORPUS), the example export and a small
export from the benchmark generator are converted, and the sha256 of each data file
(blog.json, posts.jsonl, comments.jsonl; events.jsonl carries times and ids, so it is left
out) is compared with the digests stored in ``fixtures/determinism.json``. Those were taken
before any of the speed work (issue 12), so a faster encoder, a cached validator, parallel
analysis or anything else that changes the output fails here, file by file.

When the output is meant to change (a new field, a reader that finds more), regenerate the
digests and commit them with that change, saying why:

    BLOGARCHIVE_UPDATE_DIGESTS=1 python -m pytest tests/test_determinism.py
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import blogarchive
from conftest import CORPUS, EXAMPLE, FIXTURES, ROOT

DIGESTS = FIXTURES / "determinism.json"
DATA_FILES = ("blog.json", "posts.jsonl", "comments.jsonl")
UPDATE = bool(os.environ.get("BLOGARCHIVE_UPDATE_DIGESTS"))
GENERATED_MB = 0.5  # about 75 posts and 150 comments: every body shape the generator writes


def _corpus_files() -> list[str]:
    """Corpus files, relative to the corpus: each Atom/RSS file and each saved page."""
    found = []
    for folder, pattern in (("atom", "*"), ("html", "*.html")):
        if (CORPUS / folder).is_dir():
            found += [f"{folder}/{p.name}" for p in sorted((CORPUS / folder).glob(pattern))
                      if p.is_file() and p.suffix not in (".tsv", ".md")]
    return found


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate",
                                                  ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def data_digests(dest: Path) -> dict[str, str]:
    """sha256 of every data file under ``dest`` (one archive, or a folder of them)."""
    return {
        path.relative_to(dest).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(dest.rglob("*"))
        if path.name in DATA_FILES and "schemas" not in path.relative_to(dest).parts
        and path.is_file()
    }


def converted(source: Path, dest: Path, **options: Any) -> dict[str, str]:
    """The data files' digests after ``convert``; a source that cannot be converted at all
    gives its error's class, which must not change either."""
    try:
        blogarchive.convert(source, dest, originals=False, **options)
    except blogarchive.BlogarchiveError as err:
        return {"error": type(err).__name__}
    return data_digests(dest)


def _stored() -> dict[str, dict[str, str]]:
    if not DIGESTS.is_file():
        return {}
    return json.loads(DIGESTS.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _check(key: str, found: dict[str, str]) -> None:
    stored = _stored()
    if UPDATE:
        stored[key] = found
        DIGESTS.write_text(json.dumps(stored, indent=1, sort_keys=True) + "\n", "utf-8")
        return
    assert key in stored, (f"no stored digests for {key}: if it is new test data, "
                           "regenerate the digests (see this module's docstring)")
    want = stored[key]
    differing = sorted(k for k in found.keys() | want.keys() if found.get(k) != want.get(k))
    assert found == want, (f"{key}: the archive's bytes changed ({', '.join(differing)}); if "
                           "that is intended, regenerate the digests (see this module's docstring)")


CORPUS_FILES = _corpus_files()


@pytest.mark.parametrize("name", CORPUS_FILES or ["no-corpus"])
def test_corpus_file_converts_to_the_same_bytes(name: str, tmp_path: Path) -> None:
    if not CORPUS_FILES:
        pytest.skip(f"optional test data absent: no corpus of real Blogger files at {CORPUS}")
    _check(f"corpus/{name}", converted(CORPUS / name, tmp_path / "out"))


def test_example_converts_to_the_same_bytes(tmp_path: Path) -> None:
    _check("example", converted(EXAMPLE, tmp_path / "out"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("generated") / "blog.xml"
    _generator().generate(GENERATED_MB, path)
    return path


def test_generated_export_converts_to_the_same_bytes(generated: Path, tmp_path: Path) -> None:
    _check("generated", converted(generated, tmp_path / "out"))


def test_generated_export_without_analysis_converts_to_the_same_bytes(
        generated: Path, tmp_path: Path) -> None:
    _check("generated-no-analysis", converted(generated, tmp_path / "out", analyse=False))


def test_digests_cover_every_corpus_file() -> None:
    """A stale list would let a corpus file go unchecked: each stored key is still there."""
    if not CORPUS_FILES:
        pytest.skip(f"optional test data absent: no corpus of real Blogger files at {CORPUS}")
    stored = {k.removeprefix("corpus/") for k in _stored() if k.startswith("corpus/")}
    assert stored == set(CORPUS_FILES)


# Bodies neither the corpus nor the generator has, which take the analysis's other paths:
# nesting past the parser's bound (flattened), thousands of intros, list items nested in items.
HOSTILE_BODIES = ("fuzz-analysis-many-intros.atom", "fuzz-analysis-unclosed-tags-deep.atom",
                  "fuzz-analysis-list-items-slow.atom.gz", "html-deep-nesting.html")


@pytest.mark.parametrize("name", HOSTILE_BODIES)
def test_hostile_bodies_convert_to_the_same_bytes(name: str, tmp_path: Path) -> None:
    _check(f"hostile/{name}", converted(FIXTURES / "hostile" / name, tmp_path / "out"))
