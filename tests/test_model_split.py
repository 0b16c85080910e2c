"""model.py split into _values, _entries and model (debt14): every record is still
blogarchive.model's, so pickles, the export spool's reducers, type hints and help() see the
model as before the split."""

from __future__ import annotations

import pickle
import pickletools
import typing

import attrs

import blogarchive
import blogarchive.model as model
from blogarchive._packed import is_packed
from blogarchive.export import spool
from conftest import EXAMPLE

# Pickled (protocol 4) by the code before the split, where the classes were defined in
# model.py: a pickle kept from then must still load, and the same record still pickle to
# the same bytes.
_LINK_BEFORE = (
    b"\x80\x04\x95O\x00\x00\x00\x00\x00\x00\x00\x8c\x11blogarchive.model\x94\x8c\x04Link"
    b"\x94\x93\x94)\x81\x94}\x94(\x8c\x03rel\x94\x8c\x04self\x94\x8c\x04href\x94\x8c\x01h"
    b"\x94\x8c\x04type\x94N\x8c\x05title\x94Nub."
)
_COMMENT_BEFORE = (
    b"\x80\x04\x95a\x01\x00\x00\x00\x00\x00\x00\x8c\x11blogarchive.model\x94\x8c\x07Comment"
    b"\x94\x93\x94)\x81\x94}\x94(\x8c\x02id\x94\x8c\x02c1\x94\x8c\x07post_id\x94\x8c\x011"
    b"\x94\x8c\tparent_id\x94N\x8c\x06status\x94\x8c\x04live\x94\x8c\x07content\x94\x8c\x01x"
    b"\x94\x8c\tpublished\x94N\x8c\x07updated\x94N\x8c\x07created\x94N\x8c\x06author\x94N"
    b"\x8c\x03url\x94N\x8c\tpost_kind\x94N\x8c\x06orphan\x94\x89\x8c\x0fgenerated_title\x94N"
    b"\x8c\x0bin_reply_to\x94h\x00\x8c\tInReplyTo\x94\x93\x94)\x81\x94}\x94(\x8c\x03ref\x94"
    b"\x8c\x01r\x94\x8c\x04href\x94N\x8c\x06source\x94N\x8c\x04type\x94Nub\x8c\x07atom_id"
    b"\x94N\x8c\x07trashed\x94N\x8c\x05links\x94)\x8c\nproperties\x94)\x8c\x06extras\x94)"
    b"\x8c\x08retained\x94\x89\x8c\x06origin\x94Nub."
)


def _records() -> list[type]:
    return [getattr(model, name) for name in model.__all__]


def test_every_record_is_known_as_model_s_and_found_there() -> None:
    for cls in _records():
        assert cls.__module__ == "blogarchive.model", cls
        # what pickle does to find a class again: the module's attribute of that name
        assert getattr(model, cls.__qualname__) is cls
        assert getattr(blogarchive, cls.__qualname__) is cls


def test_type_hints_resolve_for_every_record() -> None:
    # the annotations are strings (``from __future__ import annotations``), read in the
    # namespace of the class's __module__: model.py must hold every name they use
    for cls in _records():
        hints = typing.get_type_hints(cls)
        assert set(hints) >= {f.name for f in attrs.fields(cls)}, cls


def test_pickles_made_before_the_split_load_and_are_made_again() -> None:
    link = model.Link(rel="self", href="h")
    assert pickle.loads(_LINK_BEFORE) == link
    assert pickle.dumps(link, 4) == _LINK_BEFORE
    comment = model.Comment(id="c1", post_id="1", parent_id=None, status="live", content="x",
                            published=None, in_reply_to=model.InReplyTo(ref="r"))
    assert pickle.loads(_COMMENT_BEFORE) == comment
    assert pickle.dumps(comment, 4) == _COMMENT_BEFORE


def test_a_read_archive_pickles_naming_only_the_model_s_modules() -> None:
    archive = blogarchive.read(EXAMPLE)
    assert any(is_packed(p, "content") for p in archive.posts), "read() should pack bodies"
    data = pickle.dumps(archive)
    assert pickle.loads(data) == archive
    named = {arg for op, arg, _ in pickletools.genops(data)
             if op.name in ("SHORT_BINUNICODE", "BINUNICODE") and isinstance(arg, str)
             and arg.startswith("blogarchive.")}
    assert "blogarchive._values" not in named and "blogarchive._entries" not in named
    assert "blogarchive.model" in named


def test_the_spool_pickles_every_record_by_its_values() -> None:
    # spool._table takes the attrs classes whose __module__ is the model's: a record known
    # by another module would fall back to attrs' slower __setstate__ (no error, only time)
    for cls in _records():
        assert cls in spool._TABLE, cls
    archive = blogarchive.read(EXAMPLE)
    for record in (*archive.posts, *archive.comments):
        assert pickle.loads(spool.dumps(record)) == record
