"""Which blog's pages a crawl is read for: a WARC holds one site's pages and its by-products."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, TypeVar

from .errors import UnsupportedFormat

if TYPE_CHECKING:
    from .readers import SourceRead
    from .reading import ReadReport
    from .sources import Input

__all__ = ["one_blog"]

T = TypeVar("T")


def one_blog(
    pages: list[tuple[str, Input, SourceRead, T]],
    report: ReadReport | None,
    notes: list[str],
) -> list[tuple[str, Input, SourceRead, T]]:
    """The pages to read from one folder, zip or WARC: which pages of other blogs are kept.

    Page files (a folder or zip of saved pages) are what the user chose to keep: every blog
    among them becomes its own archive, as it would if each file were given on its own.
    A WARC is a crawl aimed at one site: pages of other blogs in it are by-products
    (links followed off-site, embeds), so in each WARC the blog with the most pages is the
    one read, and the other blogs' pages are counted and noted, not read.
    """
    crawls: dict[str, Counter[str]] = {}
    for key, item, _, _ in pages:
        if item.capture:
            crawls.setdefault(_container(item), Counter())[key] += 1
    main = {crawl: keys.most_common(1)[0][0] for crawl, keys in crawls.items()}
    kept = []
    for page in pages:
        key, item, read, _ = page
        if not item.capture or main[_container(item)] == key:
            kept.append(page)
            continue
        blog = read.blog
        assert blog is not None
        err = UnsupportedFormat(item.name, f"a page of another blog ({blog.title or '?'}, "
                                           f"id {blog.id or '?'}) captured in this WARC: "
                                           "a crawl's by-product, not read")
        if report is not None:
            report.ignored.append(err)
        notes.append(f"not read: {err}")
    return kept


def _container(item: Input) -> str:
    """The WARC a captured page came from."""
    return item.raw[0].name if item.raw else item.name.split("!", 1)[0]
