"""What ``convert`` does per saved page costs the same for every page (issue 12): nothing it
does for one page goes over every page read before it, and a post is not made again from
its line to be checked. Counted, not timed."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

import blogarchive
from blogarchive._inputs import path_opener
from blogarchive.analysis._tree import SKIP
from blogarchive.model import SourceInfo
from blogarchive.pagecheck import PageChecks, page_reports
from blogarchive.preserve import writer
from blogarchive.preserve.events import puid_for
from blogarchive.preserve.fixity import file_fixity
from blogarchive.preserve.names import unique_path
from blogarchive.readers.html import page as page_module
from blogarchive.readers.html.index import Index
from blogarchive.readers.html.labelrules import LISTS, is_label_href, is_navigation
from blogarchive.readers.html.page import parse_page
from blogarchive.sources import RawFile
from blogarchive.spool import output
from blogarchive.store import dumps_line
from conftest import CORPUS, FIXTURES

MIRROR = FIXTURES / "html" / "mirror"


class _NotWalked(set[str]):
    """A set a lookup may use, but that must not be gone through."""

    def __iter__(self) -> Iterator[str]:
        raise AssertionError("every name in use gone through for one more name")


def test_a_name_is_made_unique_by_lookups_not_by_going_through_every_name() -> None:
    taken = _NotWalked({"pages/a.html", "pages/a-2.html"})
    assert unique_path("pages/b.html", taken) == "pages/b.html"
    assert unique_path("Pages/A.html", taken) == "Pages/A-3.html"  # case-insensitive


def test_the_formats_of_each_file_are_those_of_the_sources_read_from_it() -> None:
    names = ["a.html", "a.html!x", "b.zip!feed.xml", "b.zip!c.zip!d.html", "b.zip!c.zip",
             "wow!.html", "wow!.html!in.xml", "b", "b.zipper"]
    sources = [SourceInfo(name=n, format=f"f{i}", size=1, sha256="0", entries=0)
               for i, n in enumerate(names)]
    found = writer.formats_by_file(sources)
    files = [*names, "b.zip", "wow", "c.zip", "nothing"]
    for raw in files:  # the rule it replaces, as the oracle: the source, and what is in it
        wanted = {s.format for s in sources if s.name == raw or s.name.startswith(raw + "!")}
        assert found.get(raw, set()) == wanted, raw
    assert found["b.zip"] == {"f2", "f3", "f4"}


def test_convert_checks_each_page_s_posts_without_making_them_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made = 0
    parse_line = output.parse_line

    def counting(*args: Any) -> Any:
        nonlocal made
        made += 1
        return parse_line(*args)

    monkeypatch.setattr(output, "parse_line", counting)
    converted = blogarchive.convert(MIRROR, tmp_path / "archive")
    assert made == 0
    assert converted[0].summary.pages == page_reports(blogarchive.read(MIRROR).posts)
    assert [p.posts for p in converted[0].summary.pages] == [2, 1]


def test_a_line_is_checked_as_its_post_is() -> None:
    posts = blogarchive.read(MIRROR).posts
    by_post, by_line = PageChecks(), PageChecks()
    for post in posts:
        by_post.add(post)
        by_line.add_line(json.loads(dumps_line(post)))
    assert by_line.reports() == by_post.reports()
    assert any(not r.clean for r in by_post.reports())


# The index's answers from their definitions, element by element (each climbs to the root
# and counts descendants: slow, and so the oracle of the index made without a Python walk).
def _names(el: etree._Element) -> list[str]:
    return [t for t in re.split(r"[ \t\r\n]+", el.get("class") or "") if t]


def _spaced(el: etree._Element) -> set[str]:
    return set((el.get("class") or "").split())


def _above(el: etree._Element, root: etree._Element) -> list[etree._Element]:
    """``el``'s ancestors up to ``root`` (itself included), innermost first."""
    found = []
    while el is not root:
        el = el.getparent()
        found.append(el)
    return found


def _innermost(els: list[etree._Element], test: Any, start: dict[Any, int]) -> int:
    return max((start[a] for a in els if test(a)), default=-1)


def _same_as_defined(root: etree._Element, posts: bool) -> None:
    index = Index(root, posts=posts)
    els = [el for el in root.iter() if isinstance(el.tag, str)]
    start = {el: n for n, el in enumerate(els)}
    assert index.order == els and index.start == start
    end = {el: start[el] + len(list(el.iter(etree.Element))) for el in els}
    assert all(index.end[el] == end[el] for el in els)
    above = {el: _above(el, root) for el in els}
    names = {el: _names(el) for el in els}
    spaced = {el: _spaced(el) for el in els}
    for tag in {el.tag for el in els}:
        assert index.by_tag.get(tag, []) == [el for el in els if el.tag == tag]
    by_class: dict[str, list[etree._Element]] = {}
    for el in els:
        for token in names[el]:  # a token written twice: the element twice, as before
            by_class.setdefault(token, []).append(el)
    assert dict(index.by_class) == by_class

    def widget(el: etree._Element) -> bool:
        return posts and "widget" in spaced[el] and "Blog" not in spaced[el]

    def body(el: etree._Element) -> bool:
        return posts and "post-body" in names[el]

    bodies = [el for el in els if body(el) and not any(widget(a) or body(a) for a in above[el])]
    assert index.bodies == bodies

    def hides(el: etree._Element) -> bool:
        return el in bodies or el.get("id") == "comments" or "comments" in spaced[el]

    headers = [el for el in els if "date-header" in names[el]]
    for el in els:
        assert index.hidden(el) == any(hides(a) for a in above[el])
        assert index.shown(el) == (not index.hidden(el))
        closed = [h for h in headers if end[h] <= start[el]]
        assert index.header_before(el) == max(closed, key=start.__getitem__, default=None)
        bits = tuple(_innermost(above[el], lambda a, w=words: bool(w & set(names[a])), start)
                     for words in ({"post-author"}, {"post-timestamp"},
                                   {"post-title", "entry-title", "title"}))
        assert index.outer.get(el, (-1, -1, -1)) == bits
        assert index.holds_skipped(el) == any(d is not el for d in el.iter(*SKIP))
    assert index.inner == [el for el in els if el in index.outer]
    assert index.holding == {a for a in els if a.tag == "a" and any(
        "mobile-index-title" in names[d] for d in a.iter() if d is not a
        and isinstance(d.tag, str))}
    assert index.comments_ids == [el for el in els if el.get("id") == "comments"]
    links = [a for a in els if a.tag == "a" and is_label_href(a.get("href") or "\0")]
    assert [(k.link, k.nav, k.list, k.footer) for k in index.label_links] == [(
        a, _innermost(above[a], lambda e: is_navigation(e, e.get("class"), e.get("id")), start),
        _innermost(above[a], lambda e: bool(spaced[e] & LISTS), start),
        _innermost(above[a], lambda e: "post-footer" in spaced[e], start)) for a in links]
    assert index.label_starts == [start[a] for a in links]


def _pages() -> list[Path]:
    found = sorted((FIXTURES / "html").rglob("*.html"))
    if (CORPUS / "html").is_dir():  # optional test data: used when it is there
        found += sorted((CORPUS / "html").rglob("*.htm*"))
    return found


_TRICKY = (
    b"<html><body><div class='widget HTML'><div class='post-body'>x</div></div>"
    b"<div class='post-body' id='comments'><div class='post-body'>y</div></div>"
    b"<!-- c --><h2 class='date-header'><span class='date-header'>1</span></h2>"
    b"<nav><p class='post-footer'><a href='/search/label/a'>a</a></p></nav>"
    b"<a href='/x'><b><i class='mobile-index-title'>t</i></b><a><span "
    b"class='mobile-index-title'>u</span></a></a><span class='post-author x\x0bcomments'>"
    b"<span class='title'><a href='/labels/b.html' class='tags'>b</a></span></span>"
    b"<script>s</script><?pi x?></body></html>")


@pytest.mark.parametrize("page", [*_pages(), "tricky"], ids=str)
def test_the_index_answers_as_its_definitions_say(page: Path | str) -> None:
    data = _TRICKY if page == "tricky" else Path(page).read_bytes()
    root = parse_page("page.html", data).root
    _same_as_defined(root, posts=True)
    _same_as_defined(root, posts=False)
    inner = root.find(".//body")  # the part of a page a comments reader is given
    if inner is not None:
        _same_as_defined(inner, posts=False)


def test_what_follows_the_indexed_element_is_not_in_its_index() -> None:
    # A page written twice over: libxml2 keeps the second <html> beside the root.
    twice = (b"<html><head><meta content='blogger' name='generator'/></head><body><div "
             b"class='post-body'><div style='clear:both'></div>\x0b</div></body></html>") * 2
    root = parse_page("page.html", twice).root
    assert root.getnext() is not None
    _same_as_defined(root, posts=True)
    _same_as_defined(root[1], posts=True)  # the body: its end is the root's


def test_a_url_met_again_is_not_taken_apart_again(monkeypatch: pytest.MonkeyPatch) -> None:
    taken_apart = 0
    split_url = page_module.split_url

    def counting(url: str) -> Any:
        nonlocal taken_apart
        taken_apart += 1
        return split_url(url)

    monkeypatch.setattr(page_module, "split_url", counting)
    url = "https://work-test.blogspot.de/2010/01/met-again.html?m=1#c1"
    first = page_module.canonical_url(url)
    assert first == "https://work-test.blogspot.com/2010/01/met-again.html"
    assert page_module.canonical_url(f" {url}", "https://elsewhere.example/") == first
    assert taken_apart == 1
    # Relative URLs are resolved first; a URL too long to keep is taken apart every time.
    assert page_module.canonical_url("/2010/01/met-again.html?m=1",
                                     "https://work-test.blogspot.com/") == first
    long = "https://work-test.blogspot.com/" + "a" * 5000
    assert page_module.canonical_url(long) == page_module.canonical_url(long) == long
    assert taken_apart == 4


def test_each_saved_page_is_opened_once_to_be_read_and_once_to_be_kept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Sniffing a page and reading it share one stream; its original is read once for its
    # digests, its format and its copy (the stored copy is not read back for its format).
    opened: Counter[str] = Counter()
    own_open = Path.open

    def counting(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if "r" in mode and self.suffix == ".html":
            opened[self.name] += 1
        return own_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", counting)
    converted = blogarchive.convert(MIRROR, tmp_path / "archive")
    pages = sorted(p.name for p in MIRROR.rglob("*.html"))
    assert len(pages) == 3 and converted[0].summary.posts > 0
    # One open to tell a zip or a WARC from a document, one to read it, one to keep it.
    assert opened == Counter(dict.fromkeys(pages, 3))


@pytest.mark.parametrize("whole", [1 << 20, 16], ids=["read-whole", "streamed"])
def test_an_original_is_stored_with_its_own_fixity_read_whole_or_streamed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, whole: int) -> None:
    monkeypatch.setattr(writer, "_WHOLE", whole)  # 16: every original below is streamed
    originals = writer._Originals(tmp_path, {})
    sources = {"a/page.html": b"<html>" + b"x" * 3000, "b.xml": b"<feed/>",
               "same.html": b"<html>" + b"x" * 3000}
    for name, data in sources.items():
        source = tmp_path / "in" / name.replace("/", "_")
        source.parent.mkdir(exist_ok=True)
        source.write_bytes(data)
        rel, fixity, head = originals.add(RawFile(name, path_opener(source)))
        assert fixity == file_fixity(source)
        assert head == (data[:2048] if whole > len(data) else None)  # None: puid_for reads
        assert (originals.root / rel).read_bytes() == data
    assert sorted(p.relative_to(originals.root).as_posix()
                  for p in originals.root.rglob("*") if p.is_file()) == ["a/page.html", "b.xml"]
    assert puid_for(tmp_path / "in" / "b.xml") == puid_for(Path("unused"), b"<feed/>")
