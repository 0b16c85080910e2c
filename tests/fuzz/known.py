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
    "fuzz-analysis-unclosed-tags-deep.atom": f"{_NEW}: a post body of 1,200 start tags left "
    "open ('<iphoto again.</p>': libxml2 reads 'again.<' and 'p' as attributes and nests each "
    "in the last) -> a tree 1,200 deep that _nesting._flatten cannot flatten (its tag pattern "
    "stops at '<') -> RecursionError in _tree._text_parts (CLI exit 3, traceback); pre-existing, "
    "seed 'ci' mutant 1017",
    "fuzz-html-many-posts.html.gz": f"{_NEW}: a page of 3,000 posts (250 KB) -> quadratic time "
    "(a preceding:: XPath per post in layouts._date_header): 0.5 s for 500 posts, 7 s for "
    "2,000, 29 s for 4,000",
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
    "exception: RecursionError at blogarchive/analysis/_tree.py:_text_parts":
        "fuzz-analysis-unclosed-tags-deep.atom",
    "exception: ParseError (message not one line) at blogarchive/_xml.py:iter_records":
        "fuzz-parse-message-newline.atom",
    "exception: Error at blogarchive/readers/takeout.py:read_settings":
        "fuzz-takeout-settings-cr.zip",
    "hang: Hang at blogarchive/readers/html/page.py:xp": "fuzz-html-many-posts.html.gz",
    "hang: Hang at blogarchive/readers/html/layouts.py:*": "fuzz-html-many-posts.html.gz",
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
