"""The readers' fast paths and shared values make the same records as the general code.

``Fields`` reads each child's tag once; ``author_of`` with a ``Shared`` table reads a plain
author in one pass and gives one Author object per distinct author, and an author whose XML
it has read before by that XML; ``item_id_of`` reads
Blogger's ids without a regular expression. Each is compared here with the general path,
on generated input and on every fixture."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

import blogarchive
from blogarchive._xml import serialise
from blogarchive.model import Comment, Post
from blogarchive.readers._common import Fields, Shared, author_of, item_id_of
from conftest import EXAMPLE, FIXTURES, as_written_at

ATOM = "http://www.w3.org/2005/Atom"
GD = "http://schemas.google.com/g/2005"
B18 = "http://schemas.google.com/blogger/2018"

_TAIL_ID = re.compile(r"\.(?:post|page)-(\d+)$")


def reference_item_id(atom_id: str) -> str:
    m = _TAIL_ID.search(atom_id)
    return m.group(1) if m else atom_id


@settings(max_examples=400, deadline=None)
@given(st.one_of(
    st.text(max_size=30),
    st.builds(lambda head, kind, tail, end: f"{head}.{kind}-{tail}{end}",
              st.text(max_size=12), st.sampled_from(["post", "page", "posts", "comment"]),
              st.text("0123456789٣-", max_size=6), st.sampled_from(["", "\n", "x", "-"])),
))
def test_item_id_of_reads_every_id_as_the_expression_did(atom_id: str) -> None:
    assert item_id_of(atom_id) == reference_item_id(atom_id)


# Author children: the known ones (sometimes twice, empty, with attributes or children of
# their own), a comment, and one of another vocabulary.
_CHILDREN = [
    f"<name xmlns='{ATOM}'>Ann</name>", f"<name xmlns='{ATOM}'/>",
    f"<name xmlns='{ATOM}'>A <b>bold</b> one</name>",
    f"<uri xmlns='{ATOM}'> https://x/p </uri>", f"<email xmlns='{ATOM}'>a@b</email>",
    f"<image xmlns='{GD}' rel='r' src='//i.png'/>", f"<image xmlns='{GD}' rel='r'/>",
    f"<image xmlns='{GD}' rel='r' width='16' height='16' src='//b.gif'/>",
    f"<image xmlns='{GD}' src='//i.png' alt='x'/>", f"<image xmlns='{GD}' src='//i.png'>t</image>",
    f"<type xmlns='{B18}'>BLOGGER</type>", "<!-- note -->", "<foo:bar xmlns:foo='urn:x'/>",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_CHILDREN), max_size=6))
def test_a_shared_author_is_the_author_the_general_path_reads(children: list[str]) -> None:
    element = etree.fromstring(f"<author xmlns='{ATOM}'>{''.join(children)}</author>")
    shared = Shared()
    first = author_of(element, shared)
    assert first == author_of(element)
    assert author_of(element, shared) == first


def test_one_author_object_for_each_distinct_author() -> None:
    archive = blogarchive.read(EXAMPLE, analyse=False)
    authors = [r.author for r in (*archive.posts, *archive.comments) if r.author is not None]
    assert len(authors) > len(set(authors))  # the example repeats its authors
    assert len({id(a) for a in authors}) == len(set(authors))


def test_comments_on_one_post_share_its_reply_target() -> None:
    archive = blogarchive.read(EXAMPLE, analyse=False)
    by_post: dict[str | None, set[int]] = {}
    for c in archive.comments:
        if c.in_reply_to is not None:
            by_post.setdefault(c.in_reply_to.ref, set()).add(id(c.in_reply_to))
    assert by_post and all(len(ids) == 1 for ids in by_post.values())


def test_the_author_table_is_bounded() -> None:
    shared = Shared()
    for n in range(5000):
        element = etree.fromstring(f"<author xmlns='{ATOM}'><name>a{n}</name></author>")
        assert author_of(element, shared) is not None
    assert len(shared.authors) <= 4096


def test_an_author_met_again_is_looked_up_by_its_xml(monkeypatch: pytest.MonkeyPatch) -> None:
    from blogarchive.readers import _common

    xml = f"<author xmlns='{ATOM}'><name>Ann</name><uri>https://x/p</uri></author>"
    shared = Shared()
    first = author_of(etree.fromstring(xml), shared)
    calls: list[object] = []
    monkeypatch.setattr(_common, "_author_of",
                        lambda element, table: calls.append(element))  # must not be reached
    assert author_of(etree.fromstring(xml), shared) is first  # another element, the same XML
    assert calls == []


@pytest.mark.parametrize("declared", [True, False])  # the prefix declared on the entry or not
def test_the_namespaces_in_scope_tell_authors_apart(declared: bool) -> None:
    # The same text with the prefix bound to Google's namespace or to another: one is an
    # avatar, the other an element kept in extras; the XML looked up holds the binding.
    shared = Shared()
    found = []
    for uri in (GD, "urn:other"):
        author = "<author><g:image src='//x/a.png'/><name>Ann</name></author>"
        if declared:
            entry = etree.fromstring(f"<entry xmlns='{ATOM}' xmlns:g='{uri}'>{author}</entry>")
            element = entry[0]
        else:
            element = etree.fromstring(author.replace("<author>", f"<author xmlns='{ATOM}' "
                                                                  f"xmlns:g='{uri}'>"))
        found.append(author_of(element, shared))
        assert found[-1] == author_of(element)  # as the general path reads it
    assert found[0] is not None and found[0].image == "//x/a.png" and not found[0].extras
    assert found[1] is not None and found[1].image is None and found[1].extras


def test_the_table_of_authors_by_xml_is_bounded() -> None:
    shared = Shared()
    for n in range(1500):
        author_of(etree.fromstring(f"<author xmlns='{ATOM}'><name>a{n}</name></author>"), shared)
    assert 0 < len(shared.elements) <= 1024
    large = etree.fromstring(f"<author xmlns='{ATOM}'><name>{'a' * 3000}</name></author>")
    shared.elements.clear()
    assert author_of(large, shared) == author_of(large)
    assert shared.elements == {}  # read, not kept


def test_fields_give_back_untaken_and_unknown_children_in_order() -> None:
    element = etree.fromstring(
        f"<entry xmlns='{ATOM}'><id>1</id><category term='a'/><x:y xmlns:x='urn:x'/>"
        "<category term='b'/><title>t</title><!--c--></entry>"
    )
    f = Fields(element)
    assert f.stripped(f"{{{ATOM}}}id") == "1"
    categories = f.take_all(f"{{{ATOM}}}category")
    assert [c.get("term") for c in categories] == ["a", "b"]
    assert f.take_all(f"{{{ATOM}}}category") == []
    f.untake(categories[1])
    assert f.text(f"{{{ATOM}}}title") == "t" and f.text(f"{{{ATOM}}}title") is None
    assert f.rest() == tuple(serialise(element[i]) for i in (2, 3, 5))  # document order


SOURCES = [EXAMPLE, FIXTURES / "legacy", FIXTURES / "takeout" / "Takeout", FIXTURES / "feeds"]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_shared_records_equal_records_made_without_sharing(
    source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read() -> list[Post | Comment]:
        archives = blogarchive.read_all(source, report=blogarchive.ReadReport(),
                                        analyse=False)
        return [r for a in archives for r in (*a.posts, *a.comments)]

    shared = read()
    from blogarchive.readers import _common

    monkeypatch.setattr(_common, "_author_key", lambda element: None)  # the general path
    assert shared == read() and shared


_AVATAR = (f"<author xmlns='{ATOM}'><name>Ann</name><image xmlns='{GD}' "
           "rel='http://schemas.google.com/g/2005#thumbnail' width='32' height='32' "
           "src='//x/a.jpg'/>{more}</author>")


@pytest.mark.parametrize("shared", [Shared(), None])
@pytest.mark.parametrize("more", ["", "<foo:bar xmlns:foo='urn:x'/>"])  # fast and slow path
def test_the_avatar_is_kept_whole(shared: Shared | None, more: str) -> None:
    author = author_of(etree.fromstring(_AVATAR.format(more=more)), shared)
    assert author is not None
    assert (author.image, author.image_rel, author.image_width, author.image_height) == (
        "//x/a.jpg", "http://schemas.google.com/g/2005#thumbnail", "32", "32")
    assert len(author.extras) == (1 if more else 0)  # the unknown child, not the image


def test_an_avatar_attribute_without_a_field_keeps_the_element_in_extras() -> None:
    element = etree.fromstring(
        f"<author xmlns='{ATOM}'><image xmlns='{GD}' src='//x/a.jpg' loading='lazy'/></author>")
    author = author_of(element, Shared())
    assert author is not None and author.image == "//x/a.jpg"
    (kept,) = author.extras
    assert "loading=\"lazy\"" in kept and "//x/a.jpg" in kept


def test_an_archive_written_at_1_5_0_still_loads(tmp_path: Path) -> None:
    """Schema 1-6-0 added the avatar's rel, width and height: authors without them (lines
    saying 1-5-0) load, the three as null."""
    archive = blogarchive.read(FIXTURES / "preserve" / "emails-2009.xml", analyse=False)
    assert any(p.author is not None and p.author.image_width for p in archive.posts)
    blogarchive.write(archive, tmp_path / "arch")

    def before(data: dict[str, Any]) -> None:
        for key in ("image_rel", "image_width", "image_height"):
            (data["author"] or {}).pop(key, None)

    as_written_at(tmp_path / "arch", "1-5-0", before)
    loaded = blogarchive.load(tmp_path / "arch")
    authors = [r.author for r in (*loaded.posts, *loaded.comments) if r.author is not None]
    assert authors and all(a.image_rel is a.image_width is a.image_height is None
                           for a in authors)
    assert [a.image for a in authors] == [
        r.author.image for r in (*archive.posts, *archive.comments) if r.author is not None]
