"""``convert`` out of core (``blogarchive.spool``) writes what the in-memory path writes.

The reference is the Archive ``read_all`` assembles in memory (``assemble.Assembler``),
merged with the previous archive as ``read_groups`` merges it, redacted by ``redact`` and
written by ``store.write_data``: exactly what ``convert`` wrote before it spooled. Each test
compares the data files byte for byte (tests/test_determinism.py compares them with digests
taken before any of this work, for the corpus and a generated export), and the summary
``convert`` gives (what the command prints) with ``summarise`` of that Archive.
"""

from __future__ import annotations

import json
import re
import shutil
import tracemalloc
import weakref
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import blogarchive
from blogarchive.describe import summarise
from blogarchive.preserve import fixity
from blogarchive.preserve.redact import redact
from blogarchive.reading import ReadReport, read_groups
from blogarchive.spool import Spool, output
from blogarchive.store import load, write_data
from conftest import CORPUS, FIXTURES
from test_determinism import DATA_FILES, _generator

READABLE = (".xml", ".atom", ".json", ".html", ".gz", ".zip", ".warc")


def _data(folder: Path) -> dict[str, bytes]:
    """The data files under ``folder`` (an archive, a bag, or a folder of archives)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        if path.name in DATA_FILES and "schemas" not in parts and path.is_file():
            found["/".join(p for p in parts if p != "data")] = path.read_bytes()
    return found


def reference(sources: Any, out: Path, *, previous: Path | None = None, analyse: bool = True,
              redact_emails: bool = False) -> dict[str, Any]:
    """What the in-memory path writes: data files by blog, or the error's class."""
    try:
        earlier = [load(previous)] if previous is not None else []
        groups = read_groups(sources, report=ReadReport(), analyse=analyse, previous=earlier)
    except blogarchive.BlogarchiveError as err:
        return {"error": type(err).__name__}
    written: dict[str, Any] = {}
    for number, (archive, _) in enumerate(groups):
        if redact_emails:
            archive, _ = redact(archive, "emails")
        folder = out / str(number)
        folder.mkdir(parents=True)
        write_data(archive, folder)
        written[archive.blog.id or str(number)] = {**_data(folder),
                                                   "summary": summarise(archive)}
    return written


def spooled(sources: Any, dest: Path, **options: Any) -> dict[str, Any]:
    """What ``convert`` writes now, in the same shape as ``reference``."""
    try:
        done = blogarchive.convert(sources, dest, originals=False, report=ReadReport(),
                                   **options)
    except blogarchive.BlogarchiveError as err:
        return {"error": type(err).__name__}
    return {(r.summary.blog.id or str(n)): {**_data(r.path), "summary": r.summary}
            for n, r in enumerate(done)}


def _fixtures() -> list[str]:
    # Not the hostile files made slow to read (test_hostile_fixtures times them).
    return sorted(p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*")
                  if p.is_file() and p.suffix in READABLE and "slow" not in p.name)


@pytest.mark.parametrize("name", _fixtures())
def test_every_fixture_file_is_written_as_in_memory(name: str, tmp_path: Path) -> None:
    """Hostile files test the readers: converted without the body analysis (the same code
    either way) so that those made slow to analyse stay fast here."""
    source = FIXTURES / name
    analyse = not name.startswith("hostile/")
    assert (spooled(source, tmp_path / "dest", analyse=analyse)
            == reference(source, tmp_path / "ref", analyse=analyse))


@pytest.mark.parametrize("folder", ["html/mirror", "html/templates", "takeout/Takeout",
                                    "feeds", "legacy", "json"])
def test_folders_of_sources_are_written_as_in_memory(folder: str, tmp_path: Path) -> None:
    """Several files of one blog (HTML pages merged copy by copy, feed pages, Takeout's
    feeds), or of several blogs (one folder of archives)."""
    source = FIXTURES / folder
    assert source.is_dir()
    assert spooled(source, tmp_path / "dest") == reference(source, tmp_path / "ref")


def _export(tmp_path: Path, megabytes: float, name: str = "blog.xml") -> Path:
    path = tmp_path / name
    _generator().generate(megabytes, path)
    return path


def _entries(text: str) -> list[str]:
    return re.findall(r"<entry>.*?</entry>", text, flags=re.S)


def _variant(source: Path, out: Path) -> Path:
    """A later export of the same blog: every third entry gone (so earlier records are
    retained), every fifth twice, once with a later ``updated`` and other words (the copy
    updated last must win), and the first comment moved before every post."""
    text = source.read_text(encoding="utf-8")
    entries = _entries(text)
    kept = []
    for number, entry in enumerate(entries):
        if (number % 3 == 1 and "kind#post" in entry) or number % 7 == 2:
            continue
        kept.append(entry)
        if number % 5 == 0 and "<updated>" in entry:
            later = re.sub(r"<updated>(\d{4})", lambda m: f"<updated>{int(m[1]) + 1}",
                           entry, count=1)
            kept.append(later.replace("</content>", " (edited)</content>", 1))
    posts = {m[1] for e in kept if "kind#post" in e
             for m in [re.search(r"<id>[^<]*post-(\d+)</id>", e)] if m}
    comments = [e for e in kept if "kind#comment" in e
                and (m := re.search(r"in-reply-to[^>]*ref='[^']*post-(\d+)'", e))
                and m[1] in posts]
    kept.remove(comments[0])
    first_post = next(i for i, e in enumerate(kept) if "kind#post" in e)
    kept.insert(first_post, comments[0])
    head = text[:text.index("<entry>")]
    out.write_text(head + "".join(kept) + "</feed>\n", encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("exports")
    first = _export(folder, 0.5)
    return first, _variant(first, folder / "later.xml")


def test_the_variant_holds_what_the_merge_tests_need(exports: tuple[Path, Path]) -> None:
    first, later = exports
    archive = blogarchive.read(later, analyse=False)
    assert any("read more than once" in n for n in archive.notes)
    assert any("comes before its post" in n for n in archive.notes)
    assert len(_entries(later.read_text("utf-8"))) != len(_entries(first.read_text("utf-8")))


def test_duplicates_and_early_comments_as_in_memory(exports: tuple[Path, Path],
                                                     tmp_path: Path) -> None:
    _, later = exports
    assert spooled(later, tmp_path / "dest") == reference(later, tmp_path / "ref")


def test_merge_into_an_existing_archive_as_in_memory(exports: tuple[Path, Path],
                                                     tmp_path: Path) -> None:
    """Records the later export lacks are retained from the archive at the destination."""
    first, later = exports
    dest = tmp_path / "dest"
    blogarchive.convert(first, dest, originals=False)
    before = tmp_path / "before"
    shutil.copytree(dest, before)
    found = spooled(later, dest)
    assert found == reference(later, tmp_path / "ref", previous=before)
    assert b'"retained":true' in next(iter(found.values()))["posts.jsonl"]


def test_redaction_and_a_bag_as_in_memory(tmp_path: Path) -> None:
    source = FIXTURES / "preserve" / "emails-2009.xml"
    found = spooled(source, tmp_path / "dest", redact_emails=True, bag=True)
    assert found == reference(source, tmp_path / "ref", redact_emails=True)
    assert b"marta.field@example.net" not in next(iter(found.values()))["blog.json"]


def test_jobs_two_as_in_memory(exports: tuple[Path, Path], tmp_path: Path) -> None:
    first, _ = exports
    assert spooled(first, tmp_path / "dest", jobs=2) == reference(first, tmp_path / "ref")


def test_without_analysis_as_in_memory(exports: tuple[Path, Path], tmp_path: Path) -> None:
    _, later = exports
    assert (spooled(later, tmp_path / "dest", analyse=False)
            == reference(later, tmp_path / "ref", analyse=False))


@pytest.mark.parametrize("name", ["atom", "html"])
def test_corpus_folders_as_in_memory(name: str, tmp_path: Path) -> None:
    """Every corpus file of a kind at once: several blogs, a folder of archives."""
    folder = CORPUS / name
    if not folder.is_dir():
        pytest.skip(f"optional test data absent: no corpus at {folder}")
    assert spooled(folder, tmp_path / "dest") == reference(folder, tmp_path / "ref")


def _peak(source: Path, dest: Path) -> int:
    """The Python heap's peak over one ``convert``."""
    tracemalloc.start()
    try:
        blogarchive.convert(source, dest, originals=False, analyse=False)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_export(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The Python heap's peak while converting an export four times larger (1.6 MB more)
    stays within 256 KiB of the smaller one's: no step holds every record. Held in memory,
    as before the spool, the peak grew by megabytes (2.3 times the growth of the file).
    The fixity's read buffer (a constant 1 MiB, which the smaller archive's files do not
    fill) is made small so that the measure sees only what grows."""
    monkeypatch.setattr(fixity, "_BLOCK", 1 << 16)
    small, large = _export(tmp_path, 0.5, "small.xml"), _export(tmp_path, 2, "large.xml")
    assert large.stat().st_size > 3.5 * small.stat().st_size
    _peak(small, tmp_path / "warm")  # imports and caches out of the measure
    # The lower of two runs each: a table of the interpreter's that grows once (the
    # interned strings', about 1 MiB at a time) must not be counted as the export's.
    low = min(_peak(small, tmp_path / f"a{n}") for n in range(2))
    high = min(_peak(large, tmp_path / f"b{n}") for n in range(2))
    assert high - low < 256 * 1024, (low, high)


class _Tracked(dict[str, Any]):
    """A decoded line that a weak reference can follow (hashed by identity)."""

    __hash__ = object.__hash__  # type: ignore[assignment]


def test_records_alive_at_once_are_few(tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Structurally: of the records read and spooled, and of the posts read back from the
    spool to be analysed and written, only a handful are alive at any moment, whatever the
    size of the export (the analysis took the first 64 bodies before it started, and then
    every body, as a tuple: found by this test)."""
    alive: weakref.WeakSet[Any] = weakref.WeakSet()
    most = [0]

    def seen(record: Any) -> Any:
        alive.add(record)
        most[0] = max(most[0], len(alive))
        return record

    put = Spool.put
    monkeypatch.setattr(Spool, "put", lambda self, record: (seen(record), put(self, record))[1])
    def loads(text: str | bytes) -> Any:
        value = json.loads(text)  # a line (a dict), or a post's labels from the index
        return seen(_Tracked(value)) if isinstance(value, dict) else value

    decoding = SimpleNamespace(loads=loads)
    monkeypatch.setattr(output, "json", decoding)
    source = _export(tmp_path, 1)
    done = blogarchive.convert(source, tmp_path / "dest", originals=False)
    assert done[0].summary.posts > 100
    assert 0 < most[0] <= 8, most[0]


def test_without_analysis_post_lines_are_copied_undecoded(
        exports: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What blog.json and the summary count of a post (kind, status, labels, author, title,
    retained) is in its index row: with no analysis to add, a post's line is copied to
    posts.jsonl as it stands, decoded only for the date range's first and last post (it
    was decoded once per post: issue 12). Kept records are marked retained in place."""
    first, later = exports
    dest = tmp_path / "dest"
    blogarchive.convert(first, dest, originals=False, analyse=False)
    decoded: list[dict[str, Any]] = []

    def loads(text: str | bytes) -> Any:
        value = json.loads(text)
        if isinstance(value, dict):
            decoded.append(value)
        return value

    monkeypatch.setattr(output, "json", SimpleNamespace(loads=loads))
    done = blogarchive.convert(later, dest, originals=False, analyse=False)
    assert done[0].summary.posts > 50
    assert len(decoded) <= 2
    assert b'"retained":true' in (dest / "posts.jsonl").read_bytes()
