"""``export --format site``: the access copy, on the example export and on site-blog.xml.

site-blog.xml (written by fixtures/export/make_site_blog.py): twelve live posts, a page, a
draft, a three-level thread with a removed comment, an "earlier posts" list, a quotation, and
a post whose body holds everything the sanitiser must take out. The browser test is in
test_export_browser.py; captured media in test_export_media.py.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import html as lxml_html

import blogarchive
from blogarchive.cli import main
from blogarchive.export.sitetext import thread
from blogarchive.model import Comment
from conftest import EXAMPLE, FIXTURES

BLOG = FIXTURES / "export" / "site-blog.xml"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, blogarchive.ExportReport]:
    root = tmp_path_factory.mktemp("site")
    blogarchive.convert(BLOG, root / "archive")
    report = blogarchive.export(root / "archive", root / "out")
    return root / "out", report


def pages_of(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def tree(path: Path) -> lxml_html.HtmlElement:
    return lxml_html.fromstring(path.read_bytes())


def local_target(page: Path, ref: str) -> Path | None:
    """The file a relative href/src names, or None for an absolute URL or a fragment."""
    parts = urlsplit(ref)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    return (page.parent / unquote(parts.path)).resolve()


def test_the_summary_counts_what_was_published(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    blogarchive.convert(BLOG, tmp_path / "archive")
    code = main(["export", str(tmp_path / "archive"), "-o", str(tmp_path / "out")])
    printed = capsys.readouterr().out
    assert code == 0
    assert "exported 12 posts, 1 page, 5 comments as site" in printed
    assert "not published in the access copy (never public): 1 draft" in printed
    assert "media: 0 from the archive's capture, 1 left remote" in printed


def test_every_local_link_and_source_resolves(site: tuple[Path, object]) -> None:
    out, _ = site
    checked = 0
    for page in pages_of(out):
        for el in tree(page).iter():
            for name in ("href", "src"):
                ref = el.get(name)
                if ref is None:
                    continue
                if name == "src" or el.tag == "link":
                    # nothing a page loads by itself may come from the network
                    assert not urlsplit(ref).scheme or ref.startswith("data:"), (page, ref)
                target = local_target(page, ref)
                if target is not None:
                    assert target.is_file(), f"{page.relative_to(out)}: {ref}"
                    assert target.is_relative_to(out.resolve())
                    assert not ref.endswith("/"), "file:// needs a file, not a folder"
                    checked += 1
    assert checked > 300


def test_bodies_keep_no_script_handler_frame_or_remote_load(site: tuple[Path, object]) -> None:
    out, _ = site
    for page in pages_of(out):
        text = page.read_text(encoding="utf-8")
        assert "<iframe" not in text and "<object" not in text and "<embed" not in text
        assert "<form" not in text.replace('<form class="search"', "") or page.name == "search"
        assert not re.search(r"\son[a-z]+\s*=", text), page
        assert "javascript:" not in text and "url(" not in text
        assert "tracker.example" not in text and "evil.example" not in text
        scripts = [s.get("src") for s in tree(page).iter("script")]
        assert scripts == (["search-index.js", "static/search.js"]
                           if page.name == "search.html" else []), page
    body = (out / "2020" / "05" / "sanitiser.html").read_text(encoding="utf-8")
    assert "Centred text." in body and "Kept text." in body
    assert 'style="text-align:center"' in body  # layout kept, the background image not
    assert ('<a class="ba-embed" href="https://www.youtube.com/embed/abc123"' in body)
    assert "https://www.youtube.com/v/def456" in body
    assert ('<a class="ba-remote-image" href="https://1.bp.blogspot.com/-q/RRR/s320/ridge.jpg"'
            in body and "(the ridge at dawn)" in body)
    assert '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="a dot">' in body
    assert "<h2>A heading in the body</h2>" in body  # under the page's h1
    assert 'href="../../2019/05/post-3.html" class="ba-archived"' in body
    assert 'href="../../labels/hiking.html" class="ba-archived"' in body
    assert 'href="../../index.html" class="ba-archived"' in body
    gone = "https://ridgelog-example.blogspot.com/2018/01/gone.html"
    assert f'href="{gone}" class="ba-not-archived"' in body


def test_drafts_are_not_in_the_access_copy(site: tuple[Path, blogarchive.ExportReport]) -> None:
    out, report = site
    assert report.drafts == 1 and report.posts == 12 and report.pages == 1
    for path in out.rglob("*"):
        if path.is_file():
            assert b"zebrafinch" not in path.read_bytes(), path
            assert b"Secret draft" not in path.read_bytes(), path


def test_home_is_newest_first_and_paginated(site: tuple[Path, object]) -> None:
    out, _ = site
    first = [a.text for a in tree(out / "index.html").xpath("//ol[@class='entries']//h2/a")]
    second = [a.text for a in tree(out / "page-2.html").xpath("//ol[@class='entries']//h2/a")]
    assert first[:4] == ["Post ten", "Ridge report", "Everything a sanitiser removes", "Post nine"]
    assert len(first) == 10 and second == ["Post two", "Post one"]
    assert not (out / "page-3.html").exists()
    assert tree(out / "index.html").xpath("//a[@rel='next']/@href") == ["page-2.html"]
    assert tree(out / "page-2.html").xpath("//a[@rel='prev']/@href") == ["index.html"]


def test_the_post_page_marks_quotes_links_lists_backlinks(site: tuple[Path, object]) -> None:
    out, _ = site
    report = tree(out / "2020" / "06" / "ridge-report.html")
    assert [q.text for q in report.xpath("//blockquote[@class='ba-quote']")] == [
        "Snow cover on the ridge was the lowest in thirty years of records."]
    listed = report.xpath("//div[@class='body']//li/a")
    assert [(a.text, a.get("href")) for a in listed] == [
        ("Post three", "../../2019/05/post-3.html"), ("Post five", "../../2019/09/post-5.html")]
    three = tree(out / "2019" / "05" / "post-3.html")
    assert three.xpath("//section[@class='backlinks']//a/text()") == [
        "Everything a sanitiser removes", "Ridge report"]
    assert report.xpath("//h1/text()") == ["Ridge report"]
    assert report.xpath("//p[@class='original']/a/@href") == [
        "https://ridgelog-example.blogspot.com/2020/06/ridge-report.html"]


def test_comments_are_threaded_and_removed_ones_shown_as_such(site: tuple[Path, object]) -> None:
    out, _ = site
    page = tree(out / "2020" / "06" / "ridge-report.html")
    top = page.xpath("//section[@class='comments']/ol[@class='thread']/li/article/@id")
    assert top == ["c3001", "c3004", "c3005"]
    assert page.xpath("//article[@id='c3001']/following-sibling::ol/li/article/@id") == ["c3002"]
    assert page.xpath("//article[@id='c3002']/following-sibling::ol/li/article/@id") == ["c3003"]
    removed = page.xpath("//article[@id='c3004']")[0]
    assert "removed" in removed.get("class")
    assert "This comment was removed" in removed.text_content()
    assert "removed by the author" not in removed.text_content()
    assert page.xpath("//article[@id='c3003']//b/text()") == ["good to know"]
    assert page.xpath("//h2[@id='comments-heading']/text()") == ["5 comments"]


def test_dates_are_shown_in_the_blog_time_zone(site: tuple[Path, object]) -> None:
    out, _ = site
    page = tree(out / "2020" / "05" / "sanitiser.html")
    # published 2020-05-31T22:30Z; the blog's zone is Europe/Berlin
    assert page.xpath("//header//time/text()") == ["2020-06-01 00:30 (CEST, UTC+02:00)"]
    assert page.xpath("//header//time/@datetime") == ["2020-06-01T00:30:00+02:00"]
    june = tree(out / "archive" / "2020" / "06.html").xpath("//h2/a/text()")
    assert "Everything a sanitiser removes" in june
    assert not (out / "archive" / "2020" / "05.html").exists() or \
        "Everything a sanitiser removes" not in (out / "archive" / "2020" / "05.html").read_text()


def test_archive_and_label_pages(site: tuple[Path, object]) -> None:
    out, _ = site
    archive = tree(out / "archive" / "index.html")
    assert archive.xpath("//h2/a/text()") == ["2020", "2019"]
    assert "2019-05" in archive.xpath("//ul[@class='months']//a/text()")
    labels = tree(out / "labels" / "index.html")
    names = labels.xpath("//ul[@class='label-index']/li/a/text()")
    assert names == ["Grüße & Co", "hiking", "reports", "tests"]
    odd = labels.xpath("//ul[@class='label-index']/li/a/@href")[0]
    # an ASCII name, and a hash because the name had to change to become one
    assert re.fullmatch(r"\.\./labels/grue-co-[0-9a-f]{8}\.html", odd)
    odd_page = tree(out / "labels" / odd)
    assert odd_page.xpath("//h1/text()") == ["Posts labelled “Grüße & Co”"]
    assert len(odd_page.xpath("//ol[@class='entries']/li")) == 5
    hiking = tree(out / "labels" / "hiking.html").xpath("//ol[@class='entries']//h2/a/text()")
    assert len(hiking) == 11 and "Secret draft" not in hiking


def test_every_page_has_landmarks_lang_one_h1_and_the_provenance_footer(
        site: tuple[Path, object]) -> None:
    out, _ = site
    for page in pages_of(out):
        doc = tree(page)
        assert doc.get("lang") == "de", page
        assert len(doc.xpath("//h1")) == 1, page
        assert doc.xpath("//header[@role='banner']") and doc.xpath("//main[@id='content']")
        assert doc.xpath("//nav[@aria-label='Site']")
        footer = doc.xpath("//footer[@role='contentinfo']")[0].text_content()
        assert "blogger:blog-7310571962934400000" in footer, page
        assert "site-blog.xml" in footer and "blogarchive validate" in footer
        assert re.search(r"converted \d{4}-\d\d-\d\dT", footer), page
        levels = [int(h.tag[1]) for h in doc.iter("h1", "h2", "h3", "h4", "h5", "h6")]
        assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), page
        assert all(img.get("alt") is not None for img in doc.iter("img")), page


def test_the_about_page_names_sources_events_and_what_is_left_out(
        site: tuple[Path, object]) -> None:
    out, _ = site
    about = tree(out / "about.html").text_content()
    assert "site-blog.xml" in about and "legacy-export" in about
    assert "migration (success)" in about
    assert "Not published here: 1 draft" in about
    assert "blogarchive validate ARCHIVE" in about


def test_the_search_index_holds_published_posts_and_pages(site: tuple[Path, object]) -> None:
    out, _ = site
    text = (out / "search-index.js").read_text(encoding="utf-8")
    assert text.startswith("window.BLOGARCHIVE_SEARCH = [")
    entries = json.loads(text[text.index("["):].rstrip().rstrip(";"))
    assert len(entries) == 13
    by_title = {title: (path, date, words) for title, path, date, words in entries}
    assert by_title["Ridge report"][0] == "2020/06/ridge-report.html"
    assert "thirty" in by_title["Ridge report"][2].split()
    assert "marmots" in by_title["Post one"][2].split()
    assert by_title["Contact"][0] == "p/contact.html"
    assert "zebrafinch" not in text


def test_the_example_export(tmp_path: Path) -> None:
    blogarchive.convert(EXAMPLE, tmp_path / "archive")
    report = blogarchive.export(tmp_path / "archive", tmp_path / "out")
    assert (report.posts, report.pages, report.comments, report.drafts) == (3, 1, 4, 1)
    page = tree(tmp_path / "out" / "2010" / "09" / "water-report-read-closely.html")
    assert page.xpath("//time/text()")[0] == "2010-09-17 08:30 (PDT, UTC-07:00)"
    # the two paragraphs opening with a quotation mark are marked as one quotation
    assert len(page.xpath("//p[@class='ba-quote']")) == 2
    assert len(page.xpath("//blockquote[@class='ba-quote']")) == 2
    assert report.files == sum(1 for p in (tmp_path / "out").rglob("*") if p.is_file())


def test_templates_override_and_their_errors(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    blogarchive.convert(EXAMPLE, tmp_path / "archive")
    mine = tmp_path / "mine"
    (mine / "static").mkdir(parents=True)
    (mine / "about.html").write_text('{% extends "base.html" %}{% block main %}'
                                     "<h1>Our reading room</h1>{% endblock %}")
    (mine / "static" / "site.css").write_text("body { color: black; }")
    blogarchive.export(tmp_path / "archive", tmp_path / "out", templates=mine)
    assert "<h1>Our reading room</h1>" in (tmp_path / "out" / "about.html").read_text()
    assert (tmp_path / "out" / "static" / "site.css").read_text() == "body { color: black; }"
    assert "provenance" in (tmp_path / "out" / "about.html").read_text()  # base.html kept
    assert "<h1>Archive</h1>" in (tmp_path / "out" / "archive" / "index.html").read_text()

    (mine / "about.html").write_text("{% block main %}\n{{ nothing_here.at_all }}\n"
                                     "{% endblock %}\n")
    code = main(["export", str(tmp_path / "archive"), "-o", str(tmp_path / "out2")])
    assert code == 0  # the example does not use --templates
    code = main(["export", str(tmp_path / "archive"), "-o", str(tmp_path / "out3"),
                 "--templates", str(mine)])
    err = capsys.readouterr().err
    assert code == 2
    assert "about.html" in err and "nothing_here" in err and "Traceback" not in err
    (mine / "about.html").write_text("{% block main %}\n{% if %}\n")
    code = main(["export", str(tmp_path / "archive"), "-o", str(tmp_path / "out4"),
                 "--templates", str(mine)])
    err = capsys.readouterr().err
    assert code == 2 and "about.html: line 2" in err
    code = main(["export", str(tmp_path / "archive"), "-o", str(tmp_path / "out5"),
                 "--templates", str(tmp_path / "no-such-folder")])
    assert code == 2 and "must be a folder" in capsys.readouterr().err


def _comment(ident: str, parent: str | None) -> Comment:
    return Comment(id=ident, post_id="p", parent_id=parent, status="live", content=ident,
                   published=None)


def test_thread_keeps_every_comment_even_in_a_cycle_or_without_its_parent() -> None:
    comments = [_comment("a", None), _comment("b", "a"), _comment("c", "missing"),
                _comment("d", "e"), _comment("e", "d"), _comment("f", "f")]
    steps = thread(comments)
    started = [c.id for step, c in steps if step == "start" and c is not None]
    assert sorted(started) == ["a", "b", "c", "d", "e", "f"]
    assert len(started) == 6
    opens = sum(1 for step, _ in steps if step == "open")
    assert opens == sum(1 for step, _ in steps if step == "close")
    assert sum(1 for step, _ in steps if step == "end") == 6
    # b is inside a's list: a starts, a list opens, b starts
    order = [(step, c.id if c else None) for step, c in steps]
    at = order.index(("start", "a"))
    assert order[at + 1:at + 3] == [("open", None), ("start", "b")]


@pytest.mark.parametrize("body", [
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)><script>alert(2)</script></svg>",
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<div style="background:url(https://t.example/a.png)">x</div>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    "<object data=\"https://t.example/f.swf\"></object>",
    '<video poster="https://t.example/p.jpg" src="https://t.example/v.mp4"></video>',
    '<img srcset="https://t.example/a.png 2x">',
    '<base href="https://t.example/"><meta http-equiv="refresh" content="0;url=https://t.example">',
    '<link rel="stylesheet" href="https://t.example/s.css">',
    "&lt;script&gt;alert(1)&lt;/script&gt; plain text, no tag",
    '<p class="ba-quote x" id="main" onmouseover="x()">kept</p>',
])
def test_the_sanitiser_leaves_nothing_that_runs_or_loads(body: str) -> None:
    from blogarchive.analysis.urls import UrlMap
    from blogarchive.export.sanitise import Bodies

    bodies = Bodies(urls=UrlMap(), posts={}, labels={}, media=None)
    safe = bodies.render(body, base="https://b.blogspot.com/2010/01/p.html", page="a/b.html")
    doc = lxml_html.fragment_fromstring(f"<div>{safe}</div>")
    for el in doc.iter():
        assert el.tag not in ("script", "style", "iframe", "object", "embed", "video", "svg",
                              "math", "base", "meta", "link", "form"), safe
        assert not [name for name in el.attrib if name.startswith("on")], safe
        assert el.get("id") is None and el.get("srcset") is None and el.get("poster") is None
        src = el.get("src")
        assert src is None or not urlsplit(src).scheme, safe
        href = (el.get("href") or "").strip().lower()
        assert not href.startswith(("javascript:", "data:")), safe
        assert "url(" not in (el.get("style") or ""), safe
        assert set((el.get("class") or "ba-").split()) <= {"ba-quote", "ba-embed",
                                                           "ba-remote-image", "ba-"}, safe


def test_a_bag_gives_its_external_identifier_and_its_events(tmp_path: Path) -> None:
    blogarchive.convert(EXAMPLE, tmp_path / "bag", bag=True,
                        bag_info={"External-Identifier": "urn:example:reading-room-7"})
    blogarchive.export(tmp_path / "bag", tmp_path / "out")
    footer = tree(tmp_path / "out" / "index.html").xpath("//footer")[0].text_content()
    assert "urn:example:reading-room-7" in footer
    assert re.search(r"converted \d{4}-\d\d-\d\dT[\d:]+Z by blogarchive ", footer)
    about = tree(tmp_path / "out" / "about.html").text_content()
    assert "migration (success)" in about


def test_search_words_are_the_words_a_regex_finds() -> None:
    from blogarchive.export.search import words_of

    text = "Ñandú ünïcode 水 well_2, «quoted» don't — 3.5% e-mail\u2028x \U0001d518nicode Ǆ ß"
    expected = " ".join(dict.fromkeys(re.findall(r"\w+", text.casefold())))
    assert words_of(text) == expected
    assert words_of("A a", "b A") == "a b"


def test_list_entries_rendered_once_give_what_each_page_renders(tmp_path: Path) -> None:
    # the list pages reuse each entry's HTML rendered once (siteindex.keep_html) with the
    # page's root put in; a copy of the built-in _entry.html as the user's own turns that
    # off (each page renders its entries), and every file must come out the same. A title
    # holding the mark that stands for the root is rendered on each page instead.
    import attrs

    from blogarchive.export.siteindex import ROOT
    from export_archive import archive

    made = archive()
    odd = attrs.evolve(made.posts[0], title=f"a{ROOT}title")
    blogarchive.write(attrs.evolve(made, posts=(odd, *made.posts[1:])), tmp_path / "archive")
    mine = tmp_path / "mine"
    mine.mkdir()
    builtin = Path(blogarchive.__file__).parent / "export" / "templates" / "site"
    (mine / "_entry.html").write_bytes((builtin / "_entry.html").read_bytes())
    blogarchive.export(tmp_path / "archive", tmp_path / "kept")
    blogarchive.export(tmp_path / "archive", tmp_path / "each", templates=mine)
    kept = {p.relative_to(tmp_path / "kept"): p.read_bytes()
            for p in (tmp_path / "kept").rglob("*") if p.is_file()}
    each = {p.relative_to(tmp_path / "each"): p.read_bytes()
            for p in (tmp_path / "each").rglob("*") if p.is_file()}
    assert kept == each
    labelled = [page for path, page in kept.items() if path.parts[0] == "labels"
                and f"a{ROOT}title".encode() in page]
    assert labelled and all(b'<a href="../' in page for page in labelled)
    assert len(list((tmp_path / "kept").rglob("*.html"))) > 10


def test_a_users_entry_list_renders_the_list_pages(tmp_path: Path) -> None:
    # docs/export.md: a _entry.html in --templates replaces the built-in one, its entry_list
    # included: the month and label pages must use the user's, not the built-in loop
    from export_archive import archive

    blogarchive.write(archive(), tmp_path / "archive")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "_entry.html").write_text(
        "{% macro meta(entry, root) %}{% endmacro %}"
        "{% macro entry_list(items, root, level=2) %}<ul class=\"mine\">"
        "{% for entry in items %}<li>{{ entry.title }}</li>{% endfor %}</ul>{% endmacro %}")
    blogarchive.export(tmp_path / "archive", tmp_path / "out", templates=mine)
    label_pages = list((tmp_path / "out" / "labels").rglob("*.html"))
    listing = [p for p in label_pages if p.name != "index.html"]
    assert listing
    for page in listing:
        assert '<ul class="mine">' in page.read_text(encoding="utf-8"), page
