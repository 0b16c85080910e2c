"""Write a collection of small generated blogs for `blogarchive batch` (tests, benchmarks).

    python benchmarks/collection.py 200 benchmarks/data/collection-200

Writes BLOGS exports (each its own blog id, host, title and posts), and beside them, as a
real collection has: a broken export (cut off in the middle of an entry), a duplicate (the
first export again under another name) and a Takeout folder holding two blogs. Prints the
sources, one a line, into FOLDER/list.txt. Deterministic: the same arguments give the same
bytes.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

__all__ = ["blog_id", "write_collection", "write_takeout"]

TAKEOUT_BLOGS = (("8800000000000000001", "Takeout One"), ("8800000000000000002", "Takeout Two"))


def blog_id(n: int) -> str:
    return str(6_600_000_000_000_000_000 + n)


def write_collection(folder: Path, blogs: int = 50, megabytes: float = 0.02,
                     extras: bool = True) -> list[Path]:
    """The collection's sources, in a stable order (also written to folder/list.txt)."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = []
    for n in range(blogs):
        path = folder / f"blog-{n:04d}.xml"
        generate(megabytes, path, blog=blog_id(n), host=f"https://blog{n:04d}.blogspot.com",
                 title=f"Blog number {n}", seed=n, template=1000)
        sources.append(path)
    if extras:
        broken = folder / "broken.xml"
        generate(megabytes, broken, blog=blog_id(blogs), host="https://broken.blogspot.com",
                 title="Broken", seed=blogs, template=1000)
        data = broken.read_bytes()
        broken.write_bytes(data[: len(data) * 2 // 3])  # cut inside an entry: no </feed>
        duplicate = folder / "again" / sources[0].name
        duplicate.parent.mkdir(exist_ok=True)
        shutil.copyfile(sources[0], duplicate)
        takeout = folder / "Takeout"
        write_takeout(takeout)
        sources += [broken, duplicate, takeout]
    (folder / "list.txt").write_text(
        "".join(f"{p.relative_to(folder)}\n" for p in sources), encoding="utf-8")
    return sources


def write_takeout(takeout: Path) -> None:
    """A Takeout folder holding two blogs (Takeout/Blogger/Blogs/NAME/feed.atom and
    settings.csv each), as Google Takeout writes an account with two blogs."""
    for number, (blog, title) in enumerate(TAKEOUT_BLOGS, 1):
        folder = takeout / "Blogger" / "Blogs" / title
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "settings.csv").write_text(
            "blog_name,blog_description,blog_subdomain,blog_time_zone,blog_locale\n"
            f"{title},Two blogs in one Takeout,takeout-{number},Europe/Berlin,en\n",
            encoding="utf-8")
        entries = "".join(
            f"<entry><id>tag:blogger.com,1999:blog-{blog}.post-{9_000 + n}</id>"
            "<blogger:type>POST</blogger:type><blogger:status>LIVE</blogger:status>"
            "<author><name>Writer</name><blogger:type>BLOGGER</blogger:type></author>"
            f"<title>{title} post {n}</title><content type='html'>&lt;p&gt;Post {n} of "
            f"{title}&lt;/p&gt;</content><blogger:created>202{n}-03-01T15:42:32.978Z"
            f"</blogger:created><published>202{n}-03-01T15:41:00Z</published>"
            f"<updated>202{n}-03-01T15:42:32.985Z</updated>"
            f"<blogger:filename>/202{n}/03/post-{n}.html</blogger:filename></entry>"
            for n in range(1, 4))
        (folder / "feed.atom").write_text(
            "<?xml version='1.0' encoding='utf-8'?>\n<feed xmlns='http://www.w3.org/2005/Atom' "
            "xmlns:blogger='http://schemas.google.com/blogger/2018'>"
            f"<id>tag:blogger.com,1999:blog-{blog}</id><title>{title}</title>{entries}</feed>\n",
            encoding="utf-8")


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    where = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(f"benchmarks/data/collection-{count}")
    written = write_collection(where, count)
    print(f"wrote {len(written)} sources in {where}/ (list.txt names them)")
