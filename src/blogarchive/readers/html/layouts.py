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
from datetime import datetime
from typing import Final

from lxml import etree

from ..._time import parse_time
from .comments import find_comments, inner_html
from .found import FoundPost
from .labels import find_labels
from .page import FLAT, Page, canonical_url, cls, has_class, line_of, text_of, xp
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



def _in_other_widget(el: etree._Element) -> bool:
    """Inside a gadget other than the Blog widget (a FeaturedPost or PopularPosts snippet)."""
    return any(has_class(a, "widget") and not has_class(a, "Blog") for a in el.iterancestors())


def _outermost_bodies(root: etree._Element) -> list[etree._Element]:
    bodies = [b for b in xp(root, f"//*[{cls('post-body')}]") if not _in_other_widget(b)]
    inside = set()
    for body in bodies:
        inside.update(body.iterdescendants())
    return [b for b in bodies if b not in inside]


def _container(body: etree._Element, bodies: set[etree._Element]) -> etree._Element:
    container = body
    for ancestor in body.iterancestors():
        if ancestor.tag in ("body", "html") or ancestor.get("id") in ("Blog1", "main"):
            break
        if any(has_class(ancestor, name) for name in _STOP) or has_class(ancestor, "widget"):
            break
        if any(d in bodies for d in ancestor.iterdescendants() if d is not body):
            break
        container = ancestor
    return container


def _outside(el: etree._Element, body: etree._Element) -> bool:
    """Not inside the body nor inside the comments."""
    for ancestor in el.iterancestors():
        if ancestor is body or ancestor.get("id") == "comments" or has_class(ancestor,
                                                                               "comments"):
            return False
    return True


def _values(container: etree._Element, body: etree._Element, query: str) -> list[str]:
    found = []
    for value in xp(container, query):
        if isinstance(value, etree._Element):
            if not _outside(value, body):
                continue
            text = text_of(value)
        else:
            owner = value.getparent()
            if owner is not None and not _outside(owner, body):
                continue
            text = " ".join(str(value).split())
        if text:
            found.append(text)
    return found


def _first(container: etree._Element, body: etree._Element, *queries: str) -> str | None:
    for query in queries:
        values = _values(container, body, query)
        if values:
            return values[0]
    return None


def _first_named(container: etree._Element, body: etree._Element,
                 *queries: tuple[str, str]) -> tuple[str | None, str | None]:
    """``_first`` over ``(query, rule name)`` pairs: the value and the rule that found it."""
    for query, name in queries:
        values = _values(container, body, query)
        if values:
            return values[0], name
    return None, None


def _post_id(page: Page, container: etree._Element, body: etree._Element,
             single: bool) -> str | None:
    direct = _first(container, body, './/meta[@itemprop="postId"]/@content',
                    './/@data-id', './/a[@name]/@name')
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


def _url(page: Page, container: etree._Element, body: etree._Element,
         single: bool) -> tuple[str | None, str | None]:
    found, rule = _first_named(
        container, body,
        (f'.//a[{cls("timestamp-link")}]/@href', "a.timestamp-link"),
        (f'.//*[{cls("post-timestamp")}]//meta[@itemprop="url"]/@content', "post-timestamp meta"),
        (f'.//*[{cls("post-timestamp")}]//meta/@content', "post-timestamp meta"),
        (f'.//*[{cls("post-title")} or {cls("entry-title")} or {cls("title")}]//a/@href',
         "post-title link"),
        (f'.//a[.//*[{cls("mobile-index-title")}]]/@href', "mobile-index-title link"),
        ('.//a[@itemprop="url"]/@href', "a[itemprop=url]"),
    )
    if found is None and single:
        found, rule = page.url, "page-url"
    url = canonical_url(found, page.url)
    return url, rule if url else None


def _title(container: etree._Element, body: etree._Element) -> str:
    found = _first(
        container, body,
        f'.//*[{cls("post-title")}]', f'.//*[{cls("entry-title")}]',
        f'.//h2[{cls("title")}]', f'.//*[{cls("mobile-index-title")}]',
        './/h1', './/h2[not(' + cls("date-header") + ")]", './/h3',
    )
    return found or ""


def _published(page: Page, container: etree._Element, body: etree._Element,
               url: str | None, single: bool, before: etree._Element | None
               ) -> tuple[datetime | None, str | None, str | None]:
    for query, source in (
        (f'.//abbr[{cls("published")}]/@title', "abbr.published"),
        ('.//abbr[@itemprop="datePublished"]/@title', "abbr.published"),
        ('.//time[@datetime]/@datetime', "time.published"),
        (f'.//*[{cls("published")}][@datetime]/@datetime', "span.published"),
        ('.//*[@itemprop="datePublished"]/@content', "itemprop=datePublished"),
    ):
        value = _first(container, body, query)
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
    header = _date_header(container, before)
    visible = _first(container, body, f'.//a[{cls("timestamp-link")}]',
                     f'.//*[{cls("post-timestamp")}]', f'.//*[{cls("publishdate")}]',
                     f'.//*[{cls("post-date")}]', f'.//*[{cls("date")}]',
                     './/a[@rel="bookmark"]')
    if visible:
        moment, has_time = parse_moment(visible, year)
        if moment is not None:
            return moment, "byline", None if has_time else "date"
    return from_header(header, visible, year) or (None, None, None)


def _date_header(container: etree._Element, before: etree._Element | None) -> str | None:
    """The container's own date header, else ``before``: the one nearest before it."""
    own = xp(container, f'.//*[{cls("date-header")}]')
    if own:
        return text_of(own[0]) or None
    return (text_of(before) or None) if before is not None else None


def _headers_before(root: etree._Element,
                    containers: list[etree._Element]) -> dict[etree._Element, etree._Element]:
    """Each container's ``preceding::*[date-header][1]`` (the last date header before it in
    document order that is not its ancestor), in one walk of the page: one XPath per post
    scanned the page before it, quadratic on a page of thousands of posts."""
    headers = set(xp(root, f'//*[{cls("date-header")}]'))
    wanted = set(containers)
    found: dict[etree._Element, etree._Element] = {}
    order: dict[etree._Element, int] = {}  # a header's place in document order, once open
    last: etree._Element | None = None  # of the closed headers, the last one opened
    for event, el in etree.iterwalk(root, events=("start", "end")):
        if event == "start":
            if el in headers:
                order[el] = len(order)
            if el in wanted and last is not None:
                found[el] = last
        elif el in headers and (last is None or order[el] > order[last]):
            # A header that closes after ``last`` but opened before it holds it: not nearer.
            last = el
    return found


def _author(container: etree._Element, body: etree._Element,
            page: Page, single: bool) -> tuple[str | None, str | None, str | None]:
    name, rule = _first_named(
        container, body,
        (f'.//*[{cls("post-author")}]//*[@itemprop="name"]', "itemprop=name"),
        (f'.//*[{cls("post-author")}]//*[{cls("fn")}]', "span.fn"),
        (f'.//*[{cls("fn")}]', "span.fn"), (f'.//a[{cls("g-profile")}]', "a.g-profile"),
        (f'.//a[{cls("entry-author-link")}]', "a.entry-author-link"),
        (f'.//*[{cls("post-author")}]//a', "span.post-author"),
        (f'.//*[{cls("post-author")}]', "span.post-author"),
    )
    url = _first(container, body, f'.//a[{cls("g-profile")}]/@href', './/a[@rel="author"]/@href',
                 f'.//a[{cls("entry-author-link")}]/@href',
                 f'.//*[{cls("post-author")}]//meta[@itemprop="url"]/@content',
                 f'.//*[{cls("post-author")}]//a/@href')
    if name is None:
        byline = xp(body, f'.//*[{cls("byline-author")}]')
        if byline:
            name, rule = text_of(byline[0]), "span.byline-author"
    if name is None:  # custom themes whose only byline is the profile link (issue 14)
        name, rule = _first_named(
            container, body,
            ('.//a[contains(concat(" ", normalize-space(@rel), " "), " author ")]',
             "a[rel=author]"))
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


def _labels(container: etree._Element, body: etree._Element) -> tuple[list[str], str | None]:
    return find_labels(container, lambda link: _outside(link, body))


def _comment_count(container: etree._Element, body: etree._Element) -> int | None:
    stated = xp(container, './/*[@id="comments"]/@data-num-comments')
    # ASCII digits only: "²".isdigit() is true, but int() refuses it.
    if stated and str(stated[0]).isascii() and str(stated[0]).isdigit():
        return int(stated[0])
    for query in ('.//*[@id="comments"]/h4', './/*[@id="comments"]/h3',
                  f'.//*[{cls("comments")}]/h4', f'.//a[{cls("comment-link")}]',
                  f'.//*[{cls("mobile-index-comment")}]'):
        for el in xp(container, query):
            text = text_of(el)
            digits = _COUNT.search(text)
            if digits:
                return int(digits.group(0))
            if _NONE.match(text):
                return 0
    return None


def _content(body: etree._Element) -> tuple[str, bool]:
    """The author's HTML inside a post body, and whether it is not all of it: a snippet, or
    a body that nested too deep for the parser, kept without the deepest tags."""
    content, snippet = _authored(body)
    return content, snippet or body.find(f".//{FLAT}") is not None


def _authored(body: etree._Element) -> tuple[str, bool]:
    """The Google template's text, a snippet, or the body less share and related-posts
    widgets; and whether it is a snippet."""
    template = xp(body, './/script[@type="text/template"]')
    if template:
        return (template[0].text or "").strip(), False
    snippet = xp(body, f'.//*[{cls("snippet-item")}]')
    if snippet or body.get("id", "").startswith("post-snippet-"):
        return inner_html(snippet[0] if snippet else body), True
    holder = copy.deepcopy(body)  # widgets are cut from a copy: the page stays whole
    for el in holder.iter():
        if el is holder or not isinstance(el.tag, str):
            continue
        marks = f"{el.get('id') or ''} {el.get('class') or ''}"
        if _WIDGETS.search(marks):
            el.tag = _CUT
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


def _is_clear(el: etree._Element) -> bool:
    style = re.sub(r"\s", "", str(el.get("style") or "")).lower()
    return el.tag == "div" and style.startswith("clear:both") and not len(el) and not (
        el.text or "").strip()


def find_posts(page: Page) -> list[FoundPost]:
    bodies = _outermost_bodies(page.root)
    single = len(bodies) == 1
    body_set = set(bodies)
    containers = [_container(body, body_set) for body in bodies]
    before = _headers_before(page.root, containers)
    found = []
    for body, container in zip(bodies, containers, strict=True):
        url, url_rule = _url(page, container, body, single)
        published, source, precision = _published(page, container, body, url, single,
                                                  before.get(container))
        author, author_url, author_rule = _author(container, body, page, single)
        labels, labels_rule = _labels(container, body)
        content, partial = _content(body)
        jump = xp(container, f'.//*[{cls("jump-link")}]')
        mobile_index = bool(xp(container, f'.//*[{cls("mobile-index-contents")}]'))
        comments_scope = container
        if single and not xp(container, './/*[@id="comments"]'):
            # Some skins put the comments outside the post's container.
            elsewhere = xp(page.root, '//*[@id="comments"]')
            comments_scope = elsewhere[0] if elsewhere else container
        found.append(FoundPost(
            id=_post_id(page, container, body, single),
            title=_title(container, body),
            url=url,
            published=published,
            published_source=source,
            precision=precision,
            author=author,
            author_url=author_url,
            labels=labels,
            content=content,
            partial=partial or bool(jump) or mobile_index,
            comment_count=_comment_count(container if not single else page.root, body),
            comments=find_comments(comments_scope),
            line=line_of(body),
            sources={name: rule for name, rule in (("author", author_rule), ("url", url_rule),
                                                   ("labels", labels_rule)) if rule},
        ))
    return found
