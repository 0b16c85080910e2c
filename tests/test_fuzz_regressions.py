"""Regressions for fuzz-found defects (issue 15): one-line messages, Takeout's settings.csv,
warcio's own stderr output, WARC records that fail on a second read, unreadable feed times.

Each test fails on the code before its fix; the files that reproduce them in the command line
are in tests/fixtures/hostile/ (run by test_hostile_fixtures.py).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import blogarchive
from blogarchive._xml import iter_records
from blogarchive.errors import ParseError
from blogarchive.model import Setting
from blogarchive.readers.takeout import read_settings
from blogarchive.warc import warc_inputs
from conftest import FIXTURES

HOSTILE = FIXTURES / "hostile"


# 1. Every SourceError message is one line.


def test_source_error_message_is_one_line_with_breaks_escaped() -> None:
    err = ParseError("odd\nname.xml", "first\r\nsecond\u2028third\x85", line=3)
    assert str(err).splitlines() == [str(err)]
    assert str(err) == "odd\\nname.xml (line 3): first\\r\\nsecond\\u2028third\\x85"
    assert err.problem.splitlines() == [err.problem]  # reused in other messages: one line too


def test_libxml2_context_line_stays_on_the_error_line() -> None:
    data = b"<?xml version='1.0'?><feed><![CDATA[<id"
    with pytest.raises(ParseError) as caught:
        list(iter_records(lambda: io.BytesIO(data), "t.atom", lambda _root: 1, []))
    message = str(caught.value)
    assert message.splitlines() == [message]
    assert "CData section not finished, at '<'" in message


# 2. Takeout's settings.csv with a bare CR.


def test_takeout_settings_with_bare_cr_line_endings_are_read() -> None:
    data = b"blog_name,blog_subdomain\rField Notes,fieldnotes\r"
    assert read_settings(data, "settings.csv") == [
        Setting(name="blog_name", value="Field Notes"),
        Setting(name="blog_subdomain", value="fieldnotes"),
    ]
    assert read_settings(b"\r<", "settings.csv") == [Setting(name="<", value="")]


def test_takeout_settings_csv_error_is_a_value_error_naming_the_line() -> None:
    data = b"description\n" + b"x" * 200_000  # over the csv module's field limit
    with pytest.raises(ValueError, match=r"^line 2: field larger than field limit"):
        read_settings(data, "settings.csv")


# 3. and 4. WARCs: warcio's printing caught, damage said once, the rest read.


def _listed(path: Path) -> tuple[list[blogarchive.errors.SourceError | int], list[str]]:
    inputs, notes = warc_inputs(path.name, lambda: path.open("rb"), None)  # type: ignore[arg-type]
    read: list[blogarchive.errors.SourceError | int] = []
    for item in inputs:
        try:
            with item.opener() as stream:
                read.append(len(stream.read()))
        except ParseError as err:
            read.append(err)
    return read, notes


def test_warc_record_with_short_content_length_is_noted_not_printed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    read, notes = _listed(HOSTILE / "fuzz-warc-length-short.warc")
    assert capsys.readouterr().err == ""
    assert notes == ["fuzz-warc-length-short.warc: the WARC record at byte 0 is not followed by "
                     "the blank line that ends a record (at byte 443): its Content-Length may "
                     "be wrong"]
    assert isinstance(read[0], int) and isinstance(read[1], ParseError)
    assert "damaged WARC: the bytes from byte 443 on" in str(read[1])


def test_warc_record_with_corrupt_gzip_is_one_damaged_input(
    capsys: pytest.CaptureFixture[str],
) -> None:
    read, notes = _listed(HOSTILE / "fuzz-warc-payload-reread.warc")
    assert capsys.readouterr().err == ""  # was zlib's message and a three-line WARNING
    assert [type(r) for r in read] == [int, int, ParseError]  # the two others are read
    message = str(read[2])
    assert message.splitlines() == [message]
    assert message.startswith("fuzz-warc-payload-reread.warc: damaged WARC: the record at "
                              "byte 2855 has corrupt compressed data, not read: Error -3")
    assert any("record at byte 2855 is not followed by the blank line" in n for n in notes)


def _record(uri: str, payload: bytes) -> bytes:
    head = (f"WARC/1.0\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:{uri[-1]}>\r\n"
            f"WARC-Target-URI: {uri}\r\nWARC-Date: 2020-01-01T00:00:00Z\r\n"
            f"Content-Type: text/html\r\nContent-Length: {len(payload)}\r\n\r\n")
    return head.encode() + payload + b"\r\n\r\n"


def test_warc_record_failing_when_read_again_is_a_damaged_warc_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = _record("https://a.blogspot.com/1", b"<html>one</html>")
    files = [first + _record("https://a.blogspot.com/2", b"<html>two</html>")]
    inputs, _ = warc_inputs("w.warc", lambda: io.BytesIO(files[0]), None)  # type: ignore[arg-type]
    assert len(inputs) == 2
    files[0] = first + b"garbage, not a record\r\n" * 4  # changed after it was listed
    with inputs[0].opener() as stream:
        assert stream.read() == b"<html>one</html>"
    with pytest.raises(ParseError) as caught:
        inputs[1].opener()
    message = str(caught.value)
    assert message.splitlines() == [message]
    assert message.startswith(f"w.warc: damaged WARC record at byte {len(first)} (read again): ")
    assert capsys.readouterr().err == ""


def test_many_records_with_a_wrong_length_are_noted_then_counted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    short = _record("https://a.blogspot.com/1", b"<html>x</html>").replace(
        b"Content-Length: 14", b"Content-Length: 12")  # leaves 'l>' before the blank line
    _, notes = warc_inputs("w.warc", lambda: io.BytesIO(short * 25), None)  # type: ignore[arg-type]
    assert capsys.readouterr().err == ""
    assert len(notes) == 21
    assert notes[0].startswith("w.warc: the WARC record at byte 0 is not followed by the blank")
    assert notes[-1] == ("w.warc: 25 WARC records are not followed by the blank line that ends a "
                         "record; the first 20 are noted, the other 5 only counted")


def test_warc_record_changed_since_listing_is_not_read_as_the_listed_one() -> None:
    first = _record("https://a.blogspot.com/1", b"<html>one</html>")
    files = [first + _record("https://a.blogspot.com/2", b"<html>two</html>")]
    inputs, _ = warc_inputs("w.warc", lambda: io.BytesIO(files[0]), None)  # type: ignore[arg-type]
    files[0] = first + _record("https://a.blogspot.com/3", b"<html>three</html>")
    with pytest.raises(ParseError, match=r"the record there is not the one listed "
                                         r"\(<urn:uuid:3> for <urn:uuid:2>\)"):
        inputs[1].opener()
    # five words on a line are an ARC header to warcio: a record with no id, not an error
    files[0] = first + b"not a WARC record now\r\n"
    with pytest.raises(ParseError, match=r"\(no WARC-Record-ID for <urn:uuid:2>\)"):
        inputs[1].opener()


def test_warc_gzipped_as_one_stream_names_no_byte_offset_it_cannot_know() -> None:
    # warcio gives a negative length for a record inside a gzip member that goes on past it:
    # the message said "the record at byte -77" and "nothing from byte -77 to the end".
    read, _ = _listed(HOSTILE / "fuzz-warc-one-gzip-stream.warc.gz")
    assert [type(r) for r in read] == [int, ParseError]  # the first record is still read
    message = str(read[1])
    assert "byte -" not in message
    assert message == ("fuzz-warc-one-gzip-stream.warc.gz: damaged WARC: the file is compressed "
                       "as one gzip stream, not one gzip member per record, so only its first "
                       "record can be read in place ('warcio recompress' rewrites it record by "
                       "record); the 1 capture before it is read, nothing after it (278 bytes "
                       "in all)")


# 5. Timestamps out of range: kept as written, and said.


def _atom(tmp_path: Path, updated: str, published: str) -> Path:
    path = tmp_path / "t.atom"
    path.write_text(
        "<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'>"
        f"<id>tag:blogger.com,1999:blog-1.archive</id><updated>{updated}</updated>"
        "<entry><id>tag:blogger.com,1999:blog-1.post-2</id>"
        f"<published>{published}</published><content type='html'>x</content></entry></feed>",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("when", ["9999999999-03-02T09:00:00Z", "0000-01-01T00:00:00-01:00"])
def test_out_of_range_times_are_kept_as_written_and_noted(tmp_path: Path, when: str) -> None:
    archive = blogarchive.read(_atom(tmp_path, when, when), analyse=False)
    post = archive.posts[0]
    assert post.published is None
    assert post.extras == (f'<published xmlns="http://www.w3.org/2005/Atom">{when}</published>',)
    assert archive.blog.updated is None
    assert archive.blog.extras == (
        f'<updated xmlns="http://www.w3.org/2005/Atom">{when}</updated>',)
    assert f"t.atom: entry 0: unreadable timestamp published: {when!r}; kept as written in the " \
           "record's extras" in archive.notes
    # the feed's own <updated> was kept but not said
    assert f"t.atom: the feed's unreadable timestamp updated: {when!r}; kept as written in the " \
           "blog's extras" in archive.notes


# Found by a 20-minute run (seed final6) on the merged readers.


def test_text_of_a_tree_nested_past_the_stack_limit_is_read() -> None:
    """A body nesting 67,000 blockquotes (a tag inside a broken attribute value, which the
    nesting bound cannot count) made text_of recurse past Python's limit: RecursionError."""
    from lxml import etree

    from blogarchive.analysis._tree import text_of

    root = etree.Element("div")
    root.text = "start"
    el = root
    for _ in range(50_000):
        el = etree.SubElement(el, "blockquote")
        el.text = "q"
    el.tail = "end"  # the deepest element's tail, inside its parent
    text = text_of(root)
    assert text.startswith("start q q") and text.endswith("q end")
    assert text.count("q") == 50_000


def _printed_under_cpu_cap(code: str, seconds: int = 20) -> str:
    """What ``code`` prints, run in a child process allowed ``seconds`` of CPU; the test fails
    (with the child's error) when it is killed for running over or raises."""
    import subprocess
    import sys

    capped = f"import resource; resource.setrlimit(resource.RLIMIT_CPU, ({seconds}, {seconds}))\n"
    done = subprocess.run([sys.executable, "-c", capped + code], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-500:]
    return done.stdout.strip()


def test_template_generation_of_a_page_of_unclosed_tags_is_linear() -> None:
    """2 MB of ``<script`` and ``<body`` tags that never close: ``<script[^>]*type=`` ran to
    the end of the page from each one and back (minutes of CPU). Under a CPU cap of 20 s, in
    a child process."""
    assert _printed_under_cpu_cap(
        "from blogarchive.readers.html.generation import generation\n"
        "text = '<script data-a=\"b\" ' * 60_000 + '<body class=\"c\" ' * 60_000\n"
        "print(generation(text, False))\n"
    ) == "layouts"
    from blogarchive.readers.html.generation import generation

    assert generation('<div class="post-outer-container">', False) == "2017+"
    assert generation('<div class="foo blog-post bar">', False) == "third-party"


def test_nested_empty_blog_titles_are_read_once() -> None:
    """Thousands of nested empty ``blogtitle`` elements: each one's text was read with all
    those inside it (quadratic: fuzz seed final7, mutant 42325). Under a CPU cap of 20 s."""
    assert _printed_under_cpu_cap(
        "from blogarchive.readers.html.page import parse_page\n"
        "n = 40_000\n"
        "data = ('<html><head><meta property=\"og:site_name\" content=\"Field Notes\">'\n"
        "        '</head><body>' + '<div class=\"blogtitle\">' * n + '</div>' * n\n"
        "        + '</body></html>').encode()\n"
        "print(parse_page('page.html', data).blog_title)\n"
    ) == "Field Notes"
