"""Every real file of the optional corpus (conftest.CORPUS, atom/) against the independently
counted EXPECTED.tsv, plus the round trip and byte-identical rewrite on each."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest

import blogarchive
from conftest import CORPUS, corpus_dir

EXPECTED = CORPUS / "atom" / "EXPECTED.tsv"


def _rows() -> list[dict[str, str]]:
    if not EXPECTED.is_file():
        return []
    with EXPECTED.open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


ROWS = _rows()
# EXPECTED.tsv names the family; our format names are finer (blogger-import, comment-feed).
FAMILY = {
    "legacy-export": "legacy-export",
    "blogger-import": "legacy-export",
    "public-feed": "public-feed",
    "comment-feed": "public-feed",
    "rss": "public-feed",
    "takeout": "takeout",
    "takeout-comments": "takeout",
}


def _ids(rows: list[dict[str, str]]) -> list[str]:
    return [r["file"] for r in rows] or ["no-corpus"]


@pytest.fixture(params=ROWS or [None], ids=_ids(ROWS))
def row(request: pytest.FixtureRequest) -> dict[str, str]:
    corpus_dir("atom")
    if request.param is None:
        pytest.skip("EXPECTED.tsv not found")
    return request.param  # type: ignore[no-any-return]


def test_counts_match_expected(row: dict[str, str]) -> None:
    archive = blogarchive.read(CORPUS / "atom" / row["file"])
    posts = [p for p in archive.posts if p.kind == "post"]
    pages = [p for p in archive.posts if p.kind == "page"]
    got = {
        "format": FAMILY[archive.sources[0].format],
        "post_live": sum(p.status == "live" for p in posts),
        "post_draft": sum(p.status == "draft" for p in posts),
        "page_live": sum(p.status == "live" for p in pages),
        "page_draft": sum(p.status == "draft" for p in pages),
        "comments": len(archive.comments),
        "threaded_replies": sum(c.parent_id is not None for c in archive.comments),
        "orphan_comments": sum(c.orphan for c in archive.comments),
        "labels": len(archive.labels),
    }
    want = {k: (v if k == "format" else int(v)) for k, v in row.items() if k != "file"}
    assert got == want
    assert archive.skipped == ()


def test_round_trip_and_identical_bytes(row: dict[str, str], tmp_path: Path) -> None:
    source = CORPUS / "atom" / row["file"]
    archive = blogarchive.read(source)
    blogarchive.write(archive, tmp_path / "a")
    assert blogarchive.load(tmp_path / "a") == archive
    blogarchive.write(blogarchive.read(source), tmp_path / "b")
    for name in ("blog.json", "posts.jsonl", "comments.jsonl"):
        first = hashlib.sha256((tmp_path / "a" / name).read_bytes()).hexdigest()
        second = hashlib.sha256((tmp_path / "b" / name).read_bytes()).hexdigest()
        assert first == second, name
