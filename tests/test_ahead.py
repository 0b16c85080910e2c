"""``convert --jobs N``: posts analysed while the sources are read (``spool.ahead``), against
a URL map guessed from the sources' bytes (``spool.urlscan``), and the archive byte for byte
the one ``--jobs 1`` writes, whether the guess holds (the analyses made ahead are used) or
not (the posts are analysed again against the resolved map)."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

import attrs
import pytest

import blogarchive
from blogarchive import spool, workers
from blogarchive.analysis import UrlMap
from blogarchive.analysis.urlstore import StoredPosts
from blogarchive.sources import expand
from blogarchive.spool.ahead import Ahead, same_map
from blogarchive.spool.guess import Guessing
from blogarchive.spool.urlscan import scan
from test_determinism import converted
from test_spool import _variant

FIXTURES = Path(__file__).parent / "fixtures"
BLOG = "4242424242424242424"
HOST = "https://linked-example.blogspot.com"
KIND = "http://schemas.google.com/g/2005#kind"


def _post_id(n: int) -> str:
    return str(9_000_000_000_000_000_000 + n)


def _body(n: int, posts: int) -> str:
    """Links to posts read before and after this one (newest first: older ones later), a
    list of earlier posts, a relative link, an image."""
    older = [m for m in (n + 1, n + 5, n + 11) if m <= posts]
    newer = f'<a href="{HOST}/2011/01/post-{n - 1}.html">newer</a>' if n > 1 else ""
    items = "".join(f'<li><a href="{HOST.replace("https", "http")}/2011/01/post-{m}.html?m=1">'
                    f'post {m}</a> (March {m % 28 + 1}, 2010)</li>' for m in older)
    return (f'<p>Post {n} "about" things {newer} and <a href="/2011/01/post-{posts}.html">the '
            f'first</a>.</p><blockquote>said {n}</blockquote>'
            f'<img src="https://1.bp.blogspot.com/x/s320/{n}.jpg"/>'
            + (f"<p>Earlier posts on the topic include:</p><ul>{items}</ul>" if items else ""))


def _entry(ident: str, kind: str, stamp: str, content: str, extra: str = "") -> str:
    from xml.sax.saxutils import escape

    return (f"<entry><id>tag:blogger.com,1999:blog-{BLOG}.{ident}</id>"
            f"<published>{stamp}</published><updated>{stamp}</updated>"
            f"<category scheme='{KIND}' term='http://schemas.google.com/blogger/2008/kind#"
            f"{kind}'/>{extra}<title type='text'>{kind} {ident}</title>"
            f"<content type='html'>{escape(content)}</content>"
            "<author><name>A</name></author></entry>")


def linked_export(path: Path, posts: int = 70, *, twin: bool = False) -> Path:
    """A legacy export, newest first, whose posts link to each other both ways, with a
    draft (no permalink), a page and comments. ``twin``: two posts share a permalink."""
    entries = []
    for n in range(1, posts + 1):
        stamp = f"2011-01-{28 - n * 27 // posts:02d}T10:{n % 60:02d}:00.000-08:00"
        url = f"{HOST}/2011/01/post-{'1' if twin and n == posts else n}.html"
        draft = n == 3
        links = "" if draft else (
            f"<link rel='replies' type='text/html' href='{url}#comment-form'/>"
            f"<link rel='alternate' type='text/html' href='{url}' title='Post {n}'/>")
        control = ("<app:control xmlns:app='http://purl.org/atom/app#'><app:draft>yes"
                   "</app:draft></app:control>") if draft else ""
        entries.append(_entry(f"post-{_post_id(n)}", "post", stamp, _body(n, posts),
                              control + links))
    entries.append(_entry("page-77", "page", "2011-02-01T10:00:00.000-08:00",
                          f'<a href="{HOST}/2011/01/post-2.html">see</a>',
                          f"<link rel='alternate' type='text/html' href='{HOST}/p/about.html'/>"))
    for n in range(1, posts + 1, 3):
        entries.append(_entry(
            f"post-{8_000 + n}", "comment", "2011-03-01T10:00:00.000-08:00", f"comment {n}",
            f"<link rel='alternate' type='text/html' href='{HOST}/2011/01/post-{n}.html?"
            f"showComment=1#c{8_000 + n}'/><thr:in-reply-to href='{HOST}/2011/01/post-{n}"
            f".html' ref='tag:blogger.com,1999:blog-{BLOG}.post-{_post_id(n)}' "
            "type='text/html'/>"))
    path.write_text(
        "<?xml version='1.0' encoding='UTF-8'?><feed xmlns='http://www.w3.org/2005/Atom' "
        "xmlns:thr='http://purl.org/syndication/thread/1.0'>"
        f"<id>tag:blogger.com,1999:blog-{BLOG}.archive</id><updated>2011-03-01T10:00:00.000"
        f"-08:00</updated><title type='text'>Linked</title><link rel='alternate' "
        f"type='text/html' href='{HOST}/'/>" + "".join(entries) + "</feed>", encoding="utf-8")
    return path


def _ignore(pairs: list[tuple[str, str]]) -> None:
    """A ``urlscan.Keep`` that keeps nothing."""


class Spy:
    """What the analysis ahead did in one run."""

    def __init__(self) -> None:
        self.fits: list[bool] = []
        self.taken = self.missed = 0
        self.ready_after_reading: list[int] = []
        self.stopped: list[bool] = []  # each stop: were its workers running


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Spy:
    found = Spy()
    fits, taken, finish, stop = Ahead.fits, Ahead.taken, Ahead.finish, Ahead.stop

    def spy_fits(self: Ahead, *args: Any) -> bool:
        found.fits.append(fits(self, *args))
        return found.fits[-1]

    def spy_taken(self: Ahead, numbers: list[int], *args: Any) -> Any:
        got = taken(self, numbers, *args)
        found.taken += len(got)
        found.missed += len(numbers) - len(got)
        return got

    def spy_finish(self: Ahead) -> None:
        finish(self)
        if self.urls is not None:  # the analyses made while reading, all kept by now
            found.ready_after_reading.append(
                self.spool.db.execute("SELECT count(*) FROM ahead").fetchone()[0])

    def spy_stop(self: Ahead, group: str) -> None:
        running = self._pool is not None
        stop(self, group)
        found.stopped.append(running and self._pool is None)

    monkeypatch.setattr(Ahead, "stop", spy_stop)
    monkeypatch.setattr(Ahead, "fits", spy_fits)
    monkeypatch.setattr(Ahead, "taken", spy_taken)
    monkeypatch.setattr(Ahead, "finish", spy_finish)
    return found


def test_posts_linking_both_ways_are_analysed_ahead(tmp_path: Path, spy: Spy) -> None:
    source = linked_export(tmp_path / "linked.xml")
    found = converted(source, tmp_path / "two", jobs=2)
    # Every post (70, the draft and the page) was analysed while the file was read, and
    # that analysis was the one written: the guessed map was the resolved one.
    assert spy.ready_after_reading == [71]
    assert spy.fits == [True]
    assert (spy.taken, spy.missed) == (71, 0)
    assert found == converted(source, tmp_path / "one", jobs=1)
    posts = (tmp_path / "two" / "posts.jsonl").read_text("utf-8")
    # A link to a post read later (older, further down the file) names its id.
    assert f'"post_id":"{_post_id(70)}"' in posts
    assert f'"post_id":"{_post_id(12)}"' in posts  # from post 1's list, also read later


def test_duplicates_and_a_merge_into_an_archive(tmp_path: Path, spy: Spy) -> None:
    """A later export with duplicated posts (the copy updated last wins) and posts missing
    (retained from the archive at DEST): the guess takes DEST's posts too, the records the
    rules made or kept are analysed after the reading, by the same workers."""
    first = linked_export(tmp_path / "first.xml")
    later = _variant(first, tmp_path / "later.xml")
    dest, reference = tmp_path / "dest", tmp_path / "reference"
    for where in (dest, reference):
        blogarchive.convert(first, where, originals=False)
    found = converted(later, dest, jobs=2)
    assert found == converted(later, reference, jobs=1)
    assert spy.fits == [True]
    assert spy.taken > 0 and spy.missed > 0  # retained posts: analysed after the reading
    assert b'"retained":true' in (dest / "posts.jsonl").read_bytes()


def test_a_wrong_guess_falls_back_to_the_resolved_map(tmp_path: Path, spy: Spy) -> None:
    """Two posts share a permalink: the guess keeps the first read (the newer), the
    archive's map the first in its order (the older); nothing made ahead is used."""
    source = linked_export(tmp_path / "twin.xml", twin=True)
    found = converted(source, tmp_path / "two", jobs=2)
    assert spy.ready_after_reading == [71]
    assert spy.fits == [False]
    assert spy.taken == 0
    assert spy.stopped == [True]  # its workers stopped before the posts are analysed again
    assert found == converted(source, tmp_path / "one", jobs=1)


@pytest.mark.parametrize("name", ["takeout/Takeout", "html/mirror", "feeds", "json"])
def test_sources_not_scanned_are_analysed_as_before(name: str, tmp_path: Path,
                                                    spy: Spy) -> None:
    """Takeout, saved pages, feeds of several blogs or JSON: no guess, nothing analysed
    ahead."""
    source = FIXTURES / name
    found = converted(source, tmp_path / "two", jobs=2)
    assert spy.ready_after_reading == []
    assert True not in spy.fits and spy.taken == 0
    assert found == converted(source, tmp_path / "one", jobs=1)


def test_an_export_and_a_feed_of_the_same_blog(tmp_path: Path, spy: Spy) -> None:
    """Sources of two formats, one blog: the feed's copies of posts fold into the
    export's (duplicates), and the guess covers both files."""
    export = linked_export(tmp_path / "linked.xml")
    text = export.read_text("utf-8")
    feed = text.replace(f"blog-{BLOG}.archive</id>", f"blog-{BLOG}</id>")
    head, rest = feed.split("<entry>", 1)
    posts = [e for e in ("<entry>" + rest).split("</entry>")[:10] if "kind#post" in e]
    (tmp_path / "feed.xml").write_text(
        head + "".join(e.replace("post 1", "post one") + "</entry>" for e in posts)
        + "</feed>", "utf-8")
    both = [export, tmp_path / "feed.xml"]
    found = converted(both, tmp_path / "two", jobs=2)  # type: ignore[arg-type]
    assert spy.fits == [True]
    assert found == converted(both, tmp_path / "one", jobs=1)  # type: ignore[arg-type]


def test_the_scan_finds_each_posts_permalink(tmp_path: Path) -> None:
    source = linked_export(tmp_path / "linked.xml")
    pairs: list[tuple[str, str]] = []
    found = scan(expand(source), pairs.extend)
    assert found is not None
    assert (found.blog, found.home, found.pairs) == (BLOG, f"{HOST}/", len(pairs))
    archive = blogarchive.read(source, analyse=False)
    assert sorted(pairs) == sorted((p.url, p.id) for p in archive.posts if p.url)


@pytest.mark.parametrize("name", ["takeout/Takeout", "html/mirror"])
def test_the_scan_gives_up_on_what_it_cannot_read_cheaply(name: str) -> None:
    from blogarchive.reading import expand_all

    assert scan((i for inputs in expand_all(FIXTURES / name, None) for i in inputs),
                _ignore) is None


def test_the_scan_gives_up_on_a_comment_feed_or_two_blogs(tmp_path: Path) -> None:
    source = linked_export(tmp_path / "linked.xml")
    text = source.read_text("utf-8")
    comments = tmp_path / "comments.xml"
    comments.write_text(text.replace(".archive</id>", ".comments</id>", 1), "utf-8")
    assert scan(expand(comments), _ignore) is None
    other = tmp_path / "other.xml"
    other.write_text(text.replace(BLOG, "1111"), "utf-8")
    assert scan([*expand(source), *expand(other)], _ignore) is None


def test_one_job_or_no_analysis_starts_nothing(tmp_path: Path) -> None:
    with spool.opened(tmp_path / "dest") as spooled:
        with spool.analysing(spooled, 1, True) as none:
            assert none is None
        with spool.analysing(spooled, 2, False) as none:
            assert none is None
        with spool.analysing(spooled, 2, True) as some:
            assert isinstance(some, Ahead)


def test_posts_the_workers_are_behind_on_are_analysed_here(tmp_path: Path, spy: Spy,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    """No chunk may wait for a worker: the main process analyses every one itself, against
    the same guessed map, and writes the same bytes."""
    helped: list[int] = []
    own_help = Ahead._help

    def count(self: Ahead, chunk: list[Any]) -> None:
        helped.append(len(chunk))
        own_help(self, chunk)

    monkeypatch.setattr(Ahead, "in_flight", 0)
    monkeypatch.setattr(Ahead, "_help", count)
    source = linked_export(tmp_path / "linked.xml", posts=140)
    found = converted(source, tmp_path / "two", jobs=2)
    assert sum(helped) == 141 and spy.fits == [True] and spy.taken == 141
    assert found == converted(source, tmp_path / "one", jobs=1)


def test_workers_are_spawned_while_other_threads_run(tmp_path: Path, spy: Spy) -> None:
    """A progress bar's or a caller's thread could hold a lock a fork would copy: the
    workers are then spawned, and get the guessed map by pickling; the same bytes."""
    source = linked_export(tmp_path / "linked.xml")
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert workers.context().get_start_method() == "spawn"
        found = converted(source, tmp_path / "two", jobs=2)
    finally:
        stop.set()
        other.join()
    assert spy.fits == [True] and spy.taken == 71
    assert found == converted(source, tmp_path / "one", jobs=1)


def test_workers_are_forked_from_a_single_thread() -> None:
    if threading.active_count() > 1:
        pytest.skip("this test run has other threads")
    assert workers.context().get_start_method() == (
        "fork" if sys.platform != "darwin" else "spawn")


def test_the_guess_is_checked_without_reading_the_map_on_disk_whole(
        tmp_path: Path, spy: Spy, monkeypatch: pytest.MonkeyPatch) -> None:
    """The resolved map is an SQLite file (``urlstore``) so that convert's memory does not
    grow with the posts: comparing the guess with it looks each guessed URL up in it, never
    copies it into memory (which ``Mapping.__eq__`` did)."""
    def whole(self: StoredPosts) -> Any:
        raise AssertionError("the URL map on disk was read whole")

    monkeypatch.setattr(StoredPosts, "__iter__", whole)
    source = linked_export(tmp_path / "linked.xml")
    found = converted(source, tmp_path / "two", jobs=2)
    assert spy.fits == [True] and (spy.taken, spy.missed) == (71, 0)
    assert found == converted(source, tmp_path / "one", jobs=1)


def test_a_guess_that_differs_by_one_post_does_not_fit() -> None:
    pairs = [(f"https://x.blogspot.com/2011/01/p{n}.html", str(n)) for n in range(5)]
    guess = UrlMap.build(pairs, "https://x.blogspot.com/")
    assert same_map(guess, UrlMap.build(pairs, "https://x.blogspot.com/"))
    assert not same_map(guess, UrlMap.build([*pairs[:4], (pairs[4][0], "other")],
                                            "https://x.blogspot.com/"))
    assert not same_map(guess, UrlMap.build(pairs[:4], "https://x.blogspot.com/"))
    assert not same_map(guess, UrlMap.build(pairs, "https://y.blogspot.com/"))


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files URL maps were built into during a run."""
    names: list[str] = []
    build = UrlMap.build

    def spy_build(*args: Any, store: Path | None = None, **kwargs: Any) -> UrlMap:
        names.append(store.name if store is not None else "")
        return build(*args, store=store, **kwargs)

    monkeypatch.setattr(UrlMap, "build", spy_build)
    return names


def test_a_right_guess_is_proved_without_building_the_resolved_map(
        tmp_path: Path, spy: Spy, built: list[str]) -> None:
    """The resolved map's pairs are compared with the guess's as sets in SQLite (the
    guess one to one): no URL key computed again for every post, no second map on disk."""
    source = linked_export(tmp_path / "linked.xml")
    found = converted(source, tmp_path / "two", jobs=2)
    assert "urls.sqlite" not in built and spy.fits == [True] and spy.taken == 71
    built.clear()
    assert found == converted(source, tmp_path / "one", jobs=1)
    assert "urls.sqlite" in built


def test_a_guess_not_one_to_one_is_compared_map_to_map(tmp_path: Path, spy: Spy,
                                                        built: list[str]) -> None:
    """Two posts sharing a permalink: the sets of pairs cannot decide (which comes first
    does), so the resolved map is built and compared, and does not fit."""
    source = linked_export(tmp_path / "twin.xml", twin=True)
    converted(source, tmp_path / "two", jobs=2)
    assert "urls.sqlite" in built and spy.fits == [False]


def test_the_guess_follows_the_one_rule_for_dests_posts(tmp_path: Path) -> None:
    """A post of the archive at DEST without a permalink, whose path under the home is
    another's permalink, spooled first: the permalink wins the key, as in the resolved
    map (``annotate.url_pairs``), not the post met first."""
    source = linked_export(tmp_path / "linked.xml")
    post = blogarchive.read(source, analyse=False).posts[0]
    shared = f"{HOST}/2012/05/shared.html"
    with spool.opened(tmp_path / "dest") as spooled:
        spooled.add(attrs.evolve(post, id="earlier-a", url=None, path="/2012/05/shared.html"),
                    prev=1)
        spooled.add(attrs.evolve(post, id="earlier-b", url=shared, path="/2012/05/shared.html"),
                    prev=1)
        ahead = Ahead(spooled, 2)
        try:
            ahead.begin([list(expand(source))])
            ahead.finish()  # the guess is made (in a child, while nothing is read here)
            assert ahead.urls is not None
            assert ahead.urls.post_id(shared) == "earlier-b"
            assert ahead.urls.post_id(f"{HOST}/2011/01/post-2.html") == _post_id(2)
        finally:
            ahead.close()


def test_posts_read_while_the_map_is_guessed_wait_in_the_spool(
        tmp_path: Path, spy: Spy, monkeypatch: pytest.MonkeyPatch) -> None:
    """The guess is made in a child while the sources are read: the posts spooled before
    it is there are read back from the spool for the workers (the first 64 here: the
    guess is waited for at the first check), the later ones sent as they are read; the
    same bytes."""
    if workers.context().get_start_method() != "fork":
        pytest.skip("the guess is made in a child only where workers are forked")
    from_spool: list[int] = []
    own = Ahead._from_backlog

    def spy_backlog(self: Ahead) -> Any:
        got = own(self)
        from_spool.extend(number for number, _ in got)
        return got

    polls: list[bool] = []

    def poll(self: Guessing) -> bool:  # not made when reading starts, then waited for
        polls.append(bool(polls))
        return polls[-1]

    monkeypatch.setattr(Guessing, "poll", poll)
    monkeypatch.setattr(Ahead, "_from_backlog", spy_backlog)
    source = linked_export(tmp_path / "linked.xml", posts=140)
    found = converted(source, tmp_path / "two", jobs=2)
    assert len(from_spool) == 64 and len(set(from_spool)) == 64
    assert spy.fits == [True] and (spy.taken, spy.missed) == (141, 0)
    assert found == converted(source, tmp_path / "one", jobs=1)


def test_a_guess_under_way_is_stopped_with_the_run(tmp_path: Path) -> None:
    source = linked_export(tmp_path / "linked.xml")
    with spool.opened(tmp_path / "dest") as spooled:
        ahead = Ahead(spooled, 2)
        ahead.begin([list(expand(source))])
        guessing = ahead._guessing
        ahead.close()
        assert ahead._guessing is None
        assert guessing is None or not guessing.waiting
