"""Public feeds: Atom pages merged by id, comment feeds, RSS 2.0, summaries; gzip input."""

from __future__ import annotations

import gzip
import io
from datetime import timedelta
from pathlib import Path

import blogarchive
from conftest import FIXTURES

FEEDS = FIXTURES / "feeds"


def test_saved_pages_of_one_feed_merge_keeping_the_latest_copy() -> None:
    archive = blogarchive.read([FEEDS / "posts-page1.atom", FEEDS / "posts-page2.atom"])
    assert [p.id for p in archive.posts] == ["1", "2", "3"]
    assert archive.post("2").content == "<p>edited copy</p>"  # type: ignore[union-attr]
    assert {s.format for s in archive.sources} == {"public-feed"}
    assert archive.blog.categories == ("cats", "dogs")
    assert archive.blog.description == "A blog seen through its feed"
    assert [(lb.name, lb.post_ids) for lb in archive.labels] == [
        ("cats", ("2", "3")), ("dogs", ("2",))]
    post = archive.post("3")
    assert post is not None
    assert post.thumbnail is not None and post.thumbnail.width == "72"
    assert post.comment_count == 0 and post.status == "live"
    assert any("read more than once" in n for n in archive.notes)
    # openSearch paging elements are not mapped: they are kept at feed level
    assert any("totalResults" in x for x in archive.blog.extras)


def test_comment_feed_with_inline_namespaces_and_reply() -> None:
    archive = blogarchive.read(FEEDS / "comments-post3.atom")
    assert archive.sources[0].format == "comment-feed"
    first, reply = archive.comments
    assert first.post_id == "3" and first.in_reply_to is not None
    assert reply.post_id == "3"  # from the feed id: the entry has no thr:in-reply-to
    assert reply.parent_id == "71"
    assert all(c.orphan for c in archive.comments)  # the post is not in this file


def test_comments_join_their_posts_across_files() -> None:
    archive = blogarchive.read([FEEDS / "posts-page1.atom", FEEDS / "comments-post3.atom"])
    assert [(c.post_id, c.post_kind, c.orphan) for c in archive.comments] == [
        ("3", "post", False), ("3", "post", False)]


def test_rss_maps_like_its_atom_twin() -> None:
    archive = blogarchive.read(FEEDS / "posts.rss.xml")
    assert archive.sources[0].format == "rss"
    assert archive.blog.id == "3333333333333333333"
    (post,) = archive.posts
    assert post.id == "3" and post.labels == ("cats",)
    assert post.content == "<p>body</p>"
    assert post.author is not None
    assert (post.author.name, post.author.email) == ("Dee", "noreply@blogger.com")
    assert post.published is not None and post.published.utcoffset() == timedelta(0)
    assert post.updated is not None and post.updated.utcoffset() == timedelta(hours=-7)
    assert post.published == post.updated  # same instant, each with its own offset


def test_summary_only_feed_keeps_the_summary() -> None:
    (post,) = blogarchive.read(FEEDS / "summary.atom").posts
    assert post.summary == "Only a summary..." and post.content == ""


def test_gzip_file_bytes_and_file_objects_read_the_same(tmp_path: Path) -> None:
    raw = (FEEDS / "posts-page1.atom").read_bytes()
    packed = tmp_path / "feed.bin"  # a name that says nothing: content decides
    packed.write_bytes(gzip.compress(raw))
    plain = blogarchive.read(FEEDS / "posts-page1.atom")
    for source in (packed, raw, io.BytesIO(gzip.compress(raw))):
        other = blogarchive.read(source)
        assert [p.content for p in other.posts] == [p.content for p in plain.posts]
        assert other.sources[0].sha256 == plain.sources[0].sha256  # of the decoded bytes


def test_unseekable_stream_is_read() -> None:
    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, b: bytearray) -> int:  # type: ignore[override]
            chunk = self._data.read(len(b))
            b[: len(chunk)] = chunk
            return len(chunk)

        def seekable(self) -> bool:
            return False

        def tell(self) -> int:
            raise OSError("unseekable")

    data = (FIXTURES / "legacy" / "lost-namespace.xml").read_bytes()  # needs a second pass
    archive = blogarchive.read(Pipe(data))
    assert len(archive.posts) == 4


def test_streaming_records_without_an_archive() -> None:
    records = list(blogarchive.iter_records(FIXTURES / "legacy" / "pitfalls.xml"))
    kinds = [type(r).__name__ for r in records]
    assert kinds[-1] == "Blog"
    assert kinds.count("Post") == 4 and kinds.count("Comment") == 5
