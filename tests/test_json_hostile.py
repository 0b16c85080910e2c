"""Hostile and broken JSON: every case ends in a one-line error naming the file and the place,
or in records with what was replaced or skipped said; never a traceback, never a hang."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

import blogarchive
from blogarchive.cli import main
from blogarchive.errors import ParseError, UnsupportedFormat
from blogarchive.limits import LimitExceeded, Limits
from blogarchive.readers.json._load import MAX_DEPTH
from conftest import FIXTURES

JSON = FIXTURES / "json"
POST = '{"kind":"blogger#post","id":"1","blog":{"id":"9"},"content":%s}'


def _write(tmp_path: Path, data: bytes, name: str = "hostile.json") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("data, message", [
    (b'{"kind":"blogger#post",\n "id": "1",\n "title": "x" "y"}',
     "hostile.json (line 3, column 15): not well-formed JSON: Expecting ',' delimiter"),
    (b'{"kind":"blogger#post","id":"1"',
     "hostile.json (line 1, column 32): not well-formed JSON: Expecting ',' delimiter"),
    (b'{"kind":"blogger#post",\n"id":"\xff1"}',
     "hostile.json (line 2, column 7): not UTF-8 text: byte 0xff cannot be decoded "
     "(JSON must be UTF-8)"),
    (b'{"kind":"blogger#post","id":"1","x":NaN}',
     "hostile.json (line 1, column 37): not well-formed JSON: NaN is not a JSON value"),
    (b'{"kind":"blogger#post","id":"1","x":-Infinity}',
     "hostile.json (line 1, column 37): not well-formed JSON: -Infinity is not a JSON value"),
])
def test_malformed_json_is_named_by_line_and_column(tmp_path: Path, data: bytes,
                                                    message: str) -> None:
    with pytest.raises(ParseError) as caught:
        blogarchive.read(_write(tmp_path, data))
    assert str(caught.value) == message


@pytest.mark.parametrize("data, message", [
    (b'handle({"feed":{}}',
     "hostile.json (line 1, column 1): a script, not a JSON feed wrapped in one call "
     "(`name({...});`)"),
    (b'init({"a": 1}); init({"b": 2});',
     "hostile.json (line 1, column 14): a script whose call init(...) does not hold "
     "well-formed JSON (Expecting value)"),
])
def test_a_script_that_only_starts_like_a_wrapped_feed_is_not_read(
    tmp_path: Path, data: bytes, message: str
) -> None:
    # A mirror's JavaScript is passed over as any other file that is not Blogger's; a script
    # that is one call with JSON inside is read (test_json_gdata.py).
    with pytest.raises(UnsupportedFormat) as caught:
        blogarchive.read(_write(tmp_path, data))
    assert str(caught.value) == message


def test_deep_nesting_is_refused_without_recursing(tmp_path: Path) -> None:
    # past the parser's own recursion bound, and within it but past MAX_DEPTH
    # the first "[" past MAX_DEPTH (the post's own object is the first level)
    column = len(POST.split("%s")[0]) + MAX_DEPTH
    for depth, where in ((100_000, f"line 1, column {column}"), (200, None)):
        data = POST % ("[" * depth + "]" * depth)
        with pytest.raises(ParseError, match="nest") as caught:
            blogarchive.read(_write(tmp_path, data.encode()))
        assert "hostile.json" in str(caught.value)
        if where:
            assert where in str(caught.value)
        else:
            assert "$.content[0][0][0]" in str(caught.value)


def test_huge_numbers_are_kept_as_text_and_cost_nothing(tmp_path: Path) -> None:
    digits = "7" * 200_000  # int() would refuse past 4,300 digits; a float would be inf
    archive = blogarchive.read(_write(tmp_path, (
        f'{{"kind":"blogger#post","id":{digits},"blog":{{"id":"9"}},'
        f'"replies":{{"totalItems":{digits}}},"location":{{"lat":1e999999,"lng":-0.5}}}}'
    ).encode()))
    (post,) = archive.posts
    assert post.id == digits and post.comment_count is None  # no count: kept, and noted
    assert json.loads(post.extras[0]) == {"replies": {"totalItems": digits}}
    assert any(".replies.totalItems: not a count" in n for n in archive.notes)
    assert post.location is not None
    assert (post.location.latitude, post.location.longitude) == ("1e999999", "-0.5")


def test_wrong_types_at_the_top_give_clean_errors(tmp_path: Path) -> None:
    cases = {
        b'"just text"': "not XML",
        b"[1, 2]": "$[0] is a bare value",
        b"[]": "an empty JSON array",
        b'{"feed": {"id": {"$t": "tag:blogger.com,1999:blog-9"}, "entry": 7}}':
            "$.feed.entry: expected an array of entries, found text",
        b'[{"feed": {"id": {"$t": "tag:blogger.com,1999:blog-9"}}}, {"kind": "blogger#post"}]':
            "$[1]: a GData feed and Blogger API objects in one file",
    }
    for data, problem in cases.items():
        with pytest.raises((ParseError, UnsupportedFormat)) as caught:
            blogarchive.read(_write(tmp_path, data))
        assert problem in str(caught.value) and str(caught.value).startswith("hostile.json")


def test_lone_surrogates_are_replaced_noted_and_stored(tmp_path: Path) -> None:
    source = _write(tmp_path, (POST % '"a\\ud800b"').encode())
    archive = blogarchive.read(source)
    assert archive.posts[0].content == "a\ufffdb"
    assert any("1 lone UTF-16 surrogate escape" in n for n in archive.notes)
    assert main(["convert", str(source), "-o", str(tmp_path / "out")]) == 0
    # an escaped backslash before "ud800" is text, not a surrogate: kept as written
    kept = blogarchive.read(_write(tmp_path, (POST % '"a\\\\ud800b"').encode()))
    assert kept.posts[0].content == "a\\ud800b" and kept.notes == ()


def test_the_size_limit_is_enforced_while_reading(tmp_path: Path) -> None:
    source = _write(tmp_path, (POST % json.dumps("x" * 5000)).encode())
    with pytest.raises(LimitExceeded, match="max_input_size"):
        blogarchive.read(source, limits=Limits(max_input_size=4096))


def test_the_command_line_says_one_line_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _write(tmp_path, b'{"kind": "blogger#post", "id": }')
    assert main(["info", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "hostile.json (line 1, column 32): not well-formed JSON: Expecting value" in err
    assert "Traceback" not in err


def test_json_in_a_zip_and_in_a_folder_is_read_like_any_source(tmp_path: Path) -> None:
    names = ["api-posts-page1.json", "api-posts-page2.json", "gdata-posts-page2.js"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(f"saved/{name}", (JSON / name).read_bytes())
    zipped = blogarchive.read_all(buffer.getvalue())
    assert sorted(len(a.posts) for a in zipped) == [2, 2]
    folder = tmp_path / "saved"
    folder.mkdir()
    for name in names:
        (folder / name).write_bytes((JSON / name).read_bytes())
    apart = blogarchive.read_all(folder)
    assert sorted(s.name for a in apart for s in a.sources) == sorted(
        f"saved/{n}" for n in names)

