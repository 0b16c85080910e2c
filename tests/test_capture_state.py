"""`info` and `list media` on an archive tell each media URL captured, failed or not tried."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from blogarchive.cli import main
from capture_server import (  # noqa: F401 (dest_fixture, server_fixture: used by name)
    BLOG,
    PHOTO,
    Server,
    dest_fixture,
    run,
    server_fixture,
)

GONE = "https://lh3.googleusercontent.com/gone=s200"
OUTSIDE = "https://example.org/outside.png"


def _media(dest: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> list[dict[str, object]]:
    assert main(["list", "media", "--json", *extra, str(dest)]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_list_media_shows_the_capture_state(dest: Path, server: Server,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    rows = _media(dest, capsys)
    assert rows and {r["capture"]["state"] for r in rows} == {"not tried"}  # type: ignore[index]
    assert len(_media(dest, capsys, "--missing")) == len(rows)
    run(dest, server)
    rows = _media(dest, capsys)
    state = {r["url"]: r["capture"] for r in rows}
    assert state[PHOTO]["state"] == "captured"  # type: ignore[index]
    assert state[PHOTO]["warc"]["file"] == "media/media-00001.warc.gz"  # type: ignore[index]
    assert state[GONE]["state"] == "failed"  # type: ignore[index]
    assert state[GONE]["error"] == {"kind": "http-status", "detail": "HTTP 410"}  # type: ignore[index]
    assert state[OUTSIDE] == {"state": "not tried", "error": None, "sha256": None,
                              "warc": None}  # out of the default scope
    missing = _media(dest, capsys, "--missing")
    assert {r["url"] for r in missing} == {u for u, c in state.items()
                                           if c["state"] != "captured"}  # type: ignore[index]
    assert GONE in {r["url"] for r in missing} and PHOTO not in {r["url"] for r in missing}
    assert main(["list", "media", "--missing", str(dest)]) == 0
    out = capsys.readouterr().out
    assert f"{GONE} original https://lh3.googleusercontent.com/gone=s0 (failed: http-status " \
           "HTTP 410)" in out
    assert f"{OUTSIDE} (not tried)" in out and "(captured)" not in out
    # Sources have nothing captured: no state shown, every item is missing.
    assert main(["list", "media", "--missing", str(BLOG)]) == 0
    out = capsys.readouterr().out
    assert PHOTO in out and "(not tried)" not in out
    assert main(["list", "links", "--missing", str(dest)]) == 2
    assert "--missing applies to 'list media' only" in capsys.readouterr().err


def test_info_counts_captured_failed_and_not_tried(dest: Path, server: Server,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", "--json", str(dest)]) == 0
    (before,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    urls = before["capture"]["not tried"]
    assert before["capture"] == {"captured": 0, "failed": 0, "not tried": urls,
                                 "other captured": 0, "other failed": 0} and urls > 0
    run(dest, server)
    assert main(["info", "--json", str(dest)]) == 0
    (after,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    found = after["capture"]
    lines = (dest / "media.jsonl").read_text().splitlines()
    failed = sum(1 for line in lines if json.loads(line)["error"])
    assert found["captured"] + found["failed"] + found["not tried"] == urls
    assert found["failed"] + found["other failed"] == failed
    assert found["captured"] + found["other captured"] == len(lines) - failed
    assert found["not tried"] == 2  # example.org (out of scope) and a data: image
    assert main(["info", str(dest)]) == 0
    out = capsys.readouterr().out
    assert (f"media captured: {found['captured']} of {urls} media URLs in the posts "
            f"({found['failed']} failed, 2 not tried)") in out
    assert main(["info", "--json", str(BLOG)]) == 0  # a source: nothing to tell
    assert json.loads(capsys.readouterr().out)["capture"] is None
