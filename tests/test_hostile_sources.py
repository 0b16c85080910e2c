"""Opening sources safely: the sniffer, zips, WARCs, folders, symlinks, pipes and encodings.

Each hostile input made here also lies in tests/fixtures/hostile/ as ``sources-*``, so the
command-line sweep over that folder runs it too.
"""

from __future__ import annotations

import itertools

import pytest

import blogarchive
from blogarchive.sniff import root_name, sniff
from conftest import FIXTURES

HOSTILE = FIXTURES / "hostile"
FEEDS = FIXTURES / "feeds"


# -- the sniffer -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sources-pi-unclosed.xml", "sources-comment-unclosed.xml",
                                  "sources-cdata-unclosed.xml"])
def test_unclosed_prolog_constructs_end_the_scan(name: str) -> None:
    # These looped forever: the scan restarted near the start when "?>" / "-->" was missing.
    with pytest.raises(blogarchive.ParseError, match="no root element"):
        blogarchive.read(HOSTILE / name)


def test_root_scan_ends_on_every_short_mix_of_prolog_tokens() -> None:
    tokens = [b"<", b"?", b"!", b"--", b">", b"[CDATA[", b"]]", b"a"]
    seen = 0
    for n in range(1, 6):
        for parts in itertools.product(tokens, repeat=n):
            text = b"".join(parts)
            result = root_name(text)
            assert result is None or text.find(b"<" + result) >= 0
            seen += 1
    assert seen == sum(len(tokens) ** n for n in range(1, 6))


def test_root_scan_skips_prolog_to_the_root() -> None:
    assert root_name(b"<?xml version='1.0'?><!-- c --><!DOCTYPE x><![CDATA[y]]><a:feed>") \
        == b"feed"


@pytest.mark.parametrize(("name", "fmt"), [("sources-atom-no-declaration.atom", "atom"),
                                           ("sources-rss-no-declaration.xml", "rss")])
def test_feeds_without_xml_declaration_are_read_by_their_root(name: str, fmt: str) -> None:
    assert sniff((HOSTILE / name).read_bytes(), name) == fmt
    original = FEEDS / ("posts-page1.atom" if fmt == "atom" else "posts.rss.xml")
    without = blogarchive.read(HOSTILE / name)
    assert [p.id for p in without.posts] == [p.id for p in blogarchive.read(original).posts]
    assert without.posts


def test_xhtml_page_with_xml_declaration_is_a_page() -> None:
    data = b"<?xml version='1.0'?>\n<html xmlns='http://www.w3.org/1999/xhtml'><body/></html>"
    assert sniff(data, "page.xhtml") == "html"


def test_utf16_with_bom_is_read() -> None:
    utf16 = blogarchive.read(HOSTILE / "sources-utf16-bom.atom")
    utf8 = blogarchive.read(FEEDS / "posts-page1.atom")
    assert [(p.id, p.title, p.content) for p in utf16.posts] == [
        (p.id, p.title, p.content) for p in utf8.posts]
    assert utf16.posts


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32"])
def test_wide_encodings_are_sniffed(encoding: str) -> None:
    text = "<?xml version='1.0'?><rss version='2.0'><channel/></rss>"
    assert sniff(text.encode(encoding), "x.xml") == "rss"
