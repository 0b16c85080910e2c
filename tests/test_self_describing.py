"""An archive carries the JSON Schemas of what it holds, and validate checks them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from blogarchive.preserve import convert, validate
from blogarchive.preserve.fixity import payload_files, write_manifests
from conftest import EXAMPLE

PACKAGED = Path(__import__("blogarchive").__file__).parent / "schemas"
NAMES = ("blog.json", "post.json", "comment.json", "event.json")


def _rewrite_manifests(dest: Path) -> None:
    """Someone "fixes" the fixity after an edit: only the schema checks can notice."""
    write_manifests(dest, payload_files(dest))


@pytest.mark.parametrize("bag", [False, True], ids=["plain", "bag"])
def test_the_archive_holds_its_schemas(tmp_path: Path, bag: bool) -> None:
    dest = tmp_path / "a"
    convert(EXAMPLE, dest, bag=bag)
    payload = dest / "data" if bag else dest
    for name in NAMES:
        assert (payload / "schemas" / name).read_bytes() == (PACKAGED / name).read_bytes()
    manifest = (dest / "manifest-sha512.txt").read_text()
    prefix = "data/" if bag else ""
    assert all(f"  {prefix}schemas/{n}\n" in manifest for n in NAMES)
    # Everything can be checked with the archive's own schemas, without blogarchive.
    for data, schema in (("posts.jsonl", "post.json"), ("comments.jsonl", "comment.json"),
                         ("events.jsonl", "event.json")):
        validator = jsonschema.Draft202012Validator(
            json.loads((payload / "schemas" / schema).read_text()))
        for line in (payload / data).read_text().splitlines():
            validator.validate(json.loads(line))
    blog = json.loads((payload / "blog.json").read_text())
    jsonschema.validate(blog, json.loads((payload / "schemas" / "blog.json").read_text()))
    report = validate(dest)
    assert report.valid and report.checked["schemas"] == 4


def test_validate_checks_the_archive_schemas(tmp_path: Path) -> None:
    dest = tmp_path / "a"
    convert(EXAMPLE, dest)
    post = dest / "schemas" / "post.json"
    schema = json.loads(post.read_text())
    schema["properties"]["title"]["type"] = "integer"
    post.write_text(json.dumps(schema))
    (dest / "schemas" / "event.json").write_text("{not json")
    (dest / "schemas" / "comment.json").unlink()
    _rewrite_manifests(dest)
    problems = [str(p) for p in validate(dest).problems]
    assert any(p.startswith("schemas/post.json: differs from the schema blogarchive publishes")
               for p in problems), problems
    assert any(p.startswith("schemas/event.json: not a JSON Schema") for p in problems)
    assert any(p.startswith("schemas/comment.json: missing") for p in problems)
    # the data is checked against the archive's schemas: the altered one rejects titles
    assert any(p.startswith("posts.jsonl (line 1): does not match the schema at title")
               for p in problems), problems


def test_an_archive_written_before_schemas_were_kept_still_validates(tmp_path: Path) -> None:
    dest = tmp_path / "a"
    convert(EXAMPLE, dest)
    shutil.rmtree(dest / "schemas")
    _rewrite_manifests(dest)
    report = validate(dest)
    assert report.valid, report.problems
    assert report.checked["schemas"] == 0
    convert(EXAMPLE, dest)  # a rerun adds them
    assert (dest / "schemas" / "post.json").is_file() and validate(dest)


def test_every_event_key_is_documented_in_the_event_schema(tmp_path: Path) -> None:
    from blogarchive.cli import main
    from conftest import FIXTURES

    dest = tmp_path / "a"
    convert(FIXTURES / "preserve" / "emails-2009.xml", dest, redact_emails=True, bag=True,
            bag_info={"Contact-Name": "A"})
    assert main(["package", str(dest), "--bag-info", "Contact-Name=B"]) == 0
    lines = (dest / "data" / "events.jsonl").read_text().splitlines()
    written = [json.loads(line) for line in lines]
    assert [e["eventType"] for e in written] == [
        "migration", "redaction", "information package creation", "metadata modification"]
    schema = json.loads((PACKAGED / "event.json").read_text())
    documented = schema["properties"]
    for event in written:
        assert set(event) <= set(documented), set(event) - set(documented)
    for key in ("schema_version", "schema_version_written", "blog", "bagInfo", "agent"):
        assert documented[key]["description"], key  # blogarchive's own keys, explained
    assert "data files" in documented["schema_version_written"]["description"]
    # An event written by earlier versions (event schema 1-0-0) is still valid.
    old = dict(written[0], schema_version="1-0-0")
    jsonschema.Draft202012Validator(schema).validate(old)


def test_packaging_an_archive_from_before_adds_its_schemas(tmp_path: Path) -> None:
    from blogarchive.preserve import package

    dest = tmp_path / "a"
    convert(EXAMPLE, dest)
    shutil.rmtree(dest / "schemas")
    _rewrite_manifests(dest)
    package(dest)
    assert sorted(p.name for p in (dest / "data" / "schemas").iterdir()) == sorted(NAMES)
    report = validate(dest)
    assert report.valid and report.checked["schemas"] == 4
