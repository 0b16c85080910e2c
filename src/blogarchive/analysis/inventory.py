"""Every link and every image, video, embed and iframe in a post body, in document order."""

from __future__ import annotations

import re
from typing import Final

from lxml import etree

from ._body import Body
from .records import BodyLink, Media
from .urls import UrlMap, absolute, original_image

__all__ = ["find_links_and_media"]

_VIDEO: Final = re.compile(
    r"(?:blogger\.com/video\.g|youtube(?:-nocookie)?\.com|youtu\.be|vimeo\.com|"
    r"dailymotion\.com|googlevideo\.com|video\.google\.|blogger\.com/img/videoplayer)",
    re.I,
)


_MEDIA: Final = ("img", "iframe", "object", "embed", "video", "audio")
_LINKS: Final = frozenset({"a"})


# The links around an element, outermost first (XPath gives a node-set in document order).
_LINKED: Final = etree.XPath("ancestor::a[@href]")


class _Around:
    """What lies around the body's links and media: which links hold an image, and the link
    each medium is in. Each medium asks for the links around it (in C: one XPath); an image
    marks them from the innermost out, stopping at one marked already, whose own links
    around are marked too. Asking each link for an image below it, and a Python step per
    link and medium through the whole body (iterwalk), were quadratic and four times
    slower (issue 15, issue 12)."""

    def __init__(self, root: etree._Element | None) -> None:
        self.with_image: set[etree._Element] = set()
        self.link: dict[etree._Element, str] = {}
        if root is None:
            return
        for el in root.iter(*_MEDIA):
            around: list[etree._Element] = _LINKED(el)  # type: ignore[assignment]
            if not around:
                continue
            self.link[el] = str(around[-1].get("href"))
            if el.tag == "img":
                for link in reversed(around):
                    if link in self.with_image:
                        break
                    self.with_image.add(link)


def find_links_and_media(body: Body, urls: UrlMap, base: str | None
                         ) -> tuple[tuple[BodyLink, ...], tuple[Media, ...]]:
    """Every link and every medium in the body, each in document order."""
    # What both ask, found in one walk for both; in a body without media (most), nothing.
    around = _Around(body.root if next(body.root.iter(*_MEDIA), None) is not None else None)
    return _links(body, urls, base, around), _found_media(body, around)


def _links(body: Body, urls: UrlMap, base: str | None, around: _Around) -> tuple[BodyLink, ...]:
    out = []
    # Names bound once: this loop runs for every link of every post (a fifth of the analysis).
    reached = body.spans  # what the walk reached: not inside a script or other hidden element
    classify = urls.classify
    text_of = body.text
    with_image = around.with_image
    archived = bool(urls.posts)
    for el in body.root.iter("a"):
        href = el.get("href")
        if href is None or el not in reached:
            continue
        href = str(href)
        internal, kind, post_id = classify(absolute(href, base))
        if post_id is not None and kind not in ("post", "page"):
            kind = "post"  # a custom permalink the archive knows is a post
        out.append(BodyLink(
            url=href,
            # its own text: a link nested in it (no browser nests them) is read for itself
            text=text_of(el, _LINKS),
            internal=internal,
            kind=kind,
            post_id=post_id,
            # Missing from the archive; a body analysed without one has nothing to miss.
            broken=internal and kind in ("post", "page") and post_id is None and archived,
            image=el in with_image,
        ))
    return tuple(out)


def _media(kind: str, url: str, el: etree._Element, around: _Around,
           original: str | None = None) -> Media:
    alt = el.get("alt") or el.get("title")
    return Media(
        kind=kind,
        url=url,
        original=original,
        width=_str(el.get("width")),
        height=_str(el.get("height")),
        alt=str(alt) if alt else None,
        link=around.link.get(el),
    )


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _found_media(body: Body, around: _Around) -> tuple[Media, ...]:
    out = []
    inside_object: set[etree._Element] = set()
    for el in body.root.iter(*_MEDIA):
        if not body.visible(el):
            continue
        tag = el.tag
        if tag == "img":
            src = el.get("src") or el.get("data-src")
            if src:
                out.append(_media("image", str(src), el, around, original_image(str(src))))
        elif tag == "iframe" and el.get("src"):
            src = str(el.get("src"))
            out.append(_media("video" if _VIDEO.search(src) else "iframe", src, el, around))
        elif tag == "object" and el not in inside_object:
            inside_object.update(el.iterdescendants())
            src = el.get("data") or _param(el, "movie") or _param(el, "src") or _embed_src(el)
            if src:
                video = _VIDEO.search(src) or "BLOG_video_class" in (el.get("class") or "")
                out.append(_media("video" if video else "embed", src, el, around))
        elif tag == "embed" and el not in inside_object and el.get("src"):
            src = str(el.get("src"))
            out.append(_media("video" if _VIDEO.search(src) else "embed", src, el, around))
        elif tag in ("video", "audio"):
            src = el.get("src") or _source_src(el)
            if src:
                out.append(_media(tag, str(src), el, around))
    return tuple(out)


def _param(el: etree._Element, name: str) -> str | None:
    for param in el.iter("param"):
        if str(param.get("name") or "").lower() == name and param.get("value"):
            return str(param.get("value"))
    return None


def _embed_src(el: etree._Element) -> str | None:
    embed = el.find(".//embed")
    return str(embed.get("src")) if embed is not None and embed.get("src") else None


def _source_src(el: etree._Element) -> str | None:
    source = el.find(".//source")
    return str(source.get("src")) if source is not None and source.get("src") else None
