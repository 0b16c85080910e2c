"""``export --format site`` with media ``capture`` stored: images shown from OUT/media/.

The capture runs against the local server of capture_server.py (127.0.0.1 only), as in
test_capture.py; the export then reads the archive's WARC and media.jsonl with no network.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from lxml import html as lxml_html

import blogarchive
from capture_server import (  # noqa: F401 (dest_fixture, server_fixture: used by name)
    JPEG,
    PNG,
    Server,
    dest_fixture,
    run,
    server_fixture,
)


def test_captured_images_are_extracted_and_shown_from_media(dest: Path, server: Server,
                                                            tmp_path: Path) -> None:
    run(dest, server)
    out = tmp_path / "out"
    report = blogarchive.export(dest, out)
    page = out / "2011" / "04" / "field-photos.html"
    doc = lxml_html.fromstring(page.read_bytes())
    images = doc.xpath("//div[@class='body']//img/@src")
    jpeg = f"media/{hashlib.sha256(JPEG).hexdigest()[:2]}/{hashlib.sha256(JPEG).hexdigest()}.jpg"
    png = f"media/{hashlib.sha256(PNG).hexdigest()[:2]}/{hashlib.sha256(PNG).hexdigest()}.png"
    assert f"../../{jpeg}" in images and f"../../{png}" in images
    assert (out / jpeg).read_bytes() == JPEG  # the bytes the server sent, out of the WARC
    assert (out / png).read_bytes() == PNG
    assert doc.xpath("//img[@alt='a photo']/@src") == [f"../../{jpeg}"]
    # the lightbox link around the photo leads to the captured copy too
    assert doc.xpath("//img[@alt='a photo']/parent::a/@href") == [f"../../{jpeg}"]
    # not captured (410 Gone at capture time): not loaded, its address named
    remote = doc.xpath("//a[@class='ba-remote-image']/@href")
    assert "https://lh3.googleusercontent.com/gone=s200" in remote
    assert not any(src.startswith("http") for src in doc.xpath("//img/@src"))
    # the same photo on another post: the same file, extracted once
    again = lxml_html.fromstring((out / "2011" / "04" / "again.html").read_bytes())
    assert again.xpath("//div[@class='body']//img/@src") == [f"../../{jpeg}"]
    media = sorted(p.relative_to(out).as_posix() for p in (out / "media").rglob("*")
                   if p.is_file())
    assert len(media) == len(set(media)) and jpeg in media and png in media
    assert report.media_local >= 4 and report.media_remote >= 4
    assert report.files == sum(1 for p in out.rglob("*") if p.is_file())


def test_without_a_capture_every_image_stays_remote(dest: Path, tmp_path: Path) -> None:
    report = blogarchive.export(dest, tmp_path / "out")
    assert report.media_local == 0 and report.media_remote >= 10
    assert not (tmp_path / "out" / "media").exists()
