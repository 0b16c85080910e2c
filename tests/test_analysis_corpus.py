"""The analysis on real bodies: every post of the optional corpus's atom/ files, and the post
bodies of its saved pages (html/) checked against the hand-verified values beside them.

A page's bodies are cut out here independently of the HTML reader (which has its own
tests in test_html_corpus.py), by the markers corpus/html/expected/README.md states
(classic: between Blogger's clear divs; Layouts and later: ``div.post-body``, or the
``<script type="text/template">`` inside it on the Google blog template).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html

import blogarchive
from blogarchive.analysis import _tree, analyse
from conftest import CORPUS, corpus_dir
from test_analysis_cpu import _assert_walks_agree

# Without the corpus one placeholder remains, so each test skips with corpus_dir's reason.
ATOM = sorted(p.name for p in (CORPUS / "atom").glob("*") if p.suffix in (".xml", ".atom")) or [
    "corpus-absent"]
PAGES = sorted(p.name for p in (CORPUS / "html").glob("*.html")) or ["corpus-absent"]
CLASSIC_BODY = re.compile(
    r'<div style="clear:\s*both;?"\s*>\s*</div>(.*?)'
    r'<div style="clear:\s*both;\s*padding-bottom:\s*0?\.25em;?"\s*>\s*</div>',
    re.S | re.I,
)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _outer_blockquotes(root: etree._Element, intros: set[str]) -> int:
    """Outermost blockquotes with text, less those holding only a link list's intro."""
    texts = [_squash(bq.text_content())
             for bq in root.xpath("//blockquote[not(ancestor::blockquote)]")]
    return sum(1 for text in texts if text and text not in intros)


@pytest.mark.parametrize("name", ATOM)
def test_atom_bodies(name: str) -> None:
    path = corpus_dir("atom") / name
    archive = blogarchive.read(path)
    for post in archive.posts:
        assert post.analysis is not None
        if not post.content.strip() or post.content_type == "text":
            continue
        # Counted independently with a plain lxml parse of the same body.
        root = lxml_html.fromstring(f"<div>{post.content}</div>")
        hrefs = root.xpath("//a[@href][not(ancestor::script)]")
        images = root.xpath("//img[@src or @data-src]")
        assert len(post.analysis.links) == len(hrefs), post.id
        assert sum(m.kind == "image" for m in post.analysis.media) == len(images), post.id
        blockquote_kinds = {"blockquote", "blockquote-cite", "editor-quote", "indent"}
        found = sum(q.kind in blockquote_kinds and q.html.startswith("<blockquote")
                    for q in post.analysis.quotes)
        intros = {ll.intro for ll in post.analysis.link_lists}
        assert found == _outer_blockquotes(root, intros), post.id
        assert analyse(post.content, post.url, None) == analyse(post.content, post.url, None)


def _bodies(raw: str) -> list[str]:
    found = CLASSIC_BODY.findall(raw)
    if found:
        return found
    doc = lxml_html.fromstring(raw)
    bodies = []
    post_body = '//div[contains(concat(" ", normalize-space(@class), " "), " post-body ")]'
    for el in doc.xpath(post_body):
        template = el.xpath('.//script[@type="text/template"]')
        bodies.append(template[0].text if template else lxml_html.tostring(el, encoding="unicode"))
    return bodies


@pytest.mark.parametrize("name", PAGES)
def test_page_bodies_against_hand_verified_values(name: str) -> None:
    folder = corpus_dir("html")
    expected = json.loads((folder / "expected" / f"{name}.json").read_text(encoding="utf-8"))
    raw = (folder / name).read_bytes().decode("utf-8", "replace")
    bodies = _bodies(raw)
    assert len(bodies) == len(expected["posts"])
    for body, post in zip(bodies, expected["posts"], strict=True):
        result = analyse(body, post.get("url"))
        text = result.text
        assert text.startswith(_squash(post["body_starts_with"])), post["id"]
        assert text.endswith(_squash(post["body_ends_with"])), post["id"]
        blockquotes = [q for q in result.quotes if q.html.startswith("<blockquote")]
        assert len(blockquotes) == post["blockquotes_in_body"], post["id"]


def test_known_quotes_on_real_pages() -> None:
    folder = corpus_dir("html")
    page = (folder / "classic-custom_clueless_item_2006-03_blockquote-cite.asp.html")
    (body,) = _bodies(page.read_bytes().decode("utf-8", "replace"))
    (quote,) = analyse(body).quotes
    assert quote.kind == "blockquote-cite"
    assert quote.cite == "http://www.booch.com/architecture/blog.jsp"
    page = folder / "layouts-custom_plentylife_item_2017-05_tr_bq-blockquote.html"
    (body,) = _bodies(page.read_bytes().decode("utf-8", "replace"))
    (quote,) = analyse(body).quotes
    assert quote.kind == "editor-quote"


def test_linkwithin_page_has_no_author_list() -> None:
    folder = corpus_dir("html")
    page = folder / ("layouts-v2-prettybookshelf_abookshelffullofsunshine_item_2013-10-05_"
                     "2comments_linkwithin.html")
    raw = page.read_bytes().decode("utf-8", "replace")
    assert "linkwithin" in raw.lower()
    for body in [*_bodies(raw), raw]:  # even the whole page, widgets and all
        assert all("linkwithin" not in ll.intro.lower() for ll in analyse(body).link_lists)


def test_corpus_is_listed() -> None:
    corpus_dir("atom")  # skips, saying the corpus is optional test data, when it is absent
    assert ATOM and PAGES
    assert Path(CORPUS / "html" / "expected").is_dir()


def test_the_one_walk_reads_real_bodies_as_the_stack_walk_did() -> None:
    # Bodies holding a comment (<!--more-->, an editor's conditional comments) took the old
    # walk, as lxml's iterwalk passed over comments; now they take the one walk too (issue 12).
    walked = commented = 0
    for name in ATOM:
        archive = blogarchive.read(corpus_dir("atom") / name, analyse=False)
        for post in archive.posts:
            root = _tree.parse(post.content)
            _assert_walks_agree(root)
            walked += 1
            commented += next(root.iter(etree.Comment), None) is not None
    for name in PAGES:
        raw = (corpus_dir("html") / name).read_bytes().decode("utf-8", "replace")
        for body in [*_bodies(raw), raw]:  # the whole page too: scripts, comments and all
            root = _tree.parse(body)
            _assert_walks_agree(root)
            walked += 1
            commented += next(root.iter(etree.Comment), None) is not None
    assert walked > 150
    assert commented > 10
