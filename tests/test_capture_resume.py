"""blogarchive capture: reruns, --retry-failed, the command line, bags."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import blogarchive
from blogarchive.cli import main
from blogarchive.errors import ArchiveError
from capture_server import (  # noqa: F401 (dest_fixture, server_fixture: used by name)
    BLOG,
    COPY,
    JPEG,
    PIC,
    PNG,
    Server,
    dest_fixture,
    image,
    index,
    record_at,
    rewrites,
    run,
    server_fixture,
    tree,
)

# -- resume ------------------------------------------------------------------------------------


def test_rerun_fetches_nothing_it_holds(dest: Path, server: Server) -> None:
    run(dest, server)
    before = tree(dest)
    server.requests.clear()
    report = run(dest, server)
    assert (report.held, report.held_failed, len(report.to_fetch)) == (7, 4, 0)
    assert server.requests == []
    assert tree(dest) == before  # nothing to do: nothing written, no event


def test_retry_failed_fetches_only_the_failures(dest: Path, server: Server) -> None:
    run(dest, server)
    first = index(dest)
    server.requests.clear()
    server.routes["/lh3.googleusercontent.com/gone=s0"] = [image("jpeg", JPEG + b"3")]
    server.routes["/lh6.googleusercontent.com/slow.jpg"] = [image("png", PNG)]
    report = run(dest, server, retry_failed=True)
    assert len(report.to_fetch) == 4 and report.fetched == 2
    assert report.revisits == 1  # the PNG stored by the first run is not stored again
    assert dict(report.failed) == {"too-large": 1, "connection": 1}
    assert report.warcs == ["media/media-00002.warc.gz"]  # a new file; the first untouched
    asked = {path.split("/")[1] for path in server.paths()}
    assert asked == {"lh3.googleusercontent.com", "lh6.googleusercontent.com",
                     "3.bp.blogspot.com"}  # the refused host is not the server
    second = index(dest)
    assert second["https://lh3.googleusercontent.com/gone=s200"]["error"] is None
    assert second["https://lh3.googleusercontent.com/gone=s200"]["warc"]["file"] == (
        "media/media-00002.warc.gz")
    for url, line in first.items():
        if line["error"] is None:
            assert second[url] == line  # what was held is kept as it was
    slow = second["https://lh6.googleusercontent.com/slow.jpg"]["warc"]
    stored = next(first[url] for url in (PIC, COPY) if first[url]["warc"]["revisit_of"] is None)
    assert slow["file"] == "media/media-00002.warc.gz"
    assert slow["revisit_of"] == stored["warc"]["record_id"]
    record, _ = record_at(dest, slow)
    assert record.rec_type == "revisit"
    assert record.rec_headers.get_header("WARC-Refers-To-Target-URI") == stored["final"]
    assert record.rec_headers.get_header("WARC-Refers-To-Date") == stored["fetched"]
    assert blogarchive.validate(dest).valid
    events = (dest / "events.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(e)["eventType"] for e in events] == ["migration", "capture", "capture"]


def test_damaged_media_index_is_named_not_guessed_over(dest: Path, server: Server) -> None:
    run(dest, server)
    path = dest / "media.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2][:40]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ArchiveError, match=r"media\.jsonl: line 3: not JSON"):
        run(dest, server)


# -- the command line --------------------------------------------------------------------------


def test_cli_capture_exit_codes(dest: Path, server: Server,
                                capsys: pytest.CaptureFixture[str]) -> None:
    quick = ["--exclude", "lh*", "--exclude", "3.bp.blogspot.com"]
    args = ["capture", str(dest), *quick] + [f"--rewrite={r}" for r in rewrites(server)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "captured 5 URL(s)" in out and "0 failed" in out
    # An exclude beats an include; what was held is not fetched again; a failure exits 1.
    again = ["capture", str(dest), "--include", "example.org", "--include", "lh4.*",
             "--exclude", "lh[4-6]*", "--exclude", "3.bp.blogspot.com",
             f"--rewrite=https://={server.base}/"]
    server.requests.clear()
    assert main(again) == 1
    out = capsys.readouterr().out
    assert "captured 1 URL(s)" in out and "1 failed (http-status 1)" in out
    assert "failed: https://lh3.googleusercontent.com/gone=s200: http-status: HTTP 410" in out
    assert sorted({p.split("/")[1] for p in server.paths()}) == [
        "example.org", "lh3.googleusercontent.com"]
    events = (dest / "events.jsonl").read_text(encoding="utf-8")
    assert "--exclude lh*" in events and "--rate 10" in events


def test_cli_capture_usage_errors(tmp_path: Path, dest: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["capture", str(tmp_path / "nowhere")]) == 2
    assert "not a blogarchive archive" in capsys.readouterr().err
    assert main(["capture", str(dest), "--rewrite", "oops"]) == 2
    assert "--rewrite wants PREFIX=REPLACEMENT" in capsys.readouterr().err
    assert main(["capture", str(dest), "--max-size", "lots"]) == 2
    assert main(["capture", str(dest), "--concurrency", "0"]) == 2
    assert main(["capture", str(dest), "--rate", "0"]) == 2
    assert "--rate wants requests per second above 0" in capsys.readouterr().err


def test_capture_into_a_bag_keeps_it_a_valid_bag(tmp_path: Path, server: Server) -> None:
    from blogarchive.capture import check_media

    bag = tmp_path / "bag"
    blogarchive.convert(BLOG, bag, bag=True, bag_info={"Source-Organization": "Example Library",
                                                      "Contact-Name": "A. Archivist"})
    assert len(run(bag, server, dry_run=True).to_fetch) == 11
    assert server.requests == []
    report = run(bag, server)
    assert report.fetched + report.shared == 7
    assert (bag / "data" / "media" / "media-00001.warc.gz").is_file()
    assert (bag / "data" / "media.jsonl").is_file() and not (bag / "media.jsonl").exists()
    result = blogarchive.validate(bag)
    assert result.valid and result.layout == "bag", result.problems
    assert check_media(bag / "data") == []
    info = (bag / "bag-info.txt").read_text(encoding="utf-8")
    assert "Source-Organization: Example Library" in info and "Contact-Name: A. Archivist" in info
    assert "External-Description: Blogger blog 'Pictures'" in info
    assert info.count("Bagging-Date:") == 1 and info.count("Payload-Oxum:") == 1
    manifest = (bag / "manifest-sha256.txt").read_text(encoding="utf-8")
    assert "data/media/media-00001.warc.gz" in manifest
    kinds = [json.loads(line)["eventType"] for line in
             (bag / "data" / "events.jsonl").read_text(encoding="utf-8").splitlines()]
    assert kinds == ["migration", "information package creation", "capture"]
    server.requests.clear()
    again = run(bag, server)  # resumes from the bag's own media.jsonl
    assert (again.held, len(again.to_fetch), server.requests) == (7, 0, [])


def test_converting_again_keeps_the_captured_media(dest: Path, server: Server) -> None:
    run(dest, server)
    before = {p.relative_to(dest): p.read_bytes() for p in [dest / "media.jsonl",
                                                             *(dest / "media").iterdir()]}
    blogarchive.convert(BLOG, dest)
    after = {p.relative_to(dest): p.read_bytes() for p in [dest / "media.jsonl",
                                                            *(dest / "media").iterdir()]}
    assert after == before  # carried over byte for byte
    manifest = (dest / "manifest-sha512.txt").read_text()
    assert "media.jsonl" in manifest and "media/media-00001.warc.gz" in manifest
    assert blogarchive.validate(dest)
    server.requests.clear()
    assert (run(dest, server).held, server.requests) == (7, [])  # nothing fetched again
