"""Google Takeout: the 2018 namespace, settings.csv, the Comments feed, folders and zips."""

from __future__ import annotations

import shutil
import zipfile
from datetime import timezone
from pathlib import Path

import pytest

import blogarchive
from conftest import FIXTURES

TAKEOUT = FIXTURES / "takeout" / "Takeout"
BLOG = TAKEOUT / "Blogger" / "Blogs" / "Pitfall Blog"


@pytest.fixture(scope="module")
def archive() -> blogarchive.Archive:
    return blogarchive.read(TAKEOUT)


def test_statuses_are_an_open_set(archive: blogarchive.Archive) -> None:
    status = {p.id: p.status for p in archive.posts}
    assert status == {
        "4000000000000000001": "live",
        "4000000000000000002": "draft",
        "4000000000000000003": "scheduled",
        "4000000000000000004": "soft-trashed",
        "4000000000000000005": "PENDING_REVIEW",  # unknown: kept, never "live"
        "6000000000000000001": "live",
    }
    assert any("'PENDING_REVIEW'" in n for n in archive.notes)


def test_pages_permalinks_from_settings_and_created(archive: blogarchive.Archive) -> None:
    post = archive.post("4000000000000000001")
    assert post is not None
    assert post.url == "https://pitfall-blog.blogspot.com/2019/05/back-dated.html"
    assert post.path == "/2019/05/back-dated.html"
    assert post.created is not None and post.published is not None
    assert post.created > post.published  # back-dated: created later than published
    assert post.published.tzinfo is timezone.utc
    assert post.labels == ("Test, with comma",)
    assert post.search_description == "A search description"
    assert post.location is not None and post.location.span == "0.434161,0.631714"
    assert post.extras == ()  # presence-only <link/>, <enclosure/>, <category/> carry nothing
    page = archive.post("6000000000000000001")
    assert page is not None and page.kind == "page"
    draft = archive.post("4000000000000000002")
    assert draft is not None and draft.url is None and draft.title == ""
    trashed = archive.post("4000000000000000004")
    assert trashed is not None and trashed.trashed == "2020-04-03T10:00:00.000Z"


def test_blog_from_settings_csv_and_theme(archive: blogarchive.Archive) -> None:
    blog = archive.blog
    assert blog.id == "2222222222222222222"
    assert blog.time_zone == "Europe/Berlin" and blog.locale == "de"
    assert blog.description == "Tests, with a comma"
    assert blog.template is not None and "<b:skin>theme</b:skin>" in blog.template
    post = archive.post("4000000000000000001")
    assert post is not None and post.published is not None
    assert archive.local_time(post.published).isoformat() == "2019-05-11T17:41:00+02:00"
    formats = sorted(s.format for s in archive.sources)
    assert formats == ["takeout", "takeout-comments", "takeout-settings", "takeout-theme"]


def test_comment_feeds_overlap_merge_and_threads(archive: blogarchive.Archive) -> None:
    assert sorted(c.id for c in archive.comments) == [
        "5000000000000000001", "5000000000000000002"]
    reply = next(c for c in archive.comments if c.id == "5000000000000000002")
    assert reply.parent_id == "5000000000000000001"
    assert reply.author is not None and reply.author.kind == "ANONYMOUS"
    assert any("read more than once" in n for n in archive.notes)
    assert "1 comment comes before its post in the source" in archive.notes


def test_blog_folder_feed_file_and_zip_give_the_same_posts(
    archive: blogarchive.Archive, tmp_path: Path
) -> None:
    from_folder = blogarchive.read(BLOG)
    from_feed = blogarchive.read(BLOG / "feed.atom")
    assert [p.id for p in from_folder.posts] == [p.id for p in archive.posts]
    assert [p.id for p in from_feed.posts] == [p.id for p in archive.posts]
    assert from_feed.post("4000000000000000001").url is None  # type: ignore[union-attr]
    with_url = blogarchive.read(BLOG / "feed.atom", blog_url="https://example.org/")
    assert with_url.post("4000000000000000001").url == (  # type: ignore[union-attr]
        "https://example.org/2019/05/back-dated.html")
    zipped = tmp_path / "takeout-20240101.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        for path in sorted(TAKEOUT.rglob("*")):
            if path.is_file():
                z.write(path, "Takeout/" + path.relative_to(TAKEOUT).as_posix())
    from_zip = blogarchive.read(zipped)
    assert from_zip.posts == tuple(
        p.__class__(**{**_fields(p), "origin": q.origin}) for p, q in
        zip(archive.posts, from_zip.posts, strict=True)
    )
    assert from_zip.sources[0].name.startswith("takeout-20240101.zip!Takeout/Blogger/Blogs/")


def _fields(record: object) -> dict[str, object]:
    import attrs

    return attrs.asdict(record, recurse=False)  # type: ignore[arg-type]


def test_several_blogs_give_several_archives(tmp_path: Path) -> None:
    root = tmp_path / "Takeout"
    shutil.copytree(TAKEOUT, root)
    other = root / "Blogger" / "Blogs" / "Second"
    other.mkdir()
    text = (BLOG / "feed.atom").read_text(encoding="utf-8")
    (other / "feed.atom").write_text(
        text.replace("2222222222222222222", "7777777777777777777"), encoding="utf-8")
    archives = blogarchive.read_all(root)
    assert [a.blog.id for a in archives] == ["2222222222222222222", "7777777777777777777"]
    with pytest.raises(blogarchive.BlogarchiveError, match="expected one blog, found 2"):
        blogarchive.read(root)
