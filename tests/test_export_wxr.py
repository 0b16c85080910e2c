"""``export --format wxr``: WordPress eXtended RSS 1.2, read back with lxml and compared with
the archive (every post, status, tag, comment, parent), in WordPress's own element order."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

import blogarchive
from blogarchive.export.wxr import COMMENT_APPROVED, FILE_NAME, NS, POST_STATUS, _slug
from export_archive import COMMENTS, ODD_LABELS, POSTS, written

WP = f"{{{NS['wp']}}}"
ENCODED = f"{{{NS['content']}}}encoded"
CREATOR = f"{{{NS['dc']}}}creator"
STATUS = {"live": "publish", "draft": "draft", "scheduled": "future", "soft-trashed": "trash"}


@pytest.fixture(scope="module")
def wxr(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, blogarchive.ExportReport]:
    base = tmp_path_factory.mktemp("wxr")
    report = blogarchive.export(written(base / "archive"), base / "out", "wxr")
    return base / "out" / FILE_NAME, report


@pytest.fixture(scope="module")
def channel(wxr: tuple[Path, blogarchive.ExportReport]) -> etree._Element:
    root = etree.parse(str(wxr[0]), etree.XMLParser(resolve_entities=False, no_network=True))
    assert root.getroot().tag == "rss" and root.getroot().get("version") == "2.0"
    found = root.getroot().find("channel")
    assert found is not None
    return found


def wp(el: etree._Element, name: str) -> str:
    return el.findtext(WP + name) or ""


def meta(el: etree._Element, kind: str = "postmeta") -> dict[str, str]:
    return {wp(m, "meta_key"): wp(m, "meta_value") for m in el.findall(WP + kind)}


def test_namespaces_and_head_as_wordpress_writes_them(
        wxr: tuple[Path, blogarchive.ExportReport], channel: etree._Element) -> None:
    raw = wxr[0].read_text(encoding="utf-8")
    for prefix in ("excerpt", "content", "wfw", "dc", "wp"):
        assert f'xmlns:{prefix}="{NS[prefix]}"' in raw
    assert NS["wp"] == "http://wordpress.org/export/1.2/"
    assert "<content:encoded><![CDATA[<p>First <b>bold</b>" in raw  # CDATA, as WordPress does
    head = [etree.QName(el).localname for el in channel][:8]
    assert head == ["title", "link", "description", "pubDate", "language", "wxr_version",
                    "base_site_url", "base_blog_url"]
    assert wp(channel, "wxr_version") == "1.2"
    kinds = [etree.QName(el).localname for el in channel][8:]
    # authors, then tags, then items: never interleaved
    assert kinds == sorted(kinds, key=["author", "tag", "generator", "item"].index)
    assert kinds.count("generator") == 1


def test_item_children_in_export_php_order(channel: etree._Element) -> None:
    item = channel.findall("item")[0]
    names = [etree.QName(el).localname for el in item]
    expected = ["title", "link", "pubDate", "creator", "guid", "description", "encoded",
                "encoded", "post_id", "post_date", "post_date_gmt", "post_modified",
                "post_modified_gmt", "comment_status", "ping_status", "post_name", "status",
                "post_parent", "menu_order", "post_type", "post_password", "is_sticky"]
    assert names[:len(expected)] == expected
    rest = names[len(expected):]
    assert rest == sorted(rest, key=["category", "postmeta", "comment"].index)


def test_every_post_with_status_type_dates_and_tags(channel: etree._Element) -> None:
    items = {meta(i)["blogger_id"]: i for i in channel.findall("item")}
    assert set(items) == {p.id for p in POSTS}
    for post in POSTS:
        item = items[post.id]
        assert item.findtext("title") == post.title
        assert item.findtext(ENCODED) == post.content
        assert wp(item, "status") == STATUS[post.status]
        assert wp(item, "post_type") == post.kind
        tags = [(c.get("domain"), c.text) for c in item.findall("category")]
        assert tags == [("post_tag", label) for label in post.labels]
        if post.path:
            assert meta(item)["blogger_permalink"] == post.path
    plain = items["1001"]
    assert wp(plain, "post_date") == "2010-02-10 10:00:00"  # as written, in its own offset
    assert wp(plain, "post_date_gmt") == "2010-02-10 04:30:00"
    assert plain.findtext("pubDate") == "Wed, 10 Feb 2010 04:30:00 +0000"
    assert wp(plain, "post_name") == "plain-post"
    assert items["1005"].findtext(ENCODED).endswith("]]> end</div>")


def test_tags_at_channel_level_with_wordpress_slugs(channel: etree._Element) -> None:
    tags = {wp(t, "tag_name"): wp(t, "tag_slug") for t in channel.findall(WP + "tag")}
    assert set(tags) == {*ODD_LABELS, "water"}
    assert tags["Ñandú ünïcode 水"] == "nandu-unicode-%e6%b0%b4"
    assert tags['He said "hi"'] == "he-said-hi"
    assert len(set(tags.values())) == len(tags)
    for item in channel.findall("item"):
        for cat in item.findall("category"):
            assert tags[cat.text or ""] == cat.get("nicename")


def test_comments_with_parents_approval_and_authors(channel: etree._Element,
                                                    wxr: tuple[Path, blogarchive.ExportReport]
                                                    ) -> None:
    found = {}
    for item in channel.findall("item"):
        post_id = meta(item)["blogger_id"]
        local = {wp(c, "comment_id"): meta(c, "commentmeta")["blogger_id"]
                 for c in item.findall(WP + "comment")}
        for c in item.findall(WP + "comment"):
            parent = wp(c, "comment_parent")
            found[meta(c, "commentmeta")["blogger_id"]] = (
                post_id, local.get(parent) if parent != "0" else None,
                wp(c, "comment_approved"), wp(c, "comment_author"), wp(c, "comment_user_id"))
    expected = {c.id: (c.post_id, c.parent_id if c.parent_id != "c-missing" else None,
                       {"live": "1", "removed": "trash", "spam": "spam"}[c.status],
                       c.author.name if c.author else "",
                       "1" if c.author and c.author.name == "Marta Field" else "0")
                for c in COMMENTS if c.post_id != "9999"}
    assert found == expected
    notes = " ".join(wxr[1].notes)
    assert "1 comment on no post in the archive" in notes
    assert "1 reply to a comment not in the archive" in notes
    authors = [wp(a, "author_login") for a in channel.findall(WP + "author")]
    assert authors == ["marta-field"]
    assert {i.findtext(CREATOR) for i in channel.findall("item")} == {
        "marta-field"}


def test_report_counts(wxr: tuple[Path, blogarchive.ExportReport]) -> None:
    report = wxr[1]
    assert (report.posts, report.pages, report.drafts, report.comments, report.labels,
            report.files) == (6, 1, 4, 5, 12, 1)


def test_characters_xml_cannot_hold_are_replaced_and_counted(tmp_path: Path) -> None:
    import attrs

    from export_archive import archive

    base = archive()
    broken = attrs.evolve(base, posts=(attrs.evolve(base.posts[0], content="a\x01b\x0bc"),))
    blogarchive.write(broken, tmp_path / "archive")
    report = blogarchive.export(tmp_path / "archive", tmp_path / "out", "wxr")
    root = etree.parse(str(tmp_path / "out" / FILE_NAME)).getroot()
    assert root.findtext("channel/item/" + ENCODED) == "a\ufffdb\ufffdc"
    assert "2 characters XML cannot hold written as U+FFFD" in report.notes


@pytest.mark.parametrize(("name", "slug"), [
    ("Water", "water"), ("groundwater, wells", "groundwater-wells"), ("key: value", "key-value"),
    ("Ñandú", "nandu"), ("水", "%e6%b0%b4"), ("a  --  b", "a-b"), ("v1.2", "v1-2"),
    ("and/or", "and-or"), ("100% sure", "100-sure")])
def test_slugs_follow_sanitize_title(name: str, slug: str) -> None:
    assert _slug(name) == slug


def test_status_maps_cover_the_archive_statuses() -> None:
    assert {"live", "draft", "scheduled", "soft-trashed"} <= set(POST_STATUS)
    assert {"live", "removed"} <= set(COMMENT_APPROVED)


def test_the_file_is_written_an_item_at_a_time(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # the archive is never loaded whole, and each item (with its comments) is serialised and
    # dropped before the next post is read: memory holds one post, whatever the blog's size
    from blogarchive import store
    from blogarchive.export import wxr

    def no_load(*_: object) -> None:
        raise AssertionError("the WXR export loaded the whole archive")

    monkeypatch.setattr(store, "load", no_load)
    seen: list[int] = []
    original = wxr._Items.write

    def write(self: wxr._Items, item: etree._Element) -> None:
        assert item.getparent() is None  # made alone, in no tree holding the others
        original(self, item)
        assert len(self._channel) == 0  # and dropped once written
        seen.append(len(item))

    monkeypatch.setattr(wxr._Items, "write", write)
    report = blogarchive.export(written(tmp_path / "archive"), tmp_path / "out", "wxr")
    assert len(seen) == report.posts + report.pages + report.drafts == len(POSTS)
    root = etree.parse(str(tmp_path / "out" / FILE_NAME),
                       etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    assert len(root.findall("channel/item")) == len(POSTS)
