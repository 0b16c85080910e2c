"""``url_key``'s fast path (issue 11, branch exp11n): a plain http(s) URL read from its text
gives the key urlsplit, hostname and unquote give (``_split_key``), for any URL; the archive's
bytes that follow from the keys are tests/test_determinism.py's."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from blogarchive.analysis.urls import _PLAIN_URL, _split_key, fold_host, url_key

# the characters that decide which path a URL takes, and what urlsplit makes of it
_PIECES = st.sampled_from([
    "http://", "https://", "HTTP://", "hTtPs://", "//", "ftp://", "mailto:", "www.", "Foo",
    "blog", ".blogspot.", "co.uk", "fr", "com", ".", "-", "/", "2010/03/", "a.html", "?m=1",
    "#c1", "%20", "%C3%A9", " ", "\t", "\n", "\r", "\x00", "\x0b", "\x85", "\u00a0", ":",
    ":80", ":99999", ":abc", "@", "user@", "[", "]", "[::1]", "\\", "é", "~", "=", ";", "&",
    "É", "\u2028", "..", "?", "#"])


@settings(max_examples=3000, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
@example("http://Foo.blogspot.co.uk/2010/03/a.html?m=1#c1")
@example("http://a.com")
@example("https://a.com?q#f")
@example("http://.../x")
@example("http://a.com/x ")
@example("http://a.com/x?q \n")
@example("http://a.com/%41")
@example("http://a.com:80/x")
def test_the_fast_path_gives_the_key_urlsplit_gives(url: str) -> None:
    assert url_key(url) == _split_key(url)


def test_a_permalink_takes_the_fast_path() -> None:
    # what the comparison above is about: the archive's permalinks do not all fall through
    for url in ("http://name.blogspot.com/2010/03/wells-running-dry.html",
                "https://www.Example.org/p/about.html?m=1#c5", "http://a.com"):
        assert _PLAIN_URL.match(url) is not None
    assert url_key("HTTPS://WWW.Name.Blogspot.CO.UK") == "name.blogspot.com/"
    for url in ("http://a.com:80/x", "http://a.com/%41", " http://a.com/", "http://u@a.com/"):
        assert _PLAIN_URL.match(url) is None


def test_fold_host_is_the_same_asked_twice() -> None:
    assert fold_host("WWW.Name.blogspot.fr.") == fold_host("WWW.Name.blogspot.fr.") == \
        "name.blogspot.com"
