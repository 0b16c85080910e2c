""""Earlier posts" link lists written by the author (HTML.md section 7.1).

An intro (``Earlier Field Notes posts on the topic include:``, ``see also:``, ``Articles
précédents :``) followed by links: a ``ul``/``ol`` (also nested ``ul > ul``, or wrapped in a
``div``/``blockquote``), ``<br>``-separated lines, or one paragraph per link. The intro may sit in
a wrapper of its own (a blockquote holding only ``see also:``), so the search climbs out of a
container that holds nothing but the intro. Template widgets (LinkWithin, related-post scripts,
link-list gadgets; HTML.md 7.2) are skipped wherever they appear.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from lxml import etree

from ._body import Body
from ._tree import Segment
from .dates import find_date, url_month
from .intros import PHRASES, has_intro_phrase
from .quotes import CLOSERS
from .records import LinkList, ListedLink
from .urls import UrlMap, absolute

__all__ = ["PHRASES", "WIDGET", "find_link_lists", "has_intro_phrase", "is_intro"]

WIDGET: Final = re.compile(
    r"related|linkwithin|linklist|popularposts|nrelate|yarpp|outbrain|zemanta|shareaholic|"
    r"blogarchive|archivelist|recently|sidebar",
    re.I,
)
_LEAD: Final = re.compile("^[\\s)\\]:;,.\\-\u2013\u2014]+")  # and en/em dashes
_MAX_INTRO: Final = 200
_MAX_ITEM: Final = 600
_ITEMS: Final = frozenset({"li"})
_NESTED: Final = frozenset({"li", "a"})  # a link's title: not the items or links inside it


def is_intro(text: str) -> bool:
    """Text that announces a list of links: a keyword, and a colon or a heading's length."""
    if not 3 <= len(text) <= _MAX_INTRO or not has_intro_phrase(text):
        return False
    return text.rstrip(" \u00a0*").endswith(":") or len(text) <= 80


def _widget(el: etree._Element) -> bool:
    return bool(WIDGET.search((el.get("id") or "") + " " + (el.get("class") or "")))


def _own_links(lst: etree._Element) -> tuple[dict[etree._Element, etree._Element],
                                                set[etree._Element]]:
    """For the items of a list, in one walk: each item's own link (the first ``a[href]`` in it
    not inside an item nested in it), and the items that hold items. Asking each item for its
    links, and each link for the item it is in, was quadratic in the nesting (issue 15)."""
    links: dict[etree._Element, etree._Element] = {}
    holders: set[etree._Element] = set()
    open_items: list[etree._Element] = []
    for event, el in etree.iterwalk(lst, events=("start", "end"), tag=("li", "a")):
        if el.tag == "li":
            if event == "end":
                open_items.pop()
                continue
            if open_items:
                holders.add(open_items[-1])
            open_items.append(el)
        elif event == "start" and open_items and el.get("href") is not None:
            links.setdefault(open_items[-1], el)
    return links, holders


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] in CLOSERS and text[-1] in CLOSERS[text[0]]:
        return text[1:-1].strip()
    return text


class _Items:
    def __init__(self, body: Body, urls: UrlMap, base: str | None) -> None:
        self.body = body
        self.urls = urls
        self.base = base
        # Each list item read once per body: intros at several levels can name lists that
        # hold one another, and reading every item again for each (its text, a date search
        # over it) was intros x items (issue 15, fuzz seed final5 mutant 28117).
        self.read: dict[etree._Element, ListedLink] = {}
        # The same for the walk finding each item's own link: a list inside a list walked
        # already is not walked again (each item's own link does not depend on the list).
        self.walked: set[etree._Element] = set()
        self.own: dict[etree._Element, etree._Element] = {}
        self.holders: set[etree._Element] = set()

    def own_links(self, lst: etree._Element) -> tuple[dict[etree._Element, etree._Element],
                                                      set[etree._Element]]:
        if lst not in self.walked and not any(a in self.walked for a in lst.iterancestors()):
            own, holders = _own_links(lst)
            self.own.update(own)
            self.holders |= holders
            self.walked.add(lst)
        return self.own, self.holders

    def of(self, li: etree._Element, a: etree._Element) -> ListedLink:
        found = self.read.get(li)
        if found is None:  # ``a`` is the item's own link: the same for each list holding it
            # An item's own text: the items nested in it are items of their own, and reading
            # them again for every item around them made deep nesting quadratic.
            found = self.read[li] = self.item(self.body.text(li, _ITEMS), a)
        return found

    def item(self, text: str, a: etree._Element) -> ListedLink:
        href = str(a.get("href"))
        title = self.body.text(a, _NESTED)
        at = text.find(title) if title else -1
        before, after = (text[:at], text[at + len(title):]) if at >= 0 else ("", text)
        date = date_text = source = None
        rest = after
        found = find_date(after)
        if found:
            date, date_text, _, end = found
            rest = after[end:]
            source = "text"
        elif (found := find_date(before)) is not None:
            date, date_text, _, _ = found
            source = "text"
        elif (month := url_month(href)) is not None:
            date, date_text = month
            source = "url"
        excerpt = _unquote(_LEAD.sub("", rest).strip())
        # Through the map's memo of parsed URLs (a list names the same posts again and
        # again): classify's post id is post_id's whenever the link is internal.
        target = absolute(href, self.base)
        internal, _, post_id = self.urls.classify(target)
        return ListedLink(
            url=href,
            title=title,
            text=text,
            date=date,
            date_text=date_text,
            date_source=source,
            excerpt=excerpt or None,
            same_blog=internal,
            post_id=post_id if internal else self.urls.post_id(target),
        )


def _list_items(lst: etree._Element, items: _Items) -> list[ListedLink] | None:
    own, holders = items.own_links(lst)
    linked = [(li, own.get(li)) for li in lst.iter("li") if not _widget(li)]
    leaves = [(li, a) for li, a in linked if a is not None or li not in holders]
    with_links = [(li, a) for li, a in leaves if a is not None]
    if not with_links or len(with_links) * 2 < len(leaves):
        return None
    return [items.of(li, a) for li, a in with_links if a is not None]


def _as_list(seg: Segment, body: Body) -> etree._Element | None:
    """The list a block is, or wraps as its only content (``div > ul``, ``ul > ul``)."""
    el = seg.block
    while el is not None and not _widget(el):
        tag = seg.tag if el is seg.block else str(el.tag).lower()
        if tag in ("ul", "ol"):
            return el
        if tag not in ("div", "blockquote", "center", "p"):
            return None
        inner = body.segments(el)
        if not inner or inner[0].block is None:
            return None
        el = inner[0].block
    return None


def _following(segs: list[Segment], start: int,
               walk: _Walk) -> tuple[str, list[ListedLink]] | None:
    """The links right after an intro (``segs`` from ``start``): a list, lines, or paragraphs."""
    if start >= len(segs):
        return None
    first = segs[start]
    if first.block is not None:
        lst = _as_list(first, walk.body)
        if lst is not None:
            found = _list_items(lst, walk.items)
            return (str(lst.tag).lower(), found) if found else None
        if first.tag in ("p", "div") and walk.body.has_block_inside(first.block):
            inner = walk.body.segments(first.block)
            if inner and inner[0].block is None:
                return _following(inner, 0, walk)  # <p><a>..</a><br><a>..</a></p>
    form = "lines" if first.block is None else "paragraphs"
    out = []
    # By index: islice(segs, start, None) steps through the ``start`` segments before the
    # intro to skip them, once per intro: quadratic on a body of thousands of intros.
    for at in range(start, len(segs)):
        seg = segs[at]
        if (seg.block is None) != (form == "lines"):
            break
        if seg.block is not None and (seg.tag not in ("p", "div") or _widget(seg.block)):
            break
        link = walk.first_link(seg)
        if link is None:
            break
        text = seg.text
        if len(text) > _MAX_ITEM:
            break
        out.append(walk.items.item(text, link))
    return (form, out) if out else None


def _self_and_up_to(el: etree._Element, root: etree._Element) -> Iterator[etree._Element]:
    """``el``, then its ancestors up to ``root`` (included), lazily."""
    yield el
    for anc in el.iterancestors():
        yield anc
        if anc is root:
            return


class _Walk:
    """One body's containers, each split into segments once.

    An intro that is the only content of its container (``<p>Earlier posts</p>``) is followed
    by what comes after the container in its parent; working out the parent's segments again
    for each such intro made a body of thousands of them quadratic (issue 15).
    """

    def __init__(self, body: Body, items: _Items) -> None:
        self.body = body
        self.root = body.root
        self.items = items
        self._first: dict[etree._Element, etree._Element] | None = None
        self.used: set[etree._Element] = set()
        self.out: list[LinkList] = []
        self._index: dict[etree._Element, dict[etree._Element, int]] = {}
        self._short: dict[etree._Element, str | None] = {}

    def first_link(self, seg: Segment) -> etree._Element | None:
        """The first link in ``seg`` (None when it has none), from one walk of the body: asking
        each block of nested intros, and each paragraph after one, for its links walked the
        same links again at every level (issue 15, fuzz seed final5 mutant 28117)."""
        if self._first is None:
            self._first = first = {}
            # Each link, in document order, is the first of itself and of its ancestors that
            # no earlier link is in; once an ancestor has one, so have all above it. Each
            # element is looked at once, and only the links and what holds them (in C, not
            # a Python step for every element's start and end as before).
            for link in self.root.iter("a"):
                if link.get("href") is None:
                    continue
                for el in _self_and_up_to(link, self.root):
                    if el in first:
                        break
                    first[el] = link
        nodes = [seg.block] if seg.block is not None else seg.nodes
        for node in nodes:
            if not isinstance(node, str) and (found := self._first.get(node)) is not None:
                return found
        return None

    def segments(self, container: etree._Element) -> list[Segment]:
        return self.body.segments(container)

    def short_text(self, el: etree._Element) -> str | None:
        """The visible text of ``el`` if short enough to be an intro, else None; worked out once.

        Each level of ``<div><div>..see also:</div></div>`` holds only the intro, and climbing
        out from every level re-read the text of every level above it: cubic in the depth.
        """
        if el not in self._short:
            text = self.body.text(el)
            self._short[el] = text if len(text) <= _MAX_INTRO else None
        return self._short[el]

    def climb(self, container: etree._Element) -> tuple[list[Segment], int]:
        """Segments after ``container`` in the nearest ancestor that lists it as a block."""
        anc = container.getparent()
        for _ in range(4):
            if anc is None:
                break
            index = self._index.get(anc)
            if index is None:
                index = self._index[anc] = {
                    seg.block: i for i, seg in enumerate(self.segments(anc))
                    if seg.block is not None
                }
            at = index.get(container)
            if at is not None:
                return self.segments(anc), at + 1
            anc = anc.getparent()
        return [], 0


def _scan(container: etree._Element, walk: _Walk) -> None:
    segs = walk.segments(container)
    for index, seg in enumerate(segs):
        if seg.block is not None:
            if not _widget(seg.block):
                _scan(seg.block, walk)
            if seg.tag in ("ul", "ol"):
                continue
        if seg.block is not None and _too_long(seg.block):
            continue
        text = seg.text
        if not is_intro(text) or walk.first_link(seg) is not None:
            continue
        after, start = segs, index + 1
        holder: etree._Element | None = container
        while start >= len(after) and holder is not None and walk.short_text(holder) == text:
            after, start = walk.climb(holder)  # the container holds only the intro: look after it
            holder = holder.getparent()
        # What follows is known by its first link: an intro met again one level up (the
        # block holding only it, climbed out of below) finds the list it named, kept
        # already, and need not read it again (every list was read twice).
        key = walk.first_link(after[start]) if start < len(after) else None
        if key is None or key in walk.used:
            continue
        found = _following(after, start, walk)
        if found is None:
            continue
        form, links = found
        if not any(i.same_blog or i.date for i in links):
            continue  # links to documentation, shops ...: not a list of posts
        if not text.rstrip(" \u00a0*").endswith(":") and len(links) < 2:
            continue  # a short line with a keyword and one link: too weak to call a list
        walk.used.add(key)
        walk.out.append(LinkList(intro=text, form=form, items=tuple(links)))


_LENGTH: Final = etree.XPath("string-length(normalize-space())")


def _too_long(el: etree._Element) -> bool:
    """Far too long for an intro, measured in C before the visible text is worked out."""
    return float(_LENGTH(el)) > 2 * _MAX_INTRO  # type: ignore[arg-type]


def find_link_lists(body: Body, urls: UrlMap, base: str | None) -> tuple[LinkList, ...]:
    """Every author-written link list in the body, in document order."""
    walk = _Walk(body, _Items(body, urls, base))
    _scan(body.root, walk)
    return tuple(walk.out)
