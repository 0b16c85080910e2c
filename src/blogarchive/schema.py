"""The JSON Schemas and the field reference, generated from the model's own field docs.

``python -m blogarchive.schema`` rewrites ``schemas/*.json`` (shipped in the package) and
``docs/fields.md``; a test fails when either is out of date, so the model, the schemas and
the documentation cannot drift apart.
"""

from __future__ import annotations

import json
import sys
import types
import typing
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import attrs

from .capture.index import media_schema
from .model import Author, Blog, Comment, Label, Post, Setting, Skipped, SourceInfo
from .preserve.events import event_schema
from .store import SCHEMA_IDS, SCHEMA_VERSION

__all__ = ["field_reference", "schemas"]

DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_DIR: Final = Path(__file__).parent / "schemas"
# RFC 3339 with the source's own offset; HTML pages may give a naive local time (no offset).
TIME_PATTERN: Final = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)?$"


def _type_schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [_type_schema(a, defs) for a in typing.get_args(tp)]
        # "string or null" as one type list, not anyOf: same meaning, and validators walk it
        # several times faster (validate checks every line of a 100 MB archive).
        if all(set(o) <= {"type", "pattern"} for o in options) and sum("pattern" in o
                                                                         for o in options) <= 1:
            merged: dict[str, Any] = {"type": [o["type"] for o in options]}
            merged.update({k: v for o in options for k, v in o.items() if k == "pattern"})
            return merged
        return {"anyOf": options}
    if origin is tuple:
        item = typing.get_args(tp)[0]
        return {"type": "array", "items": _type_schema(item, defs)}
    if tp is type(None):
        return {"type": "null"}
    if tp is str:
        return {"type": "string"}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is datetime:
        return {"type": "string", "pattern": TIME_PATTERN}
    if attrs.has(tp):
        if tp.__name__ not in defs:
            defs[tp.__name__] = {}  # reserve: records may nest
            defs[tp.__name__] = _object_schema(tp, defs)
        return {"$ref": f"#/$defs/{tp.__name__}"}
    raise TypeError(f"no schema for {tp!r}")


def _object_schema(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    properties = {}
    for field in attrs.fields(cls):
        prop = _type_schema(hints[field.name], defs)
        prop["description"] = field.metadata.get("doc", "")
        properties[field.name] = prop
    return {
        "type": "object",
        "description": (cls.__doc__ or "").strip().splitlines()[0],
        "properties": properties,
        "required": sorted(properties),
        "additionalProperties": False,
    }


def _stamp(kind: str) -> dict[str, Any]:
    return {
        "schema": {"const": SCHEMA_IDS[kind], "description": "This document's schema id."},
        "schema_version": {
            "const": SCHEMA_VERSION,
            "description": "SchemaVer MODEL-REVISION-ADDITION of the schema it was written to.",
        },
    }


def _record_schema(kind: str, cls: type, title: str) -> dict[str, Any]:
    defs: dict[str, Any] = {}
    body = _object_schema(cls, defs)
    body["properties"] = {**_stamp(kind), **body["properties"]}
    body["required"] = sorted(body["properties"])
    return {"$schema": DIALECT, "$id": SCHEMA_IDS[kind], "title": title, **body,
            "$defs": dict(sorted(defs.items()))}


def _blog_schema() -> dict[str, Any]:
    defs: dict[str, Any] = {}
    count = {"type": "integer", "minimum": 0}
    properties = {
        **_stamp("blog"),
        "blog": {**_type_schema(Blog, defs), "description": "The blog (see $defs/Blog)."},
        "labels": {"type": "array", "items": _type_schema(Label, defs),
                   "description": "Every label, sorted by name, with the ids of its posts."},
        "authors": {
            "type": "array",
            "description": "Distinct post authors (derived; not read back by load()).",
            "items": {"type": "object", "additionalProperties": False,
                      "required": ["name", "uri", "posts"],
                      "properties": {"name": {"type": "string"},
                                     "uri": {"type": ["string", "null"]},
                                     "posts": count}},
        },
        "counts": {
            "type": "object",
            "description": "Counts over the archive (derived; not read back by load()).",
            "required": ["posts", "comments", "labels", "skipped"],
            "properties": {
                "posts": {"type": "object", "description": "kind -> status -> count",
                          "additionalProperties": {"type": "object",
                                                   "additionalProperties": count}},
                "comments": {"type": "object", "additionalProperties": count},
                "labels": count,
                "skipped": count,
                "analysis": {
                    "type": "object",
                    "description": "Totals over the posts' body analysis: posts analysed, "
                                   "link lists and their items (and how many point to an "
                                   "archived post), links, internal and broken internal "
                                   "links, quotes by kind, media by kind.",
                    "properties": {
                        "quotes": {"type": "object", "additionalProperties": count},
                        "media": {"type": "object", "additionalProperties": count},
                    },
                    "additionalProperties": count,
                },
            },
        },
        "sources": {"type": "array", "items": _type_schema(SourceInfo, defs),
                    "description": "Every input read, with its size and SHA-256."},
        "skipped": {"type": "array", "items": _type_schema(Skipped, defs),
                    "description": "Entries that could not become records, and why."},
        "notes": {"type": "array", "items": {"type": "string"},
                  "description": "Anything unusual noticed while reading."},
    }
    _type_schema(Setting, defs)
    _type_schema(Author, defs)
    return {"$schema": DIALECT, "$id": SCHEMA_IDS["blog"], "title": "blogarchive blog.json",
            "type": "object", "properties": properties, "required": sorted(properties),
            "additionalProperties": False, "$defs": dict(sorted(defs.items()))}


def schemas() -> dict[str, dict[str, Any]]:
    """File name -> JSON Schema, for blog.json and one line of posts/comments.jsonl."""
    return {
        "blog.json": _blog_schema(),
        "post.json": _record_schema("post", Post, "blogarchive posts.jsonl line"),
        "comment.json": _record_schema("comment", Comment, "blogarchive comments.jsonl line"),
        "event.json": event_schema(),
        "media.json": media_schema(),  # one line of media.jsonl, written by capture
    }


def field_reference() -> str:
    """docs/fields.md: every record's fields, their JSON types and meaning."""
    out = [
        "# Field reference",
        "",
        "Generated from the model by `python -m blogarchive.schema`; do not edit by hand.",
        f"Schema version {SCHEMA_VERSION}. Times are RFC 3339 text with the source's own offset.",
        "",
    ]
    for cls in (Blog, Post, Comment, Label, Author, Setting, SourceInfo, Skipped,
                *_nested()):
        hints = typing.get_type_hints(cls)
        out += [f"## {cls.__name__}", "", (cls.__doc__ or "").strip().splitlines()[0], "",
                "| field | JSON type | meaning |", "|---|---|---|"]
        for field in attrs.fields(cls):
            doc = field.metadata.get("doc", "").replace("|", "\\|")
            out.append(f"| `{field.name}` | {_type_name(hints[field.name])} | {doc} |")
        out.append("")
    return "\n".join(out)


def _nested() -> list[type]:
    from .analysis.records import BodyAnalysis, BodyLink, LinkList, ListedLink, Media, Quote
    from .model import FieldSources, InReplyTo, Link, Location, Origin, Property, Thumbnail

    return [Link, Property, Location, Thumbnail, InReplyTo, Origin, BodyAnalysis, Quote,
            LinkList, ListedLink, BodyLink, Media, FieldSources]


def _type_name(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in typing.get_args(tp))
    if origin is tuple:
        return f"array of {_type_name(typing.get_args(tp)[0])}"
    names = {str: "string", int: "integer", bool: "boolean", type(None): "null",
             datetime: "time (string)"}
    if tp in names:
        return names[tp]
    return f"[{tp.__name__}](#{tp.__name__.lower()})"


def render() -> dict[Path, str]:
    """Every generated file and its text."""
    files = {SCHEMA_DIR / name: json.dumps(schema, indent=2, sort_keys=True) + "\n"
             for name, schema in schemas().items()}
    docs = Path(__file__).resolve().parents[2] / "docs" / "fields.md"
    files[docs] = field_reference() + "\n"
    return files


if __name__ == "__main__":
    for path, text in render().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}", file=sys.stderr)
