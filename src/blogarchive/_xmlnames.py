"""XML namespaces: Blogger's (``NS``), and the repair of a prefix used without a declaration.

A pretty-printer that drops an inline declaration leaves a file that is not
namespace-well-formed; libxml2 reports the prefix but goes on parsing. ``_xml.iter_records``
then parses again with the missing declarations added to the root start tag
(``DeclareOnRoot``): Blogger's own for its prefixes, a placeholder namespace for any other.
"""

from __future__ import annotations

import re
from typing import IO, Final

from lxml import etree

__all__ = ["NS", "UNBOUND", "DeclareOnRoot", "Unbound", "check_namespaces",
           "placeholder_namespace", "repair"]

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

UNBOUND: Final = re.compile(r"Namespace prefix (\S+) (?:on|for) \S+(?: on \S+)? is not defined")


def placeholder_namespace(prefix: str) -> str:
    """The namespace given to a prefix used without a declaration that is not one of Blogger's:
    the element is kept (in extras, with its prefix as written) instead of failing the file."""
    return f"{_PLACEHOLDER}{prefix}"


def repair(unbound: Unbound, declared: dict[str, str], notes: list[str], source: str) -> bool:
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


class Unbound(Exception):
    """A prefix used without a declaration: libxml2 reports it but goes on parsing, naming the
    element `app:control` with no namespace, so it is caught before such a record is given."""

    def __init__(self, prefixes: set[str], line: int | None, problem: str) -> None:
        self.prefixes = prefixes
        self.line = line
        self.problem = problem


def check_namespaces(log: etree._ListErrorLog) -> None:
    prefixes = set()
    first = None
    for entry in log:
        m = UNBOUND.search(entry.message or "")
        if m:
            prefixes.add(m.group(1))
            first = first or entry
    if first is not None:
        raise Unbound(prefixes, first.line, f"not namespace-well-formed XML ({first.message})")


class DeclareOnRoot:
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
