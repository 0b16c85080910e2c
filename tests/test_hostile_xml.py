"""Hostile and damaged XML (issue 15): no crash, the data kept where it can be, a clear error
naming the place where it cannot. The inputs live in tests/fixtures/hostile/xml-*."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from lxml import etree

import blogarchive
import blogarchive.limits
import blogarchive.model
from blogarchive._time import parse_rfc822, parse_time
from blogarchive._xml import iter_records as xml_records
from blogarchive.cli import main
from conftest import FIXTURES

HOSTILE = FIXTURES / "hostile"


@pytest.mark.parametrize(
    ("name", "where", "element"),
    [
        ("xml-unknown-prefix-entry.xml", "post", '<x:y xmlns:x="urn:blogarchive:undeclared:x"'),
        ("xml-unknown-prefix-feed.xml", "blog",
         '<zz:setting xmlns:zz="urn:blogarchive:undeclared:zz"'),
    ],
)
def test_unknown_undeclared_prefix_is_kept_under_a_placeholder_namespace(
    name: str, where: str, element: str
) -> None:
    archive = blogarchive.read(HOSTILE / name, analyse=False)
    extras = archive.posts[0].extras if where == "post" else archive.blog.extras
    assert len(extras) == 1 and extras[0].startswith(element)
    assert ">kept<" in extras[0] or "a=\"1\"" in extras[0]
    prefix = element.split(":")[0].lstrip("<")
    assert any(f"namespace prefix '{prefix}' is used without a declaration" in n
               and "placeholder namespace" in n for n in archive.notes)


def test_unknown_prefix_in_a_non_blogger_feed_is_a_clean_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # The issue's own reproduction: no feed id, so after the repair it is "not from Blogger".
    assert main(["convert", str(HOSTILE / "xml-unknown-prefix-bare.xml"),
                 "-o", str(tmp_path / "out"), "-q"]) == 1
    err = capsys.readouterr().err
    assert "not from Blogger" in err and "Traceback" not in err


def test_rss_date_too_large_is_kept_as_written_and_noted_not_a_crash() -> None:
    archive = blogarchive.read(HOSTILE / "xml-rss-date-overflow.xml", analyse=False)
    post = archive.posts[0]
    assert post.published is None
    assert any("9999999999 Mar 2 9:0" in extra for extra in post.extras)
    assert any("entry 0: unreadable timestamp pubDate: '9999999999 Mar 2 9:0'" in n
               for n in archive.notes)


@pytest.mark.parametrize(
    "text",
    ["9999999999 Mar 2 9:0", "Mon, 1 Jan 99999999999999999999 00:00:00 +0000",
     "Mon, 1 Jan 2000 00:00:00 +999999999999999999999"],
)
def test_rfc822_overflow_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="not an RFC 822 date"):
        parse_rfc822(text)


@pytest.mark.parametrize(
    "text", ["0000-01-01T00:00:00Z", "2010-13-01T00:00:00Z", "2010-01-01T00:00:00+99:99",
             "10000-01-01T00:00:00Z", "99999999999999999999-01-01T00:00:00Z"],
)
def test_rfc3339_out_of_range_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        parse_time(text)


def test_undeclared_entity_is_placed_and_named(capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path) -> None:
    with pytest.raises(blogarchive.ParseError) as info:
        blogarchive.read(HOSTILE / "xml-undeclared-entity.xml")
    assert (info.value.line, info.value.column) == (4, 22)
    assert "undeclared entity &foo;" in str(info.value)
    assert main(["convert", str(HOSTILE / "xml-undeclared-entity.xml"),
                 "-o", str(tmp_path / "out"), "-q"]) == 1
    assert "(line 4, column 22): undeclared entity &foo;" in capsys.readouterr().err


# -- limits, huge nodes, skipped entries, salvage -------------------------------------------

_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
         b"<feed xmlns='http://www.w3.org/2005/Atom'>"
         b"<id>tag:blogger.com,1999:blog-1.archive</id><title>t</title>\n")
_KIND = (b"<category scheme='http://schemas.google.com/g/2005#kind' "
         b"term='http://schemas.google.com/blogger/2008/kind#post'/>")


def _post(n: int, content: bytes = b"body", attrs: bytes = b"") -> bytes:
    return (b"<entry><id>tag:blogger.com,1999:blog-1.post-%d</id>" % n + _KIND
            + b"<title>post %d</title><content type='html'%s>" % (n, attrs) + content
            + b"</content></entry>\n")


def _export(*parts: bytes) -> bytes:
    return _HEAD + b"".join(parts) + b"</feed>\n"


def test_text_node_and_attribute_over_10_mb_are_read_whole() -> None:
    image = b"data:image/png;base64," + b"QUJD" * (11 * 2**20 // 4)  # 11 MiB, as pasted
    attribute = b"<x:img xmlns:x='urn:x' src='" + image + b"'/>"
    data = _export(_post(1, b"&lt;img src=&quot;" + image + b"&quot;&gt;")
                   .replace(b"<title>", attribute + b"<title>"), _post(2))
    archive = blogarchive.read(data, analyse=False)
    first = next(p for p in archive.posts if p.id == "1")
    assert len(first.content) == len(image) + len('<img src="">')
    assert first.content.endswith('">') and image.decode() in first.content
    [extra] = first.extras  # the element with the 11 MiB attribute, whole
    assert extra.startswith("<x:img") and f'src="{image.decode()}"' in extra
    assert [p.id for p in archive.posts] == ["1", "2"]


def test_an_entry_over_max_entry_size_is_refused_naming_the_limit(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = _export(_post(1), _post(2, b"x" * (3 * 2**20)), _post(3))
    limits = blogarchive.limits.Limits(max_entry_size=2**20)
    with pytest.raises(blogarchive.limits.LimitExceeded) as info:
        blogarchive.read(data, limits=limits, analyse=False)
    message = str(info.value)
    assert info.value.limit == "max_entry_size" and info.value.line == 4
    assert "<entry> starting at line 4 is larger than the limit max_entry_size (1 MiB)" in message
    assert "--max-entry-size" in message
    assert len(blogarchive.read(data, analyse=False).posts) == 3  # the default is generous
    source = tmp_path / "big.xml"
    source.write_bytes(data)
    out = str(tmp_path / "out")
    assert main(["convert", str(source), "-o", out, "-q", "--max-entry-size", "1M"]) == 1
    err = capsys.readouterr().err
    assert "max_entry_size" in err and "Traceback" not in err
    assert main(["convert", str(source), "-o", out, "-q", "--max-entry-size", "4M"]) == 0


def test_feed_level_junk_between_entries_is_bounded_too() -> None:
    comments = b"<!--" + b"c" * 1000 + b"-->\n"
    data = _export(_post(1), comments * 3000, _post(2))  # 3 MB of comments, no entry
    with pytest.raises(blogarchive.limits.LimitExceeded) as info:
        blogarchive.read(data, limits=blogarchive.limits.Limits(max_entry_size=2**20))
    assert "what follows the <entry> at line 3 (before any next entry" in str(info.value)


def test_comments_between_records_are_dropped_as_they_come_not_held() -> None:
    comment = b"<!--" + b"c" * 100 + b"-->\n"
    inner = b"<!--kept with the entry-->"
    data = _export(_post(1), comment * 1000, _post(2).replace(b"<title>", inner + b"<title>"))
    notes: list[str] = []
    records = xml_records(lambda: io.BytesIO(data), "t.xml", lambda _root: 1, notes)
    root = next(records)
    held = []
    for record in records:
        if record.tag.endswith("entry"):
            held.append(len(root))  # the feed's children while this entry is handed out
            if b"post-2" in etree.tostring(record):
                assert inner.decode() in etree.tostring(record, encoding="unicode")
    # (the first entry's count includes comments the parser has read ahead of it)
    assert held[-1] < 10
    archive = blogarchive.read(data, analyse=False)
    assert any(inner.decode() in extra for p in archive.posts for extra in p.extras)


def test_unmapped_feed_level_elements_kept_are_bounded() -> None:
    unknown = b"<x:unknown xmlns:x='urn:x'>" + b"u" * 1000 + b"</x:unknown>\n"
    data = _export(unknown * 300, _post(1))  # 300 kB kept in the blog's extras
    assert len(blogarchive.read(data, analyse=False).blog.extras) == 300
    with pytest.raises(blogarchive.limits.LimitExceeded) as info:
        blogarchive.read(data, limits=blogarchive.limits.Limits(max_feed_extras=100_000))
    assert info.value.limit == "max_feed_extras" and "--max-feed-extras" in str(info.value)


def test_decompressed_size_is_bounded(tmp_path: Path) -> None:
    source = tmp_path / "blog.xml.gz"
    source.write_bytes(gzip.compress(_export(*(_post(n, b"y" * 10_000) for n in range(300)))))
    assert source.stat().st_size < 100_000  # 3 MB of XML
    with pytest.raises(blogarchive.limits.LimitExceeded) as info:
        blogarchive.read(source, limits=blogarchive.limits.Limits(max_input_size=2**20))
    assert "the document (after decompression) is larger than the limit max_input_size " \
           "(1 MiB)" in str(info.value) and "--max-input-size" in str(info.value)


def test_millions_of_skipped_entries_keep_details_of_the_first_only() -> None:
    data = _export(_post(1), b"<entry></entry>" * 5000, _post(2))
    limits = blogarchive.limits.Limits(skipped_details=10)
    skipped = [r for r in blogarchive.iter_records(data, limits=limits)
               if isinstance(r, blogarchive.model.Skipped)]
    assert len(skipped) == 10
    archive = blogarchive.read(data, limits=limits, analyse=False)
    assert len(archive.skipped) == 10 and len(archive.posts) == 2
    note = next(n for n in archive.notes if "entries skipped in all" in n)
    assert "5,000 entries skipped in all" in note
    assert "the other 4,990 (from entry 11) are only counted (entry has no <id>: 4,990)" in note
    assert len(blogarchive.read(data, analyse=False).skipped) == 1000  # the default


@pytest.mark.parametrize(
    ("text", "size"),
    [("123", 123), ("500M", 500 * 2**20), ("4G", 4 * 2**30), ("1.5GiB", 3 * 2**29),
     ("2k", 2048)],
)
def test_sizes_are_read_with_units(text: str, size: int) -> None:
    assert blogarchive.limits.parse_size(text) == size


def test_a_bad_size_is_a_usage_error(capsys: pytest.CaptureFixture[str],
                                     tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as info:
        main(["convert", str(HOSTILE / "xml-truncated.xml"), "-o", str(tmp_path / "o"),
              "--max-input-size", "lots"])
    assert info.value.code == 2 and "not a size: 'lots'" in capsys.readouterr().err


# -- salvage ---------------------------------------------------------------------------------

TRUNCATED = HOSTILE / "xml-truncated.xml"


def test_truncated_export_says_recover_can_keep_the_complete_entries() -> None:
    with pytest.raises(blogarchive.ParseError) as info:
        blogarchive.read(TRUNCATED)
    assert "truncated" in str(info.value)
    assert "the 3 complete entries before it can be kept with `convert --recover`" \
        in str(info.value)


def test_recover_keeps_complete_entries_and_says_exactly_what_was_lost() -> None:
    report = blogarchive.ReadReport()
    [archive] = blogarchive.read_all(TRUNCATED, recover=True, report=report, analyse=False)
    assert [p.id for p in archive.posts] == ["1", "2", "3"]
    [salvage] = report.recovered
    data = TRUNCATED.read_bytes()
    assert (salvage.entries, salvage.line, salvage.size) == (3, 6, len(data))
    assert data[salvage.offset:].startswith(b"<entry><id>tag:blogger.com,1999:blog-1.post-4")
    assert data[:salvage.offset].endswith(b"</entry>\n")
    assert not report.ok
    assert str(salvage) in archive.notes
    assert archive.sources[0].size == len(data)  # the whole file, not the part read


def test_loss_is_found_on_a_one_line_file() -> None:
    data = _export(_post(1), _post(2), _post(3)).replace(b"\n", b" ")
    cut = data[: data.index(b"post 3") + 3]
    report = blogarchive.ReadReport()
    [archive] = blogarchive.read_all(cut, recover=True, report=report, analyse=False)
    assert len(archive.posts) == 2
    [salvage] = report.recovered
    assert salvage.line == 1 and cut[salvage.offset:].startswith(b"<entry><id>")
    assert cut[salvage.offset:].count(b"<entry>") == 1


def test_convert_recover_records_the_loss_and_exits_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert main(["convert", str(TRUNCATED), "-o", str(out), "-q"]) == 1
    assert "--recover" in capsys.readouterr().err and not out.exists()
    assert main(["convert", str(TRUNCATED), "-o", str(out), "--recover"]) == 1
    captured = capsys.readouterr()
    assert "recovered: xml-truncated.xml: damaged, partly recovered: kept the 3 complete " \
           "entries before the damage; lost everything from line 6 (byte 829) to the end: " \
           "174 of 1,003 bytes [line 6, column 175: truncated" in captured.err
    assert "Traceback" not in captured.err
    assert "posts: 3" in captured.out
    [event] = [json.loads(line) for line in (out / "events.jsonl").read_text().splitlines()]
    [source] = [o for o in event["linkingObjectIdentifier"]
                if o["linkingObjectRole"] == "source"]
    [lost] = source["recovered"]
    assert lost["entries"] == 3 and lost["line"] == 6 and "--recover" in event[
        "eventDetailInformation"]["eventDetail"]
    assert event["eventOutcomeInformation"]["eventOutcome"] == "warning"
    assert main(["validate", str(out)]) == 0


def test_recover_with_no_complete_entry_is_still_an_error() -> None:
    data = _export(_post(1))
    with pytest.raises(blogarchive.ParseError, match="truncated") as info:
        blogarchive.read(data[: data.index(b"post 1")], recover=True)
    assert "--recover" not in str(info.value)


def test_recover_a_truncated_rss_feed() -> None:
    items = b"".join(
        b"<item><guid>tag:blogger.com,1999:blog-1.post-%d</guid><title>t%d</title>"
        b"<pubDate>Mon, 1 Feb 2010 10:00:00 +0000</pubDate></item>\n" % (n, n)
        for n in range(1, 4))
    data = (b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>t</title>'
            b'<generator>Blogger</generator>\n' + items + b"</channel></rss>\n")
    cut = data[: data.index(b"<title>t3")]
    report = blogarchive.ReadReport()
    [archive] = blogarchive.read_all(cut, recover=True, report=report, analyse=False)
    assert sorted(p.id for p in archive.posts) == ["1", "2"]
    [salvage] = report.recovered
    assert salvage.entries == 2 and cut[salvage.offset:].startswith(b"<item><guid>")


def test_nesting_beyond_the_parser_limit_is_a_clean_error() -> None:
    deep = b"<x:a xmlns:x='urn:x'>" * 3000 + b"</x:a>" * 3000
    data = _export(_post(1), _post(2).replace(b"<title>", deep + b"<title>"))
    with pytest.raises(blogarchive.ParseError) as info:
        blogarchive.read(data)
    message = str(info.value)
    assert "elements nested deeper than the XML parser's limit (2048 levels)" in message
    assert "XML_PARSE_HUGE" not in message
    assert "the 1 complete entry before it can be kept with `convert --recover`" in message


@pytest.mark.parametrize("command", ["info", "list"])
def test_info_and_list_take_the_limits_too(command: str, capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path) -> None:
    source = tmp_path / "big.xml"
    source.write_bytes(_export(_post(1, b"x" * (2 * 2**20))))
    args = [command, *(["links"] if command == "list" else []), str(source), "-q"]
    assert main([*args, "--max-entry-size", "1M"]) == 1
    assert "max_entry_size (1 MiB)" in capsys.readouterr().err
    assert main(args) == 0


def test_an_entry_of_too_many_elements_is_refused(capsys: pytest.CaptureFixture[str],
                                                  tmp_path: Path) -> None:
    # 4 bytes an element in the file, a few hundred in memory: bounded by count, not size
    many = b"<x:a xmlns:x='urn:x'>" + b"<x:b/>" * 30_000 + b"</x:a>"
    data = _export(_post(1), _post(2).replace(b"<title>", many + b"<title>"))
    limits = blogarchive.limits.Limits(max_entry_elements=10_000)
    with pytest.raises(blogarchive.limits.LimitExceeded) as info:
        blogarchive.read(data, limits=limits)
    assert info.value.limit == "max_entry_elements" and info.value.line == 4
    assert "has more elements than the limit max_entry_elements (10,000)" in str(info.value)
    assert "--max-entry-elements N" in str(info.value)
    assert len(blogarchive.read(data, analyse=False).posts) == 2  # the default is generous
    source = tmp_path / "many.xml"
    source.write_bytes(data)
    out = str(tmp_path / "out")
    assert main(["convert", str(source), "-o", out, "-q", "--max-entry-elements", "10,000"]) == 1
    assert "max_entry_elements (10,000)" in capsys.readouterr().err


class _CountingReads(io.BytesIO):
    reads = 0

    def read(self, size: int | None = -1) -> bytes:
        _CountingReads.reads += 1
        return super().read(size)


def test_a_long_prolog_before_a_repaired_root_is_read_in_few_passes() -> None:
    # The namespace repair looks for the end of the root start tag: it used to read 64 KiB
    # at a time and rescan and copy everything so far each time (minutes for 40 MB).
    prolog = b"<!--" + b"c" * (8 * 2**20) + b"-->\n"
    data = (b'<?xml version="1.0"?>\n' + prolog + _HEAD.split(b"\n", 1)[1]
            + _post(1).replace(b"<title>", b"<x:y/><title>") + b"</feed>\n")
    notes: list[str] = []
    _CountingReads.reads = 0
    records = list(xml_records(lambda: _CountingReads(data), "t.xml", lambda _root: 1, notes))
    assert [etree.QName(r).localname for r in records[1:]] == ["id", "title", "entry"]
    assert any("namespace prefix 'x'" in n for n in notes)
    # the first pass: 8 MiB in the parser's 32 KiB reads (257); the second reads the head
    # in doubling reads (a dozen), where it took 128 reads of 64 KiB (387 in all)
    assert _CountingReads.reads < 257 + 20


def test_rss_channel_extras_and_guidless_items_are_bounded_too() -> None:
    unknown = b"<x:u xmlns:x='urn:x'>" + b"u" * 1000 + b"</x:u>\n"
    item = b"<item><title>no guid</title></item>\n"
    data = (b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>t</title>'
            b"<generator>Blogger</generator>\n" + unknown * 50 + item * 30
            + b"<item><guid>tag:blogger.com,1999:blog-1.post-1</guid></item>"
            + b"</channel></rss>\n")
    archive = blogarchive.read(data, analyse=False,
                               limits=blogarchive.limits.Limits(skipped_details=5))
    assert len(archive.blog.extras) == 50 and len(archive.posts) == 1
    assert len(archive.skipped) == 5
    assert any("30 entries skipped in all" in n and "RSS item has no guid: 25" in n
               for n in archive.notes)
    with pytest.raises(blogarchive.limits.LimitExceeded, match="max_feed_extras"):
        blogarchive.read(data, limits=blogarchive.limits.Limits(max_feed_extras=10_000))


def test_unreadable_timestamps_are_noted_for_the_first_entries_then_counted() -> None:
    bad = b"".join(_post(n).replace(b"<title>", b"<published>yesterday</published><title>")
                   for n in range(1, 31))
    archive = blogarchive.read(_export(bad), analyse=False,
                               limits=blogarchive.limits.Limits(skipped_details=5))
    assert len(archive.posts) == 30
    assert all(any("yesterday" in extra for extra in p.extras) for p in archive.posts)
    assert sum("unreadable timestamp published: 'yesterday'" in n for n in archive.notes) == 5
    assert any("30 entries have an unreadable timestamp; the first 5 are noted, the other 25 "
               "only counted" in n for n in archive.notes)
