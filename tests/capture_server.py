"""The local HTTP server and helpers the capture tests share.

Every request goes to an HTTP server started on 127.0.0.1; the archive's Blogger URLs are sent
there with a rewrite (``https://`` -> ``http://127.0.0.1:PORT/``, so the path starts with the
host as written). Waits are recorded, not slept: the retry and Retry-After logic is checked
with no real waiting.
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

import blogarchive
from blogarchive.capture import CaptureReport, FetchOptions, capture, parse_rewrite
from conftest import FIXTURES

HERE = FIXTURES / "capture"
BLOG = HERE / "pictures.xml"
JPEG = (HERE / "photo.jpg").read_bytes()
PNG = (HERE / "pic.png").read_bytes()
GIF = (HERE / "anim.gif").read_bytes()
MAX_SIZE = 10_000

Reply = tuple[int, dict[str, str], bytes]


class Server:
    """A stdlib HTTP server in a thread; ``routes`` maps a path to the replies it gives, in
    turn (the last one repeats); an unknown path is a 404."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Reply | str]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.release = threading.Event()  # the slow route waits for it
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append((self.path, dict(self.headers.items())))
                replies = server.routes.get(self.path, [(404, {}, b"not here")])
                reply = replies.pop(0) if len(replies) > 1 else replies[0]
                if reply == "slow":
                    server.release.wait(30)
                    return
                if reply == "reset":  # the connection closed with no answer at all
                    return
                if reply == "streamed":  # no Content-Length: the size shows only on reading
                    self.send_response(200)
                    self.send_header("Content-Type", "image/gif")
                    self.end_headers()
                    for _ in range(4):
                        self.wfile.write(b"G" * (MAX_SIZE // 2))
                    return
                assert not isinstance(reply, str)
                status, headers, body = reply
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def image(kind: str, body: bytes) -> Reply:
    return (200, {"Content-Type": f"image/{kind}"}, body)


@pytest.fixture(name="server")
def server_fixture() -> Iterator[Server]:
    found = Server()
    found.routes.update({
        "/1.bp.blogspot.com/-abc/AAA/s0/photo.jpg": [image("jpeg", JPEG)],
        "/blogger.googleusercontent.com/img/b/R29v/pic.png": [
            (301, {"Location": "/hop/1"}, b"")],
        "/hop/1": [(302, {"Location": f"{found.base}/files/pic.png"}, b"moved")],
        "/files/pic.png": [image("png", PNG)],
        "/2.bp.blogspot.com/-x/BBB/s400/anim.gif": [image("gif", GIF)],
        "/lh3.googleusercontent.com/gone=s200": [(410, {}, b"gone")],
        "/lh4.googleusercontent.com/busy.png": [(429, {"Retry-After": "7"}, b""),
                                                image("png", PNG + b"4")],
        "/lh5.googleusercontent.com/flaky.png": [(500, {}, b"oops"), image("gif", GIF + b"5")],
        "/lh6.googleusercontent.com/slow.jpg": ["slow"],
        "/3.bp.blogspot.com/huge.gif": ["streamed"],
        "/4.bp.blogspot.com/dup/copy.png": [image("png", PNG)],
        "/example.org/outside.png": [image("png", PNG + b"x")],
    })
    yield found
    found.close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rewrites(server: Server) -> list[str]:
    return [f"https://lh6.ggpht.com/=http://127.0.0.1:{closed_port()}/",
            f"https://={server.base}/"]


@pytest.fixture(name="dest")
def dest_fixture(tmp_path: Path) -> Path:
    folder = tmp_path / "archive"
    blogarchive.convert(BLOG, folder)
    return folder


def run(dest: Path, server: Server, sleeps: list[float] | None = None,
        **kwargs: Any) -> CaptureReport:
    options = FetchOptions(concurrency=4, per_host_interval=0, read_timeout=1.0,
                           connect_timeout=5.0, retries=2, backoff=0.25, max_size=MAX_SIZE)
    waits = sleeps if sleeps is not None else []
    return capture(dest, rewrites=[parse_rewrite(r) for r in rewrites(server)],
                   options=options, sleep=waits.append, **kwargs)


def index(dest: Path) -> dict[str, dict[str, Any]]:
    lines = (dest / "media.jsonl").read_text(encoding="utf-8").splitlines()
    return {line["url"]: line for line in map(json.loads, lines)}


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def record_at(dest: Path, warc: dict[str, Any]) -> tuple[Any, bytes]:
    """The record media.jsonl points at, read from its offset, and its payload."""
    with (dest / warc["file"]).open("rb") as stream:
        stream.seek(warc["offset"])
        record = next(iter(ArchiveIterator(stream)))
        return record, record.content_stream().read()


def digest(body: bytes) -> str:
    return "sha256:" + base64.b32encode(hashlib.sha256(body).digest()).decode()


PHOTO = "https://1.bp.blogspot.com/-abc/AAA/s320/photo.jpg"
LIGHTBOX = "https://1.bp.blogspot.com/-abc/AAA/s1600/photo.jpg"
PIC = "https://blogger.googleusercontent.com/img/b/R29v/pic.png"
COPY = "https://4.bp.blogspot.com/dup/copy.png"
