"""Test helpers: the fixtures, the example, and the optional corpus of real Blogger files."""

from __future__ import annotations

import os
from pathlib import Path

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
