"""``blogarchive validate``: is an archive whole, unchanged and consistent?

Four kinds of check, each problem named with its file (and line) and what is wrong:
fixity (every file against the manifests, or the bag's), schema (every document and line
against the JSON Schemas kept in the archive, ``schemas/``, which must be valid schemas
and, for the version this blogarchive writes, the ones it publishes; an archive written
before they were kept is checked against those shipped in the package), references (every
comment's post and parent exist or are recorded as orphans; ids unique) and derived data
(the label index, the author list and the counts in blog.json agree with the records; in
``consistency``, the records read one at a time; blog.json itself read once). The originals
named by the last conversion event must be present with the digests it recorded.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import attrs

from .._blogjson import read_document
from ..errors import ArchiveError
from ..folder import MEDIA_INDEX, archives_in
from ..loading import head_of
from ..progress import Progress, counter
from ..store import FILES, SCHEMA_VERSION, data_dir, iter_comments, iter_posts
from .bag import bagit_module
from .consistency import Consistency
from .fastschema import Check, compile_schema
from .fixity import ALGORITHMS, file_fixity, manifest_name, parse_manifest, payload_files
from .writer import EVENTS, ORIGINALS, PACKAGED_SCHEMAS, SCHEMA_FILES, SCHEMAS

__all__ = ["Problem", "ValidationReport", "validate"]


@attrs.frozen
class Problem:
    """One thing wrong, and where."""

    file: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file} (line {self.line})" if self.line else self.file
        return f"{where}: {self.reason}"


@attrs.define
class ValidationReport:
    """The outcome of ``validate``; true when the archive is valid."""

    path: Path
    layout: str
    problems: list[Problem] = attrs.Factory(list)
    checked: dict[str, int] = attrs.Factory(dict)

    @property
    def valid(self) -> bool:
        return not self.problems

    def __bool__(self) -> bool:
        return self.valid

    def add(self, file: str, reason: str, line: int | None = None) -> None:
        problem = Problem(file, line, reason)
        if problem not in self.problems:
            self.problems.append(problem)


def validate(dest: str | os.PathLike[str], *,
             progress: Progress | None = None) -> ValidationReport:
    """Check the archive at ``dest``. Raises ArchiveError when it is not an archive at all.

    ``progress(phase, done, total)`` follows the fixity check (files), the schema check
    (bytes) and loading (see ``blogarchive.progress``).
    """
    target = Path(os.fspath(dest))
    data = data_dir(target)
    if not (data / FILES["blog"]).is_file():
        several = archives_in(target)
        if several:
            raise ArchiveError(f"{target}: a folder of {len(several)} archives: validate each "
                               "(blogarchive.archives() lists them)")
        raise ArchiveError(f"{target}: not a blogarchive archive (no blog.json)")
    report = ValidationReport(target, "bag" if data != target else "plain")
    prefix = "data/" if report.layout == "bag" else ""
    _check_fixity(target, prefix, report, progress)
    if report.layout == "bag":
        checked = counter(progress, "checking the bag", 1)  # bagit-python's own pass
        _check_bag(target, report)
        checked(1)
    blog = _check_schemas(data, prefix, report, progress)
    stored = blog.document if isinstance(blog.document, dict) else {}
    stored_counts, stored_authors = stored.get("counts"), stored.get("authors")
    loaded = counter(progress, "loading", 1)
    try:
        if blog.unreadable:  # as load_head says it
            raise ArchiveError(f"{data / FILES['blog']}: unreadable: {blog.unreadable}")
        # blog.json as decoded once, by the schema check, digested and dropped before the
        # records, which come one at a time: only their ids, kinds, labels, authors are kept
        head = head_of(blog.document, str(data / FILES["blog"]))
        del blog, stored
        found = Consistency(head)
        del head
        found.read_posts(iter_posts(target))
        found.read_comments(iter_comments(target))
        loaded(1)
    except ArchiveError as err:
        report.add(prefix + FILES["blog"], f"cannot be loaded: {err}")
        return report
    found.check_references(prefix + FILES["post"], prefix + FILES["comment"], report)
    found.check_derived(stored_counts, stored_authors, prefix + FILES["blog"], report)
    _check_originals(data, prefix, report)
    _check_media(data, prefix, report)
    report.checked.update(posts=found.post_ids.total(), comments=found.comment_ids.total())
    return report


def _check_media(data: Path, prefix: str, report: ValidationReport) -> None:
    """Every media.jsonl line against its WARC record (offset, id, digest), when the archive
    holds a capture: fixity says a file changed, this says which captures it took along."""
    from ..capture.check import check_media  # the capture package needs preserve loaded

    if (data / MEDIA_INDEX).is_file():
        with (data / MEDIA_INDEX).open("rb") as lines:
            report.checked["media"] = sum(1 for _ in lines)
    for file, line, reason in check_media(data):
        report.add(prefix + file, reason, line)


# -- fixity ----------------------------------------------------------------------------------


def _check_fixity(root: Path, prefix: str, report: ValidationReport,
                  progress: Progress | None = None) -> None:
    manifests = {a: root / manifest_name(a) for a in ALGORITHMS}
    present = {a: p for a, p in manifests.items() if p.is_file()}
    if not present:
        report.add(manifest_name(ALGORITHMS[0]), "missing: the archive's fixity cannot be checked")
        return
    if prefix:  # a bag: only the payload is in the payload manifests
        files = {p.relative_to(root).as_posix() for p in (root / "data").rglob("*") if p.is_file()}
    else:
        files = set(payload_files(root))
    digests: dict[str, Any] = {}
    advance = counter(progress, "checking fixity", len(files))
    for algorithm, path in present.items():
        entries, bad = parse_manifest(path.read_text(encoding="utf-8", errors="replace"))
        for line, reason in bad:
            report.add(path.name, reason, line)
        for name, expected in sorted(entries.items()):
            if name not in files:
                report.add(name, f"missing (listed in {path.name})")
                continue
            if name not in digests:
                digests[name] = file_fixity(root / name)
                advance(1)
            found = digests[name].digest(algorithm)
            if found != expected:
                report.add(name, f"changed since it was written: {algorithm} {found[:16]}... "
                                 f"is not the {expected[:16]}... in {path.name}")
        for name in sorted(files - set(entries)):
            report.add(name, f"extra file, not in {path.name}")
    report.checked["files"] = len(files)


def _check_bag(root: Path, report: ValidationReport) -> None:
    """bagit-python's own verdict (tag files, Payload-Oxum, bagit.txt) on top of ours, each
    problem on the file it is about (bagit-python's details carry the path)."""
    bagit = bagit_module()
    try:
        bagit.Bag(str(root)).validate(processes=1)
    except bagit.BagValidationError as err:
        if report.problems:
            return  # the payload problems found above explain the bag's failure
        for detail in err.details or []:
            report.add(str(getattr(detail, "path", "") or "bagit.txt"), str(detail))
        if not err.details:
            oxum = "Payload-Oxum" in str(err.message)
            report.add("bag-info.txt" if oxum else "bagit.txt", f"not a valid bag: {err.message}")
    except bagit.BagError as err:
        report.add("bagit.txt", f"not a valid bag: {err}")


# -- schemas ---------------------------------------------------------------------------------


def _validators(data: Path, prefix: str, report: ValidationReport,
                version: object) -> dict[str, _Validator]:
    """A validator per schema file: the archive's own schemas (``schemas/``), or for an
    archive written before they were kept there, those shipped in the package."""
    from jsonschema import Draft202012Validator, SchemaError

    folder = data / SCHEMAS
    own = folder.is_dir()
    validators = {}
    for name in SCHEMA_FILES:
        packaged = json.loads((PACKAGED_SCHEMAS / name).read_text("utf-8"))
        schema, path, where = packaged, folder / name, f"{prefix}{SCHEMAS}/{name}"
        if own and not path.is_file():
            report.add(where, "missing: the archive's schemas are incomplete")
        elif own:
            try:
                schema = json.loads(path.read_text("utf-8"))
                if schema != packaged:  # the packaged ones are valid (tests check_schema them)
                    Draft202012Validator.check_schema(schema)
            except (ValueError, UnicodeDecodeError, SchemaError) as err:
                report.add(where, f"not a JSON Schema: {str(err).splitlines()[0][:200]}")
                schema = packaged
            else:
                # Data schemas follow the data files' version; the event schema has its own
                # (each event line carries it), so only the data schemas are compared.
                if version == SCHEMA_VERSION and name != "event.json" and schema != packaged:
                    report.add(where, f"differs from the schema blogarchive publishes for "
                                      f"version {SCHEMA_VERSION}")
        validators[name] = _Validator(Draft202012Validator(schema), compile_schema(schema))
    report.checked["schemas"] = len(SCHEMA_FILES) if own else 0
    return validators


@attrs.frozen
class _Validator:
    """jsonschema's validator, behind the compiled check that passes most documents at a
    fraction of its cost (``fastschema``): what the check does not pass, jsonschema
    decides and words, so nothing is accepted that jsonschema would refuse."""

    full: Any
    fast: Check | None

    def passes(self, document: Any) -> bool:
        if self.fast is None:
            return False
        try:
            return self.fast(document)
        except RecursionError:  # nested deeper than a recursive schema's check can follow
            return False


def _first_error(validator: _Validator, document: Any) -> str | None:
    if validator.passes(document):
        return None
    error = next(iter(validator.full.iter_errors(document)), None)
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "(top)"
    return f"does not match the schema at {where}: {error.message[:200]}"


@attrs.define
class _Blog:
    """blog.json as the schema check decoded it, for the checks after it: its document, or
    why it could not be read."""

    document: Any = None
    unreadable: str = ""


def _check_schemas(data: Path, prefix: str, report: ValidationReport,
                   progress: Progress | None = None) -> _Blog:
    """Every document and line against its schema; blog.json as decoded."""
    blog_path = data / FILES["blog"]
    try:
        # decoded as it is read (json.loads' value and errors), the text never held whole
        document = read_document(blog_path)
    except OSError as err:
        report.add(prefix + FILES["blog"], f"unreadable: {err}")
        return _Blog(unreadable=str(err))
    except (ValueError, UnicodeDecodeError) as err:
        report.add(prefix + FILES["blog"], f"not JSON: {err}")
        return _Blog(unreadable=str(err))
    version = document.get("schema_version") if isinstance(document, dict) else None
    validators = _validators(data, prefix, report, version)
    problem = _first_error(validators["blog.json"], document)
    if problem:
        report.add(prefix + FILES["blog"], problem)
    kinds = (("post", "post.json"), ("comment", "comment.json"), ("event", "event.json"))
    advance = counter(progress, "checking schemas", sum(
        p.stat().st_size for p in (data / FILES.get(k, EVENTS) for k, _ in kinds) if p.is_file()))
    for kind, schema in kinds:
        name = FILES.get(kind, EVENTS)
        path = data / name
        if not path.is_file():
            if kind != "event":
                report.add(prefix + name, "missing")
            continue
        validator = validators[schema]
        with path.open(encoding="utf-8", errors="replace") as lines:
            for number, line in enumerate(lines, 1):
                advance(len(line.encode("utf-8", "replace")))
                try:
                    problem = _first_error(validator, json.loads(line))
                except ValueError as err:
                    problem = f"not JSON: {err}"
                if problem:
                    report.add(prefix + name, problem, number)
    return _Blog(document)


# -- originals ------------------------------------------------------------------------------


def _check_originals(data: Path, prefix: str, report: ValidationReport) -> None:
    """The originals the last conversion stored are there, with the digests it recorded."""
    path = data / EVENTS
    if not path.is_file():
        return
    events = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            continue  # reported by the schema check
    report.checked["events"] = len(events)
    last = next((e for e in reversed(events)
                 if isinstance(e, dict) and e.get("eventType") == "migration"), None)
    if last is None:
        return
    for obj in last.get("linkingObjectIdentifier", []):
        stored = obj.get("path")
        if obj.get("linkingObjectRole") != "source" or not stored:
            continue
        if not str(stored).startswith(ORIGINALS + "/") or ".." in str(stored):
            report.add(prefix + EVENTS, f"an event names an original outside {ORIGINALS}/: "
                                        f"{stored!r}")
            continue
        original = data / stored
        if not original.is_file():
            report.add(prefix + stored, "missing: the last conversion kept this original")
        elif file_fixity(original).sha512 != obj.get("fixity", {}).get("sha512"):
            report.add(prefix + stored, "differs from the source the last conversion read")
