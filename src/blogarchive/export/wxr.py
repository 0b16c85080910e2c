"""``export --format wxr``: one WordPress eXtended RSS 1.2 file, as WordPress writes it.

The element order, namespaces and CDATA use follow WordPress's own exporter
(``wp-admin/includes/export.php``, WordPress 6.1): channel head, ``wp:author``, ``wp:tag``,
then one ``item`` per post or page with its ``category domain="post_tag"`` terms, postmeta and
``wp:comment`` children. Written with lxml (CDATA sections, escaping), never by joining text.

Ids: Blogger's 19-digit ids do not fit every PHP integer, so items and comments are numbered
from 1 and the Blogger ids kept as ``blogger_id`` postmeta / commentmeta (with the permalink
as ``blogger_permalink``, as WordPress's Blogger importer does). Statuses map to WordPress's:
live -> publish, draft -> draft, scheduled -> future, soft-trashed -> trash, anything else ->
draft (``blogger_status`` keeps it). Comments: live -> approved (1), removed -> trash (the
text Blogger kept), spam -> spam, anything else -> held (0). Image URLs stay as written: the
WordPress importer fetches attachments by URL, not from files beside the import.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from datetime import datetime, timezone
from typing import Final
from urllib.parse import quote, urlsplit

from lxml import etree

from .. import __version__
from .._words import counted
from ..model import Author, Comment, Post
from .common import ExportJob, load_archive
from .migration import orphan_note, partial_note

__all__ = ["FILE_NAME", "NS", "prepare", "write"]

prepare = load_archive

FILE_NAME: Final = "wordpress.xml"
WXR_VERSION: Final = "1.2"
NS: Final = {
    "excerpt": f"http://wordpress.org/export/{WXR_VERSION}/excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wp": f"http://wordpress.org/export/{WXR_VERSION}/",
}
POST_STATUS: Final = {"live": "publish", "draft": "draft", "scheduled": "future",
                      "soft-trashed": "trash", "private": "private"}
COMMENT_APPROVED: Final = {"live": "1", "removed": "trash", "spam": "spam", "trash": "trash",
                           "pending": "0"}
_NO_DATE: Final = "0000-00-00 00:00:00"
# XML 1.0 cannot hold these at all, not even in CDATA
_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_NOT_SLUG: Final = re.compile(r"[^%a-z0-9 _-]")


class _Writer:
    def __init__(self, job: ExportJob) -> None:
        self.job = job
        self.replaced = 0  # characters XML cannot hold, written as U+FFFD
        self.author_ids: dict[str, int] = {}  # wp:author_id by Blogger profile URL

    def text(self, value: str | None) -> str:
        value = value or ""
        cleaned, count = _NOT_XML.subn("\ufffd", value)
        self.replaced += count
        return cleaned

    def add(self, parent: etree._Element, name: str, value: str | None = None, *,
            cdata: bool = False, **attrs: str) -> etree._Element:
        prefix, _, local = name.rpartition(":")
        el = etree.SubElement(parent, f"{{{NS[prefix]}}}{local}" if prefix else local, attrs)
        if value is not None:
            text = self.text(value)
            # "]]>" cannot sit inside one CDATA section: such text is escaped instead, which
            # every XML parser reads back as the same characters
            el.text = etree.CDATA(text) if cdata and "]]>" not in text else text
        return el


def write(job: ExportJob) -> None:
    w = _Writer(job)
    archive, blog, report = job.archive, job.archive.blog, job.report
    rss = etree.Element("rss", {"version": "2.0"}, nsmap=NS)
    channel = etree.SubElement(rss, "channel")
    w.add(channel, "title", blog.title)
    w.add(channel, "link", blog.url or "")
    w.add(channel, "description", blog.description or "")
    w.add(channel, "pubDate", _rfc822(blog.updated or datetime.now(timezone.utc)))
    w.add(channel, "language", blog.locale or "")
    w.add(channel, "wp:wxr_version", WXR_VERSION)
    w.add(channel, "wp:base_site_url", blog.url or "")
    w.add(channel, "wp:base_blog_url", blog.url or "")

    logins = _authors(w, channel, archive.posts)
    slugs: dict[str, str] = {}
    used: set[str] = set()
    for term_id, label in enumerate(archive.labels, start=1):
        slug = _unique(_slug(label.name) or f"tag-{term_id}", used)
        slugs[label.name] = slug
        tag = w.add(channel, "wp:tag")
        w.add(tag, "wp:term_id", str(term_id))
        w.add(tag, "wp:tag_slug", slug, cdata=True)
        w.add(tag, "wp:tag_name", label.name, cdata=True)
    report.labels = len(archive.labels)
    w.add(channel, "generator", f"blogarchive/{__version__}")  # where rss2_head writes it

    by_post: dict[str, list[Comment]] = defaultdict(list)
    for comment in archive.comments:
        by_post[comment.post_id or ""].append(comment)
    comment_ids: dict[str, int] = {}
    for post in archive.posts:
        for comment in by_post.get(post.id, ()):
            comment_ids.setdefault(comment.id, len(comment_ids) + 1)
    unmapped = 0
    for number, post in enumerate(archive.posts, start=1):
        _item(w, channel, post, number, logins, slugs)
        item = channel[-1]
        for comment in by_post.get(post.id, ()):
            unmapped += _comment(w, item, comment, comment_ids)
            report.comments += 1
        if post.status != "live":
            report.drafts += 1
        elif post.kind == "page":
            report.pages += 1
        else:
            report.posts += 1

    orphans = len(archive.comments) - report.comments
    if orphans:
        report.notes.append(orphan_note(orphans))
    if unmapped:
        report.notes.append(f"{counted(unmapped, 'reply', 'replies')} to a comment not in "
                            "the archive: exported as top-level comments")
    partial = sum(1 for post in archive.posts if post.content_partial)
    if partial:
        report.notes.append(partial_note(partial))
    if w.replaced:
        report.notes.append(f"{counted(w.replaced, 'character')} XML cannot hold written as "
                            "U+FFFD")
    rss.addprevious(etree.Comment(" This is a WordPress eXtended RSS file generated by "
                                  "blogarchive as an export of a Blogger blog. "))
    rss.addprevious(etree.Comment(f' generator="blogarchive/{__version__}" '))
    etree.ElementTree(rss).write(str(job.out / FILE_NAME), xml_declaration=True,
                                 encoding="UTF-8", pretty_print=True)
    report.files += 1


def _authors(w: _Writer, channel: etree._Element, posts: tuple[Post, ...]) -> dict[str, str]:
    """``wp:author`` for every distinct post author; their logins by display name (and their
    ids by profile URL in ``w.author_ids``, so their own comments name them as users)."""
    logins: dict[str, str] = {}
    used: set[str] = set()
    for post in posts:
        author = post.author or Author()
        if author.name in logins:
            continue
        login = _unique(_slug(author.name).replace("%", "") or "blogger", used)
        logins[author.name] = login
        el = w.add(channel, "wp:author")
        w.add(el, "wp:author_id", str(len(logins)))
        if author.uri:
            w.author_ids.setdefault(author.uri, len(logins))
        w.add(el, "wp:author_login", login, cdata=True)
        w.add(el, "wp:author_email", _email(author), cdata=True)
        w.add(el, "wp:author_display_name", author.name, cdata=True)
        w.add(el, "wp:author_first_name", "", cdata=True)
        w.add(el, "wp:author_last_name", "", cdata=True)
    return logins


def _item(w: _Writer, channel: etree._Element, post: Post, number: int,
          logins: dict[str, str], slugs: dict[str, str]) -> None:
    item = w.add(channel, "item")
    when = post.published or post.updated
    w.add(item, "title", post.title, cdata=True)
    w.add(item, "link", post.url or "")
    w.add(item, "pubDate", _rfc822(when) if when is not None else "")
    w.add(item, "dc:creator", logins[(post.author or Author()).name], cdata=True)
    w.add(item, "guid", post.atom_id or post.url or post.id, isPermaLink="false")
    w.add(item, "description", "")
    w.add(item, "content:encoded", post.content, cdata=True)
    w.add(item, "excerpt:encoded", "", cdata=True)
    w.add(item, "wp:post_id", str(number))
    w.add(item, "wp:post_date", _local(when), cdata=True)
    w.add(item, "wp:post_date_gmt", _gmt(when), cdata=True)
    w.add(item, "wp:post_modified", _local(post.updated), cdata=True)
    w.add(item, "wp:post_modified_gmt", _gmt(post.updated), cdata=True)
    w.add(item, "wp:comment_status", "open", cdata=True)
    w.add(item, "wp:ping_status", "closed", cdata=True)
    w.add(item, "wp:post_name", _post_name(post), cdata=True)
    w.add(item, "wp:status", POST_STATUS.get(post.status, "draft"), cdata=True)
    w.add(item, "wp:post_parent", "0")
    w.add(item, "wp:menu_order", "0")
    w.add(item, "wp:post_type", "page" if post.kind == "page" else "post", cdata=True)
    w.add(item, "wp:post_password", "", cdata=True)
    w.add(item, "wp:is_sticky", "0")
    for label in post.labels:
        w.add(item, "category", label, cdata=True, domain="post_tag",
              nicename=slugs.get(label) or _slug(label))
    meta = [("blogger_id", post.id), ("blogger_permalink", urlsplit(post.url).path
                                      if post.url else None)]
    if post.status not in POST_STATUS:
        meta.append(("blogger_status", post.status))
    if post.content_partial:
        meta.append(("blogger_partial", "1"))
    for key, value in meta:
        if value:
            el = w.add(item, "wp:postmeta")
            w.add(el, "wp:meta_key", key, cdata=True)
            w.add(el, "wp:meta_value", value, cdata=True)


def _comment(w: _Writer, item: etree._Element, comment: Comment, ids: dict[str, int]) -> int:
    """One ``wp:comment``; 1 when its parent is not among the exported comments."""
    author = comment.author or Author()
    el = w.add(item, "wp:comment")
    w.add(el, "wp:comment_id", str(ids[comment.id]))
    w.add(el, "wp:comment_author", author.name, cdata=True)
    w.add(el, "wp:comment_author_email", _email(author), cdata=True)
    w.add(el, "wp:comment_author_url", author.uri or "")
    w.add(el, "wp:comment_author_IP", "", cdata=True)
    w.add(el, "wp:comment_date", _local(comment.published), cdata=True)
    w.add(el, "wp:comment_date_gmt", _gmt(comment.published), cdata=True)
    w.add(el, "wp:comment_content", comment.content, cdata=True)
    approved = COMMENT_APPROVED.get(comment.status.lower(), "0")
    w.add(el, "wp:comment_approved", approved, cdata=True)
    w.add(el, "wp:comment_type", "comment", cdata=True)
    parent = ids.get(comment.parent_id) if comment.parent_id else None
    w.add(el, "wp:comment_parent", str(parent or 0))
    # WordPress's importer maps this id through the authors it asked about
    w.add(el, "wp:comment_user_id", str(w.author_ids.get(author.uri or "", 0)))
    meta = [("blogger_id", comment.id)]
    if comment.status.lower() not in COMMENT_APPROVED:
        meta.append(("blogger_status", comment.status))
    for key, value in meta:
        m = w.add(el, "wp:commentmeta")
        w.add(m, "wp:meta_key", key, cdata=True)
        w.add(m, "wp:meta_value", value, cdata=True)
    return 1 if comment.parent_id and parent is None else 0


def _email(author: Author) -> str:
    """A real address; Blogger's ``noreply@blogger.com`` placeholder is no one's."""
    return author.email if author.email and author.email != "noreply@blogger.com" else ""


def _local(value: datetime | None) -> str:
    """WordPress's ``post_date``: the time as the source wrote it, in its own offset."""
    return value.strftime("%Y-%m-%d %H:%M:%S") if value is not None else _NO_DATE


def _gmt(value: datetime | None) -> str:
    """``post_date_gmt``; unknown for a naive (day-only) time, which WordPress then derives."""
    if value is None or value.tzinfo is None:
        return _NO_DATE
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _rfc822(value: datetime) -> str:
    utc = value.astimezone(timezone.utc) if value.tzinfo is not None else value
    return utc.strftime("%a, %d %b %Y %H:%M:%S +0000")


def _post_name(post: Post) -> str:
    """The slug WordPress will use: Blogger's file name without ``.html``."""
    if not post.url:
        return ""
    name = urlsplit(post.url).path.rstrip("/").rpartition("/")[2]
    return name.removesuffix(".html")


def _slug(name: str) -> str:
    """WordPress's ``sanitize_title`` on save: accents removed, lower case, other non-ASCII
    letters percent-encoded, ``.`` and ``/`` and spaces to dashes, anything else dropped."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name)
                    if not unicodedata.combining(c)).lower()
    plain = re.sub(r"%(?![0-9a-f]{2})", "", plain)  # a lone % is dropped, as WordPress does
    encoded = "".join(c if c.isascii() else quote(c, safe="").lower() for c in plain)
    dashed = _NOT_SLUG.sub("", encoded.replace(".", "-").replace("/", "-"))
    return re.sub(r"-+", "-", re.sub(r"\s+", "-", dashed)).strip("-")


def _unique(slug: str, used: set[str]) -> str:
    candidate, n = slug, 2
    while candidate in used:
        candidate, n = f"{slug}-{n}", n + 1
    used.add(candidate)
    return candidate
