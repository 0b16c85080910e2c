"""Digests of files and the manifests that list them, in BagIt's line format.

``manifest-sha512.txt`` and ``manifest-sha256.txt`` hold one line per file,
``<lowercase hex>  <path relative to the archive>`` (two spaces, LF), sorted by path: the format
``sha512sum -c`` and BagIt both read, so an archive can be checked with no blogarchive at all.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Final

import attrs

from ..durable import sync

__all__ = [
    "ALGORITHMS",
    "DigestingFile",
    "Fixity",
    "copy_with_fixity",
    "data_fixity",
    "digesting",
    "file_fixity",
    "link_or_copy",
    "manifest_name",
    "parse_manifest",
    "payload_files",
    "write_manifests",
    "write_synced",
]

ALGORITHMS: Final = ("sha512", "sha256")  # BagIt 1.0 and OCFL: sha512 first, sha256 too
_BLOCK: Final = 1 << 20


@attrs.frozen
class Fixity:
    """Size and digests of one file's bytes."""

    size: int
    sha512: str
    sha256: str

    def digest(self, algorithm: str) -> str:
        return str(getattr(self, algorithm))


def manifest_name(algorithm: str, kind: str = "manifest") -> str:
    """``manifest-<alg>.txt``, or with ``kind="tagmanifest"`` a bag's tag manifest."""
    return f"{kind}-{algorithm}.txt"


def _hashers() -> dict[str, hashlib._Hash]:
    return {name: hashlib.new(name) for name in ALGORITHMS}


def _fixity(size: int, hashers: dict[str, hashlib._Hash]) -> Fixity:
    return Fixity(size=size, sha512=hashers["sha512"].hexdigest(),
                  sha256=hashers["sha256"].hexdigest())


def _digest_stream(stream: IO[bytes], sink: Callable[[bytes], object] | None = None) -> Fixity:
    hashers = _hashers()
    size = 0
    while block := stream.read(_BLOCK):
        size += len(block)
        for hasher in hashers.values():
            hasher.update(block)
        if sink is not None:
            sink(block)
    return _fixity(size, hashers)


def file_fixity(path: Path) -> Fixity:
    with path.open("rb") as stream:
        return _digest_stream(stream)


def copy_with_fixity(opener: Callable[[], IO[bytes]], target: Path) -> Fixity:
    """Copy a stream byte for byte to ``target`` (fsynced), digesting it on the way."""
    target.parent.mkdir(parents=True, exist_ok=True)
    source = opener()
    try:
        with target.open("wb") as out:
            fixity = _digest_stream(source, out.write)
            sync(out)
    finally:
        source.close()
    return fixity


def data_fixity(data: bytes) -> Fixity:
    """Size and digests of bytes held in memory."""
    hashers = _hashers()
    for hasher in hashers.values():
        hasher.update(data)
    return _fixity(len(data), hashers)


def write_synced(target: Path, data: bytes) -> None:
    """``data`` written to a new file ``target`` and fsynced, as ``copy_with_fixity``
    writes its copy (for a small original already read whole)."""
    with target.open("wb") as out:
        out.write(data)
        sync(out)


class DigestingFile:
    """A file written as bytes and digested as they go out, so that its manifest lines need
    not read it again (``digesting``). Writes are gathered into blocks of ``_BLOCK``: one
    digest update and one write per block, not per line."""

    def __init__(self, path: Path) -> None:
        self._out = path.open("wb")
        self._hashers = _hashers()
        self._held: list[bytes] = []
        self._held_size = 0
        self.size = 0

    def write(self, data: bytes) -> None:
        self._held.append(data)
        self._held_size += len(data)
        if self._held_size >= _BLOCK:
            self._drain()

    def _drain(self) -> None:
        block = b"".join(self._held)
        self._held.clear()
        self._held_size = 0
        for hasher in self._hashers.values():
            hasher.update(block)
        self._out.write(block)
        self.size += len(block)

    def finish(self) -> Fixity:
        """Write what is held, flush and fsync (as ``store`` writes its files), close; the
        file's size and digests."""
        self._drain()
        sync(self._out)
        self._out.close()
        return _fixity(self.size, self._hashers)

    def discard(self) -> None:
        self._out.close()


@contextlib.contextmanager
def digesting(path: Path, found: dict[Path, Fixity]) -> Iterator[DigestingFile]:
    """``path`` written through a ``DigestingFile``; its fixity put in ``found`` once the
    block ends (nothing is put there when it raises)."""
    out = DigestingFile(path)
    try:
        yield out
    except BaseException:
        out.discard()
        raise
    found[path] = out.finish()


def link_or_copy(source: Path, target: Path) -> None:
    """A file carried over unchanged from the previous archive: hard link, else copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def payload_files(root: Path) -> list[str]:
    """Every file under ``root`` but the manifests, as sorted relative paths."""
    manifests = {manifest_name(a) for a in ALGORITHMS}
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                  if p.is_file() and p.name not in manifests)


def write_manifests(root: Path, files: Iterable[str], kind: str = "manifest",
                    fixity: Callable[[Path], Fixity] = file_fixity) -> dict[str, Fixity]:
    """Digest ``files`` (paths relative to ``root``) and write one manifest per algorithm
    (``kind="tagmanifest"``: a bag's tag manifests). ``fixity`` digests one file (a caller
    that writes manifests again and again may remember the digests of unchanged files)."""
    fixities = {name: fixity(root / name) for name in sorted(files)}
    for algorithm in ALGORITHMS:
        lines = "".join(f"{fx.digest(algorithm)}  {name}\n" for name, fx in fixities.items())
        path = root / manifest_name(algorithm, kind)
        with path.open("w", encoding="utf-8", newline="\n") as out:
            out.write(lines)
            sync(out)
    return fixities


def parse_manifest(text: str) -> tuple[dict[str, str], list[tuple[int, str]]]:
    """``{path: digest}`` from a manifest, and ``(line, problem)`` for lines it cannot read."""
    entries: dict[str, str] = {}
    problems = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        digest, sep, name = line.partition("  ")
        if not sep or not name or not digest or any(c not in "0123456789abcdef" for c in digest):
            problems.append((number, f"not a manifest line: {line[:80]!r}"))
            continue
        entries[name] = digest
    return entries, problems
