"""The defects not fixed yet: the one list the hostile-fixture test and the fuzz test read.

``KNOWN`` maps a file in tests/fixtures/hostile/ to why it still fails; the hostile-fixture
test marks it ``xfail(strict=True)``, so once the fix lands the test fails until the entry is
removed here. ``FUZZ_CLASSES`` maps a fuzz failure class (see ``runner.class_key``) to the
hostile file that reproduces it: the CI fuzz test tolerates a class only while that file is
still in ``KNOWN``. To tighten the fuzz test to zero failures, empty both.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Final

__all__ = ["FUZZ_CLASSES", "KNOWN", "known_fixture"]

KNOWN: Final[dict[str, str]] = {}

# The fuzz failure classes these files reproduce (several classes may share one defect).
# A slow loop's class is the deepest frame shared by a few stack samples, which may be the
# loop or a function it calls: those classes are patterns over the module (fnmatch).
FUZZ_CLASSES: Final[dict[str, str]] = {}


def known_fixture(key: str) -> str | None:
    """The hostile file of a fuzz class still known to fail, or None (a new class)."""
    for pattern, fixture in FUZZ_CLASSES.items():
        if fnmatchcase(key, pattern) and fixture in KNOWN:
            return fixture
    return None
