"""The page index's shortcuts for saved pages (issue 12, branch html12c): each gives the
answers of the way it replaced (``test_pages_work.test_the_index_answers_as_its_definitions_
say`` checks every answer element by element on every fixture and corpus page); here, that
the shortcuts are taken, and that the label-link kinds remembered stay bounded. Counted,
not timed."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

from blogarchive.analysis._tree import SKIP
from blogarchive.readers.html import labelrules
from blogarchive.readers.html.index import AUTHOR, STAMP, TITLE, Index
from blogarchive.readers.html.page import parse_page

_POST = ("<div class='post-outer'><h3 class='post-title entry-title'><a href='/p'>T</a></h3>"
         "<div class='post-body'>b</div><div class='post-footer'><span class='post-author "
         "vcard'>by <span class='fn'>A</span></span>{inner}<span class='post-labels'><a "
         "href='/search/label/x'>x</a></span></div></div>")


def _root(inner: str = "", posts: int = 2) -> etree._Element:
    page = "<html><body>" + _POST.format(inner=inner) * posts + "<script>s</script></body></html>"
    return parse_page("page.html", page.encode()).root


def _walks(monkeypatch: pytest.MonkeyPatch, root: etree._Element) -> tuple[Index, int]:
    calls = []
    own = etree.iterwalk

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return own(*args, **kwargs)

    monkeypatch.setattr(etree, "iterwalk", counting)
    return Index(root, posts=True), len(calls)


def test_an_outer_class_with_none_below_it_is_not_walked(
        monkeypatch: pytest.MonkeyPatch) -> None:
    index, walks = _walks(monkeypatch, _root())
    assert walks == 0
    fn = index.by_class["fn"][0]
    author = index.start[index.by_class["post-author"][0]]
    assert index.outer[fn] == (author, -1, -1)
    link = index.by_class["post-title"][0][0]
    assert index.outer[link] == (-1, -1, index.start[link.getparent()])
    assert index.inside(fn, index.root) == AUTHOR


def test_an_outer_class_with_another_below_it_is_walked(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A timestamp inside the byline: one walk for that byline of each post, none for titles.
    nested = "<span class='post-author'><span class='post-timestamp'><a>t</a></span></span>"
    index, walks = _walks(monkeypatch, _root(nested))
    assert walks == 2
    stamp_link = index.by_class["post-timestamp"][0][0]
    assert index.inside(stamp_link, index.root) == AUTHOR | STAMP
    assert not index.inside(stamp_link, index.root) & TITLE


def test_the_tags_set_aside_are_listed_by_tag_from_their_one_search() -> None:
    index = Index(_root(), posts=True)
    assert index.by_tag.found.keys() >= SKIP  # filled as the index is made, not when asked
    assert [el.tag for el in index.by_tag.found["script"]] == ["script"]
    assert index.by_tag.found["style"] == []


def test_label_link_kinds_are_remembered_only_for_short_attributes() -> None:
    labelrules.remembered_kinds.cache_clear()
    long_class = "menu " + "x" * 600  # navigation, by a class too long to be remembered
    page = (f"<html><body><div class='{long_class}'><span class='post-labels'><a "
            "href='/search/label/y'>y</a></span></div></body></html>")
    index = Index(parse_page("page.html", page.encode()).root, posts=True)
    (link,) = index.label_links
    nav = index.by_class["menu"][0]
    assert (link.nav, link.list) == (index.start[nav], index.start[link.link.getparent()])
    remembered = labelrules.remembered_kinds.cache_info().currsize
    assert remembered == 1  # the label list's class; not the long one
    Index(_root(), posts=True)
    Index(_root(), posts=True)
    info = labelrules.remembered_kinds.cache_info()
    assert info.hits > 0 and info.currsize < 10


@pytest.mark.parametrize("href", [
    "/search/label/x", "https://b.blogspot.com/search/label/a%20b?max-results=5",
    "/labels/x.html", "/labels/x.htm", "/labels/x.asp", "/labels/x.aspx", "/labels/x",
    "/labels/", "/search/labels/x", "/search?q=label", "", "label", "/LABELS/x.html",
    "/search/Label/x"])
def test_the_label_link_rule_is_the_same_in_xpath_and_in_python(href: str) -> None:
    # the page index finds label links by an XPath (in C), labels.py tests one by
    # is_label_href: two spellings of one rule, which must agree
    root = etree.fromstring(f'<div><a href="{href}">x</a></div>')
    assert bool(labelrules.LABEL_LINKS(root)) == labelrules.is_label_href(href)


@pytest.mark.parametrize(("classes", "ident"), [
    ("menu", None), (None, "nav-bar"), ("post-labels", None), ("sidebar x", "y"),
    ("breadcrumbs", None), ("post-footer tags", None), ("submenu", None), (None, None),
    ("Pagination", None), ("xnav", None)])
def test_the_navigation_rule_is_the_same_for_the_index_and_labels(
        classes: str | None, ident: str | None) -> None:
    element = etree.Element("div")
    assert bool(labelrules.kinds_of(classes, ident) & labelrules.NAV) == \
        labelrules.is_navigation(element, classes, ident)
