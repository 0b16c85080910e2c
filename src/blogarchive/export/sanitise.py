"""A post or comment body made safe and offline for the access copy.

Two passes. First the body is parsed (libxml2's HTML parser, as the analysis parses it) and
rewritten for reading offline:

- links to archived posts and pages, label searches and the home page become relative links
  to this copy's own files (so an "earlier posts" list leads to the posts it names); links
  into the blog that the archive lacks stay absolute and are marked ``ba-not-archived``;
- an image captured by ``blogarchive capture`` is shown from OUT/media/; any other image is
  not loaded (a copy that loads remote images makes network requests, and the image may be
  gone): it becomes a link, or inside a link a note, naming its address, marked
  ``ba-remote-image``;
- iframes, objects, embeds, videos and audio become a link to what they embedded;
- quotations (as the analysis found them) are marked ``ba-quote``, indentations ``ba-indent``;
- headings are moved down so that the body's first level is h2, under the page's h1.

Then nh3 cleans the result with an allowlist: no script, style, form, iframe or event
handler survives, ``style`` keeps only layout properties (no ``url()`` can load anything),
classes keep only this copy's ``ba-`` markers, and an image source must be a file of the copy
(or a small inline ``data:`` image). Whatever the first pass misses, the second removes. The
last two rules are a Python filter nh3 calls per attribute; the first pass already leaves
classes and sources so, and a body with nothing the filter could change (most: no comment,
raw text, foreign content, ``data:`` URL, nothing removed or replaced) is cleaned without it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, NamedTuple, Protocol
from urllib.parse import unquote, urlsplit

import nh3
from lxml import etree

from ..analysis._tree import parse
from ..analysis.records import Quote
from ..analysis.urls import MEMO, UrlMap, absolute, original_image
from .bodytree import demote_headings, embedded_url, inner_html, mark_quotes, remove, replace
from .media import MediaFiles
from .sitepaths import relative

__all__ = ["Bodies", "Distinct"]

_TAGS: Final = frozenset(nh3.ALLOWED_TAGS - {"area", "map"}) | {"font", "big", "tfoot"}
_LAYOUT: Final = frozenset({
    "text-align", "float", "clear", "margin", "margin-left", "margin-right", "margin-top",
    "margin-bottom", "padding", "padding-left", "padding-right", "font-weight", "font-style",
    "text-decoration", "text-indent", "color", "font-size", "font-family", "width", "height",
    "vertical-align", "white-space", "border", "line-height", "display",
})
_ATTRIBUTES: Final = {
    **{tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()},
    "a": {"href", "hreflang", "title"},
    "img": {"src", "alt", "title", "width", "height", "align"},
    "font": {"color", "size", "face"},
    "ol": {"start", "type"},
    "li": {"value"},
    "abbr": {"title"},
    "acronym": {"title"},
    "*": {"class", "style", "lang", "dir", "align"},
}
_EMBEDS: Final = ("iframe", "object", "embed", "video", "audio")
_DROPPED: Final = ("script", "style", "noscript", "template", "form", "link", "meta", "base")
_DATA_IMAGE: Final = re.compile(r"data:image/(?:png|gif|jpeg|webp);base64,[A-Za-z0-9+/=\s]*")
_IMAGE_SUFFIX: Final = re.compile(r"\.(?:jpe?g|png|gif|webp|bmp)$", re.IGNORECASE)
_HEADINGS: Final = ("h1", "h2", "h3", "h4", "h5", "h6")
# The characters nh3 changes in plain text (escapes, line ends, NUL, a byte order mark,
# lone surrogates); text with none of them comes back from it unchanged, so it is not
# cleaned (tests/test_export_site_speed.py checks every code point against nh3).
_CLEANED: Final = re.compile(r"[<>&\r\x00\xa0\ufeff\ud800-\udfff]")
# What the attribute filter still has to do once the first pass has run. The pass cuts
# every class to this copy's ``ba-`` markers as the filter does (links' in ``_links``, the
# rest once ``_walk`` has found them), and every image it keeps points into the copy, so
# the filter would leave all of it as it is, except: a ``data:`` URL (the filter drops it
# from a link, keeps it as an image only when well formed), and what nh3's html5ever may
# read apart from libxml2 once serialised, so that an attribute reaches nh3 that the pass
# never saw: comments, raw text, foreign content, ``<image>`` (read as ``<img>``). A body
# holding any of these, or anything the pass removes or replaces, takes the pass and the
# filter as every body did before. (Character references cannot spell ``data:`` for nh3:
# libxml2 writes each ``&`` of an attribute as ``&amp;``, but before ``{``.)
_APART: Final = frozenset({
    "image", "xmp", "plaintext", "noembed", "noframes", "textarea", "title", "svg", "math",
    "frame", "frameset", "isindex", etree.Comment, etree.PI})
_NOT_PLAIN: Final = _APART | frozenset(_DROPPED) | frozenset(_EMBEDS)
_HEADING_TAGS: Final = frozenset(_HEADINGS)
_MARKERS: Final = ("ba-embed", "ba-remote-image")  # the links whose address is kept as it is
_MEMO_LONGEST: Final = 2048  # a longer address is not remembered (the memo holds its text)


class _Walked(NamedTuple):
    images: list[etree._Element]
    links: list[etree._Element]
    headings: list[etree._Element]
    classed: list[etree._Element]  # other than links and images


def _is_local(value: str) -> bool:
    """A path relative to this page: no scheme, no host, not from the file system's root."""
    parts = urlsplit(value)
    return not parts.scheme and not parts.netloc and not value.startswith(("/", "\\"))


def _attribute(tag: str, name: str, value: str) -> str | None:
    """nh3's last word on each attribute that the allowlist let through."""
    if name == "class":
        return _our_classes(value)
    if name == "src":
        if tag == "img" and (_is_local(value) or _DATA_IMAGE.fullmatch(value)):
            return value
        return None
    if name == "href" and value.strip().lower().startswith("data:"):
        return None
    return value


class Distinct(Protocol):
    """Distinct strings, counted (a ``set``, or ``spool.SqlSet``)."""

    def add(self, item: str, /) -> None: ...

    def __len__(self) -> int: ...


class Bodies:
    """Renders bodies for the pages of one export; counts the images it showed and did not."""

    def __init__(self, *, urls: UrlMap, posts: Mapping[str, str], labels: Mapping[str, str],
                 media: MediaFiles | None, local_images: Distinct | None = None,
                 remote_images: Distinct | None = None) -> None:
        self._urls = urls
        self._posts = posts  # published post id -> its file in OUT
        self._labels = labels  # label -> its file in OUT
        self._media = media if media is not None and media.any() else None
        rules: dict[str, Any] = {
            "tags": set(_TAGS), "attributes": _ATTRIBUTES, "clean_content_tags": set(_DROPPED),
            "url_schemes": {"http", "https", "mailto", "data"},
            "filter_style_properties": set(_LAYOUT)}
        # built once: their rules compile once. The filter is a Python call per attribute
        # (a third of nh3's time); a body whose first pass left nothing for it to change is
        # cleaned without it (_APART; tests/test_export_site_bodies.py compares the two).
        self._cleaner = nh3.Cleaner(**rules, attribute_filter=_attribute)
        self._unfiltered = nh3.Cleaner(**rules)
        # the distinct image URLs shown and not shown (a set, or one held on disk)
        self.local_images: Distinct = local_images if local_images is not None else set()
        self.remote_images: Distinct = remote_images if remote_images is not None else set()
        # Blogs link to the same few addresses from post after post (an "earlier posts"
        # list, the home page, a label): each address is classified and looked up once
        # while it is recent. An LRU, so that it does not grow with the blog. The answer
        # depends on nothing that changes while the pages are written.
        self._link = functools.lru_cache(maxsize=MEMO)(self._link_to)
        # the same for the images counted: an address seen lately is in its set already
        # (the sets are held on disk by the site export: one SQL statement an image saved)
        self._local_seen = functools.lru_cache(maxsize=MEMO)(self.local_images.add)
        self._remote_seen = functools.lru_cache(maxsize=MEMO)(self.remote_images.add)

    def render(self, content: str, *, base: str | None, page: str,
               quotes: Iterable[Quote] = ()) -> str:
        """``content`` as safe HTML for the page at ``page`` (a path under OUT); ``base``:
        the URL relative links in it were written against (the post's permalink)."""
        if "<" not in content:  # plain text (most comments): nothing to rewrite, only to clean
            if not _CLEANED.search(content):
                return content  # what nh3 would give back: no character it changes
            return str(self._cleaner.clean(content))
        root = parse(content)
        walked = _walk(root)
        if walked is None:  # something to remove, replace, or that nh3 may read apart
            for el in list(root.iter(*_DROPPED)):
                remove(el)
            self._embeds(root, base)
            self._images(list(root.iter("img")), base, page)
            self._links(root.iter("a"), base, page)
            mark_quotes(root, quotes)
            demote_headings(list(root.iter(*_HEADINGS)))
            return str(self._cleaner.clean(inner_html(root)))
        # the links made for images are not walked: they are ba-remote-image (kept as made)
        data = self._images(walked.images, base, page)
        data = self._links(walked.links, base, page) or data
        mark_quotes(root, quotes)
        for el in walked.classed:  # once the quotes are marked: a class stays where it was
            _own_class(el)
        demote_headings(walked.headings)
        cleaner = self._cleaner if data else self._unfiltered
        return str(cleaner.clean(inner_html(root)))

    def _embeds(self, root: etree._Element, base: str | None) -> None:
        replaced: set[etree._Element] = set()
        for el in list(root.iter(*_EMBEDS)):
            if any(up in replaced for up in el.iterancestors()):
                continue
            replaced.add(el)
            url = embedded_url(el)
            link = etree.Element("a" if url else "span")
            link.set("class", "ba-embed")
            kind = "video" if el.tag in ("video", "iframe", "object", "embed") else "audio"
            if url:
                target = absolute(url, base)
                host = urlsplit(target).hostname or "the web"
                link.set("href", target)
                link.text = f"Embedded {kind} from {host} (not part of this copy): {target}"
            else:
                link.text = f"An embedded {kind} that named no address"
            replace(el, link)

    def _images(self, images: list[etree._Element], base: str | None, page: str) -> bool:
        """Whether the attribute filter would still change a source: an image kept a
        ``data:`` URL, or a link made for one has one."""
        data = False
        for img in images:
            src = (img.get("src") or img.get("data-src") or "").strip()
            attrib = img.attrib
            for name in ("srcset", "data-src", "sizes", "longdesc", "usemap"):
                attrib.pop(name, "")
            if _DATA_IMAGE.fullmatch(src):
                data = True
                continue
            url = absolute(src, base) if src else ""
            local = self._local(url)
            if local is not None:
                shown = relative(page, local)
                data = data or not _is_local(shown)  # never so: the filter would drop it
                img.set("src", shown)
                img.set("alt", img.get("alt") or img.get("title") or "")
                img.set("class", "ba-local-image")
                _count(self._local_seen, self.local_images, url)
                continue
            if url:
                _count(self._remote_seen, self.remote_images, url)
                data = data or _is_data(url)
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

    def _local(self, url: str) -> str | None:
        if self._media is None or not url:
            return None
        found = self._media.local(url)
        if found is None:
            original = original_image(url)
            if original and original != url:
                found = self._media.local(original)
        return found

    def _links(self, links: Iterable[etree._Element], base: str | None, page: str) -> bool:
        """Whether a link is left with a ``data:`` URL (each link's class is cut to this
        copy's markers here, as the attribute filter would)."""
        data = False
        for a in links:
            written = a.get("href")
            href = (written or "").strip()
            if not href or href.startswith("#") or a.get("class") in _MARKERS:
                data = data or _is_data(href)
                _own_class(a)
                continue
            # an absolute address is read the same against any base: one memo entry for
            # every post that links to it
            if len(href) > _MEMO_LONGEST:  # a pasted data: URL, say: not kept in the memo
                url, target, marker = self._link_to(href, base)
            else:
                url, target, marker = self._link(
                    href, None if href.startswith(("http://", "https://")) else base)
            if target is not None:
                a.set("href", relative(page, target))
                a.set("class", marker)
                continue
            if url != written:  # most links keep their address: no second copy of it set
                a.set("href", url)
            data = data or _is_data(url)
            if marker:
                a.set("class", marker)
                a.set("title", "not in this archive: the address on the original blog")
            else:
                _own_class(a)
        return data

    def _link_to(self, href: str, base: str | None) -> tuple[str, str | None, str]:
        """Where the link ``href`` (stripped, not a fragment) in a body written against
        ``base`` leads: its absolute address; the file of OUT it now names (its fragment
        kept), or None; the class it gets ("": its own, cut to this copy's markers)."""
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
            return url, target + (f"#{fragment}" if fragment else ""), "ba-archived"
        if (local := self._local(url) if self._media and _image_like(url) else None):
            return url, local, "ba-local-image"
        return url, None, "ba-not-archived" if internal else ""


def _count(seen: Callable[[str], None], into: Distinct, url: str) -> None:
    """``url`` added to ``into`` through ``seen`` (its memo), unless too long to keep there."""
    if len(url) > _MEMO_LONGEST:
        into.add(url)
    else:
        seen(url)


def _image_like(url: str) -> bool:
    return original_image(url) is not None or bool(_IMAGE_SUFFIX.search(urlsplit(url).path))


def _walk(root: etree._Element) -> _Walked | None:
    """One walk, for a body with nothing to remove or replace and nothing nh3 may read apart
    (None otherwise): its images, links, headings, and the other elements holding a class.
    (One ``iter()`` walked in Python costs less than the five ``iter(tags)`` it replaces:
    each sets up its tag matcher again.)"""
    walked = _Walked([], [], [], [])
    for el in root.iter():
        tag = el.tag
        if tag == "a":
            walked.links.append(el)
        elif tag in _NOT_PLAIN:
            return None
        elif tag == "img":  # its class is set or dropped with it (_images)
            walked.images.append(el)
        else:
            if tag in _HEADING_TAGS:
                walked.headings.append(el)
            if el.get("class") is not None:
                walked.classed.append(el)
    return walked


def _is_data(url: str) -> bool:
    """A ``data:`` URL, which the attribute filter still has a word on."""
    return url[:5].lower() == "data:"


def _own_class(el: etree._Element) -> None:
    """``el``'s class as the attribute filter leaves it (which then leaves it unchanged)."""
    value = el.get("class")
    if value is None:
        return
    kept = _our_classes(value)
    if kept:
        el.set("class", kept)
    else:
        del el.attrib["class"]


def _our_classes(value: str) -> str | None:
    """What a class attribute keeps: the export's own ``ba-`` markers (None: none)."""
    return " ".join(c for c in value.split() if c.startswith("ba-")) or None
