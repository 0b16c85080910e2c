"""Layouts pages as themes render ``data:post.author*`` and ``data:post.labels`` (issue 14):
each theme's author byline, and the post's own label list against breadcrumbs and menus,
published from one skeleton of the Simple template's Blog widget and read back, with the rule
that gave each field."""

from __future__ import annotations

from pathlib import Path

import pytest

import blogarchive
from conftest import CORPUS, FIXTURES

SKELETON = FIXTURES / "html" / "templates" / "layouts-post.html"
HOST = "http://wells-example.blogspot.com"
PROFILE = "https://www.blogger.com/profile/08811223344"
NAME = "Ana Pérez"
ITEMPROP = f"<span itemprop='name'>{NAME}</span>"

# <data:post.author/> with <data:post.authorProfileUrl/> as each theme writes it: (where in the
# post, markup, expected profile URL, expected rule).
AUTHORS: dict[str, tuple[str, str, str | None, str]] = {
    "v2 Simple": ("author", "<span class='post-author vcard'>Posted by <span class='fn' "
                  "itemprop='author' itemscope='itemscope' itemtype='http://schema.org/Person'>"
                  f"<meta content='{PROFILE}' itemprop='url'/><a class='g-profile' "
                  f"href='{PROFILE}' rel='author' title='author profile'>{ITEMPROP}</a></span>"
                  "</span>", PROFILE, "itemprop=name"),
    "G1404 no g-profile": ("author", "<span class='post-author vcard'><span class='fn' "
                           f"itemprop='author'><meta content='{PROFILE}' itemprop='url'/>"
                           f"<a href='{PROFILE}' rel='author' title='author profile'>{ITEMPROP}"
                           "</a></span></span>", PROFILE, "itemprop=name"),
    "v2 without profile": ("author", "<span class='post-author vcard'>Posted by <span "
                           f"class='fn' itemprop='author'>{ITEMPROP}</span></span>", None,
                           "itemprop=name"),
    "v1 Minima": ("author", f"<span class='post-author vcard'>Posted by <span class='fn'>{NAME}"
                  "</span></span>", None, "span.fn"),
    "v1 with g-profile": ("author", "<span class='post-author vcard'>Posted by <a "
                          f"class='g-profile' href='{PROFILE}' rel='author' "
                          f"title='author profile'>{NAME}</a></span>", PROFILE, "a.g-profile"),
    "2017+ byline": ("author", "<span class='byline post-author vcard'><span "
                     "class='byline-label'>Posted by</span> <span class='fn'><meta "
                     f"content='{PROFILE}' itemprop='url'/><a class='g-profile' href='{PROFILE}' "
                     f"title='author profile'>{ITEMPROP}</a></span></span>", PROFILE,
                     "itemprop=name"),
    "custom: profile link only": ("header-author", f"<a href='{PROFILE}' rel='author' "
                                  f"title='author profile'>{NAME}</a>", PROFILE,
                                  "a[rel=author]"),
    "custom: post-author text": ("author", f"<span class='post-author'>{NAME}</span>", None,
                                 "span.post-author"),
}

LABELS = ("zebra mussels", "aquifers", "pumps")  # the list's own order
BREADCRUMB = (f"<div class='breadcrumbs'><a href='{HOST}/'>Home</a> &#187; "
              f"<a href='{HOST}/search/label/aquifers'>aquifers</a> &#187; Pump test</div>")
MENU = (f"<ul class='menu'><li><a href='{HOST}/search/label/pumps'>pumps</a></li>"
        f"<li><a href='{HOST}/search/label/aquifers'>aquifers</a></li></ul>")
NAV = f"<nav><a href='{HOST}/search/label/aquifers'>aquifers</a></nav>"


def _links(rel: str = " rel='tag'") -> str:
    return ", ".join(f"<a href='{HOST}/search/label/{name.replace(' ', '%20')}'{rel}>{name}</a>"
                     for name in LABELS)


# <data:post.labels/> as themes list them: (markup, expected rule).
LABEL_LISTS: dict[str, tuple[str, str]] = {
    "span.post-labels": (f"<span class='post-labels'>Labels: {_links()}</span>", "post-labels"),
    "div.post-labels, no rel": (f"<div class='post-labels'>{_links('')}</div>", "post-labels"),
    "rel=tag only": (f"<div class='tag-line'>{_links()}</div>", "rel=tag"),
    "footer links only": (f"<div>{_links('')}</div>", "post-footer"),
}
NAVIGATION = {"none": "", "breadcrumb": BREADCRUMB, "menu": MENU, "nav": NAV}


def _page(tmp_path: Path, author: str = "v2 Simple", labels: str = "span.post-labels",
          navigation: str = "none") -> blogarchive.Post:
    place, markup, _, _ = AUTHORS[author]
    html = SKELETON.read_text(encoding="utf-8")
    html = html.replace(f"<!-- {place} -->", markup)
    html = html.replace("<!-- labels -->", LABEL_LISTS[labels][0])
    html = html.replace("<!-- navigation -->", NAVIGATION[navigation])
    page = tmp_path / "pump-test.html"
    page.write_text(html, encoding="utf-8")
    (post,) = blogarchive.read(page, analyse=False).posts
    return post


@pytest.mark.parametrize("theme", AUTHORS)
def test_layouts_author_byline_of_each_theme(tmp_path: Path, theme: str) -> None:
    _, _, profile, rule = AUTHORS[theme]
    post = _page(tmp_path, author=theme)
    assert post.author is not None and (post.author.name, post.author.uri) == (NAME, profile)
    assert post.field_sources is not None and post.field_sources.author == rule
    assert post.url == f"{HOST}/2012/06/pump-test.html"
    assert post.field_sources.url == "a.timestamp-link"
    assert post.published_source == "abbr.published"


@pytest.mark.parametrize("navigation", NAVIGATION)
@pytest.mark.parametrize("labels", LABEL_LISTS)
def test_the_posts_own_label_list_wins_over_breadcrumbs_and_menus(
        tmp_path: Path, labels: str, navigation: str) -> None:
    post = _page(tmp_path, labels=labels, navigation=navigation)
    assert post.labels == LABELS
    assert post.field_sources is not None
    assert post.field_sources.labels == LABEL_LISTS[labels][1]


def test_label_links_alone_are_a_fallback_that_skips_menus(tmp_path: Path) -> None:
    html = SKELETON.read_text(encoding="utf-8").replace(
        "<!-- navigation -->", MENU + f"<p><a href='{HOST}/search/label/wells'>wells</a></p>")
    page = tmp_path / "pump-test.html"
    page.write_text(html, encoding="utf-8")
    (post,) = blogarchive.read(page, analyse=False).posts
    assert post.labels == ("wells",)
    assert post.field_sources is not None and post.field_sources.labels == "label-links"


# -- the real Layouts templates of the optional corpus, rendered in place ----------------------

LAYOUTS_TEMPLATES = sorted((CORPUS / "templates").glob("layouts-template_*.xml")) or [
    Path("corpus-absent")]
PAGE = """<!DOCTYPE html><html class='v2'><head><meta content='blogger' name='generator'/>
<link rel='alternate' type='application/atom+xml' title='Well Logs - Atom'
 href='{host}/feeds/posts/default'/><title>Well Logs: Pump test</title></head><body>
<div class='widget Blog' id='Blog1'><div class='blog-posts hfeed'><div class='date-outer'>
<h2 class='date-header'><span>Tuesday, June 12, 2012</span></h2><div class='date-posts'>
<div class='post-outer'>{post}</div></div></div></div></div></body></html>"""


def _scope(profile: bool, timestamp: bool, shown: str) -> dict[str, object]:
    url = f"{HOST}/2012/06/pump-test.html"
    labels = [{"name": name, "url": f"{HOST}/search/label/{name.replace(' ', '%20')}",
               "isLast": "true" if name == LABELS[-1] else "false"} for name in LABELS]
    return {
        "blog": {"pageType": "index", "url": f"{HOST}/", "blogId": "7203152",
                 "metaDescription": ""},
        "top": {"showAuthor": True, "authorLabel": "Posted by", "showTimestamp": timestamp,
                "timestampLabel": "at"},
        "postLabelsLabel": "Labels:",
        "post": {"id": "4411223344556677889", "title": "Pump test", "url": url,
                 "canonicalUrl": url, "author": NAME,
                 "authorProfileUrl": PROFILE if profile else "", "timestamp": shown,
                 "timestampISO8601": "2012-06-12T09:41:00-07:00", "labels": labels,
                 "body": "<p>The pump ran for <b>six hours</b>.</p>"},
    }


@pytest.mark.parametrize("template", LAYOUTS_TEMPLATES, ids=lambda p: p.name)
@pytest.mark.parametrize("profile", [True, False], ids=["profile", "no-profile"])
@pytest.mark.parametrize("shown", ["9:41 AM", "09:41", "Tuesday, June 12, 2012", "12.06.12"])
def test_real_layouts_templates_in_place(tmp_path: Path, template: Path, profile: bool,
                                         shown: str) -> None:
    if not template.is_file():
        pytest.skip(f"optional test data absent: no Layouts templates in {CORPUS / 'templates'}"
                    " (set BLOGARCHIVE_CORPUS to run this)")
    from layouts_render import render_post

    scope = _scope(profile, timestamp=True, shown=shown)
    # Item pages: this theme's index pages print no post-body, only a script-made summary.
    scope["blog"]["pageType"] = "item"  # type: ignore[index]
    post_html = render_post(template.read_bytes(), scope)
    page = tmp_path / "pump-test.html"
    page.write_text(PAGE.format(host=HOST, post=post_html), encoding="utf-8")
    (post,) = blogarchive.read(page, analyse=False).posts
    assert post.author is not None
    assert (post.author.name, post.author.uri) == (NAME, PROFILE if profile else None)
    assert post.url == f"{HOST}/2012/06/pump-test.html"
    assert post.published is not None
    assert post.published.isoformat() == "2012-06-12T09:41:00-07:00"
    assert post.published_source == "abbr.published"
    assert post.labels == LABELS
    assert post.field_sources is not None
    assert (post.field_sources.author, post.field_sources.url, post.field_sources.labels) == (
        "itemprop=name", "a.timestamp-link", "post-labels")
