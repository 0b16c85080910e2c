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

_NEW = "issue 15, found by the fuzzer (not one of the 20 listed items)"

KNOWN: Final[dict[str, str]] = {
    "fuzz-analysis-many-intros.atom": f"{_NEW}: a post body of 3,000 paragraphs 'Earlier "
    "posts' (60 KB) -> analysis time quadratic (linklists._scan walks the segments of the "
    "parent again for each intro): 2 s for 1,000, 18 s for 3,000",
    "fuzz-xml-doctype-proxy.xml": f"{_NEW}: an Atom export with a DOCTYPE whose entities hold "
    "markup, refused by _xml._parse at the root's start event -> lxml prints 'AssertionError: "
    "Tried to unregister unknown proxy' on stderr when the abandoned iterparse's elements are "
    "freed (at exit, or in whatever job runs next: the fuzzer saw it at page.py:xp)",
    "fuzz-parse-message-newline.atom": f"{_NEW}: libxml2's message keeps its newline and "
    "context line: the ParseError printed is two lines",
    "fuzz-takeout-settings-cr.zip": f"{_NEW}: a bare CR in Takeout's settings.csv -> "
    "csv.Error in takeout.read_settings",
    "fuzz-warc-payload-reread.warc": f"{_NEW}: a WARC that indexes on the first pass but "
    "whose record fails when re-read at its offset -> warcio ArchiveLoadFailed from "
    "warc._payload_opener (open_payload)",
    "fuzz-warc-length-short.warc": f"{_NEW}: a WARC record whose Content-Length is short -> "
    "warcio prints a three-line WARNING to stderr",
}

# The fuzz failure classes these files reproduce (several classes may share one defect).
# A slow loop's class is the deepest frame shared by a few stack samples, which may be the
# loop or a function it calls: those classes are patterns over the module (fnmatch).
FUZZ_CLASSES: Final[dict[str, str]] = {
    "exception: ParseError (message not one line) at blogarchive/_xml.py:iter_records":
        "fuzz-parse-message-newline.atom",
    "exception: Error at blogarchive/readers/takeout.py:read_settings":
        "fuzz-takeout-settings-cr.zip",
    "hang: Hang at blogarchive/analysis/*": "fuzz-analysis-many-intros.atom",
    "exception: ArchiveLoadFailed at blogarchive/warc.py:open_payload":
        "fuzz-warc-payload-reread.warc",
    "exception: output on stderr at blogarchive/warc.py:warc_inputs":
        "fuzz-warc-length-short.warc",
}


def known_fixture(key: str) -> str | None:
    """The hostile file of a fuzz class still known to fail, or None (a new class)."""
    for pattern, fixture in FUZZ_CLASSES.items():
        if fnmatchcase(key, pattern) and fixture in KNOWN:
            return fixture
    return None
