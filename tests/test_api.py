"""The library's surface: what is importable from the top level, help() text, cached indexes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest

import blogarchive
import blogarchive.analysis.records
import blogarchive.errors
import blogarchive.model
from conftest import EXAMPLE, FIXTURES


def test_every_record_type_a_user_meets_is_exported_at_the_top() -> None:
    for module in (blogarchive.model, blogarchive.analysis.records, blogarchive.errors):
        for name in module.__all__:
            assert name in blogarchive.__all__, f"{module.__name__}.{name} is not exported"
            assert getattr(blogarchive, name) is getattr(module, name)
    for name in ("Skipped", "Quote", "LinkList", "Media", "ListedLink", "BodyLink", "Setting",
                 "Location", "Thumbnail", "Link", "Origin", "SourceInfo", "ReadReport",
                 "ValidationReport", "Converted", "Problem", "Progress", "InvalidArgument"):
        assert name in blogarchive.__all__


def test_all_names_only_what_exists() -> None:
    assert sorted(blogarchive.__all__) == sorted(set(blogarchive.__all__))
    for name in blogarchive.__all__:
        assert hasattr(blogarchive, name), name


def test_help_shows_each_fields_documentation() -> None:
    import pydoc

    text = pydoc.render_doc(blogarchive.Post, renderer=pydoc.plaintext)
    assert "Attributes:" in text
    assert "status (str): `live`, `draft`, `scheduled`, `soft-trashed`" in text
    assert "retained (bool): Kept from an earlier conversion" in text
    for cls in (blogarchive.Comment, blogarchive.Quote, blogarchive.Media, blogarchive.Archive,
                blogarchive.Skipped):
        for field in attrs.fields(cls):
            assert f"    {field.name} (" in (cls.__doc__ or ""), (cls.__name__, field.name)
    assert (blogarchive.Post.__doc__ or "").startswith("A post or a page")


def _scan_backlinks(archive: blogarchive.Archive, post_id: str) -> list[blogarchive.Post]:
    """The behaviour before the index: a scan of every post's links."""
    return [p for p in archive.posts if p.analysis and p.id != post_id
            and any(link.post_id == post_id for link in p.analysis.links)]


@pytest.mark.parametrize("source", [EXAMPLE, FIXTURES / "html" / "mirror"])
def test_backlinks_from_the_index_are_those_of_a_scan(source: Path) -> None:
    archive = blogarchive.read(source)
    targets = {link.post_id for p in archive.posts if p.analysis
               for link in p.analysis.links if link.post_id}
    assert targets, "the fixture should hold internal links"
    for post_id in sorted(targets) + [p.id for p in archive.posts] + ["no-such-id"]:
        assert list(archive.backlinks(post_id)) == _scan_backlinks(archive, post_id)
    for p in archive.posts:
        assert archive.post(p.id) is p
    assert archive.post("no-such-id") is None


def test_backlinks_index_is_built_once_and_is_invisible(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    archive = blogarchive.read(EXAMPLE)
    same = blogarchive.read(EXAMPLE)
    built = []
    real = blogarchive.model.backlink_index

    def counting(posts: Any) -> Any:
        built.append(1)
        return real(posts)

    monkeypatch.setattr(blogarchive.model, "backlink_index", counting)
    for post in archive.posts * 3:
        list(archive.backlinks(post.id))
    assert len(built) == 1
    # Not a field: equality, hashing, attrs and evolve are as before.
    assert archive == same and hash(archive) == hash(same)
    assert [f.name for f in attrs.fields(blogarchive.Archive)] == [
        "blog", "posts", "comments", "labels", "sources", "skipped", "notes"]
    assert "_linked_from" not in attrs.asdict(archive)
    changed = attrs.evolve(archive, posts=archive.posts[:1])
    list(changed.backlinks("8123349906412388001"))
    assert len(built) == 2  # a new archive gets its own index
