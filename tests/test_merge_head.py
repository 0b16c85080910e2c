"""Converting into an existing archive reads its blog.json without the label index."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest

import blogarchive

gather = importlib.import_module("blogarchive.spool.gather")  # the module, not spool.gather

FIXTURE = Path(__file__).parent / "fixtures" / "legacy" / "pitfalls.xml"


def test_a_merge_leaves_the_label_index_unread(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    dest = tmp_path / "archive"
    blogarchive.convert([FIXTURE], dest, originals=False)
    first = json.loads((dest / "blog.json").read_text(encoding="utf-8"))["labels"]
    assert first and any(label["post_ids"] for label in first)
    asked: list[Any] = []
    real = gather.load_head

    def spy(folder: Any, **options: Any) -> Any:
        asked.append(options)
        return real(folder, **options)

    monkeypatch.setattr(gather, "load_head", spy)
    blogarchive.convert([FIXTURE], dest, originals=False)
    assert asked == [{"label_posts": False}]
    # the labels written again are the same, rebuilt from the posts
    again = json.loads((dest / "blog.json").read_text(encoding="utf-8"))["labels"]
    assert again == first
