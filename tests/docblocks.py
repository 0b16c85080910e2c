"""Code blocks of the user docs, found by the HTML comments that mark them.

A recipe is a fenced block right after ``<!-- recipe key=value ... -->``; the fenced block
right after the next ``<!-- output -->`` is what it prints. An example is a fenced block after
``<!-- example NAME -->``. The markers are invisible on a rendered page, so the docs read as
plain docs while the tests run exactly the text a reader copies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DOCS", "Block", "code_blocks", "example", "expected_lines", "matches", "recipes"]

ROOT = Path(__file__).resolve().parent.parent
# Every user-facing Markdown file: README and docs/ (fields.md is generated, with no code).
DOCS = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))

_MARKER = re.compile(r"^<!--\s*(recipe|output|example)\b(.*?)-->\s*$")
_FENCE = re.compile(r"^(```+)\s*([\w-]*)\s*$")


@dataclass
class Block:
    """One fenced block, where it is, and the marker before it (if any)."""

    path: Path
    line: int  # of the opening fence, 1-based
    lang: str
    text: str
    marker: str = ""  # "recipe", "output", "example" or ""
    attrs: dict[str, str] = field(default_factory=dict)
    output: Block | None = None

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def code_blocks(path: Path) -> list[Block]:
    """Every fenced block of a Markdown file, with the marker on the line before it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    marker, attrs = "", ""
    i = 0
    while i < len(lines):
        fence = _FENCE.match(lines[i])
        if not fence:
            found = _MARKER.match(lines[i].strip())
            marker, attrs = (found.group(1), found.group(2)) if found else ("", "")
            i += 1
            continue
        end = i + 1
        while end < len(lines) and lines[end].strip() != fence.group(1):
            end += 1
        block = Block(path, i + 1, fence.group(2), "\n".join(lines[i + 1:end]) + "\n", marker,
                      _attrs(attrs))
        if marker == "output" and blocks and blocks[-1].marker == "recipe":
            blocks[-1].output = block
        else:
            blocks.append(block)
        marker, attrs = "", ""
        i = end + 1
    return blocks


def _attrs(text: str) -> dict[str, str]:
    """``tool=jq on=bag`` as a dict; a bare word (an example's name) maps to ``""``."""
    pairs = (word.partition("=") for word in text.split())
    return {key: value for key, _, value in pairs}


def recipes() -> list[Block]:
    """Every recipe block of the user docs, in document order."""
    return [b for path in DOCS for b in code_blocks(path) if b.marker == "recipe"]


def example(path: Path, name: str) -> Block:
    """The example block called ``name`` in ``path``."""
    found = [b for b in code_blocks(path) if b.marker == "example" and name in b.attrs]
    assert len(found) == 1, f"{path}: {len(found)} blocks marked <!-- example {name} -->"
    return found[0]


def expected_lines(text: str) -> list[str]:
    """Lines compared with blanks collapsed: tabs (jq's @tsv) and spaces read alike."""
    return [" ".join(line.split()) for line in text.splitlines()]


def matches(expected: str, actual: str) -> bool:
    """``actual`` prints ``expected``, where ``...`` in a line stands for any text."""
    want, got = expected_lines(expected), expected_lines(actual)
    if len(want) != len(got):
        return False
    for pattern, line in zip(want, got, strict=True):
        regex = ".*".join(re.escape(part) for part in pattern.split("..."))
        if not re.fullmatch(regex, line):
            return False
    return True
