"""The site export's links and images looked up once per address (issue 11, branch exp11k):
``Bodies`` keeps each link's answer (its address made absolute, the file it now names, its
class) in an LRU memo, and counts an image address seen lately without asking the set again.
These restate the code before (main at d0a6bde: every link classified, every image counted,
each time) and compare the bytes over many bodies rendered one after the other by one
``Bodies``, so the memo is hit across posts and pages; and check that it is hit."""

from __future__ import annotations

import random
import sys
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

import pytest
from lxml import etree

from blogarchive.analysis.records import Quote
from blogarchive.analysis.urls import absolute
from blogarchive.export import sanitise
from blogarchive.export.bodytree import replace
from blogarchive.export.media import MediaFiles
from blogarchive.export.sanitise import Bodies
from blogarchive.export.sitepaths import relative
from conftest import CORPUS, ROOT
from test_export_site_bodies import HOSTILE, _bodies, _corpus_bodies, _Media

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import _body

PAGES = ("2010/01/p.html", "2011/02/other.html", "p/about.html", "posts/x1.html", "index.html")
REL = ' rel="noopener noreferrer"'  # nh3 adds it to every link
BASES = ("https://b.blogspot.com/2010/01/p.html", "https://b.blogspot.com/2011/02/other.html",
         "https://b.blogspot.com/p/about.html", None)

LINKS = [
    '<a href="/2011/02/other.html">abs path</a><a href="other.html">relative</a>',
    '<a href="../01/p.html#c2" class="x ba-k">up</a><a href="p.html">same folder</a>',
    '<a href="https://b.blogspot.com/2010/01/p.html#top">a</a><a href="http://www.b.'
    'blogspot.co.uk/2011/02/other.html?m=1">b</a>',
    '<a href="  https://b.blogspot.com/2011/02/other.html\n">padded</a>',
    '<a href="https://b.blogspot.com/">home</a><a href="/">home</a><a href="/search/label/'
    'Rain">label</a><a href="/search/label/Snow">no such label</a>',
    '<a href="https://b.blogspot.com/search/label/Rain#x">label, fragment</a>',
    '<a href="https://b.blogspot.com/2099/01/gone.html" title="t" class="c">gone</a>',
    '<a href="https://elsewhere.example/a" class="ba-quote x">out</a><a href="mailto:a@b.c">m</a>',
    '<a href="https://x.example/captured/big.jpg"><img src="https://x.example/captured/s.jpg">'
    '</a><a href="https://x.example/plain.png">png, not captured</a>',
    '<a href="data:text/html,x">d</a><a href="DATA:x">D</a><a href="#f">f</a><a href="">e</a>',
    '<a href="/2011/02/' + "long" * 600 + '.html">long</a><a href="https://e.example/' +
    "x" * 3000 + '">longer</a>',
    '<img src="https://t.example/a.png"><img src="https://t.example/a.png" alt="again">'
    '<img src="/rel.png"><img src="https://x.example/captured/c.jpg" title="t">',
    '<a href="https://t.example/"><img src="https://t.example/a.png"></a><img src="">',
    '<img src="https://t.example/' + "y" * 3000 + '.png"><img data-src="https://x.example/'
    'captured/lazy.jpg" srcset="a 1x" sizes="1px">',
]


class _Old(Bodies):
    """``Bodies`` with its links and images as they were before the memo."""

    def _images(self, images: list[etree._Element], base: str | None, page: str) -> bool:
        data = False
        for img in images:
            src = (img.get("src") or img.get("data-src") or "").strip()
            for name in ("srcset", "data-src", "sizes", "longdesc", "usemap"):
                img.attrib.pop(name, "")
            if sanitise._DATA_IMAGE.fullmatch(src):
                data = True
                continue
            url = absolute(src, base) if src else ""
            local = self._local(url)
            if local is not None:
                shown = relative(page, local)
                data = data or not sanitise._is_local(shown)
                img.set("src", shown)
                img.set("alt", img.get("alt") or img.get("title") or "")
                img.set("class", "ba-local-image")
                self.local_images.add(url)
                continue
            if url:
                self.remote_images.add(url)
                data = data or sanitise._is_data(url)
            inside_link = any(up.tag == "a" for up in img.iterancestors())
            note = etree.Element("span" if inside_link or not url else "a")
            note.set("class", "ba-remote-image")
            described = f" ({img.get('alt')})" if img.get("alt") else ""
            if url and not inside_link:
                note.set("href", url)
            note.text = (f"[Image{described} not in this copy: {url}]" if url
                         else f"[Image{described} with no address]")
            replace(img, note)
        return data

    def _links(self, links: Iterable[etree._Element], base: str | None, page: str) -> bool:
        data = False
        for a in links:
            href = (a.get("href") or "").strip()
            if not href or href.startswith("#") or a.get("class") in sanitise._MARKERS:
                data = data or sanitise._is_data(href)
                sanitise._own_class(a)
                continue
            url = absolute(href, base)
            internal, kind, post_id = self._urls.classify(url)
            fragment = urlsplit(url).fragment if "#" in url else ""
            target = self._posts.get(post_id) if post_id is not None else None
            if target is not None:
                pass
            elif internal and kind == "home":
                target = "index.html"
            elif internal and kind == "label":
                name = unquote(urlsplit(url).path[len("/search/label/"):])
                target = self._labels.get(name)
            if target is not None:
                a.set("href", relative(page, target) + (f"#{fragment}" if fragment else ""))
                a.set("class", "ba-archived")
            elif (local := self._local(url) if self._media and sanitise._image_like(url)
                  else None):
                a.set("href", relative(page, local))
                a.set("class", "ba-local-image")
            else:
                a.set("href", url)
                data = data or sanitise._is_data(url)
                if internal:
                    a.set("class", "ba-not-archived")
                    a.set("title", "not in this archive: the address on the original blog")
                else:
                    sanitise._own_class(a)
        return data


def _pair(media: MediaFiles | None) -> tuple[Bodies, Bodies]:
    new = _bodies(media)
    old = _Old(urls=new._urls, posts=new._posts, labels=new._labels, media=media)
    return new, old


def _same_in_turn(bodies: Iterable[tuple[str, tuple[Quote, ...]]], seed: int) -> int:
    """Each body rendered by one new and one old ``Bodies`` (each with and without captured
    media), on pages and bases drawn in turn; the same bytes and image counts. How many."""
    rng = random.Random(seed)
    count = 0
    pairs = [_pair(None), _pair(_Media())]
    for content, quotes in bodies:
        page, base = rng.choice(PAGES), rng.choice(BASES)
        for new, old in pairs:
            now = new.render(content, base=base, page=page, quotes=quotes)
            assert now == old.render(content, base=base, page=page, quotes=quotes), content
        count += 1
    for new, old in pairs:
        assert new.local_images == old.local_images
        assert new.remote_images == old.remote_images
    return count


def test_links_and_images_give_the_old_bytes_body_after_body() -> None:
    assert _same_in_turn([(content, ()) for content in LINKS * 6 + HOSTILE * 2], 1) > 100


def test_generated_bodies_give_the_old_bytes_body_after_body() -> None:
    rng = random.Random(5)
    bodies = [(_body(rng, "https://b.blogspot.com"), ()) for _ in range(150)]
    assert _same_in_turn(bodies * 2, 2) == 300


def test_corpus_bodies_give_the_old_bytes_body_after_body() -> None:
    if not (CORPUS / "atom").is_dir():
        pytest.skip("the corpus is optional test data")
    assert _same_in_turn(list(_corpus_bodies()) * 2, 3) > 200


def test_an_address_is_classified_once_and_shown_from_each_page() -> None:
    bodies = _bodies()
    asked: list[str] = []
    classify = bodies._urls.classify

    def counted(url: str) -> tuple[bool, str | None, str | None]:
        asked.append(url)
        return classify(url)

    bodies._urls = type("Counted", (), {"classify": staticmethod(counted)})()  # type: ignore[assignment]
    link = '<a href="https://b.blogspot.com/2011/02/other.html#c">o</a>'
    shown = [bodies.render(link, base=base, page=page)
             for page, base in zip(PAGES, BASES * 2, strict=False)]
    assert asked == ["https://b.blogspot.com/2011/02/other.html#c"]
    assert shown[0] == f'<a href="../../2011/02/other.html#c" class="ba-archived"{REL}>o</a>'
    assert shown[4] == f'<a href="2011/02/other.html#c" class="ba-archived"{REL}>o</a>'


def test_a_relative_address_is_read_against_each_post() -> None:
    bodies = _bodies()
    link = '<a href="p.html">p</a>'
    here = bodies.render(link, base="https://b.blogspot.com/2010/01/x.html", page="a/b.html")
    there = bodies.render(link, base="https://b.blogspot.com/2011/02/x.html", page="a/b.html")
    assert here == f'<a href="../2010/01/p.html" class="ba-archived"{REL}>p</a>'
    assert 'href="https://b.blogspot.com/2011/02/p.html" class="ba-not-archived"' in there


class _Counted(set[str]):
    def __init__(self) -> None:
        super().__init__()
        self.adds = 0

    def add(self, item: str, /) -> None:
        self.adds += 1
        super().add(item)


def test_an_image_address_seen_lately_is_counted_without_asking_the_set() -> None:
    local, remote = _Counted(), _Counted()
    new = _bodies(_Media())
    bodies = Bodies(urls=new._urls, posts=new._posts, labels=new._labels, media=_Media(),
                    local_images=local, remote_images=remote)
    long = "https://t.example/" + "z" * 3000 + ".png"
    for page in PAGES:
        bodies.render('<img src="https://t.example/a.png"><img src="https://x.example/captured'
                      f'/c.jpg"><img src="{long}">', base=None, page=page)
    assert remote == {"https://t.example/a.png", long} and local.adds == 1
    assert remote.adds == 1 + len(PAGES)  # the long address is not kept in the memo
    assert len(local) == 1
