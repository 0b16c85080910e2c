"""Posts on pages of the widget engine: Layouts v1/v2 and custom skins, the Google corporate
template, third-party responsive themes, the 2017+ themes and the mobile template.

Every one of them wraps a post's body in an element of class ``post-body``. A post's other
fields are searched in its *container*: the largest element around that body holding no other
post's body, stopping at the post-list wrappers (``date-posts``, ``blog-posts``, the Blog
widget). Each field has the fallbacks HTML.md section 2-4 lists, most specific first.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Final

from lxml import etree

from ..._time import parse_time
from .comments import find_comments, inner_html
from .found import FoundPost
from .index import Index
from .labels import find_labels, label_links_in
from .page import FLAT, Page, canonical_url, has_class, line_of, text_of, xp
from .scope import AUTHOR, STAMP, TITLE, Scope, Want
from .when import from_header, parse_moment, url_year

__all__ = ["find_posts"]

_STOP: Final = ("blog-posts", "date-posts", "date-outer", "hfeed", "main-inner", "column-center")
_POST_ID: Final = re.compile(r"(?:[?&;]|&amp;)postID=(\d{5,20})")
_DIGITS: Final = re.compile(r"^\d{5,20}$")
_COUNT: Final = re.compile(r"\d+")
_NONE: Final = re.compile(
    r"^(?:no|keine|aucun|sin|nenhum|nessun|geen|ingen|ei|brak|post a comment)\b", re.I)
_WIDGETS: Final = re.compile(
    r"related|linkwithin|share-buttons|sharedaddy|addthis|post-share|jump-link", re.I)
_CUT: Final = "blogarchive-cut"  # the tag given to what _content cuts out, then stripped



_SEVERAL: Final = object()


def _containers(bodies: list[etree._Element]) -> list[etree._Element]:
    """Each body's container: its largest ancestor holding no other body, below the
    post-list wrappers. Which ancestors hold several bodies is marked in one climb per body
    that stops where the marks are already made (asking every ancestor of every body for
    its descendants was quadratic: a 2 MB page took minutes)."""
    holds: dict[etree._Element, object] = {}  # an ancestor: the one body in it, or _SEVERAL
    for body in bodies:
        for ancestor in body.iterancestors():
            seen = holds.setdefault(ancestor, body)
            if seen is body:
                continue
            if seen is _SEVERAL:
                break  # and every ancestor above is marked so already
            holds[ancestor] = _SEVERAL
    found = []
    for body in bodies:
        container = body
        for ancestor in body.iterancestors():
            if ancestor.tag in ("body", "html") or ancestor.get("id") in ("Blog1", "main"):
                break
            if any(has_class(ancestor, name) for name in _STOP) or has_class(ancestor,
                                                                               "widget"):
                break
            if holds[ancestor] is not body:
                break
            container = ancestor
        found.append(container)
    return found


def _first_named(scope: Scope, *wants: tuple[Want, str]) -> tuple[str | None, str | None]:
    """``scope.first`` over ``(query, rule name)`` pairs: the value and the rule that found it
    (recorded in the post's ``field_sources``, so a wrong value leads to its rule)."""
    for want, name in wants:
        found = scope.first(want)
        if found is not None:
            return found, name
    return None, None


def _post_id(page: Page, scope: Scope, body: etree._Element, single: bool) -> str | None:
    container = scope.container
    direct = scope.first(Want("meta", equals=("itemprop", "postId"), attr="content"))
    if direct is None:  # ``.//@data-id``: the container's own attribute first
        direct = next(iter(scope.texts([container, *scope.find(Want(attr="data-id"))],
                                       "data-id", stop_at_first=True)), None)
    if direct is None:
        direct = scope.first(Want("a", attr="name"))
    if direct and _DIGITS.match(direct):
        return direct
    for attribute in (body.get("id") or "", *[str(v) for v in xp(container, ".//@id")]):
        match = re.match(r"post-(?:body|snippet)-(\d{5,20})$", attribute)
        if match:
            return match.group(1)
    found = _post_id_in(xp(container, ".//@href | .//@data-href"))
    if found:
        return found
    if single:
        for href in page.xpath('//link[@rel="alternate"]/@href'):
            match = re.search(r"/feeds/(?:\d+/)?(\d+)/comments/default", str(href))
            if match:
                return match.group(1)
        match = re.search(r"""["']postId["']\s*:\s*["'](\d+)""", page.text)
        if match:
            return match.group(1)
        return _post_id_in(page.xpath("//@href"))
    return None


def _post_id_in(hrefs: list[object]) -> str | None:
    """The first ``postID=`` of Blogger's post links (edit, e-mail, share, comment form)."""
    for value in hrefs:
        href = str(value)
        if "delete-comment" in href or "delete-backlink" in href:
            continue  # there postID is a comment's id (HTML.md section 8)
        match = _POST_ID.search(href)
        if match:
            return match.group(1)
    return None


def _url(page: Page, scope: Scope, single: bool) -> tuple[str | None, str | None]:
    found, rule = _first_named(
        scope,
        (Want("a", "timestamp-link", attr="href"), "a.timestamp-link"),
        (Want("meta", inside=STAMP, equals=("itemprop", "url"), attr="content"),
         "post-timestamp meta"),
        (Want("meta", inside=STAMP, attr="content"), "post-timestamp meta"),
        (Want("a", inside=TITLE, attr="href"), "post-title link"),
        (Want("a", holds_title=True, attr="href"), "mobile-index-title link"),
        (Want("a", equals=("itemprop", "url"), attr="href"), "a[itemprop=url]"),
    )
    if found is None and single:
        found, rule = page.url, "page-url"
    url = canonical_url(found, page.url)
    return url, rule if url else None


def _title(scope: Scope) -> str:
    found = scope.first(
        Want(cls="post-title"), Want(cls="entry-title"), Want("h2", "title"),
        Want(cls="mobile-index-title"), Want("h1"), Want("h2", lacks="date-header"), Want("h3"),
    )
    return found or ""


def _published(page: Page, scope: Scope, url: str | None, single: bool,
               before: etree._Element | None
               ) -> tuple[datetime | None, str | None, str | None]:
    for want, source in (
        (Want("abbr", "published", attr="title"), "abbr.published"),
        (Want("abbr", equals=("itemprop", "datePublished"), attr="title"), "abbr.published"),
        (Want("time", attr="datetime"), "time.published"),
        (Want(cls="published", attr="datetime"), "span.published"),
        (Want(equals=("itemprop", "datePublished"), attr="content"), "itemprop=datePublished"),
    ):
        value = scope.first(want)
        if value:
            try:
                return parse_time(value), source, None
            except ValueError:
                continue
    if single:
        for item in page.json_ld:
            if str(item.get("@type", "")).endswith("Posting") and item.get("datePublished"):
                try:
                    return parse_time(str(item["datePublished"])), "json-ld", None
                except ValueError:
                    pass
    year = url_year(url)
    header = _date_header(scope, before)
    visible = scope.first(Want("a", "timestamp-link"), Want(cls="post-timestamp"),
                          Want(cls="publishdate"), Want(cls="post-date"), Want(cls="date"),
                          Want("a", equals=("rel", "bookmark")))
    if visible:
        moment, has_time = parse_moment(visible, year)
        if moment is not None:
            return moment, "byline", None if has_time else "date"
    return from_header(header, visible, year) or (None, None, None)


def _date_header(scope: Scope, before: etree._Element | None) -> str | None:
    """The container's own date header, else ``before``: the one nearest before it."""
    own = scope.find(Want(cls="date-header"))
    if own:
        return text_of(own[0]) or None
    return (text_of(before) or None) if before is not None else None


def _author(scope: Scope, body: etree._Element, page: Page,
            single: bool) -> tuple[str | None, str | None, str | None]:
    name, rule = _first_named(
        scope,
        (Want(inside=AUTHOR, equals=("itemprop", "name")), "itemprop=name"),
        (Want(cls="fn", inside=AUTHOR), "span.fn"), (Want(cls="fn"), "span.fn"),
        (Want("a", "g-profile"), "a.g-profile"),
        (Want("a", "entry-author-link"), "a.entry-author-link"),
        (Want("a", inside=AUTHOR), "span.post-author"),
        (Want(cls="post-author"), "span.post-author"),
    )
    url = scope.first(Want("a", "g-profile", attr="href"),
                      Want("a", equals=("rel", "author"), attr="href"),
                      Want("a", "entry-author-link", attr="href"),
                      Want("meta", inside=AUTHOR, equals=("itemprop", "url"), attr="content"),
                      Want("a", inside=AUTHOR, attr="href"))
    if name is None:
        byline = scope.index.span(scope.index.by_class.get("byline-author", []), body)
        if byline:
            name, rule = text_of(byline[0]), "span.byline-author"
    if name is None:  # custom themes whose only byline is the profile link (issue 14)
        links = [a for a in scope.find(Want("a")) if "author" in str(a.get("rel") or "").split()]
        name = next(iter(scope.texts(links, stop_at_first=True)), None)
        rule = "a[rel=author]" if name else None
    if name is None and single:
        for item in page.json_ld:
            author = item.get("author")
            if isinstance(author, dict) and author.get("name"):
                name, rule = str(author["name"]), "json-ld"
                break
    if name:
        name = re.sub(r"^(?:posted|written|publicado|publié|gepostet|postado|pubblicato)\s+"
                      r"(?:by|por|par|von|da)\s+", "", name, flags=re.I).strip()
    return name or None, url, rule if name else None


def _labels(scope: Scope) -> tuple[list[str], str | None]:
    return find_labels(label_links_in(scope.index, scope.container), scope.shown)


def _comment_count(index: Index, within: etree._Element) -> int | None:
    """The count the page states in ``within`` (the queries are lookups in the index: as
    XPaths each one built every element's class string again)."""
    ids = index.span(index.comments_ids, within)
    stated = next((str(v) for v in (el.get("data-num-comments") for el in ids)
                   if v is not None), None)
    # ASCII digits only: "²".isdigit() is true, but int() refuses it.
    if stated is not None and stated.isascii() and stated.isdigit():
        return int(stated)
    by_class = index.by_class
    sections = index.span(by_class.get("comments", []), within)
    for els in (_children(index, ids, "h4"), _children(index, ids, "h3"),
                _children(index, sections, "h4"),
                [el for el in index.span(by_class.get("comment-link", []), within)
                 if el.tag == "a"],
                index.span(by_class.get("mobile-index-comment", []), within)):
        for el in els:
            text = text_of(el)
            digits = _COUNT.search(text)
            if digits:
                return int(digits.group(0))
            if _NONE.match(text):
                return 0
    return None


def _children(index: Index, parents: Sequence[etree._Element], tag: str
              ) -> list[etree._Element]:
    """``parents``' children named ``tag``, in document order (parents may nest)."""
    found = {child for parent in parents for child in parent if child.tag == tag}
    return sorted(found, key=index.start.__getitem__)


def _content(index: Index, body: etree._Element) -> tuple[str, bool]:
    """The author's HTML inside a post body, and whether it is not all of it: a snippet, or
    a body that nested too deep for the parser, kept without the deepest tags."""
    content, snippet = _authored(index, body)
    return content, snippet or body.find(f".//{FLAT}") is not None


def _authored(index: Index, body: etree._Element) -> tuple[str, bool]:
    """The Google template's text, a snippet, or the body less share and related-posts
    widgets; and whether it is a snippet."""
    template = [el for el in index.span(index.by_tag.get("script", []), body)
                if el.get("type") == "text/template"]
    if template:
        return (template[0].text or "").strip(), False
    snippet = index.span(index.by_class.get("snippet-item", []), body)
    if snippet or body.get("id", "").startswith("post-snippet-"):
        return inner_html(snippet[0] if snippet else body), True
    widgets = _widgets_in(body)
    if not widgets and not (len(body) and _is_clear(body[-1])):
        return inner_html(body), False  # nothing to cut: no copy needed
    holder = copy.deepcopy(body)  # widgets are cut from a copy: the page stays whole
    if widgets:
        # The copy's elements in the body's order: each widget's copy is found by its number
        # in the page's index, not by testing every element of the copy again.
        copied = list(holder.iter(etree.Element))
        first = index.start[body]
        for el in widgets:
            copied[index.start[el] - first].tag = _CUT
    for el in reversed(holder):  # the template's trailing clear:both divs
        if el.tag == _CUT:
            continue
        if not _is_clear(el):
            break
        el.tag = _CUT
    # libxml2 joins each cut element's tail to the text before it. Joining them here, through
    # lxml's setters, fails on text holding a C0 control character the parser let through.
    etree.strip_elements(holder, _CUT, with_tail=False)
    return inner_html(holder), False


def _widgets_in(body: etree._Element) -> list[etree._Element]:
    """The share and related-posts widgets below ``body``, in document order (only elements
    with an id or a class can be; found in C, not by a walk of every element)."""
    return [el for el in xp(body, ".//*[@id or @class]")
            if _WIDGETS.search(f"{el.get('id') or ''} {el.get('class') or ''}")]


def _is_clear(el: etree._Element) -> bool:
    style = re.sub(r"\s", "", str(el.get("style") or "")).lower()
    return el.tag == "div" and style.startswith("clear:both") and not len(el) and not (
        el.text or "").strip()


def find_posts(page: Page) -> list[FoundPost]:
    # One walk of the page answers every post's questions (the bodies, the date header
    # before each container, what lies in the comments, each field's elements).
    index = Index(page.root, posts=True)
    bodies = index.bodies
    single = len(bodies) == 1
    containers = _containers(bodies)
    found = []
    for body, container in zip(bodies, containers, strict=True):
        scope = Scope(index, container)
        url, url_rule = _url(page, scope, single)
        published, source, precision = _published(page, scope, url, single,
                                                  index.header_before(container))
        author, author_url, author_rule = _author(scope, body, page, single)
        labels, labels_rule = _labels(scope)
        content, partial = _content(index, body)
        jump = scope.find(Want(cls="jump-link"))
        mobile_index = bool(scope.find(Want(cls="mobile-index-contents")))
        comments_scope = container
        if single and not index.span(index.comments_ids, container):
            # Some skins put the comments outside the post's container.
            elsewhere = index.comments_ids
            comments_scope = elsewhere[0] if elsewhere else container
        found.append(FoundPost(
            id=_post_id(page, scope, body, single),
            title=_title(scope),
            url=url,
            published=published,
            published_source=source,
            precision=precision,
            author=author,
            author_url=author_url,
            labels=labels,
            content=content,
            partial=partial or bool(jump) or mobile_index,
            comment_count=_comment_count(index, container if not single else page.root),
            comments=find_comments(comments_scope, index),
            line=line_of(body),
            sources={name: rule for name, rule in (("author", author_rule), ("url", url_rule),
                                                   ("labels", labels_rule)) if rule},
        ))
    return found
