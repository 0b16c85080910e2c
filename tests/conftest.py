"""Shared test helpers: where the shared corpus is, and small builders for synthetic exports."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLE = ROOT / "examples" / "blog-10-02-2010.xml"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"


def corpus_dir(name: str) -> Path:
    """A corpus folder read in place; skips the test with a reason when it is not there."""
    path = CORPUS / name
    if not path.is_dir():
        pytest.skip(f"{path} is not present: the shared corpus lies beside the checkout "
                    "only on the project's machines")
    return path
