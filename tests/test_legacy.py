"""The legacy export's pitfalls (FORMATS.md sections 1, 5 and 7), on a synthetic fixture."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest

import blogarchive
from conftest import EXAMPLE, FIXTURES

PITFALLS = FIXTURES / "legacy" / "pitfalls.xml"


@pytest.fixture(scope="module")
def archive() -> blogarchive.Archive:
    return blogarchive.read(PITFALLS)


def by_id(archive: blogarchive.Archive, ident: str) -> object:
    for record in (*archive.posts, *archive.comments):
        if record.id == ident:
            return record
    raise AssertionError(ident)


def test_blog_identity_settings_and_template(archive: blogarchive.Archive) -> None:
    blog = archive.blog
    assert blog.id == "1111111111111111111"  # whitespace inside <id> (re-indented copies)
    assert blog.url == "http://pitfalls.blogspot.com/"
    assert blog.time_zone == "Europe/London"
    # localised setting titles and literal <br /> text are kept as written
    assert [s.title for s in blog.settings] == [
        "Tijdzone", "Whether to convert line breaks into <br /> tags"
    ]
    assert blog.template == "<b:skin><![CDATA[body { color: red }]]></b:skin>"
    assert archive.sources[0].format == "legacy-export"


def test_labels_before_kind_with_commas_and_scripts(archive: blogarchive.Archive) -> None:
    post = by_id(archive, "1000000000000000001")
    assert isinstance(post, blogarchive.Post)
    assert post.kind == "post"
    assert post.labels == ("fish, chips and peas", "Лондон", "東京")
    assert {lb.name for lb in archive.labels} == {"fish, chips and peas", "Лондон", "東京"}


def test_content_kept_exactly_and_unmapped_elements_kept(archive: blogarchive.Archive) -> None:
    post = by_id(archive, "1000000000000000001")
    assert isinstance(post, blogarchive.Post)
    assert post.content == "<p>Zero\u200bwidth and BOM\ufeff kept&nbsp;as&#39;written</p>"
    assert len(post.extras) == 1
    assert "urn:example:unmapped" in post.extras[0] and ">good</foo:rating>" in post.extras[0]
    assert post.location is not None and post.location.latitude == "51.5"
    assert post.comment_count == 2
    assert [(p.name, p.value) for p in post.properties] == [("commentSource", "1")]


def test_offsets_as_written_z_mixed_with_plus_one(archive: blogarchive.Archive) -> None:
    summer = by_id(archive, "1000000000000000001")
    winter = by_id(archive, "1000000000000000002")
    assert isinstance(summer, blogarchive.Post) and isinstance(winter, blogarchive.Post)
    assert summer.published is not None and winter.published is not None
    assert summer.published.utcoffset() == timedelta(hours=1)
    assert winter.published.tzinfo is timezone.utc
    assert winter.title == ""  # empty title stays empty


def test_draft_without_permalink_stays_draft(archive: blogarchive.Archive) -> None:
    draft = by_id(archive, "1000000000000000003")
    assert isinstance(draft, blogarchive.Post)
    assert draft.status == "draft"
    assert draft.url is None and draft.title == "" and draft.content == ""


def test_comments_threads_pages_orphans_tombstones(archive: blogarchive.Archive) -> None:
    first = by_id(archive, "3000000000000000001")
    reply = by_id(archive, "3000000000000000002")
    removed = by_id(archive, "3000000000000000003")
    on_page = by_id(archive, "3000000000000000004")
    orphan = by_id(archive, "3000000000000000005")
    assert isinstance(first, blogarchive.Comment)
    assert first.post_id == "1000000000000000001" and first.parent_id is None
    # the generated "title" is kept apart, never presented as a title
    assert first.generated_title == "Bob &amp; friends say hi<br>and more..."
    assert first.content == "Bob &amp; friends say hi<br>and more"
    assert isinstance(reply, blogarchive.Comment)
    assert reply.parent_id == "3000000000000000001"
    assert isinstance(removed, blogarchive.Comment) and removed.status == "removed"
    assert isinstance(on_page, blogarchive.Comment)
    assert (on_page.post_id, on_page.post_kind, on_page.orphan) == (
        "2000000000000000001", "page", False)
    assert isinstance(orphan, blogarchive.Comment)
    assert orphan.orphan and orphan.post_kind is None
    assert any("not in the sources" in n for n in archive.notes)


def test_lost_inline_namespace_is_repaired_and_said(archive: blogarchive.Archive) -> None:
    repaired = blogarchive.read(FIXTURES / "legacy" / "lost-namespace.xml")
    assert [p.id for p in repaired.posts] == [p.id for p in archive.posts]
    assert [p.status for p in repaired.posts] == [p.status for p in archive.posts]
    assert len(repaired.comments) == len(archive.comments)
    assert any("namespace prefix 'app'" in n for n in repaired.notes)


def test_declared_encoding_is_honoured() -> None:
    archive = blogarchive.read(FIXTURES / "legacy" / "latin1.xml")
    assert archive.blog.title == "Café"
    assert archive.posts[0].title == "Crème brûlée" and archive.posts[0].content == "naïve"


def test_example_export_reads_as_documented() -> None:
    archive = blogarchive.read(EXAMPLE)
    kinds = sorted((p.kind, p.status) for p in archive.posts)
    assert kinds == [("page", "live"), ("post", "draft"), ("post", "live"),
                     ("post", "live"), ("post", "live")]
    assert sum(c.parent_id is not None for c in archive.comments) == 1
    assert sum(c.post_kind == "page" for c in archive.comments) == 1
