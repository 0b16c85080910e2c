"""blogarchive capture: fetching from a local server into WARC records and media.jsonl.

The server and helpers are in capture_server.py; waits are recorded, not slept.
"""

from __future__ import annotations

import hashlib
import json
import socket
import ssl
import threading
from pathlib import Path
from typing import Any

import httpx
from warcio.archiveiterator import ArchiveIterator

import blogarchive
from blogarchive.capture import FetchOptions
from capture_server import (  # noqa: F401 (dest_fixture, server_fixture: used by name)
    BLOG,
    COPY,
    GIF,
    JPEG,
    LIGHTBOX,
    MAX_SIZE,
    PHOTO,
    PIC,
    PNG,
    Server,
    dest_fixture,
    digest,
    image,
    index,
    record_at,
    run,
    server_fixture,
    tree,
)

# -- fetching into the WARC --------------------------------------------------------------------


def test_capture_writes_warc_records_and_media_lines(dest: Path, server: Server) -> None:
    sleeps: list[float] = []
    report = run(dest, server, sleeps)
    lines = index(dest)
    assert len(lines) == 11
    assert (report.fetched, report.shared, sum(report.failed.values())) == (6, 1, 4)
    assert dict(report.failed) == {"http-status": 1, "timeout": 1, "too-large": 1,
                                   "connection": 1}
    assert report.warcs == ["media/media-00001.warc.gz"]

    served = {PHOTO: JPEG, LIGHTBOX: JPEG, PIC: PNG, COPY: PNG,
              "https://2.bp.blogspot.com/-x/BBB/s400/anim.gif": GIF,
              "https://lh4.googleusercontent.com/busy.png": PNG + b"4",
              "https://lh5.googleusercontent.com/flaky.png": GIF + b"5"}
    for url, body in served.items():
        line = lines[url]
        assert line["error"] is None and line["status"] == 200, url
        assert line["sha256"] == hashlib.sha256(body).hexdigest()
        assert line["length"] == len(body)
        assert line["schema"] == "urn:blogarchive:schema:1:media"
        record, payload = record_at(dest, line["warc"])
        assert record.rec_headers.get_header("WARC-Record-ID") == line["warc"]["record_id"]
        assert record.rec_headers.get_header("WARC-Target-URI") == line["final"]
        assert record.rec_headers.get_header("WARC-Payload-Digest") == digest(body)
        assert record.rec_headers.protocol == "WARC/1.1"
        if record.rec_type == "response":
            assert payload == body  # byte-equal to what the server sent
        else:
            assert record.rec_type == "revisit" and payload == b""

    # One payload under two URLs: stored once, the other a revisit pointing at it.
    warcs = [lines[url]["warc"] for url in (PIC, COPY)]
    kept = [w for w in warcs if w["revisit_of"] is None]
    again = [w for w in warcs if w["revisit_of"] is not None]
    assert len(kept) == 1 and len(again) == 1
    assert again[0]["revisit_of"] == kept[0]["record_id"]
    record, _ = record_at(dest, again[0])
    assert record.rec_headers.get_header("WARC-Refers-To") == kept[0]["record_id"]
    assert report.revisits == 1
    # An image and its lightbox link share the original-size URL: requested once, one
    # record, two lines.
    assert server.paths().count("/1.bp.blogspot.com/-abc/AAA/s0/photo.jpg") == 1
    assert lines[PHOTO]["warc"] == lines[LIGHTBOX]["warc"]
    assert lines[PHOTO]["requested"] == lines[LIGHTBOX]["requested"]
    assert sorted((lines[PHOTO]["attempts"], lines[LIGHTBOX]["attempts"])) == [0, 1]
    assert lines[LIGHTBOX]["kind"] == "lightbox" and lines[PHOTO]["kind"] == "image"

    # The URL as written, the URL requested, the redirect chain, the final URL.
    pic = lines[PIC]
    assert pic["requested"] == f"{server.base}/blogger.googleusercontent.com/img/b/R29v/pic.png"
    assert pic["redirects"] == [{"url": pic["requested"], "status": 301},
                                {"url": f"{server.base}/hop/1", "status": 302}]
    assert pic["final"] == f"{server.base}/files/pic.png"
    assert pic["content_type"] == "image/png"
    # Original size first, the URL as written when it is not there.
    assert lines["https://2.bp.blogspot.com/-x/BBB/s400/anim.gif"]["requested"].endswith(
        "/s400/anim.gif")
    assert "/2.bp.blogspot.com/-x/BBB/s0/anim.gif" in server.paths()

    # The failures, each with its kind.
    def error(url: str) -> dict[str, Any]:
        found: dict[str, Any] = lines[url]["error"]
        return found

    assert error("https://lh3.googleusercontent.com/gone=s200")["kind"] == "http-status"
    assert lines["https://lh3.googleusercontent.com/gone=s200"]["status"] == 410
    assert error("https://lh6.googleusercontent.com/slow.jpg")["kind"] == "timeout"
    assert error("https://3.bp.blogspot.com/huge.gif")["kind"] == "too-large"
    assert error("https://lh6.ggpht.com/refused.png")["kind"] == "connection"
    assert lines["https://lh6.ggpht.com/refused.png"]["attempts"] == 3  # retried twice
    assert lines["https://lh6.googleusercontent.com/slow.jpg"]["attempts"] == 1  # not retried
    assert not list((dest / "media").glob(".*")) and not (dest / ".capture-spool").exists()

    # Retries: 429 waited the Retry-After asked, 500 the backoff; both then fetched.
    assert lines["https://lh4.googleusercontent.com/busy.png"]["attempts"] == 2
    assert lines["https://lh5.googleusercontent.com/flaky.png"]["attempts"] == 2
    assert 7.0 in sleeps and sleeps.count(0.25) >= 2 and 0.5 in sleeps

    # Every request named blogarchive and asked for the bytes unencoded.
    for _, headers in server.requests:
        assert headers["User-Agent"].startswith(f"blogarchive/{blogarchive.__version__} ")
        assert headers["Accept-Encoding"] == "identity"


def test_the_warc_reads_back_whole(dest: Path, server: Server) -> None:
    run(dest, server)
    with (dest / "media" / "media-00001.warc.gz").open("rb") as stream:
        records = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"))
                   for r in ArchiveIterator(stream)]
    kinds = [kind for kind, _ in records]
    assert kinds[0] == "warcinfo"
    # Every response (redirects and errors included) and revisit has its request.
    assert kinds.count("request") == kinds.count("response") + kinds.count("revisit")
    assert kinds.count("revisit") == 1
    # 6 fetched (the lightbox shares the photo's record), 2 redirect hops and the 410 of the
    # last candidate of the gone URL: 404s of original-size candidates before a fallback
    # are not kept.
    assert kinds.count("response") + kinds.count("revisit") == 9
    assert ("response", f"{server_base(records)}/hop/1") in records


def server_base(records: list[tuple[str, str]]) -> str:
    return next(uri for _, uri in records if uri and uri.endswith("/hop/1")).rsplit("/hop/", 1)[0]


def test_capture_updates_manifests_and_events(dest: Path, server: Server) -> None:
    report = run(dest, server)
    assert blogarchive.validate(dest).valid, blogarchive.validate(dest).problems
    manifest = (dest / "manifest-sha256.txt").read_text(encoding="utf-8")
    assert "  media/media-00001.warc.gz\n" in manifest and "  media.jsonl\n" in manifest
    events = [json.loads(line) for line in
              (dest / "events.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [e["eventType"] for e in events] == ["migration", "capture"]
    last = events[-1]
    assert last == report.events[0]
    assert last["eventOutcomeInformation"]["eventOutcome"] == "warning"
    libraries = last["capture"].pop("libraries")
    assert libraries == {"httpx": httpx.__version__, "warcio": libraries["warcio"]}
    assert libraries["warcio"]
    assert last["capture"] == {"fetched": 6, "failed": 4, "bytes": report.bytes,
                               "revisits": 1, "shared": 1, "held": 0, "adopted": 0,
                               "from_sources": 0,
                               "complete": True}
    names = {o["name"] for o in last["linkingObjectIdentifier"]}
    assert names == {"media/media-00001.warc.gz", "media.jsonl"}
    # `package` afterwards carries the media into the bag's payload.
    from blogarchive.capture import check_media

    blogarchive.package(dest)
    assert (dest / "data" / "media.jsonl").is_file() and blogarchive.validate(dest).valid
    assert check_media(dest / "data") == []


def test_fetcher_failure_kinds_and_rate_limit(tmp_path: Path, server: Server) -> None:
    from blogarchive.capture.fetch import Fetcher, _classify, _HostClock

    server.routes["/declared"] = [(200, {}, b"x" * (MAX_SIZE + 1))]
    server.routes["/reset"] = ["reset", "reset", image("png", PNG)]
    server.routes["/odd-location"] = [(302, {"Location": "http://[zz]/"}, b"")]
    waits: list[float] = []
    options = FetchOptions(per_host_interval=0, retries=2, backoff=0.5, max_size=MAX_SIZE)
    fetcher = Fetcher(options, tmp_path, sleep=waits.append)
    try:
        big = fetcher.fetch(f"{server.base}/declared")
        assert big.error_kind == "too-large" and "Content-Length" in (big.error or "")
        reset = fetcher.fetch(f"{server.base}/reset")  # a reset is retried like a refusal
        assert reset.ok and reset.attempts == 3 and waits == [0.5, 1.0]
        assert reset.final is not None and reset.final.body.read_bytes() == PNG
        odd = fetcher.fetch(f"{server.base}/odd-location")
        assert odd.error_kind == "invalid-url" and odd.attempts == 1  # not retried
        assert fetcher.fetch("ftp://example.org/x").error_kind == "invalid-url"
    finally:
        fetcher.close()

    # DNS and TLS failures are told apart from their causes (no lookup made here).
    dns = httpx.ConnectError("failed")
    dns.__cause__ = socket.gaierror(-2, "Name or service not known")
    tls = httpx.ConnectError("failed")
    tls.__cause__ = ssl.SSLError(1, "certificate verify failed")
    assert [_classify(e) for e in (dns, tls, httpx.ConnectError("refused"),
                                   httpx.ReadTimeout("slow"))] == [
        "dns", "tls", "connection", "timeout"]

    # The rate limit spaces requests to one host, not to different hosts.
    now, slept = [100.0], []
    clock = _HostClock(0.5, lambda: now[0], slept.append)
    clock.wait("a")
    clock.wait("b")
    clock.wait("a")
    clock.wait("a")
    assert slept == [0.5, 1.0]


def test_warc_files_rotate_at_the_size_given(dest: Path, server: Server) -> None:
    report = run(dest, server, rotate_at=1)  # every fetch past the first byte: a new file
    assert len(report.warcs) > 5
    assert report.warcs == [f"media/media-{n:05d}.warc.gz" for n in range(1, len(report.warcs) + 1)]
    for line in index(dest).values():
        if line["warc"]:
            record, _ = record_at(dest, line["warc"])
            assert record.rec_headers.get_header("WARC-Record-ID") == line["warc"]["record_id"]
    for name in report.warcs:  # each file starts with its own warcinfo
        with (dest / name).open("rb") as stream:
            assert next(iter(ArchiveIterator(stream))).rec_type == "warcinfo"
    assert blogarchive.validate(dest).valid


def test_check_media_names_a_changed_missing_or_misplaced_record(
        dest: Path, server: Server) -> None:
    from blogarchive.capture import check_media

    run(dest, server)
    assert check_media(dest) == []
    lines = index(dest)
    photo = lines[PHOTO]["warc"]

    # A payload byte changed inside the gzip member: the digest (or gzip's own CRC) says so.
    warc = dest / photo["file"]
    pristine = warc.read_bytes()
    with warc.open("rb") as stream:
        stream.seek(photo["offset"])
        record = next(iter(ArchiveIterator(stream)))
        record.content_stream().read()
    changed = bytearray(pristine)
    import gzip
    import io
    import zlib

    # Where the photo's gzip member ends (the request's begins): what one member's
    # decompression leaves over. Not a search for the next gzip magic, whose two bytes can
    # occur by chance inside the compressed data (the test failed now and then that way).
    member_end = zlib.decompressobj(wbits=31)
    member_end.decompress(pristine[photo["offset"]:])
    at = len(pristine) - len(member_end.unused_data)

    member = gzip.decompress(pristine[photo["offset"]:at])
    member = member.replace(JPEG, JPEG[:-3] + b"XYZ")  # same length, other bytes
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb") as out:
        out.write(member)
    changed[photo["offset"]:at] = buffer.getvalue()
    warc.write_bytes(bytes(changed))
    problems = check_media(dest)
    assert any(f == "media.jsonl" and PHOTO in r and "payload" in r and "changed" in r
               for f, _, r in problems), problems
    assert not blogarchive.validate(dest).valid  # the manifests catch it as well

    # A wrong offset names the record found instead; a missing file is named.
    warc.write_bytes(pristine)
    assert check_media(dest) == []
    text = (dest / "media.jsonl").read_text(encoding="utf-8")
    for shift, expected in ((1, "no WARC record starts at offset"),
                            (at - photo["offset"], "is record <urn:uuid:")):
        edited = [json.loads(x) for x in text.splitlines()]
        for line in edited:
            if line["url"] == PHOTO:
                line["warc"]["offset"] += shift
        (dest / "media.jsonl").write_text(
            "".join(json.dumps(x) + "\n" for x in edited), encoding="utf-8")
        problems = check_media(dest)
        assert [r for _, _, r in problems if PHOTO in r and expected in r], problems
        # validate runs the same check, naming the line beside the manifests' complaint
        found = blogarchive.validate(dest).problems
        assert [p for p in found if p.file == "media.jsonl" and p.line is not None
                and PHOTO in p.reason and expected in p.reason], found
    (dest / "media.jsonl").write_text(text, encoding="utf-8")
    warc.unlink()
    problems = check_media(dest)
    assert (("media.jsonl", sorted(lines).index(PHOTO) + 1,
             f"{PHOTO}: {photo['file']} is missing") in problems)


def test_closing_the_fetcher_ends_a_retry_wait(tmp_path: Path, server: Server) -> None:
    from blogarchive.capture.fetch import Fetched, Fetcher

    server.routes["/later"] = [(429, {"Retry-After": "50"}, b""), image("png", PNG)]
    fetcher = Fetcher(FetchOptions(per_host_interval=0), tmp_path)  # real (event) waits
    results: list[Fetched] = []
    worker = threading.Thread(target=lambda: results.append(
        fetcher.fetch(f"{server.base}/later")))
    worker.start()
    for _ in range(1000):  # until the 429 has been answered (an upper bound, not a timing)
        if server.requests:
            break
        threading.Event().wait(0.01)
    fetcher.close()  # as an interrupted run does
    worker.join(20)
    assert not worker.is_alive(), "the fetch still waits the 50 s Retry-After"
    assert results[0].error_kind == "interrupted" and len(server.requests) == 1


def test_a_page_answered_for_an_image_is_not_a_capture(tmp_path: Path, server: Server) -> None:
    from blogarchive.capture import _fetch_target
    from blogarchive.capture.fetch import Fetcher
    from blogarchive.capture.plan import Target

    page = (200, {"Content-Type": "text/html; charset=utf-8"}, b"<html>Sign in</html>")
    server.routes["/wall/s0/a.png"] = [page]
    server.routes["/wall/s400/a.png"] = [image("png", PNG)]
    server.routes["/wall/only.png"] = [page]
    fetcher = Fetcher(FetchOptions(per_host_interval=0, retries=0), tmp_path)
    try:
        both = Target("https://x/a.png", (f"{server.base}/wall/s0/a.png",
                                          f"{server.base}/wall/s400/a.png"), "image", ("1",))
        _, result = _fetch_target(fetcher, both)
        assert result.ok and result.url.endswith("/s400/a.png")  # the fallback was tried
        only = Target("https://x/only.png", (f"{server.base}/wall/only.png",), "image", ("1",))
        _, result = _fetch_target(fetcher, only)
        assert result.error_kind == "not-an-image" and "text/html" in (result.error or "")
        assert result.final is not None and result.final.status == 200  # kept for the WARC
        page_target = Target("https://x/only.png", (f"{server.base}/wall/only.png",),
                             "iframe", ("1",))
        assert _fetch_target(fetcher, page_target)[1].ok  # an iframe is a page
    finally:
        fetcher.close()


def test_the_archive_carries_the_media_schema(dest: Path, server: Server) -> None:
    import jsonschema

    from blogarchive.preserve.fixity import payload_files, write_manifests

    packaged = Path(blogarchive.__file__).parent / "schemas" / "media.json"
    assert not (dest / "schemas" / "media.json").exists()  # no capture, no media schema
    run(dest, server)
    kept = dest / "schemas" / "media.json"
    assert kept.read_bytes() == packaged.read_bytes()
    assert "  schemas/media.json\n" in (dest / "manifest-sha512.txt").read_text()
    validator = jsonschema.Draft202012Validator(json.loads(kept.read_text()))
    for line in (dest / "media.jsonl").read_text().splitlines():  # without blogarchive
        validator.validate(json.loads(line))
    blogarchive.convert(BLOG, dest)  # converting again keeps it, with the capture
    assert kept.read_bytes() == packaged.read_bytes()
    assert blogarchive.validate(dest).valid
    # validate reads the lines with the archive's own schema
    schema = json.loads(kept.read_text())
    schema["properties"]["url"]["type"] = "integer"
    kept.write_text(json.dumps(schema))
    write_manifests(dest, payload_files(dest))
    problems = [str(p) for p in blogarchive.validate(dest).problems]
    assert problems and all("media.jsonl (line" in p and "url: " in p for p in problems), problems
    kept.write_text("{not json")
    write_manifests(dest, payload_files(dest))
    problems = [str(p) for p in blogarchive.validate(dest).problems]
    assert any(p.startswith("schemas/media.json: not a JSON Schema") for p in problems), problems
