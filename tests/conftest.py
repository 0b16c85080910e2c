"""Test helpers: the fixtures, the example, and the optional corpus of real Blogger files."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLE = ROOT / "examples" / "blog-10-02-2010.xml"
# Optional test data: real exports and saved pages, not in the repository (they are other
# people's blogs). Looked for in $BLOGARCHIVE_CORPUS, else in shared/corpus beside the checkout.
CORPUS = Path(os.environ.get("BLOGARCHIVE_CORPUS") or ROOT.parent / "shared" / "corpus")


def corpus_dir(name: str) -> Path:
    """A corpus folder read in place; skips the test with a reason when it is not there."""
    path = CORPUS / name
    if not path.is_dir():
        pytest.skip(f"optional test data absent: no corpus of real Blogger files at {path} "
                    "(set BLOGARCHIVE_CORPUS to a folder holding atom/ and html/ to run this)")
    return path


def as_written_at(folder: Path, version: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Rewrite the archive's posts and comments as an older schema ``version`` wrote them:
    each line's data ``change``d (fields that version did not have removed)."""
    for name in ("posts.jsonl", "comments.jsonl"):
        path = folder / name
        lines = []
        for line in path.read_text(encoding="utf-8").splitlines():
            data = json.loads(line)
            change(data)
            lines.append(json.dumps(dict(data, schema_version=version), sort_keys=True))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
