"""The URL map on disk (``UrlMap.build(..., store=PATH)``): the same answers as the dict,
memory and pickles that do not grow with the number of posts, a bounded memo."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from blogarchive.analysis import UrlMap, analyse
from blogarchive.analysis.urls import MEMO
from blogarchive.analysis.urlstore import CACHED, StoredPosts

HOME = "https://fieldnotes.blogspot.com/"


def _pairs(n: int) -> list[tuple[str, str]]:
    """Permalinks in the spellings Blogger served, a custom domain, a key named twice (the
    first id wins) and URLs with no key (dropped)."""
    pairs = [(f"https://fieldnotes.blogspot.com/2010/{i % 12 + 1:02d}/post-{i}.html", str(i))
             for i in range(n)]
    pairs += [("http://fieldnotes.blogspot.co.uk/2010/01/post-0.html", "later"),
              ("https://www.rain-notes.example/2011/02/rain.html", "custom"),
              ("mailto:someone@example.com", "no key"), ("/relative/only", "no host"),
              ("https://fieldnotes.blogspot.com/p/about.html", "page")]
    return pairs


ASKED = [
    "https://fieldnotes.blogspot.com/2010/01/post-0.html",
    "http://fieldnotes.blogspot.fr/2010/01/post-0.html?m=1",
    "https://fieldnotes.blogspot.com/2010/02/post-1.html#c123",
    "https://fieldnotes.blogspot.com/2010/02/post-999999.html",  # internal, not archived
    "https://rain-notes.example/2011/02/rain.html",
    "https://fieldnotes.blogspot.com/p/about.html",
    "https://fieldnotes.blogspot.com/search/label/rain",
    "https://elsewhere.example/2010/01/post-0.html",
    "mailto:someone@example.com",
    "p://]",
    "",
]


def test_stored_map_answers_as_the_dict(tmp_path: Path) -> None:
    held = UrlMap.build(_pairs(50), HOME)
    stored = UrlMap.build(iter(_pairs(50)), HOME, store=tmp_path / "urls.sqlite")
    try:
        assert isinstance(stored.posts, StoredPosts)
        assert stored.hosts == held.hosts
        assert len(stored.posts) == len(held.posts) == 52
        assert dict(stored.posts.items()) == dict(held.posts)
        assert stored.posts["fieldnotes.blogspot.com/2010/01/post-0.html"] == "0"  # first wins
        assert "nowhere/at/all" not in stored.posts
        with pytest.raises(KeyError):
            stored.posts["nowhere/at/all"]
        for url in ASKED:
            assert stored.classify(url) == held.classify(url), url
            assert stored.post_id(url) == held.post_id(url), url
            assert stored.is_internal(url) == held.is_internal(url), url
        body = "".join(f'<p><a href="{url}">link</a></p>' for url in ASKED)
        assert analyse(body, HOME, stored) == analyse(body, HOME, held)
    finally:
        stored.close()


def test_stored_map_pickles_as_its_path(tmp_path: Path) -> None:
    """A worker gets the file's name, not a copy of every post: the pickle is the same size
    for 10 posts and for 5,000, and the copy answers from the file."""
    sizes = []
    for n in (10, 5000):
        stored = UrlMap.build(_pairs(n), HOME, store=tmp_path / f"urls-{n}.sqlite")
        data = pickle.dumps(stored)
        copy = pickle.loads(data)
        try:
            assert copy.hosts == stored.hosts
            assert len(copy.posts) == n + 2
            assert copy.post_id(ASKED[1]) == "0"
            assert copy.classify(ASKED[2]) == (True, "post", "1")
        finally:
            copy.close()
            stored.close()
        sizes.append(len(data))
    assert abs(sizes[1] - sizes[0]) < 16, sizes
    held = pickle.loads(pickle.dumps(UrlMap.build(_pairs(10), HOME)))  # a dict still travels
    assert held.post_id(ASKED[1]) == "0"


def test_lookups_cached_are_bounded(tmp_path: Path) -> None:
    """The memo of classified URLs and the stored map's cache of keys keep at most their
    bound, however many distinct URLs a blog links to."""
    stored = UrlMap.build(_pairs(10), HOME, store=tmp_path / "urls.sqlite")
    try:
        for i in range(MEMO + 500):
            stored.classify(f"https://fieldnotes.blogspot.com/2012/01/other-{i}.html")
        assert stored._memo.cache_info().currsize == MEMO  # type: ignore[attr-defined]
        assert isinstance(stored.posts, StoredPosts)
        assert stored.posts._get.cache_info().currsize == CACHED
        assert stored.classify(ASKED[0]) == (True, "post", "0")
    finally:
        stored.close()


def test_a_second_map_replaces_the_file(tmp_path: Path) -> None:
    """Several blogs converted in one run build their maps at the same place in turn."""
    path = tmp_path / "urls.sqlite"
    UrlMap.build(_pairs(5), HOME, store=path).close()
    other = UrlMap.build([("https://other.blogspot.com/2010/01/a.html", "a")], None, store=path)
    try:
        assert len(other.posts) == 1
        assert other.post_id("https://fieldnotes.blogspot.com/2010/01/post-0.html") is None
        assert other.post_id("http://other.blogspot.de/2010/01/a.html") == "a"
    finally:
        other.close()
