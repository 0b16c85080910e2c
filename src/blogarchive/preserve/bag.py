"""BagIt 1.0 bags (RFC 8493): made by bagit-python, declared 1.0, bag-info kept and updated.

bagit-python 1.9 moves the payload into ``data/`` and writes the payload manifests,
``bag-info.txt`` (with Payload-Oxum) and the tag manifests, all UTF-8 with ``<digest>  <path>``
lines, as RFC 8493 wants; but it declares ``BagIt-Version: 0.97``. So the declaration is
rewritten to 1.0 and the tag manifests, which cover ``bagit.txt``, are made again. Bags
written as 0.97 by earlier versions stay valid: bagit-python reads both.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from ..errors import ArchiveError
from ..folder import EVENTS
from ..model import Archive
from ..store import SCHEMA_VERSION
from .events import event
from .fixity import ALGORITHMS, link_or_copy, manifest_name, write_manifests

__all__ = [
    "BAGIT_TXT",
    "GENERATED",
    "bag_in_place",
    "bag_info_for",
    "bagit_module",
    "carry_for_packing",
    "current_bag_info",
    "is_bag",
    "packing_event",
]

BAGIT_TXT: Final = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
# bag-info labels the bagging itself computes: never carried from an older bag-info.txt.
GENERATED: Final = ("Payload-Oxum", "Bagging-Date", "Bag-Software-Agent")


def is_bag(folder: Path) -> bool:
    return (folder / "bagit.txt").is_file()


def bagit_module() -> Any:
    import bagit

    logging.getLogger("bagit").setLevel(logging.ERROR)  # it logs every file at INFO
    return bagit


def bag_in_place(folder: Path, info: Mapping[str, str]) -> None:
    """Make ``folder`` a BagIt 1.0 bag (payload moved into data/)."""
    bagit = bagit_module()
    for name in (manifest_name(a) for a in ALGORITHMS):
        (folder / name).unlink(missing_ok=True)  # the bag's own manifests replace ours
    try:
        bagit.make_bag(str(folder), dict(info), processes=1, checksums=list(ALGORITHMS))
        (folder / "bagit.txt").write_text(BAGIT_TXT, encoding="utf-8", newline="\n")
        write_manifests(folder, _tag_files(folder), kind="tagmanifest")
    except (bagit.BagError, OSError) as err:
        raise ArchiveError(f"{folder}: could not be bagged: {err}") from None


def _tag_files(folder: Path) -> list[str]:
    """Every file of the bag outside data/ but the tag manifests themselves."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and not p.relative_to(folder).as_posix().startswith("data/")
                  and not p.name.startswith("tagmanifest-"))


def current_bag_info(folder: Path) -> dict[str, str]:
    """The labels of a bag's bag-info.txt that a new bagging should keep (the last value of a
    repeated label), without those the bagging computes again."""
    bagit = bagit_module()
    try:
        info = bagit.Bag(str(folder)).info
    except bagit.BagError as err:
        raise ArchiveError(f"{folder / 'bag-info.txt'}: unreadable: {err}") from None
    return {label: value[-1] if isinstance(value, list) else str(value)
            for label, value in info.items() if label not in GENERATED}


def bag_info_for(archive: Archive, given: Mapping[str, str]) -> dict[str, str]:
    blog = archive.blog
    info = {
        "External-Description": (
            f"Blogger blog {blog.title or '(untitled)'!r} (id {blog.id or 'unknown'}"
            + (f", {blog.url}" if blog.url else "")
            + f"): blogarchive JSON archive, schema {SCHEMA_VERSION}, with originals and "
            "PREMIS-shaped provenance in events.jsonl"
        ),
    }
    if blog.id:
        info["External-Identifier"] = f"blogger:blog-{blog.id}"
    info.update(given)
    return info


def packing_event(bag_info: Mapping[str, str], event_type: str = "information package "
                  "creation", note: str = "BagIt 1.0 bag: payload in data/, sha512 and "
                  "sha256 manifests") -> dict[str, Any]:
    return event(event_type, 'program="bagit-python" via blogarchive; profile="BagIt 1.0"',
                 "success", note=note,
                 extra={"bagInfo": dict(bag_info)} if bag_info else None)


# What a run that re-packs an archive writes anew instead of carrying over.
_REWRITTEN: Final = frozenset({*(manifest_name(a) for a in ALGORITHMS), EVENTS})


def carry_for_packing(source: Path, temp: Path) -> None:
    """The files of a plain archive (or a bag's payload) into ``temp`` as links, but not
    its manifests and event log, which the caller writes anew."""
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        rel = path.relative_to(source)
        if rel.as_posix() not in _REWRITTEN:
            link_or_copy(path, temp / rel)
