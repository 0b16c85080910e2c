"""The exports read the archive a record at a time (issue 11): ``store.load_head``,
``iter_posts`` and ``iter_comments`` say what ``load`` says, a damaged line stops the export
before OUT is touched, and the spool's on-disk mapping behaves as a dict. That the output
did not move is test_export_golden.py; that memory is flat, benchmarks/export.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import blogarchive
from blogarchive.errors import ArchiveError
from blogarchive.export.spool import Spool, SqlMap
from blogarchive.store import iter_comments, iter_posts, load, load_head
from export_archive import written


def test_the_streaming_reader_gives_what_load_gives(tmp_path: Path) -> None:
    dest = written(tmp_path / "archive")
    whole = load(dest)
    head = load_head(dest)
    assert (head.posts, head.comments) == ((), ())
    assert (head.blog, head.labels, head.sources, head.skipped, head.notes) == (
        whole.blog, whole.labels, whole.sources, whole.skipped, whole.notes)
    assert tuple(iter_posts(dest)) == whole.posts
    assert tuple(iter_comments(dest)) == whole.comments


def _damage(path: Path, number: int, field: str, value: object) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    data = json.loads(lines[number - 1])
    data[field] = value
    lines[number - 1] = json.dumps(data) + "\n"
    path.write_text("".join(lines), encoding="utf-8")


@pytest.mark.parametrize(("name", "number"), [("posts.jsonl", 3), ("comments.jsonl", 2)])
@pytest.mark.parametrize("fmt", ["site", "hugo", "wxr"])
def test_a_damaged_line_stops_the_export_before_out_is_touched(
        tmp_path: Path, name: str, number: int, fmt: str) -> None:
    dest = written(tmp_path / "archive")
    _damage(dest / name, number, "published", "yesterday")
    with pytest.raises(ArchiveError) as loading:
        load(dest)
    assert f"{name}: line {number}" in str(loading.value)
    with pytest.raises(ArchiveError) as exporting:
        blogarchive.export(dest, tmp_path / "out", fmt)
    assert str(exporting.value) == str(loading.value)  # the same words as load
    assert not (tmp_path / "out").exists()


def test_a_missing_comments_file_is_named(tmp_path: Path) -> None:
    dest = written(tmp_path / "archive")
    (dest / "comments.jsonl").unlink()
    with pytest.raises(ArchiveError, match=r"comments\.jsonl: missing"):
        blogarchive.export(dest, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_the_spools_mapping_is_a_dict_on_disk(tmp_path: Path) -> None:
    with Spool(written(tmp_path / "archive")) as spool:
        mapping = SqlMap(spool, "things")
        odd = "label \udc80 with a lone surrogate"  # SQLite's text type would refuse it
        assert mapping.setdefault(odd, "first") == "first"
        assert mapping.setdefault(odd, "second") == "first"  # setdefault: the first stays
        mapping["b"] = "x"
        mapping["b"] = "y"  # assignment: the last stays
        assert (mapping[odd], mapping["b"], mapping.get("c"), "c" in mapping) == (
            "first", "y", None, False)
        assert sorted(mapping) == ["b", odd] and len(mapping) == 2
        del mapping["b"]
        with pytest.raises(KeyError):
            mapping["b"]


def test_submodules_import_past_the_functions_that_share_their_names() -> None:
    # blogarchive.export and blogarchive.capture are the functions; their packages' modules
    # must still import by their full names (this raised ImportError before)
    import blogarchive.capture.plan as plan
    import blogarchive.export.site as site

    assert site.__name__ == "blogarchive.export.site" and callable(site.write)
    assert plan.__name__ == "blogarchive.capture.plan"
    assert callable(blogarchive.export) and callable(blogarchive.capture)
    assert blogarchive.export.__qualname__ == "export"


@pytest.mark.parametrize("fmt", ["hugo", "jekyll", "wxr"])
def test_the_summary_counts_the_drafts_a_migration_exports(tmp_path: Path, fmt: str) -> None:
    # a draft, a scheduled post, a trashed one and a draft page: all exported as drafts
    report = blogarchive.export(written(tmp_path / "archive"), tmp_path / "out", fmt)
    assert report.drafts == 4
    assert f"exported 6 posts, 1 page, 4 drafts, {report.comments} comments as {fmt}" \
        in report.lines()[0]


def test_the_site_summary_leaves_the_drafts_to_its_note(tmp_path: Path) -> None:
    report = blogarchive.export(written(tmp_path / "archive"), tmp_path / "out")
    assert report.lines()[0].startswith("exported 6 posts, 1 page, 4 comments as site")
    assert any("never public): 2 draft, 1 scheduled, 1 soft-trashed" in line
               for line in report.lines())


def test_the_exports_read_the_label_index_without_its_post_ids(tmp_path: Path) -> None:
    # blog.json's label index lists every post under each of its labels: it grows with the
    # blog (8 MB at 1 GB), and the exports need only the names; each label's ids are
    # dropped as they are decoded, so at most one label's list is ever in memory
    import tracemalloc

    dest = written(tmp_path / "archive")
    with Spool(dest) as spool:
        assert [label.name for label in spool.head.labels] == [
            label.name for label in load_head(dest).labels]
        assert spool.head.labels and all(label.post_ids == () for label in spool.head.labels)
    document = json.loads((dest / "blog.json").read_text(encoding="utf-8"))
    document["labels"] = [{"name": f"label {n}", "post_ids": [f"{n}-{i:012d}" for i in
                                                             range(4000)]} for n in range(25)]
    (dest / "blog.json").write_text(json.dumps(document), encoding="utf-8")
    peaks = {}
    for label_posts in (True, False):
        tracemalloc.start()
        head = load_head(dest, label_posts=label_posts)
        peaks[label_posts] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert len(head.labels) == 25
    # 100,000 ids held, or 4,000 at a time (what stays is the text of blog.json itself)
    assert peaks[False] * 2 < peaks[True], peaks
