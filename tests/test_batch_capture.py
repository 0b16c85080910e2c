"""batch with capture (issue 13): every blog's media captured into its archive by the worker
that converted it, as ``convert --capture`` does; a rerun skips what was done with the same
options, the capture's among them.

Every request goes to an HTTP server on 127.0.0.1 that answers any path with an image (the
archives' Blogger URLs are sent there by a rewrite)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

import blogarchive
from blogarchive.capture import FetchOptions, parse_rewrite
from blogarchive.cli import main
from capture_server import PNG, Reply, Server, image
from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from collection import blog_id, write_collection

BLOGS = 3


class _AnyImage(dict[str, list[Reply | str]]):
    """Routes that answer every path with a PNG of its own (so no two are the same)."""

    def get(self, path: str, default: Any = None) -> list[Reply | str]:
        return [image("png", PNG + path.encode())]


@pytest.fixture(name="images")
def images_fixture() -> Any:
    server = Server()
    server.routes = _AnyImage()
    yield server
    server.close()


@pytest.fixture(name="sources", scope="module")
def sources_fixture(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_collection(tmp_path_factory.mktemp("collection"), BLOGS, extras=False)


def media_lines(archive: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (archive / "media.jsonl").read_text().splitlines()]


def test_each_blog_is_captured_by_its_worker(
        sources: list[Path], images: Server, tmp_path: Path) -> None:
    out = tmp_path / "out"
    fetch = FetchOptions(per_host_interval=0, read_timeout=5.0, retries=0, max_size=100_000)
    capture = {"rewrites": [parse_rewrite(f"https://={images.base}/")], "options": fetch}
    # Two worker processes: the capture's options travel to them, and its lock is the
    # batch's (OUTDIR's lock, held by this process, would refuse a capture that took it).
    rows = blogarchive.batch(sources, out, jobs=2, capture=capture, options="--capture")
    assert [r["status"] for r in rows] == ["ok"] * BLOGS, [r["error"] for r in rows]
    for n, row in enumerate(rows):
        archive = out / f"blog-{blog_id(n)}"
        assert row["capture"] == {"fetched": 1, "failed": 0, "held": 0, "from_sources": 0}
        # The picture and the larger one it links to: one request (the original size).
        lines = media_lines(archive)
        assert sorted(line["url"] for line in lines) == [
            "https://1.bp.blogspot.com/x/s1600/a.jpg", "https://1.bp.blogspot.com/x/s320/a.jpg"]
        assert [line["error"] for line in lines] == [None, None]
        assert list((archive / "media").glob("*.warc.gz"))
        kinds = [json.loads(e)["eventType"]
                 for e in (archive / "events.jsonl").read_text().splitlines()]
        assert kinds == ["migration", "capture"]
        assert blogarchive.validate(archive).valid
    requests = len(images.requests)
    assert sorted(images.paths()) == ["/1.bp.blogspot.com/x/s0/a.jpg"] * BLOGS
    # Run again: every input is skipped, nothing is fetched.
    again = blogarchive.batch(sources, out, jobs=2, capture=capture, options="--capture")
    assert again == rows and len(images.requests) == requests
    # Without capture (other options): no capture field.
    plain = blogarchive.batch(sources[:1], tmp_path / "plain")
    assert plain[0]["capture"] is None and not (tmp_path / "plain" / f"blog-{blog_id(0)}"
                                                / "media.jsonl").exists()


def test_cli_capture_options_are_part_of_the_resume_key(
        sources: list[Path], images: Server, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    args = ["batch", *map(str, sources), "-o", str(out), "--capture", "--rate", "1000",
            f"--rewrite=https://={images.base}/"]
    assert main(args) == 0
    summary = capsys.readouterr().out
    assert f"{BLOGS} converted ({BLOGS} ok, 0 failed), 0 skipped" in summary
    rows = [json.loads(line) for line in (out / "batch.jsonl").read_text().splitlines()]
    assert all(r["options"].startswith("--capture --scope blogger ") for r in rows)
    assert all("--rate 1000" in r["options"] for r in rows)
    assert {r["capture"]["fetched"] for r in rows} == {1}
    assert main(args) == 0
    assert f"0 converted (0 ok, 0 failed), {BLOGS} skipped" in capsys.readouterr().out
    # Another capture option: done again (the media held already are not fetched again).
    requests = len(images.requests)
    assert main([*args[:-3], "--rate", "999", args[-1]]) == 0
    assert f"{BLOGS} converted ({BLOGS} ok, 0 failed), 0 skipped" in capsys.readouterr().out
    rows = [json.loads(line) for line in (out / "batch.jsonl").read_text().splitlines()]
    assert {(r["capture"]["fetched"], r["capture"]["held"]) for r in rows} == {(0, 2)}
    assert len(images.requests) == requests
    # A capture option without --capture is refused, as for convert.
    assert main(["batch", str(sources[0]), "-o", str(tmp_path / "x"), "--scope", "all"]) == 2
    assert "--scope applies only with --capture" in capsys.readouterr().err
