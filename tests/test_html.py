"""Blogger pages written for this project, one per template generation and pitfall, and a
small WARC built here with warcio from them."""

from __future__ import annotations

import io
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

import blogarchive
from blogarchive.cli import main
from conftest import FIXTURES

HTML = FIXTURES / "html"
MIRROR = HTML / "mirror"
WATER = "4471062391287760124"


def _post(archive: blogarchive.Archive, post_id: str) -> blogarchive.Post:
    post = archive.post(post_id)
    assert post is not None
    return post


def test_layouts_archive_page_with_shared_date_headers() -> None:
    archive = blogarchive.read(MIRROR / "2010_09_archive.html")
    assert (archive.blog.id, archive.blog.title) == ("7310571962934481820", "Field Notes")
    water = _post(archive, WATER)
    assert water.published is not None
    assert water.published.isoformat() == "2010-09-30T08:15:00-07:00"
    assert water.published_source == "abbr.published"
    assert water.content_partial  # cut at "Read more"
    assert water.labels == ("groundwater", "reports") and water.comment_count == 3
    assert water.author is not None and water.author.uri == "https://www.blogger.com/profile/04417652391"
    # The second post of the day has no abbr.published: the shared header gives the day,
    # the visible time the hour; no offset is invented.
    meters = _post(archive, "5647382910564738291")
    assert meters.published == datetime(2010, 9, 30, 6, 5)
    assert meters.published_source == "date-header+byline-time"
    assert meters.url == "https://fieldnotes-example.blogspot.com/2010/09/meters-at-last.html"
    assert meters.comment_count == 0  # "No comments:"
    # A label link without text is decoded from its URL.
    assert _post(archive, "1029384756102938475").labels == ("Ñandú ünïcode",)
    assert all(p.origin is not None and p.origin.page_kind == "index" for p in archive.posts)


def test_2017_theme_item_page_with_threaded_comments() -> None:
    archive = blogarchive.read(MIRROR / "water-report-read-closely.html")
    post = _post(archive, WATER)
    assert post.url == "https://fieldnotes-example.blogspot.com/2010/09/water-report-read-closely.html"
    assert post.published_source == "time.published"
    assert post.comment_count == 3 and not post.content_partial
    assert post.origin is not None and post.origin.page_kind == "item"
    assert "share-post.g" not in post.content  # share buttons are not the author's content
    by_id = {c.id: c for c in archive.comments}
    reply = by_id["2233445566778899001"]
    assert reply.parent_id == "1122334455667788990"
    first = by_id["1122334455667788990"]
    assert first.published == datetime(2010, 9, 30, 16, 30, 0, 123000, tzinfo=timezone.utc)
    assert first.author is not None and first.author.uri == "https://www.blogger.com/profile/11111"
    assert by_id["3344556677889900112"].status == "removed"
    (listed,) = post.analysis.link_lists  # type: ignore[union-attr]
    assert listed.items[0].url.endswith("rain-at-last.html?m=1")


def test_classic_minima_page_with_comments() -> None:
    archive = blogarchive.read(HTML / "classic-minima-comments.html")
    assert (archive.blog.id, archive.blog.title) == ("12345678", "Well Logs")
    (post,) = archive.posts
    assert post.id == "116215497439342629" and post.title == "Drilling in October"
    # "Sunday, October 29" has no year: the permalink's /2006/10/ supplies it.
    assert post.published == datetime(2006, 10, 29, 18, 23)
    assert post.labels == ("drilling", "water table")
    assert post.content.startswith("We hit water at <b>eighty feet</b>")
    assert "blogger-labels" not in post.content and "clear:both" not in post.content
    assert post.author is not None and post.author.name == "Sam Driller"
    assert post.comment_count == 3
    comments = {c.id: c for c in archive.comments}
    assert set(comments) == {"116216006112345678", "116216210087654321", "116222222211111111"}
    lee = comments["116216006112345678"]
    assert lee.author is not None and (lee.author.name, lee.author.uri) == (
        "Lee Pump", "http://www.blogger.com/profile/555")
    assert lee.published == datetime(2006, 10, 29, 20, 14)  # naive: classic gives no zone
    assert comments["116216210087654321"].status == "removed"
    assert comments["116216210087654321"].author.name == "Anonymous"  # type: ignore[union-attr]
    assert post.analysis is not None and post.analysis.link_lists == ()  # sidebar is not body


def test_mirror_folder_merges_pages_and_prefers_the_item_page() -> None:
    archive = blogarchive.read(MIRROR)
    assert [p.id for p in archive.posts] == [
        "1029384756102938475", "5647382910564738291", WATER]
    water = _post(archive, WATER)
    assert not water.content_partial and water.origin is not None
    assert water.origin.source == "mirror/water-report-read-closely.html"
    assert "Earlier Field Notes posts" in water.content  # the whole body, not the snippet
    assert len(archive.comments) == 3
    # The mobile index page gives no ids: its posts are matched by permalink, not lost.
    assert archive.skipped == ()
    assert any("matched by permalink" in n for n in archive.notes)
    # The internal link in the item page resolves, ?m=1 and all.
    (listed,) = water.analysis.link_lists  # type: ignore[union-attr]
    assert listed.items[0].post_id == "1029384756102938475"


def test_mobile_index_page_alone() -> None:
    archive = blogarchive.read(MIRROR / "index-mobile.html")
    assert archive.blog.id == "7310571962934481820"
    assert archive.posts == ()
    assert [s.url for s in archive.skipped] == [
        "https://fieldnotes-example.blogspot.com/2010/09/water-report-read-closely.html",
        "https://fieldnotes-example.blogspot.com/2010/09/meters-at-last.html",
    ]


def test_strays_in_a_mirror_are_counted(tmp_path: Path) -> None:
    folder = tmp_path / "mirror"
    shutil.copytree(MIRROR, folder)
    shutil.copy(HTML / "not-blogger.html", folder)
    shutil.copy(HTML / "truncated-blogger.html", folder)
    shutil.copy(HTML / "classic-minima-comments.html", folder / "other-blog.html")
    (folder / "style.css").write_text("body { color: black }\n")
    report = blogarchive.ReadReport()
    # A folder of saved pages: another blog's page is that blog's own archive, not a stray.
    other, archive = sorted(blogarchive.read_all(folder, report=report),
                            key=lambda a: a.blog.title != "Well Logs")
    assert len(archive.posts) == 3
    assert other.blog.title == "Well Logs" and len(other.posts) == 1
    reasons = sorted(str(e) for e in report.ignored)
    assert any(r.startswith("mirror/not-blogger.html: an HTML page, but not from a Blogger")
               for r in reasons)
    assert any(r.startswith("mirror/truncated-blogger.html") and "truncated" in r
               for r in reasons)
    assert not any("other-blog.html" in r for r in reasons)
    assert any(r.startswith("mirror/style.css") for r in reasons)
    assert report.failed == []


def test_static_page() -> None:
    archive = blogarchive.read(HTML / "static-page.html")
    (page,) = archive.posts
    assert (page.id, page.kind, page.title) == ("3377889900112233445", "page", "About")
    assert page.url == "https://fieldnotes-example.blogspot.com/p/about.html"
    assert page.origin is not None and page.origin.page_kind == "static"
    assert page.published is None  # a page printing no date gets none


def test_single_bad_pages_get_clear_errors() -> None:
    with pytest.raises(blogarchive.UnsupportedFormat, match="not from a Blogger blog"):
        blogarchive.read(HTML / "not-blogger.html")
    with pytest.raises(blogarchive.ParseError) as info:
        blogarchive.read(HTML / "truncated-blogger.html")
    assert str(info.value).startswith("truncated-blogger.html (line")
    assert "truncated" in str(info.value)


# -- WARC ------------------------------------------------------------------------------------


def _warc(path: Path, gzip: bool = True) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=gzip)

        def response(uri: str, body: bytes, ctype: str, status: str = "200 OK") -> object:
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            record = writer.create_warc_record(uri, "response", payload=io.BytesIO(body),
                                               http_headers=headers,
                                               warc_headers_dict={"WARC-Date":
                                                                  "2020-03-01T12:00:00Z"})
            writer.write_record(record)
            return record

        base = "https://fieldnotes-example.blogspot.com/2010/09/"
        item = response(base + "water-report-read-closely.html",
                        (MIRROR / "water-report-read-closely.html").read_bytes(),
                        "text/html; charset=UTF-8")
        response(base, (MIRROR / "2010_09_archive.html").read_bytes(), "text/html")
        response("https://fieldnotes-example.blogspot.com/favicon.ico", b"\x00\x01", "image/x-icon")
        response(base + "gone.html", b"<html>Not found</html>", "text/html", "404 Not Found")
        revisit = writer.create_revisit_record(
            base + "water-report-read-closely.html",
            digest=item.rec_headers.get_header("WARC-Payload-Digest"),  # type: ignore[attr-defined]
            refers_to_uri=base + "water-report-read-closely.html",
            refers_to_date="2020-03-01T12:00:00Z")
        writer.write_record(revisit)
        feed = writer.create_warc_record(
            "https://fieldnotes-example.blogspot.com/p/about.html", "resource",
            payload=io.BytesIO((HTML / "static-page.html").read_bytes()),
            warc_content_type="text/html")
        writer.write_record(feed)
        orphan = writer.create_revisit_record(base + "elsewhere.html", digest="sha1:AAAA",
                                              refers_to_uri=base + "elsewhere.html",
                                              refers_to_date="2019-01-01T00:00:00Z")
        writer.write_record(orphan)


@pytest.mark.parametrize("gzip", [True, False])
def test_warc_pages(tmp_path: Path, gzip: bool) -> None:
    warc = tmp_path / ("capture.warc.gz" if gzip else "capture.warc")
    _warc(warc, gzip)
    archive = blogarchive.read(warc)
    assert [p.id for p in archive.posts] == [
        "1029384756102938475", "5647382910564738291", WATER, "3377889900112233445"]
    assert _post(archive, "3377889900112233445").kind == "page"  # from a resource record
    water = _post(archive, WATER)
    origin = water.origin
    assert origin is not None and origin.warc_record is not None
    assert origin.warc_record.startswith("<urn:uuid:")
    assert origin.captured == datetime(2020, 3, 1, 12, 0, tzinfo=timezone.utc)
    assert origin.source == f"{warc.name}!https://fieldnotes-example.blogspot.com/2010/09/water-report-read-closely.html"
    assert len(archive.comments) == 3
    notes = " | ".join(archive.notes)
    assert "2 WARC records not pages or feeds, not read (1 HTTP 404, 1 image/x-icon)" in notes
    assert "1 revisit record repeats a capture read from the same file" in notes
    assert "1 revisit record refers to captures not in this file: not materialised" in notes
    assert [s.name for s in archive.sources] == [
        f"{warc.name}!https://fieldnotes-example.blogspot.com/2010/09/water-report-read-closely.html",
        f"{warc.name}!https://fieldnotes-example.blogspot.com/2010/09/",
        f"{warc.name}!https://fieldnotes-example.blogspot.com/p/about.html"]


def test_warc_converts_with_the_warc_kept_as_original(tmp_path: Path) -> None:
    warc = tmp_path / "capture.warc.gz"
    _warc(warc)
    dest = tmp_path / "archive"
    assert main(["convert", "-q", str(warc), "-o", str(dest)]) == 0
    assert (dest / "originals" / "capture.warc.gz").read_bytes() == warc.read_bytes()
    assert blogarchive.validate(dest)
    assert blogarchive.load(dest) == blogarchive.read(warc)


def test_html_records_round_trip(tmp_path: Path) -> None:
    archive = blogarchive.read(MIRROR)
    assert blogarchive.load(blogarchive.write(archive, tmp_path / "a")) == archive
    assert blogarchive.validate(tmp_path / "a")



def test_google_corporate_template_body_in_a_script() -> None:
    archive = blogarchive.read(HTML / "googleblog-item.html")
    (post,) = archive.posts
    assert (post.id, post.title) == ("1357924680135792468", "Opening the well registry")
    assert post.content.startswith('<span class="byline-author">Posted by Rui Analyst')
    assert "<noscript>" not in post.content
    assert post.author is not None and post.author.name == "Rui Analyst, Water Data team"
    assert (post.published, post.published_precision) == (datetime(2020, 5, 19), "date")
    assert post.labels == ("open data",)


def test_hand_made_classic_weekly_archive_in_windows_1252() -> None:
    archive = blogarchive.read(HTML / "classic-handmade-archive.asp.html")
    assert (archive.blog.id, archive.blog.title, archive.blog.url) == (
        "4242424", "Pump House", "http://pumphouse-example.org/blog/")
    first, second = archive.posts
    assert first.published == datetime(2005, 3, 2, 7, 45)
    # The second post shares the first one's date header ("2005-03-02") and prints a time.
    assert second.published == datetime(2005, 3, 2, 11, 2)
    assert second.published_source == "date-header+byline-time"
    assert first.content == "The old gate valve stuck again. Caf&eacute; talk says replace it."
    (comment,) = archive.comments
    assert comment.post_id == first.id and comment.author is not None
    assert comment.author.name == "Anonymous"
    assert comment.published == datetime(2005, 3, 2, 16, 13, 20, 987000, tzinfo=timezone.utc)


def _page(body: str, blog_id: str = "5550001112223334445") -> bytes:
    return (
        "<!DOCTYPE html><html><head><meta content='blogger' name='generator'/>"
        "<link rel='service.post' type='application/atom+xml' title='T - Atom' "
        f"href='https://www.blogger.com/feeds/{blog_id}/posts/default'/>"
        "</head><body><div class='widget Blog' id='Blog1'><div class='blog-posts hfeed'>"
        f"{body}</div></div></body></html>"
    ).encode()


def test_home_page_posts_sharing_one_date_and_no_timestamps() -> None:
    posts = "".join(
        f"<div class='post-outer'><div class='post hentry'><a name='10{n}0000000000000001'></a>"
        f"<h3 class='post-title entry-title'><a href='https://t-example.blogspot.com/2014/05/"
        f"p{n}.html'>Post {n}</a></h3><div:if cond='data:blog.pageType'></div:if>"
        f"<div class='post-body entry-content'>Body {n}</div>"
        "<div class='post-footer'><a class='comment-link' href='#'>0\nComments</a></div>"
        "</div></div>"
        for n in range(3)
    )
    page = _page("<div class=\"date-outer\"><h2 class='date-header'><span>Wednesday, May 14, "
                 f"2014</span></h2><div class=\"date-posts\">{posts}</div></div>")
    archive = blogarchive.read(page)
    assert [p.title for p in archive.posts] == ["Post 0", "Post 1", "Post 2"]
    assert all(p.published == datetime(2014, 5, 14) and p.published_precision == "date"
               for p in archive.posts)
    assert all(p.comment_count == 0 for p in archive.posts)


def test_2017_feed_page_snippets_never_replace_a_body() -> None:
    snippet = (
        "<article class='post-outer-container'><div class='post-outer'>"
        "<div class='post-content container'><div class='post-title-container'>"
        "<a name='4471062391287760124'></a><h3 class='post-title entry-title'><a href='"
        "https://fieldnotes-example.blogspot.com/2010/09/water-report-read-closely.html'>The "
        "water report, read closely</a></h3></div><div class='post-header'><span class='byline "
        "post-timestamp'><a class='timestamp-link' href='https://fieldnotes-example.blogspot."
        "com/2010/09/water-report-read-closely.html' rel='bookmark'><time class='published' "
        "datetime='2010-09-30T08:15:00-07:00'>September 30, 2010</time></a></span></div>"
        "<div class='container post-body entry-content' id='post-snippet-4471062391287760124'>"
        "<div class='post-snippet snippet-container r-snippet-container'><div class='snippet-"
        "item r-snippetized'>The county&#39;s water report came out this week&#8230;</div>"
        "</div></div></div></div></article>"
    )
    page = _page(snippet, blog_id="7310571962934481820")
    feed = blogarchive.read(page)
    (post,) = feed.posts
    assert post.content_partial and post.content.endswith("this week\u2026")
    both = blogarchive.read([page, MIRROR / "water-report-read-closely.html"])
    (merged,) = both.posts
    assert not merged.content_partial and "Earlier Field Notes posts" in merged.content


def test_classic_comment_data_and_backlink_blocks() -> None:
    page = (
        b"<html><head><meta name='generator' content='Blogger' /></head><body>"
        b"<h2 class='date-header'>Monday, March 20, 2006</h2><div class='post'>"
        b"<a name='114285000011111111'></a><h3 class='post-title'>Syria notes</h3>"
        b"<div class='post-body'><div style='clear:both;'></div>Text.<div style='clear:both; "
        b"padding-bottom:0.25em'></div></div><p class='post-footer'>posted by Josh at <a href='"
        b"http://syria-example.blogspot.com/2006/03/syria-notes.html' title='permanent link'>"
        b"9:15 AM</a></p></div><div id='comments'><dl id='comments-block'>"
        b"<dt class='comment-data' id='c114286000022222222'><a name='c114286000022222222'></a>"
        b"At <a href='#c114286000022222222' title='comment permalink'>3/20/2006 10:14 AM</a>, "
        b"Anonymous said...</dt><dd class='comment-body'><p>First!</p></dd></dl>"
        b"<dl id='comments-block'><dt>Links to this post:</dt><dd class='comment-body'>"
        b"<$BlogBacklinkSnippet$></dd></dl></div>"
        b"<a href='http://www.blogger.com/comment.g?blogID=1717171&amp;postID=114285000011111111'>"
        b"Post a Comment</a></body></html>"
    )
    archive = blogarchive.read(page)
    (post,) = archive.posts
    assert post.published == datetime(2006, 3, 20, 9, 15)
    (comment,) = archive.comments
    assert comment.id == "114286000022222222" and comment.author is not None
    assert comment.author.name == "Anonymous"
    assert comment.published == datetime(2006, 3, 20, 10, 14)
