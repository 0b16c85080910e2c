"""convert --capture and blogarchive.convert(..., capture=...): convert, then capture."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import blogarchive
from blogarchive.capture import FetchOptions, parse_rewrite
from blogarchive.cli import main
from capture_server import (  # noqa: F401 (server_fixture: used by name)
    BLOG,
    PHOTO,
    Server,
    index,
    rewrites,
    server_fixture,
)


def test_convert_with_capture_in_one_call(tmp_path: Path, server: Server) -> None:
    dest = tmp_path / "archive"
    options = FetchOptions(per_host_interval=0, read_timeout=1.0, retries=0, max_size=10_000)
    (result,) = blogarchive.convert(BLOG, dest, capture={
        "rewrites": [parse_rewrite(r) for r in rewrites(server)], "options": options,
        "exclude": ["lh6.*"]})
    report = result.capture
    assert report is not None and report.path == dest
    assert report.fetched + report.shared + sum(report.failed.values()) == len(report.to_fetch)
    assert index(dest)[PHOTO]["error"] is None
    kinds = [json.loads(e)["eventType"] for e in (dest / "events.jsonl").read_text().splitlines()]
    assert kinds == ["migration", "capture"]
    assert blogarchive.validate(dest).valid
    (plain,) = blogarchive.convert(BLOG, tmp_path / "plain")  # no capture asked: none made
    assert plain.capture is None and not (tmp_path / "plain" / "media.jsonl").exists()


def test_cli_convert_capture_passes_the_options_through(
        tmp_path: Path, server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "archive"
    args = ["convert", str(BLOG), "-o", str(dest), "--capture", "--scope", "all",
            "--exclude", "lh*", "--exclude", "3.bp.blogspot.com", "--concurrency", "2",
            "--rate", "1000"] + [f"--rewrite={r}" for r in rewrites(server)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert f"wrote {dest}/" in out and f"capture into {dest}/:" in out
    assert "captured 6 URL(s)" in out and "0 failed" in out
    lines = index(dest)
    assert "https://example.org/outside.png" in lines  # --scope all was passed on
    assert not any("lh3" in url or "lh6" in url for url in lines)  # and --exclude
    capture = json.loads((dest / "events.jsonl").read_text().splitlines()[-1])
    detail = capture["eventDetailInformation"]["eventDetail"]
    assert "--scope all" in detail and "--concurrency 2" in detail and "--rate 1000" in detail
    # A failure makes the exit 1, as for capture.
    assert main(["convert", str(BLOG), "-o", str(tmp_path / "b"), "--capture",
                 "--include", "example.org", "--exclude", "*.bp.blogspot.com",
                 "--exclude", "*googleusercontent.com", f"--rewrite=https://={server.base}/",
                 "--rewrite", f"https://example.org/={server.base}/nothing/"]) == 1
    assert "1 failed (http-status 1)" in capsys.readouterr().out


def test_cli_convert_refuses_capture_options_without_capture(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["convert", str(BLOG), "-o", str(tmp_path / "a"), "--scope", "all"]) == 2
    assert "--scope applies only with --capture" in capsys.readouterr().err
    assert main(["convert", str(BLOG), "-o", str(tmp_path / "a"), "--capture",
                 "--rewrite", "oops"]) == 2
    assert "--rewrite wants PREFIX=REPLACEMENT" in capsys.readouterr().err
    assert not (tmp_path / "a").exists()  # refused before anything was written
