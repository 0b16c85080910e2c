"""``export --format hugo|jekyll``: Markdown files, front matter, comments, redirects; and the
sites Debian's ``hugo`` and ``jekyll`` build from them as they are."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import lxml.html
import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

import blogarchive
from blogarchive.cli import main
from blogarchive.export.markdown import convert_body
from export_archive import DEEP, ODD_LABELS, POSTS, written

PUBLISHED = [p for p in POSTS if p.status == "live"]
UNPUBLISHED = [p for p in POSTS if p.status != "live"]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return written(tmp_path_factory.mktemp("migration") / "archive")


@pytest.fixture(scope="module")
def hugo(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hugo") / "site"
    blogarchive.export(archive, out, "hugo")
    return out


@pytest.fixture(scope="module")
def jekyll(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("jekyll") / "site"
    blogarchive.export(archive, out, "jekyll")
    return out


def split(path: Path) -> tuple[dict[str, Any], str]:
    """Front matter (read back by a YAML parser) and body of a generated file."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    head, _, body = text[4:].partition("\n---\n")
    return yaml.safe_load(head), body


def one(folder: Path, pattern: str) -> Path:
    found = sorted(p for p in folder.glob(pattern) if p.suffix in (".md", ".html"))
    assert len(found) == 1, (pattern, found)
    return found[0]


# -- front matter ----------------------------------------------------------------------------


@pytest.mark.parametrize("site", ["hugo", "jekyll"])
def test_front_matter_keeps_offsets_ids_and_odd_labels(site: str,
                                                       request: pytest.FixtureRequest) -> None:
    out: Path = request.getfixturevalue(site)
    head, body = split(one(out, "**/*1001.md"))
    assert head["title"] == 'Plain: a "quoted" title'
    assert head["date"] == "2010-02-10T10:00:00+05:30"  # the offset as written, not UTC
    modified = "lastmod" if site == "hugo" else "last_modified_at"
    assert head[modified] == "2010-02-10T11:00:00+05:30"
    assert head["tags"] == list(ODD_LABELS)  # "yes" and "123" stay strings
    assert head["blogger_id"] == "1001"
    redirects = "aliases" if site == "hugo" else "redirect_from"
    assert head[redirects] == ["/2010/02/plain-post.html"]
    key = "url" if site == "hugo" else "permalink"
    assert head[key] == "/2010/02/plain-post/"
    assert "First **bold** line." in body
    assert "<!--more-->" in body


def test_hugo_drafts_are_marked_and_every_status_kept(hugo: Path) -> None:
    for post in UNPUBLISHED:
        head, _ = split(one(hugo / "content", f"**/{post.id}.*"))
        assert head["draft"] is True, post.id
        assert head["blogger_status"] == post.status
    head, _ = split(one(hugo / "content", "posts/1002.*"))
    assert "draft" not in head and "blogger_status" not in head


def test_jekyll_drafts_go_where_jekyll_does_not_publish(jekyll: Path) -> None:
    for post in UNPUBLISHED:
        path = one(jekyll, f"**/*{post.id}.*")
        head, _ = split(path)
        if post.kind == "page":
            assert path.parent.name == "pages" and head["published"] is False
        else:
            assert path.parent.name == "_drafts", post.id
    for post in PUBLISHED:
        path = one(jekyll, f"**/*{post.id}.*")
        assert path.parent.name == ("pages" if post.kind == "page" else "_posts")
        assert "published" not in split(path)[0]
    assert one(jekyll, "_posts/*1001.md").name == "2010-02-10-1001.md"  # the day as written
    config = yaml.safe_load((jekyll / "_config.yml").read_text(encoding="utf-8"))
    assert config["plugins"] == ["jekyll-redirect-from"]
    assert config["title"] == 'Migrate "example": notes'


# -- bodies ------------------------------------------------------------------------------------


def test_bodies_markdown_would_mangle_are_kept_as_html_and_counted(
        archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["export", str(archive), "--format", "hugo", "-o", str(tmp_path / "out")])
    assert code == 0
    printed = capsys.readouterr().out
    assert "4 bodies kept as HTML" in printed
    assert "which Hugo would read as a shortcode: 1" in printed
    assert "the Markdown converter failed (RecursionError): 1" in printed
    assert "it holds <table>: 1" in printed
    assert "list inside a quotation: 1" in printed
    content = tmp_path / "out" / "content" / "posts"
    for pid in ("1002", "1003", "1004"):
        assert not (content / f"{pid}.md").exists()
    _, deep = split(content / "1004.html")
    assert deep == DEEP  # kept exactly as the archive holds it
    assert (content / "1005.md").exists()  # layout (float, margins) is not structure


def test_body_html_keeps_every_body_as_written(archive: Path, tmp_path: Path) -> None:
    report = blogarchive.export(archive, tmp_path / "out", "jekyll", body="html")
    assert report.kept_as_html == 0  # kept because asked, not because conversion would lose
    files = [p for p in (tmp_path / "out").rglob("*") if p.parent.name in ("_posts", "_drafts",
                                                                            "pages")]
    assert len(files) == len(POSTS)
    assert all(p.suffix == ".html" for p in files)
    by_id = {p.id: p.content for p in POSTS}
    for path in files:
        head, body = split(path)
        if head["blogger_id"] != "1002":  # its links to other posts are moved (test below)
            assert body == by_id[head["blogger_id"]]


@pytest.mark.parametrize(("html", "kept"), [
    ("<p>a</p><table><tr><td>1</td></tr></table>", "it holds <table>"),
    ('<p><iframe src="https://www.youtube.com/embed/x"></iframe></p>', "it holds <iframe>"),
    ("<p>H<sub>2</sub>O</p>", "it holds <sub>"),
    ("<blockquote><p>q</p><ol><li>x</li></ol></blockquote>", "it has a list inside a quotation"),
    ('<span style="color: #f00">fix</span>', "it has coloured, bordered or struck-through text"),
    ('<font color="red">fix</font>', "it has coloured text"),
    ('<span style="text-decoration: line-through">old</span>',
     "it has coloured, bordered or struck-through text"),
    ('<div style="text-align: center; float: right; margin: 2px">centred</div>', None),
    ("<ul><li>a<ul><li>nested</li></ul></li></ul>", None),
    ('<span style="color: inherit">plain</span>', None),
])
def test_what_is_kept_as_html(html: str, kept: str | None) -> None:
    body = convert_body(html)
    assert body.kept_because == kept
    assert body.form == ("html" if kept else "markdown")
    if kept:
        assert body.text == html


def test_links_to_posts_of_the_blog_point_at_their_new_pages(hugo: Path) -> None:
    _, body = split(hugo / "content" / "posts" / "1002.html")
    assert '<a href="/2010/02/plain-post/#c1">the first post</a> &amp; ' in body
    assert '<a href="/p/about/">me</a>' in body
    assert body.startswith("<table><tr><td>a</td>")


# -- comments ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("site", "folder"), [("hugo", "data/comments"),
                                              ("jekyll", "_data/comments")])
def test_comments_are_threaded_data_files(site: str, folder: str,
                                          request: pytest.FixtureRequest) -> None:
    out: Path = request.getfixturevalue(site)
    files = sorted(p.name for p in (out / folder).iterdir())
    assert files == ["1001.json", "1002.json", "3001.json"]  # c5's post is not in the archive
    thread = json.loads((out / folder / "1001.json").read_text(encoding="utf-8"))
    assert [(c["id"], c["parent_id"], c["status"]) for c in thread] == [
        ("c1", None, "live"), ("c2", "c1", "live"), ("c3", None, "removed")]
    assert thread[0]["content"] == "<p>comment c1 &amp; more</p>"
    assert thread[0]["published"] == "2010-02-11T09:00:00-07:00"


# -- the generators build the sites ------------------------------------------------------------


def _built(tool: str, package: str, site: Path, args: list[str], public: Path) -> Path:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (Debian: apt-get install {package})")
    if tool == "jekyll" and subprocess.run(["ruby", "-e", "require 'jekyll-redirect-from'"],
                                           capture_output=True, check=False).returncode != 0:
        pytest.skip("the jekyll-redirect-from plugin is not installed (Debian: apt-get install "
                    "ruby-jekyll-redirect-from)")
    done = subprocess.run([tool, *args], cwd=site, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return public


def _check_published(public: Path) -> None:
    for post in PUBLISHED:
        assert post.path is not None
        old = public / post.path.lstrip("/")
        new = public / post.path.lstrip("/").removesuffix(".html") / "index.html"
        page = new.read_text(encoding="utf-8")
        assert post.title.replace('"', "&#34;") in page or post.title in page \
            or post.title.replace('"', "&quot;") in page, post.id
        redirect = old.read_text(encoding="utf-8")  # the old Blogger link still answers
        assert post.path.removesuffix(".html") + "/" in redirect
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace")
                     for p in public.rglob("*") if p.is_file())
    for marker in ("DRAFTMARKER", "SCHEDULEDMARKER", "TRASHMARKER", "PAGEDRAFTMARKER"):
        assert marker not in text  # nothing unpublished is published
    assert not (public / "2030").exists() and not (public / "2010" / "05").exists()


def test_hugo_builds_the_export_with_old_paths_as_aliases(hugo: Path, tmp_path: Path) -> None:
    public = _built("hugo", "hugo", hugo, ["--quiet", "-d", str(tmp_path / "public")],
                    tmp_path / "public")
    _check_published(public)
    for tag in ("y", "n", "0o12", "yes", "123"):  # Hugo's YAML took each for a string
        assert (public / "tags" / tag / "index.html").is_file(), tag
    page = (public / "2010" / "02" / "plain-post" / "index.html").read_text(encoding="utf-8")
    assert "{{ page.title }} stays text" in page and "<code>{{ code }}" in page
    braces = lxml.html.parse(public / "2010" / "04" / "braces" / "index.html").getroot()
    # text a reader sees, not shortcodes Hugo ran
    assert "Hugo {{< shortcode >}} and {{% mark %}} stay text." in braces.text_content()
    assert braces.findtext(".//pre") == "{{< in code >}}"
    assert 'id="cc2"' in page and 'href="#cc1"' in page  # the reply points at its parent


def test_jekyll_builds_the_export_with_old_paths_redirected(jekyll: Path, tmp_path: Path) -> None:
    public = _built("jekyll", "jekyll ruby-jekyll-redirect-from", jekyll,
                    ["build", "--quiet", "-d", str(tmp_path / "public")], tmp_path / "public")
    _check_published(public)
    page = (public / "2010" / "02" / "plain-post" / "index.html").read_text(encoding="utf-8")
    assert "{% raw %} {{ page.title }}" in page  # Liquid in a body is text
    assert "<code>{{ code }}" in page
    assert 'id="cc2"' in page and 'href="#cc1"' in page


@pytest.mark.parametrize(("path", "new", "redirect"), [
    ("/2010/02/some-post.html", "/2010/02/some-post/", "/2010/02/some-post.html"),
    ("/diary/2008/08/safety-net.htm", "/diary/2008/08/safety-net/",
     "/diary/2008/08/safety-net.htm"),  # old custom-domain blogs: a file, not the page's folder
    ("/p/about.html", "/p/about/", "/p/about.html"),
    ("/2010/02/no-extension", "/2010/02/no-extension/", None),
    ("/2010/02/folder/", "/2010/02/folder/", None),
    ("/2010/../../etc/passwd.html", "/posts/42/", None),  # never a path out of the site
    ("/2010/02/a post.html", "/posts/42/", None),
])
def test_new_paths_and_redirects(path: str, new: str, redirect: str | None) -> None:
    from blogarchive.export.paths import new_path, redirect_from

    post = POSTS[0].__class__(id="42", kind="post", status="live", title="", content="",
                              url=None, path=path, published=None, updated=None)
    assert (new_path(post), redirect_from(post)) == (new, redirect)


def test_hugo_redirects_an_old_htm_path_with_a_file(tmp_path: Path) -> None:
    import attrs

    from export_archive import archive

    base = archive()
    old = attrs.evolve(base.posts[1], path="/diary/2008/08/old-domain.htm",
                       url="http://www.example.org/diary/2008/08/old-domain.htm")
    hidden = attrs.evolve(base.posts[7], path="/diary/2030/01/not-yet.htm",
                          url="http://www.example.org/diary/2030/01/not-yet.htm")
    assert hidden.status == "scheduled"
    blogarchive.write(attrs.evolve(base, posts=(old, hidden), comments=()),
                      tmp_path / "archive")
    blogarchive.export(tmp_path / "archive", tmp_path / "out", "hugo")
    head, _ = split(tmp_path / "out" / "content" / "posts" / "1002.html")
    assert head["url"] == "/diary/2008/08/old-domain/" and "aliases" not in head
    stub = tmp_path / "out" / "static" / "diary" / "2008" / "08" / "old-domain.htm"
    assert 'content="0; url=/diary/2008/08/old-domain/"' in stub.read_text(encoding="utf-8")
    assert not (tmp_path / "out" / "static" / "diary" / "2030").exists()  # unpublished


def test_config_names_the_blogs_time_zone_only_when_known(hugo: Path, jekyll: Path,
                                                          tmp_path: Path) -> None:
    import attrs

    from export_archive import archive

    assert yaml.safe_load((hugo / "hugo.yaml").read_text(encoding="utf-8"))["timeZone"] == \
        "America/Los_Angeles"
    assert yaml.safe_load((jekyll / "_config.yml").read_text(encoding="utf-8"))["timezone"] == \
        "America/Los_Angeles"
    base = archive()
    blogarchive.write(attrs.evolve(base, blog=attrs.evolve(base.blog, time_zone="Mars/Olympus")),
                      tmp_path / "archive")
    report = blogarchive.export(tmp_path / "archive", tmp_path / "out", "hugo")
    config = yaml.safe_load((tmp_path / "out" / "hugo.yaml").read_text(encoding="utf-8"))
    assert "timeZone" not in config  # hugo refuses to build with a zone it does not know
    assert "the blog's time zone 'Mars/Olympus' is not a known zone" in " ".join(report.notes)


@given(st.lists(st.text(st.characters(exclude_categories=("Cs",))), max_size=4), st.text())
@example(["\x85", "y"], "a\x85b")  # a NEL PyYAML writes raw; a word Go's YAML reads as true
@settings(max_examples=200, deadline=None)
def test_front_matter_reads_back_exactly(labels: list[str], title: str) -> None:
    from blogarchive.export.frontmatter import front_matter

    text = front_matter({"title": title, "tags": labels, "blogger_id": "0123"})
    head, _, rest = text[4:].partition("\n---\n")
    assert rest == ""
    loaded = yaml.safe_load(head)
    assert loaded["title"] == title
    assert loaded.get("tags", []) == labels
    assert loaded["blogger_id"] == "0123"


def test_real_exports_build_with_every_old_path(tmp_path: Path) -> None:
    from blogarchive.export.paths import new_path, redirect_from
    from conftest import corpus_dir

    atom = corpus_dir("atom")
    names = ["legacy_ci-lhh-blogger-data-test_2022.xml",  # pages, threads, iframes
             "feed3_orcmid_nfoworks-diary_harmony-atom_2010.xml"]  # .htm paths, old domain
    for name in names:
        if not (atom / name).exists():
            pytest.skip(f"optional test data absent: {name} is not in the corpus")
        base = tmp_path / name
        blogarchive.convert([atom / name], base / "archive")
        loaded = blogarchive.load(base / "archive")
        for site, args, public in (
                ("hugo", ["hugo", "--quiet", "-d", "../public-hugo"], "public-hugo"),
                ("jekyll", ["jekyll", "build", "--quiet", "-d", "../public-jekyll"],
                 "public-jekyll")):
            blogarchive.export(base / "archive", base / site, site)
            package = "hugo" if site == "hugo" else "jekyll ruby-jekyll-redirect-from"
            built = _built(args[0], package, base / site, args[1:], base / public)
            for post in loaded.posts:
                if post.status != "live":
                    continue
                assert (built / new_path(post).lstrip("/") / "index.html").is_file(), post.id
                old = redirect_from(post)
                if old is not None:
                    assert (built / old.lstrip("/")).is_file(), (site, old)


def test_partial_and_retained_bodies_are_marked(tmp_path: Path) -> None:
    import attrs

    from export_archive import archive

    base = archive()
    cut = attrs.evolve(base.posts[0], content_partial=True, retained=True)
    blogarchive.write(attrs.evolve(base, posts=(cut, *base.posts[1:])), tmp_path / "archive")
    for site in ("hugo", "jekyll", "wxr"):
        report = blogarchive.export(tmp_path / "archive", tmp_path / site, site)
        assert any(n.startswith("1 body only partly in the archive") for n in report.notes)
    head, _ = split(one(tmp_path / "hugo", "content/posts/1001.*"))
    assert (head["blogger_partial"], head["blogger_retained"]) == (True, True)
    head, _ = split(one(tmp_path / "jekyll", "_posts/*-1001.*"))
    assert (head["blogger_partial"], head["blogger_retained"]) == (True, True)
    assert "blogger_partial" not in split(one(tmp_path / "hugo", "content/posts/1002.*"))[0]
    assert "<![CDATA[blogger_partial]]>" in (tmp_path / "wxr" / "wordpress.xml").read_text(
        encoding="utf-8")
