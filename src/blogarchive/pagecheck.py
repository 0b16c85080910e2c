"""What ``info`` says of each saved page: the template generation it was read as, and which of
its posts' fields fell back to a weaker rule or stayed empty, so a user sees what to check.

Read from the posts' ``origin`` (the page, its ``template``) and the rules that gave each field
(``published_source``, ``field_sources``). A post seen on several pages is merged into the copy
kept (the item page's, usually): it is counted on that page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ._words import counted, number
from .model import Post

__all__ = ["PageChecks", "PageReport", "page_lines", "page_reports"]

# The rules that read a field from what the template states for that one post; any other rule
# is a fallback (a shared date header, the page's own URL, any label link around the post).
_STATED_TIMES = frozenset({"abbr.published", "time.published", "span.published",
                           "itemprop=datePublished", "byline-timestamp"})
_FALLBACKS = {"url": frozenset({"page-url"}), "author": frozenset({"json-ld"}),
              "labels": frozenset({"label-links"})}
_LISTED = 20  # pages listed by name; the rest are counted (``info --json`` lists them all)


@attrs.frozen
class PageReport:
    """One page: how it was read and what of its posts to check."""

    source: str
    template: str | None
    kind: str | None
    posts: int
    fell_back: tuple[tuple[str, int], ...]
    """``("published: date-header", 2)``: a field, the fallback rule, how many posts."""
    empty: tuple[tuple[str, int], ...]
    """``("author", 1)``: a field no rule found, how many posts."""

    @property
    def clean(self) -> bool:
        return not self.fell_back and not self.empty


def _checks(published: object, published_source: str | None, precision: str | None,
            author: object, url: str | None, sources: Mapping[str, str | None] | None,
            ) -> tuple[list[str], list[str]]:
    fell, empty = [], []
    if published is None:
        empty.append("published")
    elif published_source not in _STATED_TIMES:
        fell.append(f"published: {published_source or 'unknown'}"
                    + (" (day only)" if precision == "date" else ""))
    for name, value in (("author", author), ("url", url)):
        if not value:
            empty.append(name)
    for name, rules in _FALLBACKS.items():
        rule = sources.get(name) if sources is not None else None
        if rule in rules:
            fell.append(f"{name}: {rule}")
    return fell, empty


class PageChecks:
    """``page_reports`` fed a post at a time: what it keeps is a few counters per page, not
    the posts (``convert`` writes from its spool and holds no list of them)."""

    def __init__(self) -> None:
        # Per page: its first post's template and page kind, posts counted, the counters.
        self._pages: dict[str, tuple[tuple[str | None, str | None], list[int],
                                     Counter[str], Counter[str]]] = {}

    def add(self, post: Post) -> None:
        origin = post.origin
        if origin is None or origin.format != "html":
            return
        sources = post.field_sources
        self._count(origin.source, origin.template, origin.page_kind, _checks(
            post.published, post.published_source, post.published_precision, post.author,
            post.url, attrs.asdict(sources) if sources is not None else None))

    def add_line(self, data: Mapping[str, Any]) -> None:
        """``add`` of the post whose JSON line ``data`` is (``store.dumps_line``'s keys): what
        ``convert`` writes from its spool is checked without making the Post again (its
        cattrs structuring cost more than the checks, for every post of a mirror)."""
        origin = data["origin"]
        if origin is None or origin["format"] != "html":
            return
        self._count(origin["source"], origin["template"], origin["page_kind"], _checks(
            data["published"], data["published_source"], data["published_precision"],
            data["author"], data["url"], data["field_sources"]))

    def _count(self, source: str, template: str | None, kind: str | None,
               checks: tuple[list[str], list[str]]) -> None:
        page = self._pages.get(source)
        if page is None:
            page = self._pages[source] = ((template, kind), [0], Counter(), Counter())
        page[1][0] += 1
        page[2].update(checks[0])
        page[3].update(checks[1])

    def reports(self) -> tuple[PageReport, ...]:
        """One report per page the posts were read from, in the order first met."""
        reports = []
        for source, ((template, kind), kept, fell, empty) in self._pages.items():
            reports.append(PageReport(source=source, template=template, kind=kind,
                                      posts=kept[0],
                                      fell_back=tuple(sorted(fell.items())),
                                      empty=tuple(sorted(empty.items()))))
        return tuple(reports)


def page_reports(posts: Iterable[Post]) -> tuple[PageReport, ...]:
    """One report per page the posts were read from, in the order first met."""
    checks = PageChecks()
    for post in posts:
        checks.add(post)
    return checks.reports()


def _counts(pairs: tuple[tuple[str, int], ...], posts: int) -> str:
    return ", ".join(name if posts == 1 else f"{name} ({number(n)} of {number(posts)} posts)"
                     for name, n in pairs)


def page_lines(reports: tuple[PageReport, ...], read: int) -> list[str]:
    """``info``'s lines on the ``read`` saved pages: the generations of those whose posts were
    kept, then each page with something to check."""
    if not reports:
        return []
    generations = Counter(r.template or "unknown" for r in reports)
    to_check = [r for r in reports if not r.clean]
    lines = [f"saved pages: {number(read)}, posts kept from {number(len(reports))} ("
             + ", ".join(f"{name} {number(n)}" for name, n in generations.most_common())
             + f"); {number(len(to_check))} with fields to check"]
    for report in to_check[:_LISTED]:
        parts = [f"{report.template or 'unknown'} {report.kind or 'page'} page, "
                 f"{counted(report.posts, 'post')}"]
        if report.fell_back:
            parts.append("fell back: " + _counts(report.fell_back, report.posts))
        if report.empty:
            parts.append("empty: " + _counts(report.empty, report.posts))
        lines.append(f"  {report.source}: " + "; ".join(parts))
    if len(to_check) > _LISTED:
        lines.append(f"  ... and {counted(len(to_check) - _LISTED, 'more page')} "
                     "(info --json lists them all)")
    return lines
