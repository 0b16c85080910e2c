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

import re
from collections.abc import Callable, Iterator
from typing import IO, Final

from lxml import etree

from .errors import ParseError, UnsafeInput
from .limits import DEFAULT_LIMITS, LimitExceeded, Limits

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

NS: Final = {
    "atom": "http://www.w3.org/2005/Atom",
    "app": "http://purl.org/atom/app#",
    "gd": "http://schemas.google.com/g/2005",
    "thr": "http://purl.org/syndication/thread/1.0",
    "georss": "http://www.georss.org/georss",
    "media": "http://search.yahoo.com/mrss/",
    "openSearch": "http://a9.com/-/spec/opensearchrss/1.0/",
    "blogger2008": "http://schemas.google.com/blogger/2008",
    "blogger": "http://schemas.google.com/blogger/2018",
    "feedburner": "http://rssnamespace.org/feedburner/ext/1.0",
}

# Prefixes Blogger declares inline (app, media) or on the root; a pretty-printer that drops
# an inline declaration leaves a file that is not namespace-well-formed (FORMATS.md section 5,
# the pelican fixture). Declaring them again on the root repairs it without changing meaning.
_REPAIRABLE: Final = {
    "app": NS["app"],
    "media": NS["media"],
    "gd": NS["gd"],
    "thr": NS["thr"],
    "georss": NS["georss"],
    "openSearch": NS["openSearch"],
}

_PLACEHOLDER: Final = "urn:blogarchive:undeclared:"

_UNBOUND: Final = re.compile(r"Namespace prefix (\S+) (?:on|for) \S+(?: on \S+)? is not defined")
_ENTITY: Final = re.compile(r"Entity '([^']+)' not defined")
_NAME_END: Final = frozenset(b" \t\r\n/>")
_PLACE: Final = re.compile(r",? line \d+, column \d+$")

Opener = Callable[[], IO[bytes]]


def serialise(element: etree._Element) -> str:
    """An element as XML text (for elements no reader maps, so nothing is lost)."""
    return etree.tostring(element, encoding="unicode", with_tail=False)


class _DeclareOnRoot:
    """A read-only stream that adds namespace declarations to the root start tag.

    Only the bytes before the end of the root start tag change; no newline is added, so the
    line numbers in later error messages still point into the original file.
    """

    def __init__(self, raw: IO[bytes], prefixes: dict[str, str]) -> None:
        self._raw = raw
        self._decls = "".join(f" xmlns:{p}='{u}'" for p, u in sorted(prefixes.items())).encode()
        self._head: bytes | None = None
        self._at = 0  # bytes of the head already given

    def _build_head(self) -> bytes:
        data = b""
        size = 65536
        while True:
            # doubling reads: a long prolog (comments before the root) is scanned and
            # copied O(log n) times, not once per 64 KiB (which took minutes for 40 MB)
            chunk = self._raw.read(size)
            data += chunk
            size *= 2
            end = _root_tag_end(data)
            if end is not None or not chunk:
                break
        if end is None:
            return data
        return data[:end] + self._decls + data[end:]

    def read(self, size: int = -1) -> bytes:
        if self._head is None:
            self._head = self._build_head()
        left = len(self._head) - self._at
        if left:
            if size < 0 or size >= left:
                out = self._head[self._at:]
                self._head, self._at = b"", 0
                return out + (self._raw.read() if size < 0 else b"")
            # handed out by position: slicing off the rest each time was quadratic
            out = self._head[self._at:self._at + size]
            self._at += size
            return out
        return self._raw.read(size)

    def close(self) -> None:
        self._raw.close()


class _Meter:
    """Counts bytes and lines as they pass to the parser, and enforces the size limits.

    The line count places an error at the end of the data (a document that stops mid-way is
    reported as truncated, whatever libxml2 calls it). The byte count is checked against
    ``max_input_size`` and, since the end of the last record, ``max_entry_size``: an entry is
    built whole before it is given, so this bounds memory whatever the entry holds. The
    parser reads ahead in 32 KiB chunks, so the counts run at most that far ahead of it.
    """

    def __init__(self, raw: IO[bytes], source: str, limits: Limits) -> None:
        self._raw = raw
        self._source = source
        self.limits = limits
        self.lines = 1
        self.last_line = 0
        self.exhausted = False
        self.size = 0
        self.mark = 0  # bytes read when the last record ended
        self.records = 0  # records completed
        # the record being read: its start line and which record start on that line it is
        self.open_line: int | None = None
        self.open_element: etree._Element | None = None
        self.last_element: etree._Element | None = None  # the record that ended last
        self.open_nth = 0
        self.elements = 0  # elements inside the record being read
        self._line: int | None = None
        self._on_line: dict[object, int] = {}

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        if not data:
            self.exhausted = True
            return data
        self.size += len(data)
        newlines = data.count(b"\n")
        # libxml2 counts columns in characters: the last line is measured so (UTF-8; a
        # character cut between two reads is not counted)
        if newlines:
            self.lines += newlines
            self.last_line = len(data[data.rfind(b"\n") + 1:].decode("utf-8", "ignore"))
        else:
            self.last_line += len(data.decode("utf-8", "ignore"))
        self._check()
        return data

    def _check(self) -> None:
        limits = self.limits
        if self.size > limits.max_input_size:
            raise LimitExceeded(self._source, "the document (after decompression)",
                                "max_input_size", limits.max_input_size)
        if self.size - self.mark > limits.max_entry_size:
            if self.open_line is None:
                after = self.last_element
                what = (f"what follows the <{_qname(after)}> at line {line_of(after)} (before "
                        "any next entry: comments or text?)" if after is not None
                        else "the start of the document")
            else:
                what = f"the <{self.open_tag}> starting at line {self.open_line}"
            raise LimitExceeded(self._source, what, "max_entry_size", limits.max_entry_size,
                                line=self.open_line)

    def started(self, element: etree._Element) -> None:
        # called for every record: kept cheap (no name spelled out until it is needed)
        line = line_of(element)
        tag = element.tag
        if line != self._line:  # start tags counted per name on the current line
            self._line, self._on_line = line, {tag: 1}
            self.open_nth = 1
        else:
            self.open_nth = self._on_line[tag] = self._on_line.get(tag, 0) + 1
        self.open_line = line
        self.open_element = element
        self.elements = 0

    @property
    def open_tag(self) -> str:
        """The name of the record being read, as written (``entry``, ``atom:entry``)."""
        return _qname(self.open_element) if self.open_element is not None else ""

    def too_many(self) -> None:
        """The record being read has more elements than max_entry_elements."""
        raise LimitExceeded(self._source, f"the <{self.open_tag}> starting at line "
                            f"{self.open_line}", "max_entry_elements",
                            self.limits.max_entry_elements, line=self.open_line)

    def ended(self) -> None:
        self.records += 1
        self.mark = self.size
        self.last_element = self.open_element
        self.open_line = self.open_element = None

    def close(self) -> None:
        self._raw.close()

    def at_end(self, line: int | None, column: int | None) -> bool:
        if not self.exhausted:
            self.exhausted = not self._raw.read(1)
        return (
            self.exhausted
            and line == self.lines
            and column is not None
            and column >= self.last_line - 1
        )


def line_of(element: etree._Element) -> int | None:
    """The source line of an element (lxml-stubs types it loosely)."""
    line: object = element.sourceline
    return line if isinstance(line, int) else None


def _qname(element: etree._Element) -> str:
    # Not etree.QName: it refuses a namespace URI holding "}" ({urn:a}}title), which
    # libxml2 accepts; the local name is what follows the last "}".
    tag = element.tag
    local = tag.rpartition("}")[2] if isinstance(tag, str) else str(tag)
    return f"{element.prefix}:{local}" if element.prefix else local


def _root_tag_end(data: bytes) -> int | None:
    """Index of the ``>`` (or ``/>``) closing the root start tag in ``data``, if complete."""
    i = 0
    while True:
        i = data.find(b"<", i)
        if i < 0 or i + 1 >= len(data):
            return None
        if data.startswith(b"<?", i):
            j = data.find(b"?>", i)
            if j < 0:
                return None
            i = j + 2
        elif data.startswith(b"<!--", i):
            j = data.find(b"-->", i)
            if j < 0:
                return None
            i = j + 3
        elif data.startswith(b"<!", i):
            j = data.find(b">", i)
            if j < 0:
                return None
            i = j + 1
        else:
            break
    quote = 0
    for k in range(i, len(data)):
        c = data[k]
        if quote:
            if c == quote:
                quote = 0
        elif c in (0x22, 0x27):
            quote = c
        elif c == 0x3E:  # '>'
            return k - 1 if data[k - 1] == 0x2F else k  # before '/>' or '>'
    return None


def _problem(err: etree.XMLSyntaxError) -> str:
    msg = _PLACE.sub("", str(err.msg or err)).strip()
    head, *context = msg.splitlines() or [""]
    if context:  # libxml2 quotes the input after a newline (CData section not finished\n<)
        msg = f"{head.strip()}, at {' '.join(context)!r}"
    if "Excessive depth" in msg:  # its advice (XML_PARSE_HUGE) is taken already
        return "elements nested deeper than the XML parser's limit (2048 levels)"
    if "Document is empty" in msg or "Start tag expected" in msg:
        return f"not XML ({msg})"
    if "Premature end of data" in msg or ("EndTag" in msg and "end of" in msg):
        return f"truncated or unclosed XML ({msg})"
    entity = _ENTITY.search(msg)
    if entity:
        return (
            f"undeclared entity &{entity.group(1)}; (only XML's own &amp; &lt; &gt; &quot; "
            "&apos; and character references are read; no DTD is loaded to define others)"
        )
    if "Entity" in msg:
        return f"refused: undeclared or unexpanded entity ({msg})"
    return f"not well-formed XML ({msg})"


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
        meter = _Meter(opener(), source, limits)
        stream: IO[bytes] = meter  # type: ignore[assignment]
        rooted = False
        try:
            if declared:
                stream = _DeclareOnRoot(stream, declared)  # type: ignore[assignment]
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
            except _Unbound as unbound:
                if not _repair(unbound, declared, notes, source):
                    raise ParseError(source, unbound.problem, line=unbound.line) from None
            except etree.XMLSyntaxError as err:
                line, column = err.position if err.position else (None, None)
                m = _UNBOUND.search(str(err.msg or ""))
                # reported only at the end (after the last record): repair and re-read
                if m and _repair(_Unbound({m.group(1)}, line, ""), declared, notes, source):
                    continue
                problem = _problem(err)
                if meter.at_end(line, column) and not problem.startswith("truncated"):
                    problem = f"truncated: the data stops in mid-document ({problem})"
                if not rooted:
                    raise ParseError(source, problem, line=line, column=column) from None
                raise Damaged(source, problem, line, column, meter) from None
        finally:
            stream.close()


class Damaged(ParseError):
    """A document readable up to a point: every record before it was given.

    ``records``: the records completed before the damage; ``lost_line``: the line where the
    lost data starts (the start of the record being read, else the error's line); with
    ``lost_tag`` and ``lost_nth`` (which start tag of that name on that line) it is found
    again by ``loss_offset``.
    """

    def __init__(self, source: str, problem: str, line: int | None, column: int | None,
                 meter: _Meter) -> None:
        super().__init__(source, problem, line=line, column=column)
        self.records = meter.records
        self.lost_line = meter.open_line or line or 1
        self.lost_tag = meter.open_tag if meter.open_line else ""
        self.lost_nth = meter.open_nth


def loss_offset(opener: Opener, damage: Damaged) -> tuple[int, int]:
    """Where the lost data of a damaged document starts (byte offset) and its total size.

    Reads the document again: to its ``lost_line``, then to the ``lost_nth`` start tag of the
    record being read on that line (a one-line file has every record on line 1).
    """
    needle = b"<" + damage.lost_tag.encode() if damage.lost_tag else b""
    line, wanted = 1, damage.lost_line
    offset = 0  # bytes before the current chunk
    found: int | None = None
    line_start = 0
    seen = 0
    carry = b""
    stream = opener()
    try:
        while chunk := stream.read(1 << 20):
            pos: int | None = 0
            while found is None and line < wanted:
                i = chunk.find(b"\n", pos)
                if i < 0:
                    pos = None
                    break
                line, pos = line + 1, i + 1
                line_start = offset + pos
            if found is None and pos is not None:
                if not needle:
                    found = line_start
                else:
                    window = carry + chunk[pos:]
                    base = offset + pos - len(carry)
                    at = window.find(needle)
                    while at >= 0 and at + len(needle) < len(window):
                        if window[at + len(needle)] in _NAME_END:
                            seen += 1
                            if seen == damage.lost_nth:
                                found = base + at
                                break
                        at = window.find(needle, at + 1)
                    carry = window[-len(needle):]
            offset += len(chunk)
    finally:
        stream.close()
    return (line_start if found is None else found), offset


def placeholder_namespace(prefix: str) -> str:
    """The namespace given to a prefix used without a declaration that is not one of Blogger's:
    the element is kept (in extras, with its prefix as written) instead of failing the file."""
    return f"{_PLACEHOLDER}{prefix}"


def _repair(unbound: _Unbound, declared: dict[str, str], notes: list[str], source: str) -> bool:
    """Declare the undeclared prefixes on the root; False when that cannot help (declared)."""
    fresh = {
        p: _REPAIRABLE.get(p) or placeholder_namespace(p)
        for p in unbound.prefixes
        if p not in declared
    }
    if not fresh:
        return False
    declared.update(fresh)
    for p in sorted(fresh):
        how = (
            "Blogger's declaration for it"
            if p in _REPAIRABLE
            else f"the placeholder namespace {fresh[p]} (not Blogger's: its meaning is unknown)"
        )
        notes.append(
            f"{source}: namespace prefix '{p}' is used without a declaration (first at line "
            f"{unbound.line}); read with {how} added to the root"
        )
    return True


class _Unbound(Exception):
    """A prefix used without a declaration: libxml2 reports it but goes on parsing, naming the
    element `app:control` with no namespace, so it is caught before such a record is given."""

    def __init__(self, prefixes: set[str], line: int | None, problem: str) -> None:
        self.prefixes = prefixes
        self.line = line
        self.problem = problem


def _check_namespaces(log: etree._ListErrorLog) -> None:
    prefixes = set()
    first = None
    for entry in log:
        m = _UNBOUND.search(entry.message or "")
        if m:
            prefixes.add(m.group(1))
            first = first or entry
    if first is not None:
        raise _Unbound(prefixes, first.line, f"not namespace-well-formed XML ({first.message})")


def _parse(
    stream: IO[bytes],
    source: str,
    depth_of: Callable[[etree._Element], int],
    meter: _Meter,
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
                    _check_namespaces(events.error_log)
                meter.ended()
                yield False, element
                element.clear(keep_tail=False)
                parent = element.getparent()
                if parent is not None:
                    while element.getprevious() is not None:
                        del parent[0]
            depth -= 1
    except etree.XMLSyntaxError as err:
        raise _placed(err, events.error_log) from None


def _placed(err: etree.XMLSyntaxError, log: etree._ListErrorLog) -> etree.XMLSyntaxError:
    """The error with its real place: when libxml2 stops on a fatal error found while reading
    ahead (an undeclared entity), lxml reports "no element found" at line 0, column 0 and the
    real error only in the parser's log."""
    if err.position and err.position[0] > 0:
        return err
    fatal = [e for e in log if e.level >= etree.ErrorLevels.FATAL]
    if not fatal:
        return err
    first = fatal[0]
    # lxml's signature is (message, code, line, column); lxml-stubs knows only the message
    return etree.XMLSyntaxError(  # type: ignore[call-arg]
        first.message, first.type, first.line, first.column
    )
