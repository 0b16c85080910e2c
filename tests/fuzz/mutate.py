"""Mutations of bytes: the damage real files suffer, and the shapes that broke readers before.

Every operator takes a ``random.Random`` and bytes and returns new bytes, so a run is fully
determined by its seed. Sizes are bounded (``MAX_SIZE``): the fuzzer looks for crashes and
hangs, not for how long a 1 GB file takes.
"""

from __future__ import annotations

import gzip
import random
import re
from collections.abc import Callable
from typing import Final

__all__ = ["MAX_SIZE", "OPERATORS", "mutate"]

MAX_SIZE: Final = 2 * 1024 * 1024

Operator = Callable[[random.Random, bytes], bytes]

# Fragments that broke, or could break, a reader: prefixes nobody declared, unfinished
# processing instructions and comments, entities, CDATA, Blogger's own markers.
_TAGS: Final = (
    b"<x:y/>", b"<app:draft>yes</app:draft>", b"<a:b xmlns:a='urn:a'/>", b"<entry>", b"</entry>",
    b"<entry><id>tag:blogger.com,1999:blog-1.post-2</id></entry>", b"<feed>", b"</feed>",
    b"<?a", b"<?xml version='1.0'?>", b"<!--", b"-->", b"<!DOCTYPE x>", b"<![CDATA[", b"]]>",
    b"&amp;", b"&bogus;", b"&#0;", b"&#x110000;", b"&#xD800;", b"<br>", b"</div>", b"<div>",
    b"<p>", b"<blockquote>", b"<a href='p://]'>x</a>", b"<a href='http://example.com:abc/'>",
    b"<link rel='alternate' type='application/atom+xml' href='http://h:99999/feeds'/>",
    b"<div class='post-body entry-content'>", b"<div class='comments'>",
    b"<script>document.write('<b>')</script>", b"<img src='data:,x'>", b"<iframe src=//x>",
    b"<h2 class='date-header'><span>Monday, 99 Foo 2010</span></h2>", b"<abbr title='x'>",
    b"<category scheme='http://schemas.google.com/g/2005#kind' "
    b"term='http://schemas.google.com/blogger/2008/kind#comment'/>",
    b"<thr:in-reply-to ref='x' href='y'/>", b"<published>0000-00-00T99:99:99Z</published>",
    b"<pubDate>9999999999 Mar 2 9:0</pubDate>", b"<!-- Begin .post -->", b"<!-- End .post -->",
)
# Values put where a number, a date, a URL or an attribute was.
_VALUES: Final = (
    b"0", b"-1", b"9999999999", b"99999999999999999999", b"1e309", b"NaN", b"",
    b"2010-13-45T25:61:61+99:99", b"9999-12-31T23:59:59Z", b"Mon, 32 Foo 99999 99:99:99 +9999",
    b"http://example.com:abc/", b"p://]", b"http://[::1", b"//", b"javascript:x", b"%zz",
    b"\xff\xfe", b"\xed\xa0\x80", b"\x00", b"\x08", b"\xe2\x80\xa8", b"a" * 300,
)
_CONTROLS: Final = (
    *(bytes([c]) for c in (*range(0, 9), 11, 12, *range(14, 32), 127)),
    b"\xc2\x85", b"\xe2\x80\xa8", b"\xef\xbf\xbe", b"\xed\xb2\x80", b"\xff", b"\xc0\x80",
)
_NEST: Final = (b"div", b"span", b"b", b"blockquote", b"ul", b"li", b"p", b"table", b"a", b"x")
_NUMBER: Final = re.compile(rb"\d+")
_QUOTED: Final = re.compile(rb"(?<==)(['\"])([^'\"<>]{0,200})\1")
_TEXT: Final = re.compile(rb">([^<>]{1,200})<")


def _pos(rng: random.Random, data: bytes) -> int:
    """A position, more often at a tag boundary (where structure breaks) than anywhere."""
    if data and rng.random() < 0.5:
        starts = [m.start() for m in re.finditer(rb"<", data[:MAX_SIZE])]
        if starts:
            return rng.choice(starts)
    return rng.randrange(len(data) + 1)


def _span(rng: random.Random, data: bytes) -> tuple[int, int]:
    start = _pos(rng, data)
    length = int(rng.expovariate(1 / 40)) + 1
    return start, min(len(data), start + length)


def byte_flip(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return bytes([rng.randrange(256)])
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(out))
        out[i] = out[i] ^ (1 << rng.randrange(8)) if rng.random() < 0.5 else rng.randrange(256)
    return bytes(out)


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: _pos(rng, data)] if rng.random() < 0.7 else data[: rng.randrange(len(data) + 1)]


def insert_tag(rng: random.Random, data: bytes) -> bytes:
    i = _pos(rng, data)
    return data[:i] + rng.choice(_TAGS) + data[i:]


def delete_span(rng: random.Random, data: bytes) -> bytes:
    start, end = _span(rng, data)
    return data[:start] + data[end:]


def duplicate_span(rng: random.Random, data: bytes) -> bytes:
    start, end = _span(rng, data)
    i = _pos(rng, data)
    return data[:i] + data[start:end] + data[i:]


def control_chars(rng: random.Random, data: bytes) -> bytes:
    out = data
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(out) + 1)
        out = out[:i] + rng.choice(_CONTROLS) + out[i:]
    return out


def deep_nesting(rng: random.Random, data: bytes) -> bytes:
    tag = rng.choice(_NEST)
    depth = rng.choice((50, 255, 260, 300, 1000, 3000, 10000))
    opened, closed = b"<" + tag + b">", b"</" + tag + b">"
    if rng.random() < 0.3:  # escaped markup, as a body inside an Atom <content> holds it
        opened, closed = opened.replace(b"<", b"&lt;"), closed.replace(b"<", b"&lt;")
    i = _pos(rng, data)
    inner = (opened * depth) + b"x" + (closed * depth if rng.random() < 0.7 else b"")
    return data[:i] + inner + data[i:]


def huge_repeat(rng: random.Random, data: bytes) -> bytes:
    start, end = _span(rng, data)
    chunk = data[start:end] or b"x"
    room = max(0, MAX_SIZE - len(data))
    times = min(rng.choice((100, 1000, 10000, 100000)), room // len(chunk))
    return data[:end] + chunk * times + data[end:]


def replace_value(rng: random.Random, data: bytes) -> bytes:
    pattern = rng.choice((_NUMBER, _QUOTED, _TEXT))
    matches = list(pattern.finditer(data[:MAX_SIZE]))
    if not matches:
        return insert_tag(rng, data)
    m = rng.choice(matches)
    group = 2 if pattern is _QUOTED else (1 if pattern is _TEXT else 0)
    return data[: m.start(group)] + rng.choice(_VALUES) + data[m.end(group):]


def gzip_wrap(rng: random.Random, data: bytes) -> bytes:
    packed = gzip.compress(data, mtime=0)
    if rng.random() < 0.3:  # a download cut short
        packed = packed[: rng.randrange(len(packed) + 1)]
    return packed


OPERATORS: Final[dict[str, Operator]] = {
    "byte_flip": byte_flip,
    "truncate": truncate,
    "insert_tag": insert_tag,
    "delete_span": delete_span,
    "duplicate_span": duplicate_span,
    "control_chars": control_chars,
    "deep_nesting": deep_nesting,
    "huge_repeat": huge_repeat,
    "replace_value": replace_value,
}
# Repeats and nesting are rarer: they are slow to read and one of them per input is enough.
_WEIGHTS: Final = {"huge_repeat": 0.3, "deep_nesting": 0.5}


def mutate(rng: random.Random, data: bytes, *, allow_gzip: bool = True) -> tuple[bytes, list[str]]:
    """1 to 4 stacked mutations of ``data``, and their names (for the triage notes)."""
    names = list(OPERATORS)
    weights = [_WEIGHTS.get(n, 1.0) for n in names]
    applied = []
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4))):
        name = rng.choices(names, weights)[0]
        data = OPERATORS[name](rng, data)[:MAX_SIZE]
        applied.append(name)
    if allow_gzip and rng.random() < 0.05:
        data = gzip_wrap(rng, data)
        applied.append("gzip_wrap")
    return data, applied
