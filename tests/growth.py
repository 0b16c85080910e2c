"""Work counted, not timed: for growth tests (issue 15) that compare a reader's work at sizes
n and 2n, whatever the machine's speed or load.

The work of a call is (a) every Python function call, generator step and call of a C
function from Python that it makes (``sys.setprofile`` events: a Python loop over a tree
counts each step), plus (b) the nodes every XPath search below an element covers (libxml2
visits a ``.//`` query's whole subtree; a ``//`` query's whole document), which (a) does
not see. Both are deterministic for a given input and code.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

import pytest
from lxml import etree

from blogarchive.readers.html import page

__all__ = ["work"]


def _nodes(el: etree._Element) -> int:
    return sum(1 for _ in el.iter())


def work(call: Callable[[], object], monkeypatch: pytest.MonkeyPatch) -> int:
    count = 0

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    compiled = page._compiled

    def searching(query: str) -> Callable[[etree._Element], Any]:
        run = compiled(query)

        def counted(el: etree._Element) -> Any:
            nonlocal count
            if "//" in query:
                sys.setprofile(None)  # counting the nodes is not the reader's work
                whole = query.lstrip("(").startswith("/")
                count += _nodes(el.getroottree().getroot() if whole else el)
                sys.setprofile(profile)
            return run(el)

        return counted

    with monkeypatch.context() as patch:
        patch.setattr(page, "_compiled", searching)
        sys.setprofile(profile)
        try:
            call()
        finally:
            sys.setprofile(None)
    return count
