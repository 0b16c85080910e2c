"""The compiled schema check behind ``validate`` (preserve/fastschema.py): never looser than
jsonschema, and fast enough to matter because it passes every line blogarchive writes."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

import blogarchive
from blogarchive.preserve.fastschema import compile_schema
from blogarchive.preserve.writer import PACKAGED_SCHEMAS, SCHEMA_FILES
from conftest import EXAMPLE, FIXTURES

SCHEMAS = {name: json.loads((PACKAGED_SCHEMAS / name).read_text("utf-8"))
           for name in SCHEMA_FILES}
DATA = {"blog.json": "blog.json", "post.json": "posts.jsonl", "comment.json": "comments.jsonl",
        "event.json": "events.jsonl"}
SOURCES = (EXAMPLE, FIXTURES / "legacy" / "pitfalls.xml", FIXTURES / "takeout")


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Any]]:
    """Every document and line of archives converted from fixtures, by schema file."""
    found: dict[str, list[Any]] = {name: [] for name in SCHEMA_FILES}
    for number, source in enumerate(SOURCES):
        dest = tmp_path_factory.mktemp(f"a{number}") / "archive"
        blogarchive.convert(source, dest)
        for name, file in DATA.items():
            for path in sorted(p for p in dest.rglob(file) if "schemas" not in p.parts):
                text = path.read_text("utf-8")
                found[name] += ([json.loads(text)] if file.endswith(".json")
                                else [json.loads(line) for line in text.splitlines()])
    return found


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_every_published_schema_compiles(name: str) -> None:
    """None would mean jsonschema alone, as slow as before: the fast path must be taken."""
    assert compile_schema(SCHEMAS[name]) is not None


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_what_blogarchive_writes_passes_the_compiled_check(
        name: str, documents: dict[str, list[Any]]) -> None:
    check = compile_schema(SCHEMAS[name])
    assert check is not None and documents[name]
    validator = Draft202012Validator(SCHEMAS[name])
    for document in documents[name]:
        assert validator.is_valid(document)
        assert check(document), document.get("id")


# Values of every JSON type, and near misses of the schemas' own (1.0 for 1, "1" for 1,
# True for 1, an empty list for a minItems list).
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False),
    st.sampled_from(["", "x", "live", "post", "comment", "1", "2020-01-01T00:00:00Z",
                     "urn:blogarchive:schema:1:post", "1-4-0", "tag:blogger.com,1999:blog-1"]),
    st.just([]), st.just({}), st.lists(st.integers(0, 2), max_size=2),
    st.dictionaries(st.sampled_from(["name", "uri", "x"]), st.text(max_size=3), max_size=2),
)


def _paths(document: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a document: dict keys and list positions, nested."""
    found = [here]
    if isinstance(document, dict):
        for key, value in document.items():
            found += _paths(value, (*here, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += _paths(value, (*here, index))
    return found


def _mutate(document: Any, path: tuple[Any, ...], how: str, value: Any) -> Any:
    changed = copy.deepcopy(document)
    if not path:
        return value
    parent = changed
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if how == "delete":
        del parent[last]
    elif how == "add" and isinstance(parent, dict):
        parent[f"unknown_{last}"] = value
    else:
        parent[last] = value
    return changed


@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_never_passes_what_jsonschema_refuses(documents: dict[str, list[Any]],
                                              data: st.DataObject) -> None:
    """The one-sided contract: a damaged document the compiled check passes is one
    jsonschema accepts too (so ``validate`` reports every line it reported before)."""
    name = data.draw(st.sampled_from(SCHEMA_FILES))
    document = data.draw(st.sampled_from(documents[name]))
    path = data.draw(st.sampled_from(_paths(document)))
    how = data.draw(st.sampled_from(["set", "delete", "add"]))
    changed = _mutate(document, path, how, data.draw(VALUES))
    check = compile_schema(SCHEMAS[name])
    assert check is not None
    if check(changed):
        assert Draft202012Validator(SCHEMAS[name]).is_valid(changed), (path, how)


@pytest.mark.parametrize("schema", [
    {"prefixItems": [{"type": "string"}]},
    {"properties": {"a": {"$anchor": "x"}}},
    {"$ref": "https://example.org/other.json"},
    {"patternProperties": {"^a": {"type": "string"}}},
    {"const": [1, 2]},
    {"type": "decimal"},
    {"properties": {"a": {"$id": "urn:x", "$defs": {}}}},
    "not a schema",
])
def test_what_it_does_not_handle_is_left_to_jsonschema(schema: Any) -> None:
    assert compile_schema(schema) is None


NESTED = {"$defs": {"n": {"anyOf": [{"type": "null"},
                                   {"type": "array", "items": {"$ref": "#/$defs/n"}}]}},
          "$ref": "#/$defs/n"}


@pytest.mark.parametrize(("schema", "instance", "passes"), [
    ({"type": "integer"}, 1, True),
    ({"type": "integer"}, True, False),
    ({"type": "integer"}, 1.0, False),  # stricter than jsonschema: it decides this one
    ({"type": ["string", "null"]}, None, True),
    ({"const": 1}, True, False),
    ({"enum": ["a", None]}, None, True),
    ({"minimum": 0}, -1, False),
    ({"minimum": 0}, "-1", True),
    ({"pattern": "^a"}, "ba", False),
    ({"items": {"type": "string"}, "minItems": 1}, [], False),
    ({"properties": {"a": {"type": "string"}}, "additionalProperties": False}, {"b": 1}, False),
    ({"required": ["a"]}, {"b": 1}, False),
    ({"required": ["a"]}, [1], True),
    (NESTED, [[None], [[]]], True),  # a definition that refers to itself
    (NESTED, [[1]], False),
])
def test_keywords(schema: dict[str, Any], instance: Any, passes: bool) -> None:
    check = compile_schema(schema)
    assert check is not None and check(instance) is passes
    if passes or type(instance) is not float:  # agreed, but where the check is stricter
        assert Draft202012Validator(schema).is_valid(instance) is passes


def test_validate_still_words_the_error_of_a_line_the_check_refuses(tmp_path: Path) -> None:
    """A refused line goes to jsonschema, whose message names the field."""
    dest = tmp_path / "a"
    blogarchive.convert(EXAMPLE, dest)
    lines = (dest / "comments.jsonl").read_text("utf-8").splitlines()
    first = json.loads(lines[0])
    first["published"] = 5
    lines[0] = json.dumps(first)
    (dest / "comments.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    problems = [str(p) for p in blogarchive.validate(dest).problems]
    assert any(p.startswith("comments.jsonl (line 1): does not match the schema at published")
               for p in problems), problems
