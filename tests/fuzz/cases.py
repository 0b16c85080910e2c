"""What the fuzzer feeds blogarchive: seeds from the test fixtures and mutants of them.

A ``Case`` is one input: its ``focus`` (the bytes that were mutated) and the ``context`` it
is rendered in (the rest of a Takeout folder, a zip, a WARC). Keeping the two apart lets the
minimiser shrink the focus alone while the container around it stays valid. Seeds cover every
reader: the legacy export, public and comment feeds, RSS, Takeout (folder and zip), classic
and widget-engine pages, a mirror folder, WARCs (plain and gzip), and post bodies for the
analysis (the analysis fixtures and the bodies inside the Atom fixtures).
"""

from __future__ import annotations

import html
import io
import random
import re
import uuid
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import attrs

from .mutate import MAX_SIZE, mutate

__all__ = ["Case", "Seed", "generate", "load_seeds", "render"]

ROOT: Final = Path(__file__).resolve().parents[2]
FIXTURES: Final = ROOT / "tests" / "fixtures"
# Fixtures that are not Blogger inputs to read, and the hostile ones (already known to break:
# mutating them would only find their own defects again).
_NOT_SEEDS: Final = ("analysis", "hostile")
_SITE: Final = "https://fieldnotes-example.blogspot.com/"
# Tiny documents of each format: a mutation changes a large share of them, which reaches the
# sniffer's and the parsers' edge cases (prologues, roots, first elements) far more often.
_TINY: Final = {
    "tiny.atom": b"<?xml version='1.0'?><!-- x --><feed xmlns='http://www.w3.org/2005/Atom'>"
                 b"<id>tag:blogger.com,1999:blog-1.archive</id><entry><id>tag:blogger.com,"
                 b"1999:blog-1.post-2</id><published>2010-03-02T09:00:00Z</published>"
                 b"<content type='html'>&lt;p&gt;x</content></entry></feed>",
    "tiny.rss": b"<?xml version='1.0'?><rss version='2.0'><channel><link>http://a.blogspot."
                b"com/</link><item><guid>tag:blogger.com,1999:blog-1.post-2</guid><pubDate>"
                b"Tue, 02 Mar 2010 09:00:00 +0000</pubDate><description>x</description></item>"
                b"</channel></rss>",
    "tiny.html": b"<!DOCTYPE html><html><head><meta content='blogger' name='generator'/>"
                 b"<link href='http://a.blogspot.com/feeds/posts/default' rel='alternate' "
                 b"type='application/atom+xml'/></head><body><div class='post'><h3 "
                 b"class='post-title'>t</h3><div class='post-body'>x</div></div></body></html>",
}


@attrs.frozen
class Seed:
    """A starting input. ``kind``: file, body, folder, zip or warc. ``files`` holds the
    member files of a folder, zip or WARC (WARC: URL -> page) or the one file's bytes."""

    kind: str
    name: str
    files: Mapping[str, bytes]


@attrs.frozen
class Case:
    """One fuzz input: ``focus`` replaces ``member`` of the seed's files (or is the file)."""

    kind: str
    seed: str
    member: str
    focus: bytes
    context: Mapping[str, bytes] = attrs.field(factory=dict)
    as_bytes: bool = False
    gzip_warc: bool = False
    text_body: bool = False
    ops: tuple[str, ...] = ()
    write: bool = False
    """Also write what was read and load it back (slower: a share of the cases)."""

    @property
    def size(self) -> int:
        """The bytes a reader reads: a gzip-wrapped focus counts as what it unpacks to (a
        2.6 KB gzip of a 2 MB page is read like the 2 MB page)."""
        return _unpacked(self.focus) + sum(len(data) for data in self.context.values())

    def with_focus(self, focus: bytes) -> Case:
        return attrs.evolve(self, focus=focus)

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "seed": self.seed, "member": self.member,
                "as_bytes": self.as_bytes, "gzip_warc": self.gzip_warc,
                "text_body": self.text_body, "write": self.write, "mutations": list(self.ops),
                "size": len(self.focus)}


def _unpacked(data: bytes) -> int:
    """Its length, or for gzip what it unpacks to (as far as it goes: it may be cut)."""
    if not data.startswith(b"\x1f\x8b"):
        return len(data)
    unpack = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:  # the mutations made at most MAX_SIZE bytes before packing them
        return max(len(data), len(unpack.decompress(data, 4 * MAX_SIZE)))
    except zlib.error:
        return len(data)


def _bodies(data: bytes) -> list[bytes]:
    """Post bodies as the analysis sees them: unescaped from Atom <content> elements."""
    found = re.findall(rb"<content[^>]*type=['\"]html['\"][^>]*>(.*?)</content>", data, re.S)
    return [html.unescape(b.decode("utf-8", "replace")).encode() for b in found if b.strip()]


def load_seeds() -> list[Seed]:
    """Every seed, in a fixed order (the run's determinism depends on it)."""
    seeds: list[Seed] = []
    files = sorted(p for p in FIXTURES.rglob("*") if p.is_file()
                   and p.relative_to(FIXTURES).parts[0] not in _NOT_SEEDS
                   and p.suffix not in (".json", ".csv", ".md"))
    example = ROOT / "examples" / "blog-10-02-2010.xml"
    if example.is_file():
        files.append(example)
    for path in files:
        seeds.append(Seed("file", path.name, {path.name: path.read_bytes()}))
        for i, body in enumerate(_bodies(path.read_bytes())):
            seeds.append(Seed("body", f"{path.name}#body{i}", {"body.html": body}))
    seeds.extend(Seed("file", name, {name: data}) for name, data in _TINY.items())
    for path in sorted((FIXTURES / "analysis").glob("*.html")):
        seeds.append(Seed("body", path.name, {"body.html": path.read_bytes()}))
    takeout = FIXTURES / "takeout"
    members = {p.relative_to(takeout).as_posix(): p.read_bytes()
               for p in sorted(takeout.rglob("*")) if p.is_file()}
    seeds.append(Seed("folder", "takeout", members))
    seeds.append(Seed("zip", "takeout.zip", members))
    mirror = FIXTURES / "html" / "mirror"
    pages = {p.name: p.read_bytes() for p in sorted(mirror.glob("*.html"))}
    seeds.append(Seed("folder", "mirror", pages))
    captures = {f"{_SITE}2010/09/{name}": data for name, data in pages.items()}
    captures[f"{_SITE}feeds/posts/default"] = (FIXTURES / "feeds" / "posts-page1.atom").read_bytes()
    seeds.append(Seed("warc", "mirror.warc", captures))
    return seeds


def generate(rng: random.Random, seeds: list[Seed]) -> Case:
    """One mutant of one seed. Files and bodies are the most of it; containers are slower."""
    kind = rng.choices(("file", "body", "folder", "zip", "warc", "container"),
                       (50, 20, 10, 5, 10, 5))[0]
    kinds = ("zip", "warc") if kind == "container" else (kind,)
    pool = [s for s in seeds if s.kind in kinds]
    seed = rng.choice(pool)
    member = rng.choice(sorted(seed.files))
    if kind == "container":
        # Damage to the container itself: its bytes mutated as one file.
        whole = _container(seed, member, seed.files[member], rng.random() < 0.5)
        data, ops = mutate(rng, whole, allow_gzip=False)
        name = "capture.warc" if seed.kind == "warc" else "takeout.zip"
        case = Case("file", seed.name, name, data, ops=tuple(ops))
    else:
        data, ops = mutate(rng, seed.files[member], allow_gzip=kind != "body")
        context = {k: v for k, v in seed.files.items() if k != member}
        case = Case(seed.kind, seed.name, member, data, context,
                    as_bytes=kind == "file" and rng.random() < 0.2,
                    gzip_warc=kind == "warc" and rng.random() < 0.5,
                    text_body=kind == "body" and rng.random() < 0.1, ops=tuple(ops))
    # Drawn last, so that adding it left every earlier seed's inputs as they were.
    return attrs.evolve(case, write=case.kind != "body" and rng.random() < 0.15)


def _container(seed: Seed, member: str, focus: bytes, gzip_warc: bool) -> bytes:
    files = {**seed.files, member: focus}
    if seed.kind == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, data in sorted(files.items()):
                archive.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), data)
        return buffer.getvalue()
    return _warc(files, gzip_warc)


def _warc(captures: Mapping[str, bytes], gzip: bool) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzip)
    for uri, body in captures.items():
        record_id = f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, uri)}>"  # not random: seeded runs
        ctype = "application/atom+xml" if "/feeds/" in uri else "text/html; charset=UTF-8"
        headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            uri, "response", payload=io.BytesIO(body), http_headers=headers,
            warc_headers_dict={"WARC-Date": "2020-03-01T12:00:00Z",
                               "WARC-Record-ID": record_id})
        writer.write_record(record)
    return buffer.getvalue()


def render(case: Case, folder: Path) -> dict[str, Any]:
    """Write the case's files under ``folder`` and return the worker job that reads them."""
    if case.kind == "body":
        path = folder / "body.html"
        path.write_bytes(case.focus)
        return {"op": "analyse", "path": str(path), "text": case.text_body,
                "base_url": f"{_SITE}2010/09/post.html"}
    if case.kind == "file":
        path = folder / case.member
        path.write_bytes(case.focus)
        return {"op": "read", "path": str(path), "as_bytes": case.as_bytes, "write": case.write}
    files = {**case.context, case.member: case.focus}
    if case.kind == "folder":
        path = folder / case.seed
        for name, data in files.items():
            target = path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return {"op": "read", "path": str(path), "write": case.write}
    seed = Seed(case.kind, case.seed, files)
    path = folder / (case.seed + (".gz" if case.gzip_warc else ""))
    path.write_bytes(_container(seed, case.member, case.focus, case.gzip_warc))
    return {"op": "read", "path": str(path), "write": case.write}
