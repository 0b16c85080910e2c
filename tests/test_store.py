"""The JSON archive: schema-valid, documented, byte-identical, atomic, loadable."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import blogarchive
from blogarchive import schema as schema_module
from blogarchive.store import SCHEMA_IDS
from conftest import CORPUS, EXAMPLE, FIXTURES

SOURCES = [
    EXAMPLE,
    FIXTURES / "legacy" / "pitfalls.xml",
    FIXTURES / "takeout" / "Takeout",
    FIXTURES / "feeds" / "posts.rss.xml",
    FIXTURES / "feeds" / "comments-post3.atom",
]
SOURCES += sorted(p for p in (CORPUS / "atom").glob("*") if p.suffix in (".xml", ".atom"))


def _validators() -> dict[str, jsonschema.protocols.Validator]:
    found = {}
    for name, schema in schema_module.schemas().items():
        jsonschema.Draft202012Validator.check_schema(schema)
        found[name] = jsonschema.Draft202012Validator(schema)
    return found


def test_generated_schemas_and_field_docs_are_up_to_date() -> None:
    for path, text in schema_module.render().items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path} is stale: run python -m blogarchive.schema")


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_every_written_file_validates(source: Path, tmp_path: Path) -> None:
    validators = _validators()
    blogarchive.write(blogarchive.read(source), tmp_path / "a")
    blog = json.loads((tmp_path / "a" / "blog.json").read_text(encoding="utf-8"))
    validators["blog.json"].validate(blog)
    for name, kind in (("posts.jsonl", "post.json"), ("comments.jsonl", "comment.json")):
        for line in (tmp_path / "a" / name).read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            validators[kind].validate(record)
            assert record["schema"] == SCHEMA_IDS[kind.split(".")[0]]


@pytest.mark.parametrize("source", SOURCES[:5], ids=lambda p: p.name)
def test_round_trip_and_byte_identical_rewrite(source: Path, tmp_path: Path) -> None:
    archive = blogarchive.read(source)
    blogarchive.write(archive, tmp_path / "a")
    loaded = blogarchive.load(tmp_path / "a")
    assert loaded == archive
    blogarchive.write(loaded, tmp_path / "b")  # rewriting what was loaded changes nothing
    blogarchive.write(blogarchive.read(source), tmp_path / "c")
    for name in ("blog.json", "posts.jsonl", "comments.jsonl"):
        first = (tmp_path / "a" / name).read_bytes()
        assert first == (tmp_path / "b" / name).read_bytes() == (tmp_path / "c" / name).read_bytes()


def test_timestamps_keep_their_own_offsets_in_json(tmp_path: Path) -> None:
    blogarchive.write(blogarchive.read(FIXTURES / "legacy" / "pitfalls.xml"), tmp_path / "a")
    lines = (tmp_path / "a" / "posts.jsonl").read_text(encoding="utf-8").splitlines()
    published = {json.loads(x)["id"]: json.loads(x)["published"] for x in lines}
    assert published["1000000000000000001"] == "2013-07-01T09:00:00+01:00"
    assert published["1000000000000000002"] == "2014-01-15T12:00:00Z"
    assert all(isinstance(json.loads(x)["id"], str) for x in lines)


def test_rewrite_replaces_an_archive_but_never_other_folders(tmp_path: Path) -> None:
    archive = blogarchive.read(EXAMPLE)
    blogarchive.write(archive, tmp_path / "out")
    blogarchive.write(archive, tmp_path / "out")  # an archive may be replaced
    precious = tmp_path / "home"
    precious.mkdir()
    (precious / "thesis.tex").write_text("years of work")
    with pytest.raises(blogarchive.ArchiveError, match="not a blogarchive archive"):
        blogarchive.write(archive, precious)
    assert (precious / "thesis.tex").read_text() == "years of work"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "out"]  # no temp left


def test_interrupted_write_leaves_the_previous_archive(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    archive = blogarchive.read(EXAMPLE)
    blogarchive.write(archive, tmp_path / "out")
    before = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}

    def crash(*_args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("blogarchive.store._write_text", crash)
    with pytest.raises(KeyboardInterrupt):
        blogarchive.write(blogarchive.read(FIXTURES / "legacy" / "pitfalls.xml"), tmp_path / "out")
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_load_reports_damage_with_file_and_line(tmp_path: Path) -> None:
    blogarchive.write(blogarchive.read(EXAMPLE), tmp_path / "out")
    posts = tmp_path / "out" / "posts.jsonl"
    lines = posts.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1][:40]
    posts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(blogarchive.ArchiveError, match=r"posts\.jsonl: line 2: not JSON"):
        blogarchive.load(tmp_path / "out")
    with pytest.raises(blogarchive.ArchiveError, match=r"no blog\.json"):
        blogarchive.load(tmp_path)


def test_load_errors_name_the_file_line_and_field(tmp_path: Path) -> None:
    dest = tmp_path / "a"
    blogarchive.write(blogarchive.read(EXAMPLE), dest)
    posts = dest / "posts.jsonl"
    lines = posts.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[1])
    record["published"] = "yesterday"
    del record["title"]
    lines[1] = json.dumps(record)
    posts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(blogarchive.ArchiveError) as caught:
        blogarchive.load(dest)
    message = str(caught.value)
    assert message.startswith(f"{posts}: line 2 (post {record['id']}): does not match the schema")
    assert "field title: required field missing" in message
    assert "field published: invalid value" in message and "yesterday" in message
    assert "sub-exception" not in message and "\n" not in message
    # blog.json: the field is named from the document's top.
    blog_path = dest / "blog.json"
    posts.write_text("\n".join(lines[:1] + lines[2:]) + "\n", encoding="utf-8")
    document = json.loads(blog_path.read_text(encoding="utf-8"))
    document["labels"][0]["post_ids"] = 7
    blog_path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(blogarchive.ArchiveError, match=r"blog.json: does not match the schema: "
                       r"field labels\[0\]\.post_ids: invalid"):
        blogarchive.load(dest)
