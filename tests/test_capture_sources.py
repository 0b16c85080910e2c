"""Images inside a WARC source that convert read: copied from it into the media WARC, not
fetched again. The WARC (a post page, its image and the image behind its lightbox link, a
text page answered for a third image) is built here with warcio from a fixture page."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import blogarchive
from blogarchive.capture import Rewrite, parse_rewrite
from capture_server import (  # noqa: F401 (server_fixture: used by name)
    JPEG,
    PNG,
    Server,
    image,
    index,
    record_at,
    server_fixture,
)
from conftest import FIXTURES

PAGE = "https://fieldnotes-example.blogspot.com/2010/09/water-report-read-closely.html"
SMALL = "https://1.bp.blogspot.com/-w/AAA/s320/well.jpg"
LARGE = "https://1.bp.blogspot.com/-w/AAA/s1600/well.jpg"
WALL = "https://2.bp.blogspot.com/-w/BBB/s320/wall.png"
DATE = "2020-03-01T12:00:00Z"


def _site(path: Path, gzip: bool) -> dict[str, str]:
    """The WARC; returns the record id of each image response by URI."""
    page = (FIXTURES / "html" / "mirror" / "water-report-read-closely.html").read_bytes()
    body = (f'<p><a href="{LARGE}"><img src="{SMALL}"/></a><img src="{WALL}"/></p>'
            "<p>The county's water report").encode()
    page = page.replace(b"<p>The county's water report", body, 1)
    ids = {}
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=gzip)
        for uri, payload, kind in ((PAGE, page, "text/html; charset=UTF-8"),
                                   (SMALL, JPEG, "image/jpeg"), (LARGE, JPEG + b"L", "image/jpeg"),
                                   (WALL, b"<html>sign in</html>", "text/html")):
            headers = StatusAndHeaders("200 OK", [("Content-Type", kind)], protocol="HTTP/1.1")
            record = writer.create_warc_record(uri, "response", payload=io.BytesIO(payload),
                                               http_headers=headers,
                                               warc_headers_dict={"WARC-Date": DATE})
            writer.write_record(record)
            ids[uri] = record.rec_headers.get_header("WARC-Record-ID")
    return ids


@pytest.mark.parametrize("gzip", [True, False], ids=["warc.gz", "warc"])
def test_images_in_a_warc_source_are_copied_not_fetched(tmp_path: Path, server: Server,
                                                        gzip: bool) -> None:
    source = tmp_path / ("site.warc.gz" if gzip else "site.warc")
    ids = _site(source, gzip)
    dest = tmp_path / "archive"
    server.routes["/2.bp.blogspot.com/-w/BBB/s0/wall.png"] = [image("png", PNG)]
    (result,) = blogarchive.convert(source, dest)
    report = blogarchive.capture(dest, rewrites=[_rewrite(server)])
    assert report.from_sources == 2 and report.fetched == 1
    # Only the image the source holds as a text page was asked of the server.
    assert server.paths() == ["/2.bp.blogspot.com/-w/BBB/s0/wall.png"]
    lines = index(dest)
    name = f"originals/{source.name}"
    for url, payload in ((SMALL, JPEG), (LARGE, JPEG + b"L")):
        line = lines[url]
        assert (line["source"], line["requested"], line["final"], line["attempts"]) == (
            name, url, url, 0)
        assert line["fetched"] == DATE and line["error"] is None
        assert line["warc"]["record_id"] == ids[url]  # the same record, as it was
        record, body = record_at(dest, line["warc"])
        assert body == payload and record.rec_headers.get_header("WARC-Date") == DATE
    assert lines[WALL]["error"] is None and "source" not in lines[WALL]
    assert blogarchive.validate(dest).valid
    with (dest / lines[SMALL]["warc"]["file"]).open("rb") as stream:
        uris = [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(stream)
                if r.rec_type == "response"]
    assert sorted(uris) == sorted([SMALL, LARGE, f"{server.base}/2.bp.blogspot.com/-w/BBB/s0/"
                                                 "wall.png"])
    assert result.capture is None


def test_no_originals_nothing_to_take(tmp_path: Path, server: Server) -> None:
    source = tmp_path / "site.warc.gz"
    _site(source, True)
    dest = tmp_path / "archive"
    blogarchive.convert(source, dest, originals=False)
    server.routes["/1.bp.blogspot.com/-w/AAA/s0/well.jpg"] = [image("jpeg", JPEG)]
    report = blogarchive.capture(dest, rewrites=[_rewrite(server)])
    assert report.from_sources == 0 and report.fetched + report.shared >= 1
    assert "/1.bp.blogspot.com/-w/AAA/s0/well.jpg" in server.paths()


def _rewrite(server: Server) -> Rewrite:
    return parse_rewrite(f"https://={server.base}/")
