"""Every export format, file by file, against digests taken before the exports streamed.

The exports read the archive one line at a time (issue 11: memory flat); what they write must
not move a byte. Four archives, together holding every case the pages draw on: site-blog.xml
(threads three deep, a removed comment, an "earlier posts" list and so backlinks, quotes, a
draft, a page, labels), the example export, tests/export_archive.py (drafts, scheduled and
trashed posts, a draft page, odd labels, a reply whose parent is missing, a comment on no
post, spam) and a small generated export (enough posts for several home pages, months and
years). Each is written with ``blogarchive.write`` (no events, so no run-specific dates) and
exported in every format; the sha256 of each file of OUT is compared with
``fixtures/export/golden.json``.

When the output is meant to change, regenerate the digests and commit them with that
change, saying why:

    BLOGARCHIVE_UPDATE_DIGESTS=1 python -m pytest tests/test_export_golden.py
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import attrs
import pytest

import blogarchive
from blogarchive.export import FORMATS
from conftest import EXAMPLE, FIXTURES
from export_archive import archive as migration_archive
from test_determinism import _generator

GOLDEN = FIXTURES / "export" / "golden.json"
UPDATE = bool(os.environ.get("BLOGARCHIVE_UPDATE_DIGESTS"))
ARCHIVES = ("site-blog", "example", "migration", "generated")


def _archive(name: str, folder: Path) -> blogarchive.Archive:
    if name == "site-blog":
        return blogarchive.read(FIXTURES / "export" / "site-blog.xml")
    if name == "example":
        return blogarchive.read(EXAMPLE)
    if name == "migration":
        made = migration_archive()
        # WXR's pubDate is the export's own time when the blog names no update (as
        # WordPress's exporter writes it): a fixed one keeps the file comparable
        blog = attrs.evolve(made.blog, updated=datetime(2011, 1, 2, 3, 4, tzinfo=timezone.utc))
        return blogarchive.analyse_archive(attrs.evolve(made, blog=blog))
    source = folder / "generated.xml"
    _generator().generate(0.3, source)
    return blogarchive.read(source)


def digests(out: Path) -> dict[str, str]:
    return {path.relative_to(out).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(out.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def golden() -> Iterator[dict[str, dict[str, str]]]:
    found: dict[str, dict[str, str]] = json.loads(GOLDEN.read_text()) if GOLDEN.is_file() \
        else {}
    yield found
    if UPDATE:
        GOLDEN.write_text(json.dumps(dict(sorted(found.items())), indent=1, sort_keys=True)
                          + "\n")


@pytest.mark.parametrize("name", ARCHIVES)
def test_every_format_writes_what_it_wrote_before(name: str, tmp_path: Path,
                                                  golden: dict[str, dict[str, str]]) -> None:
    dest = tmp_path / "archive"
    blogarchive.write(_archive(name, tmp_path), dest)
    for fmt in FORMATS:
        report = blogarchive.export(dest, tmp_path / fmt, fmt)
        found = digests(tmp_path / fmt)
        assert report.files == len(found), (fmt, report.files, len(found))
        key = f"{name}/{fmt}"
        if UPDATE:
            golden[key] = found
            continue
        assert key in golden, f"no digests for {key}: run with BLOGARCHIVE_UPDATE_DIGESTS=1"
        expected = golden[key]
        assert sorted(found) == sorted(expected), f"{key}: other files"
        changed = [path for path in expected if found[path] != expected[path]]
        assert not changed, f"{key}: {len(changed)} files changed, e.g. {changed[:5]}"
