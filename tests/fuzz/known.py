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
    "fuzz-gzip-bad-deflate.gz": f"{_NEW}: damaged deflate data -> zlib.error from "
    "warc.is_warc's gzip probe (it catches OSError and EOFError only)",
    "fuzz-gzip-bad-deflate-folder": f"{_NEW}: the same damaged gzip as a page in a folder "
    "(no WARC probe first) -> zlib.error in sources.head",
    "fuzz-gzip-bad-method.gz": f"{_NEW}: a gzip header naming an unknown compression method "
    "-> gzip.BadGzipFile in sources.head",
    "fuzz-gzip-cut-in-body.atom.gz": f"{_NEW}: gzip cut after the sniffed 64 KiB -> EOFError "
    "while the reader streams it, not 'truncated'",
    "fuzz-gzip-cut-in-head.gz": f"{_NEW}: gzip cut in its header (2 bytes) -> EOFError in "
    "sources.head",
    "fuzz-html-canonical-bad-url.html": "issue 15 item 3 (another place): a canonical link "
    "that is not a URL (http://[::1/...) -> 'Invalid IPv6 URL' from urlsplit in "
    "page._blog_url",
    "fuzz-html-control-char-after-body.html": "issue 15 item 4: a control character (\\x0b) "
    "after a widget-engine body -> lxml ValueError 'All strings must be XML compatible' in "
    "layouts._drop",
    "fuzz-html-feed-link-bad-port.html": "issue 15 item 2: a feed link with a bad port -> "
    "ValueError from urllib's .port in page.canonical_url",
    "fuzz-analysis-many-intros.atom": f"{_NEW}: a post body of 3,000 paragraphs 'Earlier "
    "posts' (60 KB) -> analysis time quadratic (linklists._scan walks the segments of the "
    "parent again for each intro): 2 s for 1,000, 18 s for 3,000",
    "fuzz-html-many-posts.html.gz": f"{_NEW}: a page of 3,000 posts (250 KB) -> quadratic time "
    "(a preceding:: XPath per post in layouts._date_header): 0.5 s for 500 posts, 7 s for "
    "2,000, 29 s for 4,000",
    "fuzz-html-page-kind-bad-url.html": "issue 15 item 3 (another place): a mobile index "
    "page whose canonical URL is not one (blogs[ot.com) -> 'Invalid IPv6 URL' in "
    "html._page_kind",
    "fuzz-html-post-link-bad-url.html": "issue 15 item 3: a post's timestamp link that is not "
    "a URL (s://f]m3) -> 'Invalid IPv6 URL' from urlsplit in html._post",
    "fuzz-html-unclosed-meta.html.gz": f"{_NEW}: a 130 KB page of '<meta name=a ' without "
    "'>' -> page.is_blogger's fingerprint regex (<meta[^>]+...) is quadratic: 2.4 s at "
    "52 KB, 9.3 s at 104 KB",
    "fuzz-parse-message-newline.atom": f"{_NEW}: libxml2's message keeps its newline and "
    "context line: the ParseError printed is two lines",
    "fuzz-rss-pubdate-overflow.rss": "issue 15 item 5: RSS <pubDate>9999999999 Mar 2 9:0 -> "
    "OverflowError from email.utils in _time.parse_rfc822",
    "fuzz-sniff-long-comment.atom.gz": "issue 15 item 10: a comment longer than 64 KiB before "
    "the root element (a real shape, not only '<!--a<!--b') -> sources._root_name loops "
    "forever",
    "fuzz-takeout-settings-cr.zip": f"{_NEW}: a bare CR in Takeout's settings.csv -> "
    "csv.Error in takeout.read_settings",
    "fuzz-undeclared-prefix-cut.atom": "issue 15 item 1: an undeclared prefix other than "
    "Blogger's (here in a cut file) -> KeyError in _xml._repair",
    "fuzz-warc-headers-cut.warc": "issue 15 item 6: a WARC cut inside its first record's "
    "headers -> AttributeError from warcio in warc.warc_inputs",
    "fuzz-warc-payload-reread.warc": f"{_NEW}: a WARC that indexes on the first pass but "
    "whose record fails when re-read at its offset -> warcio ArchiveLoadFailed from "
    "warc._payload_opener (open_payload)",
    "fuzz-warc-junk-after-record.warc": "issue 15 item 6 (messages): junk after a WARC record "
    "-> the 'damaged WARC' message ends in a newline (a blank line on stderr)",
    "fuzz-warc-length-short.warc": f"{_NEW}: a WARC record whose Content-Length is short -> "
    "warcio prints a three-line WARNING to stderr",
    "fuzz-zip-member-crc.zip": f"{_NEW}: a zip member that fails its CRC check -> "
    "zipfile.BadZipFile traceback",
    "fuzz-zip-member-header.zip": f"{_NEW}: a zip member whose local header is damaged -> "
    "zipfile.BadZipFile traceback (sources._from_zip opens members unguarded)",
    "fuzz-zip-member-method.zip": f"{_NEW}: a zip member with an unknown compression method "
    "(99) -> NotImplementedError from zipfile",
    "fuzz-zip-member-offset.zip": f"{_NEW}: a zip central directory pointing before the "
    "start of the file -> OSError EINVAL from zipfile's seek",
}

# The fuzz failure classes these files reproduce (several classes may share one defect).
# A slow loop's class is the deepest frame shared by a few stack samples, which may be the
# loop or a function it calls: those classes are patterns over the module (fnmatch).
FUZZ_CLASSES: Final[dict[str, str]] = {
    "exception: error at blogarchive/warc.py:is_warc": "fuzz-gzip-bad-deflate.gz",
    "exception: BadGzipFile at blogarchive/sources.py:head": "fuzz-gzip-bad-method.gz",
    "exception: BadZipFile at blogarchive/sources.py:read": "fuzz-zip-member-crc.zip",
    "exception: EOFError at blogarchive/sources.py:read": "fuzz-gzip-cut-in-body.atom.gz",
    "exception: EOFError at blogarchive/sources.py:head": "fuzz-gzip-cut-in-head.gz",
    "exception: ParseError (message not one line) at blogarchive/_xml.py:iter_records":
        "fuzz-parse-message-newline.atom",
    "exception: OverflowError at blogarchive/_time.py:parse_rfc822":
        "fuzz-rss-pubdate-overflow.rss",
    "hang: Hang at blogarchive/sources.py:_root_name": "fuzz-sniff-long-comment.atom.gz",
    "exception: Error at blogarchive/readers/takeout.py:read_settings":
        "fuzz-takeout-settings-cr.zip",
    "exception: KeyError at blogarchive/_xml.py:_repair": "fuzz-undeclared-prefix-cut.atom",
    "exception: ParseError (message not one line) at blogarchive/warc.py:warc_inputs":
        "fuzz-warc-junk-after-record.warc",
    "exception: ValueError at blogarchive/readers/html/layouts.py:_drop":
        "fuzz-html-control-char-after-body.html",
    "exception: ValueError at blogarchive/readers/html/page.py:canonical_url":
        "fuzz-html-feed-link-bad-port.html",
    "hang: Hang at blogarchive/readers/html/page.py:xp": "fuzz-html-many-posts.html.gz",
    "hang: Hang at blogarchive/readers/html/layouts.py:*": "fuzz-html-many-posts.html.gz",
    "hang: Hang at blogarchive/readers/html/page.py:is_blogger": "fuzz-html-unclosed-meta.html.gz",
    "exception: EOFError at blogarchive/sources.py:open_decoded": "fuzz-gzip-cut-in-head.gz",
    "hang: Hang at blogarchive/analysis/*": "fuzz-analysis-many-intros.atom",
    "exception: ValueError at blogarchive/readers/html/__init__.py:_post":
        "fuzz-html-post-link-bad-url.html",
    "exception: ArchiveLoadFailed at blogarchive/warc.py:open_payload":
        "fuzz-warc-payload-reread.warc",
    "exception: AttributeError at blogarchive/warc.py:warc_inputs": "fuzz-warc-headers-cut.warc",
    "exception: output on stderr at blogarchive/warc.py:warc_inputs":
        "fuzz-warc-length-short.warc",
    "exception: BadZipFile at blogarchive/sources.py:open_decoded": "fuzz-zip-member-crc.zip",
    "exception: BadZipFile at blogarchive/sources.py:readinto": "fuzz-zip-member-crc.zip",
    "exception: error at blogarchive/sources.py:head": "fuzz-gzip-bad-deflate-folder",
    "exception: ValueError at blogarchive/readers/html/page.py:_blog_url":
        "fuzz-html-canonical-bad-url.html",
    "exception: ValueError at blogarchive/readers/html/__init__.py:_page_kind":
        "fuzz-html-page-kind-bad-url.html",
    "exception: NotImplementedError at blogarchive/sources.py:<lambda>":
        "fuzz-zip-member-method.zip",
    "exception: BadZipFile at blogarchive/sources.py:<lambda>": "fuzz-zip-member-header.zip",
    "exception: OSError at blogarchive/sources.py:<lambda>": "fuzz-zip-member-offset.zip",
}


def known_fixture(key: str) -> str | None:
    """The hostile file of a fuzz class still known to fail, or None (a new class)."""
    for pattern, fixture in FUZZ_CLASSES.items():
        if fnmatchcase(key, pattern) and fixture in KNOWN:
            return fixture
    return None
