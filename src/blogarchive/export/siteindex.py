"""What the access copy's pages need to know across posts, gathered in one walk over the
spooled archive and kept in the spool's database, not in memory: each published post's file
and summary, the URL map bodies are relinked by, backlinks, the home listing (newest first),
labels, years and months.

The order is the one the pages always had: the posts of the listing newest first (the
archive's dated posts from last to first, then the undated in the archive's order), the
static pages in the archive's order; a label's posts and a month's in the listing's order,
years and months in the order the listing first reaches them.
"""

from __future__ import annotations

import marshal
import pickle
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final, NamedTuple

from markupsafe import Markup

from ..analysis.records import Quote
from ..analysis.urls import UrlMap
from ..narrow import SitePost, site_comments, site_posts
from .sitemacros import markup
from .sitepaths import SitePaths
from .sitetext import Summary, comment_record, summary_fields, summary_of
from .spool import Spool, SqlMap, UrlIndex, dumps, key, text

__all__ = ["Entries", "EntryHtml", "Page", "PageRow", "RenderedEntries", "RenderedList",
           "SiteIndex"]

PUBLISHED: Final = "live"


class Page(NamedTuple):
    """What a post's own page shows of it beyond its summary (kept instead of the post: a
    fraction of its size, and quick to read back)."""

    id: str
    kind: str
    url: str | None
    content: str
    labels: tuple[str, ...]
    text: str  # the analysed plain text, for the search index
    quotes: tuple[Quote, ...]


class PageRow(NamedTuple):
    """A page to write, its neighbours in the listing, its comments' stored records (as
    ``Spool.comment_records`` gives them), and whether a post links to it."""

    page: Page
    summary: Summary
    newer: Summary | None
    older: Summary | None
    comments: list[bytes]
    linked: bool


# a page's row: key (rank or seq), page pickled, its last published copy's seq, its own seq,
# the summary read with it, linked to or not, its comments' records
_Row = tuple[int, bytes, int, int, Summary, bool, list[bytes]]


def _grouped(rows: Iterable[tuple[Any, ...]],
             filled: Callable[[bytes | None], Summary | None]) -> Iterator[_Row]:
    """``pages``' rows, one a comment, gathered into one a page (in its key's order)."""
    current: _Row | None = None
    for row_key, page, own, seq, record, linked, comment in rows:
        if current is None or current[0] != row_key:
            if current is not None:
                yield current
            summary = filled(record)
            assert summary is not None
            current = (row_key, page, own, seq, summary, bool(linked), [])
        if comment is not None:  # None: the LEFT JOIN's row of a page with no comment
            current[6].append(comment)
    if current is not None:
        yield current


# what a list reads, and the key that gives the listing's order without a sort: the
# listing (``l``), or a label's posts by rank (``t``) with theirs
_LISTED: Final = ("listed l", "l.rank")
_RANKED: Final = ("ranked t JOIN listed l ON l.rank = t.rank", "t.rank")

EntryHtml = Callable[[Summary, str], str]  # a list entry's HTML, for the page's ``root``
ROOT: Final = "\x00"  # where a stored fragment's ``root`` goes (never in a summary: checked)


def _holds_root(summary: Summary) -> bool:
    when = summary.when
    return any(ROOT in value for value in (
        summary.id, summary.kind, summary.title, summary.path, summary.author or "",
        summary.author_url or "", summary.excerpt, when.iso if when else "",
        when.text if when else "", *(part for pair in summary.labels for part in pair)))


class Entries:
    """Summaries read from the database as a template walks them: ``len``, truth and one
    pass or more of iteration, as a list gives them, without holding them."""

    def __init__(self, fetch: Callable[[], Iterator[Summary]], count: int) -> None:
        self._fetch = fetch
        self._count = count

    def __iter__(self) -> Iterator[Summary]:
        return self._fetch()

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0


class RenderedEntries(Entries):
    """Entries whose HTML is kept (``SiteIndex.keep_html``): ``fragments(root)`` gives each
    entry's HTML, rendered once for the whole export; the built-in ``entry_list`` uses it
    when it is there."""

    def __init__(self, fetch: Callable[[], Iterator[Summary]], count: int,
                 fragments: Callable[[str], Iterator[str]]) -> None:
        super().__init__(fetch, count)
        self.fragments = fragments


class RenderedList(list[Summary]):
    """A home page's entries: a list, whose kept HTML ``fragments(root)`` gives as
    ``RenderedEntries`` does (a home page renders no entry again either)."""

    def __init__(self, entries: Iterable[Summary],
                 fragments: Callable[[str], Iterator[str]]) -> None:
        super().__init__(entries)
        self.fragments = fragments


class SiteIndex:
    """The cross-post facts of one export: ``visit`` each post as the spool reads it, then
    ``finish``."""

    def __init__(self, spool: Spool) -> None:
        self._spool = spool
        self._head = spool.head
        for table in ("summaries (seq INTEGER PRIMARY KEY, listed INTEGER, dated INTEGER,"
                      " year INTEGER, month INTEGER, record BLOB)",
                      # apart: the lists read summaries, and only the post pages these
                      "pages (seq INTEGER PRIMARY KEY, page BLOB)",
                      # each listed post's list entry as HTML, rendered once (keep_html)
                      "fragments (seq INTEGER PRIMARY KEY, html BLOB)",
                      "published (id BLOB PRIMARY KEY, seq INTEGER) WITHOUT ROWID",
                      "links (target BLOB, seq INTEGER, source BLOB)",
                      "tagged (label INTEGER, seq INTEGER)"):
            spool.execute(f"CREATE TABLE {table}")
        self.paths = SitePaths(store=SqlMap(spool, "paths"), taken=SqlMap(spool, "taken"))
        self._urls = UrlIndex(spool)
        self.statuses: Counter[str] = Counter()  # every post's status
        self._label_numbers: dict[str, int] = {}
        self.label_counts: Counter[str] = Counter()
        self.urls = UrlMap()
        self.listed = 0
        self._html: EntryHtml | None = None

    def read(self) -> None:
        """The archive read into the spool, each post ``visit``ed as it goes by: only the
        fields the pages show (``narrow``; structuring whole records was most of this
        reading's cost), each comment kept as its page shows it (``ShownComment``)."""
        spool = self._spool
        spool.read_records(site_posts(spool.dest), self.visit, None,
                           site_comments(spool.dest), comment_record(self._head))

    def visit(self, seq: int, post: SitePost) -> None:
        spool = self._spool
        self.statuses[post.status] += 1
        self._urls.visit(seq, post)
        if post.analysis is not None:
            for target in dict.fromkeys(link.post_id for link in post.analysis.links):
                if target is not None and target != post.id:
                    spool.later("INSERT INTO links VALUES (?, ?, ?)",
                                (key(target), seq, key(post.id)))
        if post.status != PUBLISHED:
            return
        # stored as plain values (marshal: a fraction of the time attrs instances take to
        # unpickle), the labels as the post names them: their files are known once every
        # post is seen
        fields = summary_fields(self._head, post, self.paths.add(post))
        year, month = fields[6], fields[7]
        analysis = post.analysis
        page = Page(post.id, post.kind, post.url, post.content, post.labels,
                    analysis.text if analysis else "", analysis.quotes if analysis else ())
        spool.later("INSERT INTO summaries VALUES (?, ?, ?, ?, ?, ?)",
                    (seq, post.kind == "post", post.published is not None, year, month,
                     marshal.dumps(fields)))
        spool.later("INSERT INTO pages VALUES (?, ?)", (seq, dumps(page)))
        spool.later("INSERT OR REPLACE INTO published VALUES (?, ?)", (key(post.id), seq))
        if post.kind == "post":
            for label in dict.fromkeys(post.labels):
                number = self._label_numbers.setdefault(label, len(self._label_numbers))
                self.label_counts[label] += 1
                spool.later("INSERT INTO tagged VALUES (?, ?)", (number, seq))

    def finish(self) -> None:
        """After the last post: the late URLs, the label files, the listing, the indexes."""
        spool = self._spool
        spool.execute("BEGIN")
        self.urls = self._urls.finish()
        self.paths.add_labels(sorted(self._label_numbers))
        # the month beside the rank, indexed: a month's page reads its own posts, not the
        # whole listing (a scan per month cost posts x months, and a blog's months grow
        # with its posts: the 1 GB export spent more time there than in all the rest)
        spool.execute("CREATE TABLE listed (rank INTEGER PRIMARY KEY, seq INTEGER UNIQUE,"
                      " year INTEGER, month INTEGER)")
        # the dated posts from last to first, then the undated in order: two walks of the
        # summaries' own key, where one ORDER BY over both sorted the whole listing in
        # memory (SQLite's sorter holds up to the page cache's size again)
        for dated, order in ((1, "DESC"), (0, "ASC")):
            spool.execute("INSERT INTO listed (seq, year, month) SELECT seq, year, month "
                          f"FROM summaries WHERE listed AND dated = ? ORDER BY seq {order}",
                          (dated,))
        # a label's posts by their rank: its page reads them in the listing's order from
        # the key, not by sorting them (their summaries and HTML, about 2 KB a post) on
        # every label page, a sort that grew with the label
        spool.execute("CREATE TABLE ranked (label INTEGER, rank INTEGER,"
                      " PRIMARY KEY (label, rank)) WITHOUT ROWID")
        spool.execute("INSERT INTO ranked SELECT t.label, l.rank FROM tagged t "
                      "JOIN listed l ON l.seq = t.seq")
        for index in ("links (target, seq)", "listed (year, month)"):
            spool.sort(f"CREATE INDEX {index.split()[0]}_by ON {index}")
        spool.execute("COMMIT")
        (self.listed,) = spool.execute("SELECT COUNT(*) FROM listed").fetchone()

    # -- reading --------------------------------------------------------------------------

    def _filled(self, record: bytes | None) -> Summary | None:
        if record is None:
            return None
        return summary_of(marshal.loads(record), self.paths.labels)

    def _summaries(self, sql: str, params: tuple[Any, ...] = ()) -> Iterator[Summary]:
        for (record,) in self._spool.execute(sql, params):
            summary = self._filled(record)
            assert summary is not None
            yield summary

    def pages(self, shown: tuple[str, ...]) -> Iterator[PageRow]:
        """Each page to write (``PageRow``), the listing's posts newest first, then the static
        pages; with each, its comments of a status in ``shown`` (what the spool stored of
        them, in the archive's order), and whether any post links to it.

        Its comments and backlinks (and its file: the summary's path) were three more queries
        a post; now joined to its row, n rows for n comments in their index's order, no sort
        (14,245 posts of the 100 MB export: 0.64 -> 0.30 CPU s)."""
        # one pass in the listing's order, each summary read once: a post's is its own
        # page's, then its newer neighbour's "older", and the one after's "newer"
        behind: _Row | None = None
        newer: Summary | None = None
        for row in self._page_rows("listed l", "l.rank", "l.seq", "l.seq",
                                   "ORDER BY l.rank, c.seq", shown):
            if behind is not None:
                yield self._page(behind, newer, row[4])
                newer = behind[4]
            behind = row
        if behind is not None:
            yield self._page(behind, newer, None)
        # the summary is pb.seq's already (joined on it)
        for row in self._page_rows("summaries u", "u.seq", "u.seq", "pb.seq",
                                   "WHERE NOT u.listed ORDER BY u.seq, c.seq", shown):
            yield PageRow(pickle.loads(row[1]), row[4], None, None, row[6], row[5])

    def _page_rows(self, rows: str, order: str, seq: str, summary: str, tail: str,
                   shown: tuple[str, ...]) -> Iterator[_Row]:
        """``pages``' rows of the posts ``rows`` names (``seq``: their seq; ``order``: the
        key the rows come in, by ``tail``), each with the summary of the post whose seq is
        ``summary``, its comments of a status in ``shown``, and whether a post links to it."""
        marks = ", ".join("?" * len(shown))
        return _grouped(self._spool.execute(
            f"SELECT {order}, t.page, pb.seq, {seq}, s.record, "
            "EXISTS (SELECT 1 FROM links k WHERE k.target = p.id), c.record "
            f"FROM {rows} JOIN pages t ON t.seq = {seq} JOIN posts p ON p.seq = {seq} "
            f"JOIN published pb ON pb.id = p.id JOIN summaries s ON s.seq = {summary} "
            f"LEFT JOIN comments c ON c.post_id = p.id AND c.status IN ({marks}) {tail}",
            tuple(map(key, shown))), self._filled)

    def _page(self, row: _Row, newer: Summary | None, older: Summary | None) -> PageRow:
        """A listed post's page; its summary is the one of the last published post with its
        id (``published``), its own unless an id came twice."""
        _, record, own, seq, summary, linked, comments = row
        if own != seq:
            (summary,) = self._summaries("SELECT record FROM summaries WHERE seq = ?", (own,))
        return PageRow(pickle.loads(record), summary, newer, older, comments, linked)

    def nav(self) -> list[Summary]:
        """The static pages (few), for every page's navigation."""
        return list(self._summaries("SELECT record FROM summaries WHERE NOT listed "
                                    "ORDER BY seq"))

    def backlinks(self, post_id: str) -> list[Summary]:
        """The published posts linking to ``post_id``, in the archive's order."""
        return list(self._summaries(
            "SELECT s.record FROM links l JOIN published pb ON pb.id = l.source "
            "JOIN summaries s ON s.seq = pb.seq WHERE l.target = ? ORDER BY l.seq",
            (key(post_id),)))

    def keep_html(self, html: EntryHtml | None) -> None:
        """Render each listed post's list entry once, with ``root`` left as a mark: a post
        is on the home, a label's and a month's page (and more), and rendering its entry
        for each was most of the time those pages took. A summary holding the mark itself
        is rendered on each page instead."""
        if html is None:
            return
        spool = self._spool
        spool.execute("BEGIN")
        for seq, record in spool.execute("SELECT l.seq, s.record FROM listed l "
                                         "JOIN summaries s USING (seq)"):
            summary = self._filled(record)
            assert summary is not None
            if not _holds_root(summary):
                spool.later("INSERT INTO fragments VALUES (?, ?)",
                            (seq, key(html(summary, ROOT))))
        spool.flush()
        spool.execute("COMMIT")
        self._html = html

    def _fragments(self, where: str, params: tuple[Any, ...], root: str,
                   rows: tuple[str, str] = _LISTED) -> Iterator[str]:
        html = self._html
        assert html is not None, "keep_html first"
        # the kept HTML alone: the summary is read only for an entry with none kept (one
        # holding the mark), not joined to every row (label and month pages of the 100 MB
        # export: 0.26 -> 0.20 CPU s with the Markup made as site.escape makes it)
        for fragment, seq in self._spool.execute(
                f"SELECT f.html, l.seq FROM {rows[0]} LEFT JOIN fragments f ON f.seq = l.seq "
                f"WHERE {where} ORDER BY {rows[1]}", params):
            if fragment is None:
                (summary,) = self._summaries("SELECT record FROM summaries WHERE seq = ?",
                                             (seq,))
                yield Markup(html(summary, root))  # HTML: not to be escaped again
            else:  # escaped when rendered
                yield markup(text(fragment).replace(ROOT, root))

    def _entries(self, where: str, params: tuple[Any, ...], count: int,
                 rows: tuple[str, str] = _LISTED) -> Entries:
        """The entries of the listed posts ``rows`` and ``where`` select (``l``: the
        listing), in the listing's order (``rows``' key: no sort)."""
        def fetch() -> Iterator[Summary]:
            return self._summaries(f"SELECT s.record FROM {rows[0]} JOIN summaries s "
                                   f"ON s.seq = l.seq WHERE {where} ORDER BY {rows[1]}",
                                   params)

        if self._html is None:
            return Entries(fetch, count)
        return RenderedEntries(fetch, count,
                               lambda root: self._fragments(where, params, root, rows))

    def home(self, number: int, per_page: int, *, as_list: bool = True
             ) -> list[Summary] | Entries:
        """Home page ``number``'s entries (from 1): a list (a template may index them), with
        their kept HTML beside (``RenderedList``) when there is some. ``as_list=False`` (the
        built-in home.html: truth and the kept HTML): ``RenderedEntries`` when the HTML is
        kept, not summaries made and never read (100 MB export: 0.22 -> 0.09 CPU s)."""
        start = (number - 1) * per_page
        entries = self._entries("l.rank > ? AND l.rank <= ?", (start, start + per_page),
                                max(0, min(per_page, self.listed - start)))
        if isinstance(entries, RenderedEntries):
            return entries if not as_list else RenderedList(entries, entries.fragments)
        return list(entries)

    def labelled(self, label: str) -> Entries:
        return self._entries("t.label = ?", (self._label_numbers[label],),
                             self.label_counts[label], _RANKED)

    def months(self) -> list[tuple[int, list[tuple[int, Entries]]]]:
        """Years, each with its months and their entries, in the listing's order."""
        years: dict[int, list[tuple[int, Entries]]] = {}
        for year, month, count in self._spool.execute(
                "SELECT year, month, COUNT(*) FROM listed "
                "WHERE year IS NOT NULL AND month IS NOT NULL GROUP BY year, month "
                "ORDER BY MIN(rank)").fetchall():
            years.setdefault(year, []).append(
                (month, self._entries("l.year = ? AND l.month = ?", (year, month), count)))
        return list(years.items())

    def undated(self) -> Entries:
        (count,) = self._spool.execute(
            "SELECT COUNT(*) FROM listed WHERE year IS NULL OR month IS NULL").fetchone()
        return self._entries("(l.year IS NULL OR l.month IS NULL)", (), count)
