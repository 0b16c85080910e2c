"""GData JSON feeds (`?alt=json`, `?alt=json-in-script`): Atom spelled as JSON.

GData's JSON form is a mechanical mapping of the Atom feed (FORMATS.md section 4): an element
is an object (an array when it repeats), `prefix:name` is written `prefix$name`, text is
`{"$t": ...}`, attributes are string members, namespace declarations are `xmlns` and
`xmlns$prefix` members. So the faithful reading is to rebuild the Atom elements, in the
namespaces the file declares, and map them with the Atom reader's own rules: a feed read from
its JSON form gives the same records as the same feed saved as Atom, and what no field maps
is kept in `extras` as the same XML text.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from typing import Any, Final

from lxml import etree

from ..._words import counted
from ..._xml import NS, Opener
from ...errors import ParseError, UnsupportedFormat
from ...limits import LimitExceeded, Limits
from ...model import Blog, Comment, Origin, Post, Skipped
from .._common import A, blog_id_of
from ..atom import AtomReader, EntrySkipped
from ._load import kind_of

__all__ = ["GDataReader", "is_gdata"]

Record = Post | Comment | Skipped

# Prefixes Blogger's feeds use, for a member whose prefix the file does not declare
# (GData declares `media` and `app` inline, as the Atom form does, and copies can lose them).
_KNOWN: Final = {
    "openSearch": NS["openSearch"],
    "gd": NS["gd"],
    "thr": NS["thr"],
    "app": NS["app"],
    "media": NS["media"],
    "georss": NS["georss"],
    "blogger": NS["blogger2008"],
}
_PLACEHOLDER: Final = "urn:blogarchive:undeclared:"
# Characters XML 1.0 cannot hold (the Atom form of the same text could not either).
_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NAME: Final = re.compile(r"[A-Za-z_][\w.\-]*\Z")


def is_gdata(value: Any) -> bool:
    """A GData JSON document: `{"version": ..., "feed": {...}}` or a lone `{"entry": {...}}`."""
    return isinstance(value, dict) and (
        isinstance(value.get("feed"), dict) or isinstance(value.get("entry"), dict)
    )


class _Builder:
    """Atom elements from GData JSON members, counting what one entry costs."""

    def __init__(self, source: str, limits: Limits) -> None:
        self.source = source
        self.limits = limits
        self.count = 0
        self.replaced = 0

    def _text(self, value: Any, path: str, key: str) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if not isinstance(value, str):
            raise _Bad(f"{path}.{key}: expected text, found {kind_of(value)}")
        text: str = value
        if _NOT_XML.search(text):
            text, n = _NOT_XML.subn("\ufffd", text)
            self.replaced += n
        return text

    def element(self, parent: etree._Element, name: str, value: Any, path: str,
                scope: dict[str | None, str]) -> None:
        """Append the element(s) member ``name`` holds to ``parent``."""
        if isinstance(value, list):
            for i, item in enumerate(value):
                self.element(parent, name, item, f"{path}[{i}]", scope)
            return
        if isinstance(value, str):  # an element written as bare text: same meaning
            value = {"$t": value}
        if not isinstance(value, dict):
            raise _Bad(f"{path}: expected an object, found {kind_of(value)}")
        self.count += 1
        if self.count > self.limits.max_entry_elements:
            raise LimitExceeded(self.source, f"the entry at {path}", "max_entry_elements",
                                self.limits.max_entry_elements)
        declared = declarations(value, path)
        # A prefix the file uses without declaring it (a copy lost `xmlns$app`) is declared
        # here, so the element keeps the file's prefix when it is kept as XML.
        for key in (name, *(k for k, v in value.items() if not isinstance(v, (dict, list)))):
            prefix = key.rpartition("$")[0]
            if (prefix and prefix != "xmlns" and _NAME.match(prefix) and prefix not in scope
                    and prefix not in declared):
                declared[prefix] = _KNOWN.get(prefix) or _PLACEHOLDER + prefix
        inner = {**scope, **declared} if declared else scope
        try:
            child = etree.SubElement(parent, self._tag(name, inner, path),
                                     nsmap=_nsmap(declared))
        except ValueError as err:  # lxml's own checks (a namespace it refuses)
            raise _Bad(f"{path}: {err}") from None
        for key, item in value.items():
            if key == "xmlns" or key.startswith("xmlns$"):
                continue
            if key == "$t":
                child.text = self._text(item, path, key)
            elif isinstance(item, (dict, list)):
                self.element(child, key, item, f"{path}.{key}", inner)
            elif item is None:
                raise _Bad(f"{path}.{key}: null is not a GData value")
            else:
                child.set(self._attribute(key, inner, path), self._text(item, path, key))

    def _tag(self, name: str, scope: dict[str | None, str], path: str) -> str:
        prefix, dollar, local = name.rpartition("$")
        if not _NAME.match(local) or (dollar and not _NAME.match(prefix)):
            raise _Bad(f"{path}: {name!r} is not an element name")
        if not prefix:
            return f"{{{scope.get(None, NS['atom'])}}}{local}"
        uri = scope.get(prefix) or _KNOWN.get(prefix) or _PLACEHOLDER + prefix
        return f"{{{uri}}}{local}"

    def _attribute(self, name: str, scope: dict[str | None, str], path: str) -> str:
        prefix, dollar, local = name.rpartition("$")
        if not _NAME.match(local) or (dollar and not _NAME.match(prefix)):
            raise _Bad(f"{path}.{name}: {name!r} is not an attribute name")
        if not prefix:
            return local  # unprefixed attributes are in no namespace, as in XML
        uri = scope.get(prefix) or _KNOWN.get(prefix) or _PLACEHOLDER + prefix
        return f"{{{uri}}}{local}"


def _nsmap(declared: dict[str | None, str]) -> Any:
    # lxml takes None for the default namespace; its stubs admit only text keys.
    return declared or None


class _Bad(Exception):
    """A member that cannot be an Atom element or attribute; the message names its path."""


@functools.lru_cache(maxsize=256)
def _valid_uri(uri: str) -> bool:
    """Whether lxml takes ``uri`` as a namespace (it refuses what libxml2 cannot parse as a
    URI); asked before any element is made, so the refusal is a message, not an exception."""
    try:
        etree.Element(f"{{{uri}}}x")
    except ValueError:
        return False
    return True


def declarations(value: dict[str, Any], path: str) -> dict[str | None, str]:
    """The namespace declarations among an object's members (`xmlns`, `xmlns$prefix`)."""
    found: dict[str | None, str] = {}
    for key, uri in value.items():
        if key == "xmlns" or key.startswith("xmlns$"):
            if not isinstance(uri, str) or not uri:
                raise _Bad(f"{path}.{key}: a namespace must be a non-empty text")
            prefix = key[6:] or None
            if prefix is not None and not _NAME.match(prefix):
                raise _Bad(f"{path}.{key}: {prefix!r} is not a namespace prefix")
            if not _valid_uri(uri):
                raise _Bad(f"{path}.{key}: {uri[:80]!r} is not a namespace URI")
            found[prefix] = uri
    return found


class _AtomOfJson(AtomReader):
    """The Atom reader, naming the JSON form in each record's origin. Its own ``format``
    stays the Atom variant's, which its rules go by (a comment feed's entries are comments)."""

    def origin(self, index: int, line: int | None) -> Origin:
        return Origin(format=f"{self.format}-json", source=self.source, entry=index, line=line)


class GDataReader:
    """One GData JSON document, mapped by an ``AtomReader`` from the rebuilt elements."""

    def __init__(self, source: str, opener: Opener, limits: Limits, notes: list[str]) -> None:
        self.source = source
        self.limits = limits
        self.atom = _AtomOfJson(source, opener, limits)
        self.atom.notes = notes
        self.atom.bad_times._notes = notes  # one list of notes for the whole reader
        self.replaced = 0

    @property
    def format(self) -> str:
        return f"{self.atom.format}-json"

    @property
    def entries(self) -> int:
        return self.atom.entries

    def read(self, value: dict[str, Any], part: str) -> Iterator[Record]:
        """The records of one GData document (``part`` names it among the file's values)."""
        atom = self.atom
        builder = _Builder(self.source, self.limits)
        feed = value.get("feed")
        lone = feed is None
        body: dict[str, Any] = {"entry": value["entry"]} if lone else feed  # type: ignore[assignment]
        path = f"{part}.entry" if lone else f"{part}.feed"
        try:
            declared = declarations(body, path)
        except _Bad as bad:
            raise ParseError(self.source, f"not a GData feed: {bad}") from None
        scope: dict[str | None, str] = {None: NS["atom"], **declared}
        root = etree.Element(A + "feed", nsmap=_nsmap({None: NS["atom"], **declared}))
        for key, item in body.items():
            if key == "entry" or key == "xmlns" or key.startswith("xmlns$"):
                continue
            try:
                builder.element(root, key, item, f"{path}.{key}", scope)
            except _Bad as bad:  # kept as written, as XML cannot hold it, and said
                self._keep_as_json(key, item, str(bad))
            for element in list(root):
                atom._feed_child(element)
                root.remove(element)
        entries = body.get("entry", [])
        if isinstance(entries, dict):
            entries = [entries]
        if not isinstance(entries, list):
            raise ParseError(self.source, f"{path}.entry: expected an array of entries, "
                             f"found {kind_of(entries)}")
        for i, entry in enumerate(entries):
            where = path if lone else f"{path}.entry[{i}]"
            index = atom.entries
            atom.entries += 1
            builder.count = 0
            try:
                if not isinstance(entry, dict):
                    raise _Bad(f"{where}: expected an object, found {kind_of(entry)}")
                builder.element(root, "entry", entry, where, scope)
            except _Bad as bad:
                skipped = atom.skips.skip(index, None, str(bad))
                if skipped is not None:
                    yield skipped
                continue
            element = root[-1]
            self._decide(element, lone)
            try:
                record = atom._entry(element, index)
            except EntrySkipped as why:
                skipped = atom.skips.skip(index, None, f"{where}: {why}")
                if skipped is not None:
                    yield skipped
                continue
            finally:
                root.remove(element)
            if record is not None:
                yield record
        self.replaced += builder.replaced

    def _keep_as_json(self, key: str, item: Any, why: str) -> None:
        extras = self.atom.extras
        text = json.dumps({key: item}, ensure_ascii=False, separators=(",", ":"))
        extras.size += len(text.encode("utf-8"))
        if extras.size > self.limits.max_feed_extras:
            raise LimitExceeded(self.source, f"feed-level members no reader maps (at {key})",
                                "max_feed_extras", self.limits.max_feed_extras)
        extras.items.append(text)
        self.atom.notes.append(f"{self.source}: feed-level member {why}; kept as JSON in "
                               "the blog's extras")

    def _decide(self, first: etree._Element | None, lone: bool) -> None:
        atom = self.atom
        if atom._decided:
            return
        if lone and first is not None:  # one entry saved alone: no feed id to go by
            entry_id = (first.findtext(A + "id") or "").strip()
            if not blog_id_of(entry_id):
                raise UnsupportedFormat(self.source, "a GData JSON entry, but not from "
                                        f"Blogger (id {entry_id!r})")
            atom._decided = True
            atom.format = "public-feed"
            return
        try:
            atom._decide(first)
        except UnsupportedFormat as err:
            raise UnsupportedFormat(self.source, err.problem.replace(
                "an Atom feed", "a GData JSON feed", 1)) from None

    def finish(self) -> None:
        self._decide(None, False)
        self.atom.finish()
        if self.replaced:
            self.atom.notes.append(
                f"{self.source}: {counted(self.replaced, 'character')} that XML cannot hold "
                "(C0 controls) replaced by U+FFFD"
            )

    def blog(self) -> Blog:
        return self.atom.blog()
