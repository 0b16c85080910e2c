"""Hostile and broken saved pages (issue 15): no crash, no silent loss.

The small reproductions are files in tests/fixtures/hostile/ (every file there is also run
through the command line by another test); the big ones are generated here.
"""

from __future__ import annotations

import pytest

import blogarchive
from blogarchive.analysis.urls import split_url
from blogarchive.readers.html.page import canonical_url
from conftest import FIXTURES

HOSTILE = FIXTURES / "hostile"


def _only_post(archive: blogarchive.Archive) -> blogarchive.Post:
    (post,) = archive.posts
    return post


def test_a_feed_link_with_a_port_that_is_not_a_number() -> None:
    archive = blogarchive.read(HOSTILE / "html-bad-port.html")
    post = _only_post(archive)
    assert post.id == "2233445566" and post.labels == ("ports",)
    # Not a URL urllib can take apart: kept as written, never "canonicalised".
    assert post.url == "http://example.com:abc/2011/05/ports.html"


def test_a_classic_page_whose_links_are_not_urls() -> None:
    archive = blogarchive.read(HOSTILE / "html-not-a-url.html")
    post = _only_post(archive)
    assert post.id == "116215497439342629"
    assert post.content == "A classic post whose links are not URLs."
    assert post.url == "p://]" and post.author is not None
    assert post.author.name == "Sam Driller"


@pytest.mark.parametrize("url", [
    "http://example.com:abc/", "http://example.com:99999/", "p://]", "http://[::1/x",
    "http://[nonsense]/",
])
def test_urls_urllib_refuses_are_not_split(url: str) -> None:
    assert split_url(url) is None
    assert canonical_url(url) == url


def test_canonical_url_keeps_ipv6_brackets_and_the_port() -> None:
    assert canonical_url("http://[2001:db8::1]:8080/x?m=1#c1") == "http://[2001:db8::1]:8080/x"
