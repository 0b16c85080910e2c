"""``export --format hugo|jekyll`` with media ``capture`` stored: images and their lightbox
links point at the copies extracted into the site, the rest stay remote and are counted."""

from __future__ import annotations

import re
from pathlib import Path

import blogarchive
from capture_server import (  # noqa: F401 (dest_fixture, server_fixture: used by name)
    JPEG,
    PIC,
    PNG,
    Server,
    dest_fixture,
    run,
    server_fixture,
)

MEDIA = re.compile(r"/media/[0-9a-f]{2}/[0-9a-f]{64}\.(?:jpg|png|gif)")


def test_captured_images_are_relinked_and_extracted(dest: Path, server: Server,
                                                    tmp_path: Path) -> None:
    run(dest, server)
    for site, static in (("hugo", "static"), ("jekyll", ".")):
        out = tmp_path / site
        report = blogarchive.export(dest, out, site)
        bodies = "\n".join(p.read_text(encoding="utf-8") for p in out.rglob("*")
                           if p.suffix in (".md", ".html") and "layouts" not in p.parts)
        linked = set(MEDIA.findall(bodies))
        served = {(out / static / m.lstrip("/")).read_bytes() for m in linked}
        assert {JPEG, PNG} <= served, site  # the photo (and its lightbox link), the picture
        assert PIC not in bodies  # captured: no longer pointing at Blogger
        assert report.media_local >= 2
        assert report.media_remote >= 1  # the failed fetches stay remote, counted
        assert report.files == sum(1 for p in out.rglob("*") if p.is_file())
