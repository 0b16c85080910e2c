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

import io
import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote, urlsplit

from lxml import etree

from .. import __version__
from .._words import counted
from ..model import Author, Comment, Post
from .common import ExportJob
from .migration import orphan_note, partial_note
from .spool import Spool
from .spool import key as key_of

__all__ = ["FILE_NAME", "NS", "Prepared", "prepare", "write"]

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


class Prepared:
    """What the head needs before the first item: each distinct post author (by display
    name, the first met), gathered while the spool reads the posts; posts with partial
    content, counted."""

    def __init__(self) -> None:
        self.authors: dict[str, Author] = {}
        self.partial = 0

    def visit(self, _seq: int, post: Post) -> None:
        author = post.author or Author()
        self.authors.setdefault(author.name, author)
        self.partial += post.content_partial


def prepare(spool: Spool) -> Prepared:
    """The archive read into the spool (posts kept), the authors gathered on the way."""
    prepared = Prepared()
    spool.read(prepared.visit)
    return prepared


def write(job: ExportJob) -> None:
    """The head as one small tree, then each item made, serialised and dropped: the file
    is the bytes lxml writes for the whole tree (each item is pretty-printed at its own
    depth, ``_Items``), and memory holds one post and its comments."""
    w = _Writer(job)
    spool, report = job.spool, job.report
    blog, prepared = spool.head.blog, job.prepared
    assert isinstance(prepared, Prepared)
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

    logins = _authors(w, channel, prepared.authors.values())
    slugs: dict[str, str] = {}
    used: set[str] = set()
    labels = spool.head.labels
    for term_id, label in enumerate(labels, start=1):
        slug = _unique(_slug(label.name) or f"tag-{term_id}", used)
        slugs[label.name] = slug
        tag = w.add(channel, "wp:tag")
        w.add(tag, "wp:term_id", str(term_id))
        w.add(tag, "wp:tag_slug", slug, cdata=True)
        w.add(tag, "wp:tag_name", label.name, cdata=True)
    report.labels = len(labels)
    w.add(channel, "generator", f"blogarchive/{__version__}")  # where rss2_head writes it
    rss.addprevious(etree.Comment(" This is a WordPress eXtended RSS file generated by "
                                  "blogarchive as an export of a Blogger blog. "))
    rss.addprevious(etree.Comment(f' generator="blogarchive/{__version__}" '))

    comment_ids = _CommentIds(spool)
    unmapped = 0
    with _Items(job.out / FILE_NAME, rss) as items:
        for number, post in enumerate(spool.iter_posts(), start=1):
            item = _item(w, post, number, logins, slugs)
            for comment in spool.comments_of(post.id):
                unmapped += _comment(w, item, comment, comment_ids)
                report.comments += 1
            items.write(item)
            if post.status != "live":
                report.drafts += 1
            elif post.kind == "page":
                report.pages += 1
            else:
                report.posts += 1

    orphans = spool.comments - report.comments
    if orphans:
        report.notes.append(orphan_note(orphans))
    if unmapped:
        report.notes.append(f"{counted(unmapped, 'reply', 'replies')} to a comment not in "
                            "the archive: exported as top-level comments")
    if prepared.partial:
        report.notes.append(partial_note(prepared.partial))
    if w.replaced:
        report.notes.append(f"{counted(w.replaced, 'character')} XML cannot hold written as "
                            "U+FFFD")
    report.files += 1


class _Items:
    """The file lxml writes for ``rss`` with the items added to its channel, written an
    item at a time. The head is the whole tree's serialisation (declaration, comments)
    up to the channel's end tag; each item is serialised inside an empty copy of ``rss``
    and ``channel`` (the same namespaces in scope, the same depth, so libxml2 indents it as
    it would in the whole tree) and cut out of it; then the channel's and the document's
    end."""

    def __init__(self, path: Path, rss: etree._Element) -> None:
        whole = io.BytesIO()
        etree.ElementTree(rss).write(whole, xml_declaration=True, encoding="UTF-8",
                                     pretty_print=True)
        text = whole.getvalue()
        self._end = text.rindex(b"  </channel>")
        self._text = text
        self._shell = etree.Element("rss", {"version": "2.0"}, nsmap=NS)
        self._channel = etree.SubElement(self._shell, "channel")
        # an empty channel is written <channel/>: what an item goes between is worked out
        # from a shell holding one empty item
        probe = etree.SubElement(self._channel, "item")
        around = etree.tostring(self._shell, encoding="UTF-8", xml_declaration=False,
                                pretty_print=True)
        self._channel.remove(probe)
        start = around.index(b"<item/>")
        self._before, self._after = start - 4, len(around) - (start + len(b"<item/>\n"))
        assert around[self._before:start] == b"    "
        self._path = path
        self._file: Any = None

    def __enter__(self) -> _Items:
        self._file = self._path.open("wb")
        self._file.write(self._text[:self._end])
        return self

    def write(self, item: etree._Element) -> None:
        self._channel.append(item)
        text = etree.tostring(self._shell, encoding="UTF-8", xml_declaration=False,
                              pretty_print=True)
        self._channel.remove(item)
        self._file.write(text[self._before:len(text) - self._after])

    def __exit__(self, *exc: object) -> None:
        try:
            if exc[0] is None:
                self._file.write(self._text[self._end:])
        finally:
            self._file.close()


class _CommentIds:
    """WordPress comment ids: numbered from 1 in the order the items write the comments
    (each post's in the archive's order), a comment met twice keeping its first number;
    held in the spool, looked up by Blogger id."""

    def __init__(self, spool: Spool) -> None:
        self._db = spool
        spool.execute("CREATE TABLE wxr_ids (id BLOB PRIMARY KEY, n INTEGER) WITHOUT ROWID")
        # (comments naming no post are filed under the empty id, as ``comments_of`` does)
        spool.execute(
            "INSERT INTO wxr_ids SELECT id, ROW_NUMBER() OVER (ORDER BY MIN(rank)) FROM ("
            " SELECT id, ROW_NUMBER() OVER (ORDER BY pseq, cseq) AS rank FROM ("
            "  SELECT c.id AS id, p.seq AS pseq, c.seq AS cseq FROM posts p"
            "  JOIN comments c ON c.post_id = p.id"
            "  UNION ALL SELECT c.id, p.seq, c.seq FROM posts p JOIN comments c"
            "  ON c.post_id IS NULL WHERE p.id = x'')) GROUP BY id")

    def get(self, ident: str) -> int | None:
        row = self._db.execute("SELECT n FROM wxr_ids WHERE id = ?", (key_of(ident),)).fetchone()
        return None if row is None else int(row[0])

    def __getitem__(self, ident: str) -> int:
        found = self.get(ident)
        if found is None:
            raise KeyError(ident)
        return found


def _authors(w: _Writer, channel: etree._Element, authors: Iterable[Author]
             ) -> dict[str, str]:
    """``wp:author`` for every distinct post author (the first of each display name, in the
    posts' order); their logins by display name (and their ids by profile URL in
    ``w.author_ids``, so their own comments name them as users)."""
    logins: dict[str, str] = {}
    used: set[str] = set()
    for author in authors:
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


def _item(w: _Writer, post: Post, number: int, logins: dict[str, str],
          slugs: dict[str, str]) -> etree._Element:
    item = etree.Element("item")
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
    return item


def _comment(w: _Writer, item: etree._Element, comment: Comment, ids: _CommentIds) -> int:
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
