"""The command line: conversions, summaries, info, exit codes, messages without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import blogarchive
from blogarchive.cli import main
from conftest import EXAMPLE, FIXTURES


def test_convert_writes_and_summarises(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["convert", str(EXAMPLE), "-o", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "posts: 4 (draft 1, live 3)" in out
    assert "comments: 4 (1 reply in threads, 0 orphans, 1 removed, 1 on pages)" in out
    assert blogarchive.load(tmp_path / "out") == blogarchive.read(EXAMPLE)


def test_one_bad_input_exits_1_and_the_rest_is_converted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["convert", str(EXAMPLE), str(FIXTURES / "bad" / "truncated.xml"),
                 "-o", str(tmp_path / "out")])
    assert code == 1
    captured = capsys.readouterr()
    assert "error: truncated.xml (line 1, column" in captured.err
    assert "Traceback" not in captured.err
    assert (tmp_path / "out" / "blog.json").is_file()


def test_nothing_readable_writes_nothing(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["convert", str(FIXTURES / "bad" / "empty.xml"), "-o", str(tmp_path / "o")]) == 1
    assert not (tmp_path / "o").exists()
    assert "empty.xml (line 1): empty file" in capsys.readouterr().err


def test_several_blogs_go_to_their_own_folders(tmp_path: Path) -> None:
    code = main(["convert", str(EXAMPLE), str(FIXTURES / "feeds" / "posts.rss.xml"),
                 "-o", str(tmp_path / "out")])
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "blog-3333333333333333333", "blog-7310571962934481820"]


def test_folder_with_stray_files_skips_and_counts_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["convert", str(FIXTURES / "feeds"), "-o", str(tmp_path / "out")])
    assert code == 0
    archive = blogarchive.load(tmp_path / "out")
    assert [p.id for p in archive.posts] == ["1", "2", "3", "7"]
    stray = tmp_path / "mirror"
    stray.mkdir()
    (stray / "feed.xml").write_bytes((FIXTURES / "feeds" / "posts.rss.xml").read_bytes())
    (stray / "notes.txt").write_text("not a feed")
    assert main(["convert", str(stray), "-o", str(tmp_path / "out2")]) == 0
    assert "skipped: notes.txt: not XML" in capsys.readouterr().err.replace("mirror/", "")


def test_destination_that_is_not_an_archive_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "keep.txt").write_text("x")
    assert main(["convert", str(EXAMPLE), "-o", str(tmp_path)]) == 2
    assert "is not a blogarchive archive" in capsys.readouterr().err


def test_usage_errors_exit_2() -> None:
    with pytest.raises(SystemExit) as info:
        main(["convert", str(EXAMPLE)])  # no -o
    assert info.value.code == 2


def test_info_text_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", str(FIXTURES / "takeout" / "Takeout")]) == 0
    out = capsys.readouterr().out
    assert "blog: Pitfall Blog (id 2222222222222222222)" in out
    assert "time zone: Europe/Berlin; locale: de" in out
    assert "status 'PENDING_REVIEW'" in out
    assert main(["info", "--json", str(EXAMPLE)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["counts"]["posts"]["post"] == {"draft": 1, "live": 3}
    main(["convert", str(EXAMPLE), "-o", str(tmp_path / "a"), "-q"])
    capsys.readouterr()
    assert main(["info", "--json", str(tmp_path / "a")]) == 0  # an archive, read back
    assert json.loads(capsys.readouterr().out)["counts"] == data["counts"]


def test_installed_command_runs() -> None:
    done = subprocess.run([sys.executable, "-m", "blogarchive", "--version"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.startswith("blogarchive ")


def test_info_reports_analysis_totals(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "quotes: 3 (blockquote 1, blockquote-cite 1, quote-mark-paragraph 1)" in out
    assert "link lists: 1 (2 items, 2 pointing to archived posts)" in out
    assert "links: 3 (2 internal, 0 broken internal)" in out
    assert "images: 1; other media: 0" in out
    assert main(["info", "--json", str(EXAMPLE)]) == 0
    totals = json.loads(capsys.readouterr().out)["counts"]["analysis"]
    assert totals["link_list_items_archived"] == 2
    assert totals["quotes"] == {"blockquote": 1, "blockquote-cite": 1,
                                "quote-mark-paragraph": 1}


def test_list_quotes_lists_links_media(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["convert", "-q", str(EXAMPLE), "-o", str(tmp_path / "a")]) == 0
    capsys.readouterr()
    # From the written archive as well as from the source: the same rows.
    for source in (str(EXAMPLE), str(tmp_path / "a")):
        assert main(["list", "quotes", source]) == 0
        captured = capsys.readouterr()
        assert captured.err.strip() == "3 quotes"
        assert "blockquote-cite (cite https://example.org/reports/water-2010.pdf)" in captured.out
    assert main(["list", "lists", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "[ul] Earlier Field Notes posts on the topic include:" in out
    assert "2010-03-02  Wells running dry  -> post 8123349906412388001" in out
    assert main(["list", "links", "--json", "--to", "8123349906412388001", str(EXAMPLE)]) == 0
    (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert row["post"] == "4471062391287760124" and row["post_id"] == "8123349906412388001"
    assert main(["list", "links", "--broken", str(EXAMPLE)]) == 0
    assert capsys.readouterr().err.strip() == "0 links"
    assert main(["list", "media", "--kind", "image", str(EXAMPLE)]) == 0
    assert "original https://2.bp.blogspot.com/_x/S4/AAAA/s0/well.jpg" in capsys.readouterr().out


def test_list_needs_a_known_kind() -> None:
    with pytest.raises(SystemExit) as stop:
        main(["list", "paragraphs", str(EXAMPLE)])
    assert stop.value.code == 2


def test_convert_without_analysis(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["convert", "-q", "--no-analysis", str(EXAMPLE), "-o", str(tmp_path / "a")]) == 0
    assert "quotes:" not in capsys.readouterr().out
    assert all(p.analysis is None for p in blogarchive.load(tmp_path / "a").posts)
    assert main(["list", "quotes", str(tmp_path / "a")]) == 0
    assert "not analysed" in capsys.readouterr().err


def test_info_on_pages_orders_naive_and_offset_times(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", "-q", str(FIXTURES / "html" / "mirror")]) == 0
    out = capsys.readouterr().out
    assert "published: 2010-09-17 .. 2010-09-30" in out
    assert "source: mirror/water-report-read-closely.html (html," in out
