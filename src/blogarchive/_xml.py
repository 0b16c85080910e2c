"""Safe, streaming XML: the only place blogarchive hands bytes to an XML parser.

Every parse runs with DTD loading, entity resolution and network access off (PRESERVATION.md
section 7; lxml >= 6.1 for CVE-2026-41066, and ``resolve_entities=False`` passed explicitly
because ``iterparse`` did not always default to it). A document that declares a DOCTYPE is
refused outright: no Blogger file has one, and it is how billion-laughs and XXE files start.

Records are streamed: the caller picks the depth of its records (1 for Atom entries, 2 for RSS
items) and each completed element at that depth is yielded, then cleared with the siblings
before it, so memory stays flat however large the export.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO

from lxml import etree

from ._xmlerrors import Damaged, loss_offset, placed, problem_of
from ._xmlinput import Meter, Opener, line_of
from ._xmlnames import (
    NS,
    UNBOUND,
    DeclareOnRoot,
    Unbound,
    check_namespaces,
    placeholder_namespace,
    repair,
)
from .errors import ParseError, UnsafeInput
from .limits import DEFAULT_LIMITS, Limits

__all__ = [
    "NS",
    "Damaged",
    "Opener",
    "iter_records",
    "line_of",
    "loss_offset",
    "placeholder_namespace",
    "serialise",
]


def serialise(element: etree._Element) -> str:
    """An element as XML text (for elements no reader maps, so nothing is lost)."""
    return etree.tostring(element, encoding="unicode", with_tail=False)


def iter_records(
    opener: Opener,
    source: str,
    depth_of: Callable[[etree._Element], int],
    notes: list[str],
    limits: Limits = DEFAULT_LIMITS,
) -> Iterator[etree._Element]:
    """Yield the root element, then every completed element at the depth ``depth_of(root)``.

    A namespace prefix used without a declaration is repaired by parsing again with a
    declaration added to the root (Blogger's for its own prefixes, a placeholder otherwise;
    already-yielded records are not repeated), and the repair is recorded in ``notes``. A
    defect after the root raises Damaged (a ParseError saying where the readable part ends),
    one before it ParseError, with the line and column; a DOCTYPE raises UnsafeInput; a
    document over ``limits`` raises LimitExceeded.
    """
    declared: dict[str, str] = {}
    done = 0  # records yielded by earlier passes
    while True:
        meter = Meter(opener(), source, limits)
        stream: IO[bytes] = meter  # type: ignore[assignment]
        rooted = False
        try:
            if declared:
                stream = DeclareOnRoot(stream, declared)  # type: ignore[assignment]
            seen = 0
            try:
                for is_root, element in _parse(stream, source, depth_of, meter):
                    if is_root:
                        rooted = True
                        if not declared:  # the root is given once, on the first pass
                            yield element
                        continue
                    seen += 1
                    if seen > done:
                        yield element
                        done = seen
                return
            except Unbound as unbound:
                if not repair(unbound, declared, notes, source):
                    raise ParseError(source, unbound.problem, line=unbound.line) from None
            except etree.XMLSyntaxError as err:
                line, column = err.position if err.position else (None, None)
                m = UNBOUND.search(str(err.msg or ""))
                # reported only at the end (after the last record): repair and re-read
                if m and repair(Unbound({m.group(1)}, line, ""), declared, notes, source):
                    continue
                problem = problem_of(err)
                if meter.at_end(line, column) and not problem.startswith("truncated"):
                    problem = f"truncated: the data stops in mid-document ({problem})"
                if not rooted:
                    raise ParseError(source, problem, line=line, column=column) from None
                raise Damaged(source, problem, line, column, meter) from None
        finally:
            stream.close()


def _parse(
    stream: IO[bytes],
    source: str,
    depth_of: Callable[[etree._Element], int],
    meter: Meter,
) -> Iterator[tuple[bool, etree._Element]]:
    events = etree.iterparse(
        stream,
        events=("start", "end", "comment", "pi"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        # Text nodes and attributes over 10 MB (a pasted image as a data: URI) are read:
        # safe, as no DTD or entity is ever processed, and bounded by max_entry_size.
        huge_tree=True,
        remove_comments=False,
        strip_cdata=False,
    )
    most = meter.limits.max_entry_elements
    try:
        depth = 0
        want = -1
        for event, element in events:
            if event == "start":
                depth += 1
                if depth == 1:
                    if element.getroottree().docinfo.internalDTD is not None:
                        raise UnsafeInput(
                            source,
                            "refused: the document declares a DOCTYPE (DTDs and entity "
                            "declarations are never processed; no Blogger export has one)",
                            line=1,
                        )
                    want = depth_of(element) + 1  # the root is depth 1
                    yield True, element
                elif depth == want:
                    meter.started(element)
                elif depth > want:
                    # inline, as it runs for every element (the method only to refuse)
                    meter.elements += 1
                    if meter.elements > most:
                        meter.too_many()
                continue
            if event != "end":
                # A comment or processing instruction between records: dropped as it comes
                # (feed-level ones were only ever dropped later), so gigabytes of them take
                # no memory; inside a record it stays, and is kept with the record's XML.
                if depth == want - 1:
                    parent = element.getparent()
                    if parent is not None:
                        parent.remove(element)
                continue
            if depth == want:
                if events.error_log:
                    check_namespaces(events.error_log)
                meter.ended()
                yield False, element
                element.clear(keep_tail=False)
                parent = element.getparent()
                if parent is not None:
                    while element.getprevious() is not None:
                        del parent[0]
            depth -= 1
    except etree.XMLSyntaxError as err:
        raise placed(err, events.error_log) from None
