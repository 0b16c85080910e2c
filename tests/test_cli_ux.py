"""The command line as a user meets it: pipes, progress, quiet runs, wording, refused options."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import attrs
import pytest

import blogarchive
from blogarchive.cli import main
from conftest import EXAMPLE, FIXTURES


def _run_into_closed_pipe(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the command with its standard output a pipe whose reader has already gone, as
    after ``| head -1`` has read its line: every write fails, whatever the timing."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, "-m", "blogarchive", *args], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, check=False, timeout=120)
    finally:
        os.close(write_end)


@pytest.mark.parametrize("command", [["list", "links"], ["info"], ["info", "--json"]])
def test_a_closed_stdout_ends_quietly(command: list[str]) -> None:
    done = _run_into_closed_pipe(*command, str(EXAMPLE))
    assert done.returncode == 141, done.stderr
    assert done.stderr == ""


def test_convert_into_a_closed_stdout_still_writes_the_archive(tmp_path: Path) -> None:
    done = _run_into_closed_pipe("convert", str(EXAMPLE), "-o", str(tmp_path / "a"))
    assert (done.returncode, done.stderr) == (141, "")
    assert blogarchive.load(tmp_path / "a") == blogarchive.read(EXAMPLE)


def test_head_reads_the_first_line_and_the_rest_is_dropped(tmp_path: Path) -> None:
    head = subprocess.Popen(["head", "-1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert head.stdin is not None
    done = subprocess.run([sys.executable, "-m", "blogarchive", "list", "links", str(EXAMPLE)],
                          stdout=head.stdin, stderr=subprocess.PIPE, text=True, check=False,
                          timeout=120)
    head.stdin.close()
    assert head.stdout is not None
    first = head.stdout.read()
    head.wait(timeout=60)
    assert first.decode().startswith("post ")
    assert done.returncode in (0, 141) and "Traceback" not in done.stderr


def test_main_turns_a_broken_pipe_into_exit_141(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    class Closed:
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self) -> int:
            raise ValueError("no file")

    monkeypatch.setattr(sys, "stdout", Closed())
    assert main(["info", str(EXAMPLE)]) == 141
    assert "internal error" not in capsys.readouterr().err


# -- wording: one plural rule, thousands separators everywhere ----------------------------------


def _post(ident: str, **fields: object) -> blogarchive.Post:
    post = blogarchive.Post(id=ident, kind="post", status="live", title="t", content="",
                            url=None, path=None, published=None, updated=None)
    return attrs.evolve(post, **fields)


def _comment(ident: str, post_id: str, parent_id: str | None = None) -> blogarchive.Comment:
    return blogarchive.Comment(id=ident, post_id=post_id, parent_id=parent_id, status="live",
                               content="", published=None)


def test_counts_agree_with_their_noun() -> None:
    from blogarchive.describe import describe_counts, info_lines
    from blogarchive.model import SourceInfo

    one = blogarchive.Archive(
        blog=blogarchive.Blog(id="1"), posts=(_post("1"),),
        comments=(_comment("10", "1"), _comment("11", "1", parent_id="10"),
                  blogarchive.Comment(id="12", post_id="9", parent_id=None, status="live",
                                      content="", published=None, orphan=True)),
        labels=tuple(blogarchive.Label(name=f"l{i}", post_ids=("1",)) for i in range(1234)),
        sources=(SourceInfo(name="a.xml", format="legacy-export", size=1234567,
                            sha256="0" * 64, entries=1),),
    )
    lines = info_lines(one)
    assert "comments: 3 (1 reply in threads, 1 orphan, 0 removed, 0 on pages)" in lines
    assert "labels: 1,234" in lines
    assert any("(legacy-export, 1,234,567 bytes, 1 entry, sha256" in line for line in lines)
    two = blogarchive.Archive(blog=one.blog, posts=one.posts,
                              comments=(_comment("10", "1", "9"), _comment("11", "1", "10")))
    assert "comments: 2 (2 replies in threads, 0 orphans, 0 removed, 0 on pages)" in (
        describe_counts(two))


def test_notes_use_real_plurals() -> None:
    from blogarchive.assemble import Assembler

    group = Assembler()
    group.add_all([_post("1", title="a"), _post("1", title="b"),
                   _comment("10", "1"), _comment("10", "1"), _comment("11", "1", "99")])
    notes = group.archive().notes
    assert "1 post entry read more than once, merged by id (the copy updated last, or a " \
           "page's whole body, kept)" in notes
    assert "1 reply whose parent comment is not in the sources" in notes
    assert not [n for n in notes if "(s)" in n or "(ies)" in n]


def test_command_output_has_no_parenthesised_plurals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["convert", str(EXAMPLE), "-o", str(tmp_path / "a")]) == 0
    assert main(["info", str(EXAMPLE)]) == 0
    assert main(["validate", str(tmp_path / "a")]) == 0
    out = capsys.readouterr().out
    assert "provenance: migration event added" in out
    assert "1 event," in out or "1 event)" in out
    for wrong in ("(s)", "(ies)", "1 replies", "1 entries", "1 events"):
        assert wrong not in out
    assert main(["list", "links", "--to", "8123349906412388001", str(EXAMPLE)]) == 0
    assert capsys.readouterr().err.strip() == "1 link"


# -- list options that cannot apply are refused, not answered with zero rows -----------------


@pytest.mark.parametrize(("argv", "message"), [
    (["list", "quotes", "--kind", "bogus"],
     "error: --kind 'bogus' is not a kind of quotes; the kinds are: blockquote, "
     "blockquote-cite, editor-quote, indent, quote-mark-paragraph"),
    (["list", "media", "--broken"], "error: --broken applies to 'list links' only, not to "
                                    "'list media'"),
    (["list", "quotes", "--to", "8123349906412388001"], "error: --to applies to 'list links' "
                                                         "only"),
    (["list", "lists", "--internal"], "error: --internal applies to 'list links' only"),
    (["list", "links", "--to", "999"], "error: --to 999: no post or page with this id in the "
                                       "archive"),
])
def test_list_options_that_cannot_apply_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*argv, str(EXAMPLE)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(message), err
    assert "Traceback" not in err


def test_list_kinds_are_the_analysis_vocabulary(capsys: pytest.CaptureFixture[str]) -> None:
    from blogarchive.listing import KINDS

    archive = blogarchive.read(EXAMPLE)
    found = {what: set() for what in KINDS}  # type: dict[str, set[str | None]]
    for post in archive.posts:
        assert post.analysis is not None
        found["quotes"].update(q.kind for q in post.analysis.quotes)
        found["lists"].update(ll.form for ll in post.analysis.link_lists)
        found["links"].update(link.kind for link in post.analysis.links if link.internal)
        found["media"].update(m.kind for m in post.analysis.media)
    for what, kinds in found.items():
        assert kinds and kinds <= set(KINDS[what]), what
    assert main(["list", "lists", "--kind", "ul", str(EXAMPLE)]) == 0
    assert capsys.readouterr().err.strip() == "1 list"
    assert main(["list", "lists", "--kind", "ol", str(EXAMPLE)]) == 0
    assert capsys.readouterr().err.strip() == "0 lists"


# -- --blog-url is checked; a Takeout without an address says how to give it ------------------


@pytest.mark.parametrize("bad", ["blogexperience.blogspot.com", "not a url at all",
                                 "ftp://x.blogspot.com/", "https://x.blogspot.com/2006/01/a.html",
                                 "https://localhost/", "https://x.blogspot.com:abc/"])
def test_a_blog_url_that_is_not_a_home_url_exits_2(
    bad: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["convert", "--blog-url", bad, str(EXAMPLE), "-o", str(tmp_path / "a")])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert f"blog URL {bad!r} is not a blog's home URL; expected the form " \
           "https://NAME.blogspot.com/" in err
    assert not (tmp_path / "a").exists()
    with pytest.raises(blogarchive.InvalidArgument, match="expected the form"):
        blogarchive.read(EXAMPLE, blog_url=bad)
    with pytest.raises(ValueError):  # InvalidArgument is a ValueError too
        next(blogarchive.iter_records(EXAMPLE, blog_url=bad))


def test_a_home_url_is_accepted_and_normalised() -> None:
    from blogarchive.reading import check_blog_url

    assert check_blog_url("https://Name.blogspot.com") == "https://name.blogspot.com/"
    assert check_blog_url("http://www.example.com/") == "http://www.example.com/"
    assert check_blog_url(None) is None


def _takeout_without_settings(tmp_path: Path) -> Path:

    blog = FIXTURES / "takeout" / "Takeout" / "Blogger" / "Blogs" / "Pitfall Blog"
    folder = tmp_path / "Takeout" / "Blogger" / "Blogs" / "Pitfall Blog"
    folder.mkdir(parents=True)
    (folder / "feed.atom").write_bytes((blog / "feed.atom").read_bytes())
    return tmp_path / "Takeout"


def test_takeout_without_settings_warns_and_says_how_to_give_the_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _takeout_without_settings(tmp_path)
    assert main(["convert", str(source), "-o", str(tmp_path / "a")]) == 0
    err = capsys.readouterr().err
    assert "warning: " in err and " without a permalink: the Takeout does not give the " \
        "blog's address" in err and "--blog-url https://NAME.blogspot.com/" in err
    archive = blogarchive.load(tmp_path / "a")
    assert any("without a permalink" in note for note in archive.notes)
    assert all(p.url is None for p in archive.posts)
    given = blogarchive.read(source, blog_url="https://pitfall.blogspot.com")
    assert not any("without a permalink" in note for note in given.notes)
    linked = [p for p in given.posts if p.path]
    assert linked and all(p.url == "https://pitfall.blogspot.com" + (p.path or "")
                          for p in linked)


# -- a folder of pages of several blogs: info and convert agree, one archive per blog -----------


def _pages_of_two_blogs(tmp_path: Path) -> Path:

    folder = tmp_path / "saved"
    folder.mkdir()
    for page in (FIXTURES / "html" / "mirror").iterdir():
        (folder / page.name).write_bytes(page.read_bytes())
    (folder / "other-blog.html").write_bytes(
        (FIXTURES / "html" / "classic-minima-comments.html").read_bytes())
    return folder


def test_info_and_convert_agree_on_a_folder_of_several_blogs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _pages_of_two_blogs(tmp_path)
    assert main(["info", "-q", str(folder)]) == 0
    captured = capsys.readouterr()
    described = [line for line in captured.out.splitlines() if line.startswith("blog: ")]
    assert len(described) == 2
    assert "not part of this mirror" not in captured.out + captured.err
    summary = captured.out.splitlines()[-1]
    assert summary.startswith("2 blogs: ") and "Well Logs" in summary
    assert main(["convert", str(folder), "-o", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1].startswith("2 blogs: ")
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    info = [json.loads(line) for line in _info_json(folder, capsys)]
    assert written == sorted(f"blog-{blog['blog']['id']}" for blog in info)
    for blog in info:
        stored = blogarchive.load(tmp_path / "out" / f"blog-{blog['blog']['id']}")
        assert blog["counts"]["posts"] == {"post": {"live": len(stored.posts)}, "page": {}}


def _info_json(source: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert main(["info", "-q", "--json", str(source)]) == 0
    return capsys.readouterr().out.splitlines()


def test_a_warc_reads_its_crawls_blog_and_counts_other_blogs_pages(tmp_path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    folder = _pages_of_two_blogs(tmp_path)
    warc = tmp_path / "crawl.warc.gz"
    with warc.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for page in sorted(folder.iterdir()):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")],
                                       protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                f"https://example.org/{page.name}", "response",
                payload=io.BytesIO(page.read_bytes()), http_headers=headers))
    report = blogarchive.ReadReport()
    (archive,) = blogarchive.read_all(warc, report=report, analyse=False)
    assert archive.blog.title != "Well Logs" and len(archive.posts) == 3
    (stray,) = report.ignored
    assert str(stray).startswith("crawl.warc.gz!https://example.org/other-blog.html: a page "
                                 "of another blog (Well Logs, id ")
    assert "captured in this WARC" in str(stray)
    assert any("a page of another blog" in note for note in archive.notes)


# -- progress through every phase, and -q ----------------------------------------------------


class _Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, int, int | None]] = []

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        self.calls.append((phase, done, total))

    def phases(self) -> list[str]:
        return list(dict.fromkeys(phase for phase, _, _ in self.calls))

    def check(self) -> None:
        """Each run of a phase starts at 0, only grows, and ends at its total when known."""
        runs: list[list[tuple[str, int, int | None]]] = []
        for call in self.calls:
            if call[1] == 0 or not runs or runs[-1][0][0] != call[0]:
                runs.append([])
            runs[-1].append(call)
        for run in runs:
            assert run[0][1] == 0, run[:3]
            dones = [done for _, done, _ in run]
            assert dones == sorted(dones), run[0][0]
            total = run[-1][2]
            if total is not None:
                assert dones[-1] == total, (run[0][0], dones[-1], total)


def test_the_library_reports_every_phase_of_convert_and_validate(tmp_path: Path) -> None:
    seen = _Recorder()
    blogarchive.convert(EXAMPLE, tmp_path / "a", progress=seen)
    assert seen.phases() == ["reading", "analysing", "writing"]
    seen.check()
    assert ("reading", EXAMPLE.stat().st_size, EXAMPLE.stat().st_size) in seen.calls
    assert seen.calls[-1] == ("writing", 4, 4)  # data, the original, events, manifests
    checked = _Recorder()
    assert blogarchive.validate(tmp_path / "a", progress=checked)
    assert checked.phases() == ["checking fixity", "checking schemas", "loading"]
    checked.check()
    blogarchive.convert(EXAMPLE, tmp_path / "bag", bag=True)
    bagged = _Recorder()
    assert blogarchive.validate(tmp_path / "bag", progress=bagged)
    assert bagged.phases() == ["checking fixity", "checking the bag", "checking schemas",
                               "loading"]
    bagged.check()
    read = _Recorder()
    archive = blogarchive.read(EXAMPLE, progress=read)
    assert ("analysing", len(archive.posts), len(archive.posts)) in read.calls
    streamed = _Recorder()
    list(blogarchive.iter_records(EXAMPLE, progress=streamed))
    assert streamed.phases() == ["reading"]
    streamed.check()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_a_bar_for_each_phase(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["convert", str(EXAMPLE), "-o", str(tmp_path / "a")]) == 0
    assert main(["validate", str(tmp_path / "a")]) == 0
    shown = terminal.getvalue()
    for phase in ("reading", "analysing", "writing", "checking fixity", "checking schemas"):
        assert f"{phase}:" in shown, phase
    assert "post/s" in shown or "s/post" in shown  # items and rate, not only a percentage
    terminal.seek(0)
    terminal.truncate()
    assert main(["info", str(EXAMPLE)]) == 0  # the census: reading, then analysing
    assert "reading:" in terminal.getvalue() and "analysing:" in terminal.getvalue()


def test_quiet_prints_only_errors_and_what_was_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stderr", _Terminal())  # a bar would show, were it not for -q
    source = _takeout_without_settings(tmp_path)  # gives a warning
    assert main(["convert", "-q", str(source), "-o", str(tmp_path / "t")]) == 0
    assert main(["convert", "-q", str(EXAMPLE), "-o", str(tmp_path / "a")]) == 0
    assert main(["validate", "-q", str(tmp_path / "a")]) == 0
    assert main(["package", "-q", str(tmp_path / "a")]) == 0
    assert capsys.readouterr().out == ""
    assert sys.stderr.getvalue() == ""
    assert main(["list", "-q", "quotes", str(EXAMPLE)]) == 0
    assert main(["info", "-q", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "blockquote-cite (cite https://example.org/reports/water-2010.pdf)" in out
    assert "blog: Field Notes" in out
    assert sys.stderr.getvalue() == ""  # no "3 quotes", no bar
    assert main(["convert", "-q", str(FIXTURES / "bad" / "empty.xml"), "-o",
                 str(tmp_path / "e")]) == 1
    assert "error: " in sys.stderr.getvalue()


def test_a_phase_that_starts_again_gets_a_new_bar() -> None:
    from blogarchive.progress import TerminalProgress

    terminal = _Terminal()
    bars = []
    with TerminalProgress(terminal) as bar:
        for total in (3, 5):  # two blogs analysed one after the other
            for done in range(total + 1):
                bar("analysing", done, total)
            assert bar._bar is not None and (bar._bar.n, bar._bar.total) == (total, total)
            bars.append(bar._bar)
    assert bars[0] is not bars[1]  # its own rate and ETA, not the first blog's
    assert "analysing:" in terminal.getvalue()
