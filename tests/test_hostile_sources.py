"""Opening sources safely: the sniffer, zips, WARCs, folders, symlinks, pipes and encodings.

Each hostile input made here also lies in tests/fixtures/hostile/ as ``sources-*``, so the
command-line sweep over that folder runs it too.
"""

from __future__ import annotations

import io
import itertools
import os
import resource
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import blogarchive
from blogarchive.cli import main
from blogarchive.sniff import root_name, sniff
from blogarchive.sources import expand
from conftest import EXAMPLE, FIXTURES

HOSTILE = FIXTURES / "hostile"
FEEDS = FIXTURES / "feeds"
TAKEOUT = FIXTURES / "takeout" / "Takeout"


# -- the sniffer -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sources-pi-unclosed.xml", "sources-comment-unclosed.xml",
                                  "sources-cdata-unclosed.xml"])
def test_unclosed_prolog_constructs_end_the_scan(name: str) -> None:
    # These looped forever: the scan restarted near the start when "?>" / "-->" was missing.
    with pytest.raises(blogarchive.ParseError, match="no root element"):
        blogarchive.read(HOSTILE / name)


def test_root_scan_ends_on_every_short_mix_of_prolog_tokens() -> None:
    tokens = [b"<", b"?", b"!", b"--", b">", b"[CDATA[", b"]]", b"a"]
    seen = 0
    for n in range(1, 6):
        for parts in itertools.product(tokens, repeat=n):
            text = b"".join(parts)
            result = root_name(text)
            assert result is None or text.find(b"<" + result) >= 0
            seen += 1
    assert seen == sum(len(tokens) ** n for n in range(1, 6))


_PIECES = st.sampled_from([b"<", b"?", b"!", b"--", b">", b"[CDATA[", b"]]", b"<?xml ?>",
                           b"<feed>", b"<rss", b"<html", b"<title>", b"\x00", b"\xff\xfe",
                           b"\xef\xbb\xbf", b" ", b"a"])


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.binary(max_size=64), st.lists(_PIECES, max_size=12).map(b"".join)))
def test_sniff_gives_a_kind_or_a_source_error_for_any_bytes(data: bytes) -> None:
    try:
        kind = sniff(data, "x")
    except blogarchive.SourceError as err:
        assert str(err).startswith("x") and "\n" not in str(err)
    else:
        assert kind in ("atom", "rss", "html", "json")


def test_root_scan_skips_prolog_to_the_root() -> None:
    assert root_name(b"<?xml version='1.0'?><!-- c --><!DOCTYPE x><![CDATA[y]]><a:feed>") \
        == b"feed"


@pytest.mark.parametrize(("name", "fmt"), [("sources-atom-no-declaration.atom", "atom"),
                                           ("sources-rss-no-declaration.xml", "rss")])
def test_feeds_without_xml_declaration_are_read_by_their_root(name: str, fmt: str) -> None:
    assert sniff((HOSTILE / name).read_bytes(), name) == fmt
    original = FEEDS / ("posts-page1.atom" if fmt == "atom" else "posts.rss.xml")
    without = blogarchive.read(HOSTILE / name)
    assert [p.id for p in without.posts] == [p.id for p in blogarchive.read(original).posts]
    assert without.posts


def test_xhtml_page_with_xml_declaration_is_a_page() -> None:
    data = b"<?xml version='1.0'?>\n<html xmlns='http://www.w3.org/1999/xhtml'><body/></html>"
    assert sniff(data, "page.xhtml") == "html"


def test_utf16_with_bom_is_read() -> None:
    utf16 = blogarchive.read(HOSTILE / "sources-utf16-bom.atom")
    utf8 = blogarchive.read(FEEDS / "posts-page1.atom")
    assert [(p.id, p.title, p.content) for p in utf16.posts] == [
        (p.id, p.title, p.content) for p in utf8.posts]
    assert utf16.posts


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_is_sniffed_with_or_without_bom(encoding: str) -> None:
    text = "<?xml version='1.0'?><rss version='2.0'><channel/></rss>"
    assert sniff(text.encode(encoding), "x.xml") == "rss"


def test_utf32_is_named_not_called_binary() -> None:
    text = "<?xml version='1.0'?><rss version='2.0'><channel/></rss>"
    with pytest.raises(blogarchive.UnsupportedFormat, match="UTF-32 text, which the XML"):
        blogarchive.read(text.encode("utf-32"))
    with pytest.raises(blogarchive.UnsupportedFormat, match="UTF-32 text, which the XML"):
        blogarchive.read(HOSTILE / "sources-utf32.xml")


# -- WARCs -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sources-warc-no-target-uri.warc",
                                  "sources-warc-cut-in-headers.warc",
                                  "sources-warc-huge-length.warc"])
def test_damaged_warc_keeps_the_pages_before_and_says_what_was_lost(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = blogarchive.ReadReport()
    archives = blogarchive.read_all(HOSTILE / name, report=report)
    assert [len(a.posts) for a in archives] == [1]  # the page before the damage
    [failure] = report.failed
    assert isinstance(failure, blogarchive.ParseError)
    message = str(failure)
    assert message.startswith(f"{name}: damaged WARC: the record at byte 1")
    assert "\n" not in message
    assert "the 1 capture before it is read" in message
    assert main(["convert", "-q", str(HOSTILE / name), "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "damaged WARC" in err and "Traceback" not in err


def test_gzip_warc_cut_inside_a_record_says_how_much_is_missing() -> None:
    # tests/test_html.py's capture.warc.gz cut at byte 3221, inside its second record
    name = "sources-warc-gzip-cut-in-record.warc.gz"
    report = blogarchive.ReadReport()
    archives = blogarchive.read_all(HOSTILE / name, report=report)
    assert [len(a.posts) for a in archives] == [1]
    assert [str(e) for e in report.failed] == [
        f"{name}: damaged WARC: the record at byte 2426: cut short: 4819 of its 6062 bytes are "
        "missing (a truncated file?); the 1 capture before it is read, nothing from byte "
        "2426 to the end (3221 bytes)"]


def test_gzip_warc_cut_in_its_first_bytes_is_damaged_not_empty() -> None:
    # warcio yields no record at all for it; it was "a WARC with no page or feed captures"
    with pytest.raises(blogarchive.ParseError, match="the bytes from byte 0 on are not a WARC"):
        blogarchive.read(HOSTILE / "sources-warc-gzip-cut-early.warc.gz")


def test_warc_damaged_from_its_first_record_is_one_clear_error() -> None:
    with pytest.raises(blogarchive.ParseError) as info:
        blogarchive.read(HOSTILE / "sources-warc-only-damage.warc")
    assert str(info.value).startswith(
        "sources-warc-only-damage.warc: damaged WARC: the record at byte 0")


# -- zips ------------------------------------------------------------------------------------


def test_zip_is_opened_once_for_any_number_of_members(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "many.zip"
    with zipfile.ZipFile(big, "w") as z:
        for n in range(3000):
            z.writestr(f"pages/{n:05}.txt", f"note {n}")
    opened = []
    real = zipfile.ZipFile

    class Counting(real):  # type: ignore[misc,valid-type]
        def __init__(self, *args: object, **kwargs: object) -> None:
            opened.append(args[0])
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(zipfile, "ZipFile", Counting)
    inputs = expand(big)
    assert len(inputs) == 3000
    texts = set()
    for item in inputs:
        with item.opener() as stream:
            texts.add(stream.read())
    assert texts == {f"note {n}".encode() for n in range(3000)}
    assert len(opened) <= 2  # was one per member: quadratic in the number of members


def test_damaged_zip_member_is_a_clear_error() -> None:
    # posts-page1.atom deflated in a zip, with bytes 60-69 (inside the member) set to 0xFF
    bad = HOSTILE / "sources-zip-damaged-member.zip"
    with pytest.raises(blogarchive.ParseError) as info:
        blogarchive.read(bad)
    assert str(info.value).startswith("sources-zip-damaged-member.zip!feed.atom")
    assert "damaged" in str(info.value) and "\n" not in str(info.value)


def test_truncated_gzip_is_a_clear_error() -> None:
    # posts-page1.atom gzipped, without its last 40 bytes
    bad = HOSTILE / "sources-gzip-truncated.xml.gz"
    with pytest.raises(blogarchive.ParseError) as info:
        blogarchive.read(bad)
    assert str(info.value).startswith("sources-gzip-truncated.xml.gz")
    assert "\n" not in str(info.value)


# -- folders ---------------------------------------------------------------------------------


def test_folder_nested_thousands_of_levels_is_walked(tmp_path: Path) -> None:
    # rglob recursed once per level: RecursionError past ~1,000 levels.
    deep = tmp_path / "deep"
    here = str(deep)
    os.mkdir(here)
    for _ in range(1500):  # one level at a time: mkdir(parents=True) recurses too
        here += "/d"
        os.mkdir(here)
    here = Path(here)
    (here / "feed.atom").write_bytes((FEEDS / "posts-page1.atom").read_bytes())
    try:
        archive = blogarchive.read(deep)
    finally:  # pytest's own clean-up of tmp_path recurses: undo the depth here
        (here / "feed.atom").unlink()
        while here != deep:
            here.rmdir()
            here = here.parent
    assert [p.id for p in archive.posts] == [
        p.id for p in blogarchive.read(FEEDS / "posts-page1.atom").posts]


def test_symlinks_out_of_the_folder_are_not_read_and_are_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "export.xml").write_bytes(EXAMPLE.read_bytes())
    source = tmp_path / "source"
    source.mkdir()
    (source / "feed.atom").write_bytes((FEEDS / "posts-page1.atom").read_bytes())
    (source / "passwd").symlink_to("/etc/passwd")
    (source / "export.xml").symlink_to(outside / "export.xml")
    (source / "elsewhere").symlink_to(outside, target_is_directory=True)
    (source / "loop").symlink_to(source / "loop")
    (source / "inside.atom").symlink_to(source / "feed.atom")  # inside: read
    (source / "sub").mkdir()
    (source / "sub" / "back").symlink_to(source, target_is_directory=True)  # a loop, inside
    report = blogarchive.ReadReport()
    archives = blogarchive.read_all(source, report=report)
    assert [a.blog.id for a in archives] == ["3333333333333333333"]  # not the outside export
    assert not report.failed
    ignored = sorted(str(e) for e in report.ignored)
    assert ignored == [
        f"source/elsewhere: a symbolic link to {outside}, outside the folder",
        f"source/export.xml: a symbolic link to {outside / 'export.xml'}, outside the folder",
        "source/loop: a symbolic link that leads nowhere (dangling, or a loop)",
        "source/passwd: a symbolic link to /etc/passwd, outside the folder",
    ]
    notes = archives[0].notes
    assert sum(n.startswith("not read: source/") and n.endswith("outside the folder")
               for n in notes) == 3
    dest = tmp_path / "out"
    assert main(["convert", str(source), "-o", str(dest)]) == 0
    originals = sorted(p.name for p in (dest / "originals").rglob("*") if p.is_file())
    assert "export.xml" not in originals and "passwd" not in originals
    stored = "".join(p.read_text() for p in dest.glob("*.json*"))
    assert "root:" not in stored
    assert "skipped: source/passwd: a symbolic link to /etc/passwd, outside the folder" \
        in capsys.readouterr().err


def test_folder_reads_zips_and_warcs_as_a_path_would(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    with zipfile.ZipFile(source / "takeout-2024.zip", "w") as z:
        for path in sorted(TAKEOUT.rglob("*")):
            if path.is_file():
                z.write(path, "Takeout/" + path.relative_to(TAKEOUT).as_posix())
    damaged = (HOSTILE / "sources-warc-cut-in-headers.warc").read_bytes()
    (source / "capture.warc").write_bytes(damaged[:damaged.index(b"WARC/1.0", 1)])  # sound part
    direct = {a.blog.id: len(a.posts)
              for a in blogarchive.read_all([source / "takeout-2024.zip",
                                             source / "capture.warc"])}
    report = blogarchive.ReadReport()
    in_folder = {a.blog.id: len(a.posts)
                 for a in blogarchive.read_all(source, report=report)}
    assert in_folder == direct and len(direct) == 2
    assert not report.failed and not report.ignored


def test_archives_inside_a_source_folder_are_skipped_and_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "source"
    source.mkdir()
    (source / "feed.atom").write_bytes((FEEDS / "posts-page1.atom").read_bytes())
    dest = source / "archive"
    assert main(["convert", "-q", str(source), "-o", str(dest)]) == 0
    first = (dest / "blog.json").read_text()
    assert main(["convert", "-q", str(source / "feed.atom"), "-o", str(source / "bagged"),
                 "--bag"]) == 0
    capsys.readouterr()
    assert main(["convert", str(source), "-o", str(dest)]) == 0
    err = capsys.readouterr().err
    assert "source/archive: a blogarchive archive" in err
    assert "source/bagged: a blogarchive archive" in err
    archive = blogarchive.load(dest)
    assert [s.name for s in archive.sources] == ["source/feed.atom"]
    assert sum("a blogarchive archive" in n for n in archive.notes) == 2
    assert "posts.jsonl" not in first


# -- pipes, encodings, file objects ----------------------------------------------------------


def test_piped_source_is_read(tmp_path: Path) -> None:
    # /dev/stdin (like `<(cat export.xml)`) is a pipe: it was opened again for every look
    # at it, so the readers found it empty.
    dest = tmp_path / "out"
    data = EXAMPLE.read_bytes()
    done = subprocess.run([sys.executable, "-m", "blogarchive", "convert", "-q", "/dev/stdin",
                           "-o", str(dest)], input=data, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode()
    archive = blogarchive.load(dest)
    assert [p.id for p in archive.posts] == [p.id for p in blogarchive.read(EXAMPLE).posts]
    assert archive.sources[0].size == len(data)


def test_pipe_expanded_twice_gives_its_bytes_both_times() -> None:
    # The command line expands each source once to size its progress bar, then reads it.
    script = ("from blogarchive.sources import expand\n"
              "for _ in range(2):\n"
              "    [item] = expand('/dev/stdin')\n"
              "    print(len(item.opener().read()))\n")
    data = EXAMPLE.read_bytes()
    done = subprocess.run([sys.executable, "-c", script], input=data, capture_output=True,
                          check=True)
    assert done.stdout.split() == [str(len(data)).encode()] * 2


def test_text_mode_file_object_is_a_clear_error() -> None:
    with EXAMPLE.open(encoding="utf-8") as text, pytest.raises(blogarchive.SourceError) as info:
        blogarchive.read(text)  # type: ignore[arg-type]
    assert "open the file in binary mode ('rb')" in str(info.value)
    assert str(info.value).startswith(EXAMPLE.name)


def test_binary_file_object_holding_a_zip_is_expanded(tmp_path: Path) -> None:
    with io.BytesIO() as buffer:
        with zipfile.ZipFile(buffer, "w") as z:
            z.write(FEEDS / "posts-page1.atom", "feed.atom")
        data = buffer.getvalue()
    archive = blogarchive.read(io.BytesIO(data))
    assert archive.sources[0].name == "<stream>!feed.atom"
    assert archive.posts


@pytest.mark.parametrize(("name", "problem"), [
    ("sources-zip-encrypted-member.zip", "an encrypted zip member: blogarchive does not "
                                         "decrypt; extract it with its password"),
    ("sources-zip-unknown-method.zip", "a zip member that cannot be decompressed (That "
                                       "compression method is not supported); extract it "
                                       "with another tool"),
])
def test_zip_member_zipfile_cannot_open_is_named_and_the_rest_read(name: str,
                                                                    problem: str) -> None:
    # two feeds, posts-page1.atom and posts-page2.atom; the second flagged encrypted, or
    # given compression method 99 (AES), in its local header and central directory entry
    report = blogarchive.ReadReport()
    [archive] = blogarchive.read_all(HOSTILE / name, report=report)
    assert [p.id for p in archive.posts] == [
        p.id for p in blogarchive.read(FEEDS / "posts-page1.atom").posts]
    assert [str(e) for e in report.failed] == [f"{name}!b.atom: {problem} and give the file"]


def test_endless_device_is_refused_from_its_first_bytes(tmp_path: Path) -> None:
    # A pipe or device was spooled whole before sniffing: /dev/zero never ended.
    def bounded() -> None:  # should it regress, the spool dies at 256 MB, not a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (256 << 20, 256 << 20))

    done = subprocess.run([sys.executable, "-m", "blogarchive", "convert", "-q", "/dev/zero",
                           "-o", str(tmp_path / "out")], capture_output=True, check=False,
                          preexec_fn=bounded, timeout=300)  # a guard, not a measure
    assert done.returncode == 1
    assert done.stderr.decode().startswith("error: zero: binary data")


class _Unseekable(io.RawIOBase):
    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        return self._data.readinto(buffer)


def test_unseekable_file_object_is_read_twice_when_the_reader_needs_it() -> None:
    # lost-namespace.xml makes the reader parse again from the start (namespace repair).
    path = FIXTURES / "legacy" / "lost-namespace.xml"
    archive = blogarchive.read(_Unseekable(path.read_bytes()))  # type: ignore[arg-type]
    direct = blogarchive.read(path)
    assert [(p.id, p.content) for p in archive.posts] == [
        (p.id, p.content) for p in direct.posts]
    assert len(archive.posts) == len(direct.posts) > 0
    assert any("namespace" in n for n in archive.notes)


def test_unreadable_sub_folder_is_a_failure_named_and_the_rest_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "source"
    (source / "locked").mkdir(parents=True)
    (source / "feed.atom").write_bytes((FEEDS / "posts-page1.atom").read_bytes())
    real = os.scandir

    def scandir(path: str | os.PathLike[str]) -> object:
        if os.fspath(path).endswith("locked"):  # root reads anything: deny it here
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    report = blogarchive.ReadReport()
    [archive] = blogarchive.read_all(source, report=report)
    assert len(archive.posts) == 2
    assert [str(e) for e in report.failed] == [
        "source/locked: folder cannot be read: Permission denied"]
    with pytest.raises(blogarchive.SourceError,
                       match=r"/locked: folder cannot be read: Permission denied$"):
        blogarchive.read(source / "locked")


class _FailsPastByte(io.BytesIO):
    """A disk that fails partway through the file."""

    def read(self, size: int | None = -1) -> bytes:
        if self.tell() > 1000:
            raise OSError(5, "Input/output error")
        return super().read(size)


def test_read_error_partway_is_a_one_line_source_error() -> None:
    data = EXAMPLE.read_bytes()
    with pytest.raises(blogarchive.SourceError) as info:
        blogarchive.read(_FailsPastByte(data))  # type: ignore[arg-type]
    assert str(info.value) == "<stream>: cannot be read: Input/output error"


def test_takeout_folder_reads_a_zip_beside_its_feeds(tmp_path: Path) -> None:
    root = tmp_path / "Takeout"
    shutil.copytree(TAKEOUT, root)
    with zipfile.ZipFile(root / "older-export.zip", "w") as z:
        z.write(FEEDS / "posts-page1.atom", "posts-page1.atom")
    report = blogarchive.ReadReport()
    archives = blogarchive.read_all(root, report=report)
    assert sorted(a.blog.id for a in archives) == ["2222222222222222222", "3333333333333333333"]
    assert not report.failed and not report.ignored
