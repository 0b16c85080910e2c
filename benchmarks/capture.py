"""Capture speed and memory against a local server (no other network).

    python benchmarks/capture.py            # 2000 small images, then one 200 MB file
    python benchmarks/capture.py 500 50     # 500 images, a 50 MB file

Writes an export whose posts hold images on 1-4.bp.blogspot.com, converts it, serves the
images with ``python -m http.server`` on 127.0.0.1 (its own process, so the server's work is
not counted in the capture's), and runs ``blogarchive capture`` with the default concurrency
in a child process: images per second and peak RSS. The large file shows whether memory
depends on file size (bodies stream to disk; it should not). The per-host rate limit is
raised (``--rate 100000``) so the figure is blogarchive's, not the politeness setting's: with
the default 10 requests a second per host, 4 hosts cap a real run at 40 a second.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

CHILD = r"""
import resource, sys, time
from blogarchive.cli import main
start = time.perf_counter()
code = main(["capture", sys.argv[1], "--rewrite", sys.argv[2], "--rate", "100000"])
took = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
peak = usage.ru_maxrss / 1024
print(f"RESULT {took:.3f} {peak:.1f} {code} {usage.ru_utime + usage.ru_stime:.3f}",
      file=sys.stderr)
"""

BLOG = "5551234567890123999"


def export(path: Path, urls: list[str]) -> None:
    entries = []
    for n in range(0, len(urls), 10):
        body = "".join(f'<p><img src="{u}"></p>' for u in urls[n:n + 10])
        entries.append(
            f"<entry><id>tag:blogger.com,1999:blog-{BLOG}.post-{1000 + n}</id>"
            "<published>2011-04-01T10:00:00.000-07:00</published>"
            "<category scheme='http://schemas.google.com/g/2005#kind' "
            "term='http://schemas.google.com/blogger/2008/kind#post'/>"
            f"<title type='text'>Post {n}</title><content type='html'>{escape(body)}</content>"
            f"<link rel='alternate' type='text/html' "
            f"href='https://bench-example.blogspot.com/2011/04/p{n}.html'/></entry>")
    path.write_text(
        "<?xml version='1.0' encoding='UTF-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
        f"<id>tag:blogger.com,1999:blog-{BLOG}.archive</id><title type='text'>Bench</title>"
        "<link rel='alternate' type='text/html' href='https://bench-example.blogspot.com/'/>"
        + "".join(entries) + "</feed>", encoding="utf-8")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def measure(work: Path, name: str,
            files: dict[str, bytes | int]) -> tuple[float, float, int, float]:
    """Serve ``files`` (relative path -> bytes, or a size of zeros), capture, and measure."""
    root = work / f"{name}-site"
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, int):
            with path.open("wb") as out:
                out.truncate(content)  # a sparse file: the bytes still go over the socket
        else:
            path.write_bytes(content)
    source, dest = work / f"{name}.xml", work / f"{name}-archive"
    export(source, [f"https://{rel}" for rel in files])
    subprocess.run([sys.executable, "-m", "blogarchive", "convert", "-q", str(source),
                    "-o", str(dest)], check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind",
                               "127.0.0.1", "--directory", str(root)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):  # wait until it listens
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        done = subprocess.run([sys.executable, "-c", CHILD, str(dest),
                               f"https://=http://127.0.0.1:{port}/"],
                              capture_output=True, text=True, check=False)
    finally:
        server.terminate()
        server.wait()
    line = next(x for x in done.stderr.splitlines() if x.startswith("RESULT"))
    took, peak, code, cpu = line.split()[1:]
    return float(took), float(peak), int(code), float(cpu)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    big_mb = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    png = (Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "capture"
           / "pic.png").read_bytes()
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        small: dict[str, bytes | int] = {
            f"{n % 4 + 1}.bp.blogspot.com/img/{n}.png": png + n.to_bytes(4, "big")
            for n in range(count)}
        # CPU seconds of the capture process too: on a machine shared with other work the
        # wall time says as much about the neighbours as about blogarchive.
        took, peak, code, cpu = measure(work, "small", small)
        print(f"{count} small images: {took:.2f} s, {count / took:.0f} images/s, "
              f"{cpu:.2f} CPU s ({count / cpu:.0f} images per CPU second), "
              f"peak RSS {peak:.0f} MiB (exit {code})")
        took, peak, code, cpu = measure(work, "large",
                                        {"1.bp.blogspot.com/big.bin": big_mb << 20})
        print(f"one {big_mb} MB file: {took:.2f} s, {cpu:.2f} CPU s, peak RSS {peak:.0f} MiB "
              f"(exit {code})")


if __name__ == "__main__":
    main()
