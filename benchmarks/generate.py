"""Generate a large, realistic legacy Blogger export for benchmarking.

    python benchmarks/generate.py 100 benchmarks/data/blog-100mb.xml [--gzip]

Shaped like real "Back up content" files (FORMATS.md section 1): one line, template and
settings first, posts newest first with labels, links, thumbnails and escaped HTML bodies of
varied length, then pages, then comments (a third of them threaded replies), offsets that
change with DST. Deterministic: the same size gives the same bytes.
"""

from __future__ import annotations

import gzip
import random
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

BLOG = "5551234567890123456"
HOST = "https://bench-example.blogspot.com"
WORDS = [
    *[
        "water",
        "well",
        "basin",
        "county",
        "report",
        "meter",
        "district",
        "summer",
        "rain",
        "river",
        "valley",
    ],
    *[
        "farm",
        "field",
        "season",
        "survey",
        "record",
        "level",
        "north",
        "south",
        "dry",
        "wet",
        "public",
        "data",
    ],
]
LABELS = [f"topic {i}" for i in range(60)] + ["Лейбл", "東京", "fish, chips"]


def _offset(moment: datetime) -> timezone:
    dst = 3 <= moment.month <= 10
    return timezone(timedelta(hours=-7 if dst else -8))


def _stamp(moment: datetime) -> str:
    local = moment.replace(tzinfo=_offset(moment))
    return local.isoformat(timespec="milliseconds")


def _words(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))


def _body(rng: random.Random, host: str = HOST) -> str:
    """A body in one of the shapes real posts have: tidy paragraphs, or the older editor's
    text in a span split by <br>s; with quotes, images and "earlier posts" lists at times."""
    link = f'<a href="{host}/2010/0{rng.randint(1, 9)}/x.html">link</a>'
    count = rng.randint(2, 14)
    if rng.random() < 0.4:
        lines = [f"{_words(rng, 20, 120)}&nbsp;{link}" for _ in range(count)]
        if rng.random() < 0.3:
            lines.insert(1, '"' + _words(rng, 20, 40) + '."')
        body = '<span style="font-family: Georgia;">' + "<br /><br />".join(lines) + "</span>"
        paragraphs = [body]
    else:
        paragraphs = [f"<p>{_words(rng, 20, 120)}&nbsp;{link}</p>" for _ in range(count)]
    if rng.random() < 0.3:
        paragraphs.insert(1, f"<blockquote>{_words(rng, 40, 40)}</blockquote>")
    if rng.random() < 0.4:
        paragraphs.append(
            '<div class="separator"><a href="https://1.bp.blogspot.com/x/s1600/'
            'a.jpg"><img src="https://1.bp.blogspot.com/x/s320/a.jpg" /></a></div>'
        )
    if rng.random() < 0.15:
        items = "".join(
            f'<li><a href="{host}/2009/0{rng.randint(1, 9)}/x.html">{_words(rng, 2, 6)}</a> '
            f'(March {rng.randint(1, 28)}, 2009): "{_words(rng, 8, 20)}..."</li>'
            for _ in range(rng.randint(2, 6))
        )
        paragraphs.append(f"<p>Earlier posts on the topic include:</p><ul>{items}</ul>")
    return "".join(paragraphs)


def _entry(ident: str, kind: str, when: datetime, title: str, content: str, extra: str,
           blog: str = BLOG) -> str:
    return (
        f"<entry><id>tag:blogger.com,1999:blog-{blog}.{ident}</id><published>{_stamp(when)}"
        f"</published><updated>{_stamp(when + timedelta(hours=3))}</updated>"
        f"<category scheme='http://schemas.google.com/g/2005#kind' "
        f"term='http://schemas.google.com/blogger/2008/kind#{kind}'/>{extra}"
        f"<title type='text'>{escape(title)}</title><content type='html'>{escape(content)}"
        "</content><author><name>Bench Author</name><uri>https://www.blogger.com/profile/1"
        "</uri><email>noreply@blogger.com</email><gd:image rel='http://schemas.google.com/g/"
        "2005#thumbnail' width='16' height='16' src='https://img1.blogblog.com/img/b16-rounded"
        ".gif'/></author></entry>"
    )


def generate(megabytes: float, out: Path, packed: bool = False, *, blog: str = BLOG,
             host: str = HOST, title: str = "Benchmark Blog", seed: int = 20100917,
             template: int = 40000) -> None:
    """Write an export of about ``megabytes``. ``blog``, ``host``, ``title`` and ``seed`` make
    another blog (benchmarks/collection.py writes many small ones); ``template`` is the
    size of its template entry."""
    rng = random.Random(seed)
    target = int(megabytes * 1024 * 1024)
    opener = gzip.open if packed else open
    written = 0
    with opener(out, "wt", encoding="utf-8") as f:  # type: ignore[operator]

        def put(text: str) -> None:
            nonlocal written
            f.write(text)
            written += len(text.encode("utf-8"))

        put(
            "<?xml version='1.0' encoding='UTF-8'?><feed xmlns='http://www.w3.org/2005/Atom' "
            "xmlns:openSearch='http://a9.com/-/spec/opensearchrss/1.0/' xmlns:gd='http://schemas"
            ".google.com/g/2005' xmlns:thr='http://purl.org/syndication/thread/1.0' "
            "xmlns:georss='http://www.georss.org/georss'>"
            f"<id>tag:blogger.com,1999:blog-{blog}.archive</id><updated>2025-06-01T10:00:00"
            f".000-07:00</updated><title type='text'>{escape(title)}</title><link rel='alternate'"
            f" type='text/html' href='{host}/'/><generator version='7.00' uri='https://www."
            "blogger.com'>Blogger</generator>"
        )
        start = datetime(2004, 1, 1, 9, 0)
        put(
            _entry(
                "layout", "template", start, "Template", "<html>" + "x" * template + "</html>", "",
                blog,
            ).replace("type='html'", "type='text'")
        )
        for name in ("BLOG_TIME_ZONE", "BLOG_LOCALE", "BLOG_DESCRIPTION"):
            put(_entry(f"settings.{name}", "settings", start, name, "America/Los_Angeles", "",
                       blog))
        posts = []
        n = 0
        # about 80% of the bytes in posts, the rest in comments
        while written < target * 0.8:
            n += 1
            pid = str(7_000_000_000_000_000_000 + n * 7919)
            when = start + timedelta(hours=n * 7)
            slug = f"{when:%Y/%m}/post-{n}.html"
            labels = "".join(
                f"<category scheme='http://www.blogger.com/atom/ns#' term={quoteattr(lb)}/>"
                for lb in rng.sample(LABELS, rng.randint(0, 4))
            )
            draft = rng.random() < 0.03
            links = (
                ""
                if draft
                else (
                    f"<link rel='replies' type='text/html' href='{host}/{slug}#comment-form' "
                    f"title='3 Comments'/><link rel='alternate' type='text/html' href='{host}/"
                    f"{slug}' title='Post {n}'/>"
                )
            )
            control = (
                (
                    "<app:control xmlns:app='http://purl.org/atom/app#'><app:draft>yes"
                    "</app:draft></app:control>"
                )
                if draft
                else ""
            )
            put(
                _entry(
                    f"post-{pid}",
                    "post",
                    when,
                    f"Post {n} about {rng.choice(WORDS)}",
                    _body(rng, host),
                    control + labels + links + "<thr:total>3</thr:total>",
                    blog,
                )
            )
            posts.append((pid, slug, when))
        c = 0
        while written < target:
            pid, slug, when = posts[c % len(posts)]
            c += 1
            cid = str(8_000_000_000_000_000_000 + c * 104729)
            related = ""
            if c % 3 == 0:
                parent = str(8_000_000_000_000_000_000 + (c - 1) * 104729)
                related = (
                    f"<link rel='related' type='application/atom+xml' href='https://"
                    f"www.blogger.com/feeds/{blog}/{pid}/comments/default/{parent}'/>"
                )
            body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 80)))
            put(
                _entry(
                    f"post-{cid}",
                    "comment",
                    when + timedelta(days=1),
                    body[:50] + "...",
                    body,
                    f"<link rel='alternate' type='text/html' href='{host}/{slug}?"
                    f"showComment=1#c{cid}' title=''/>{related}<thr:in-reply-to href='{host}/"
                    f"{slug}' ref='tag:blogger.com,1999:blog-{blog}.post-{pid}' source='x' "
                    "type='text/html'/>",
                    blog,
                )
            )
        put("</feed>")


if __name__ == "__main__":
    size = float(sys.argv[1]) if len(sys.argv) > 1 else 100
    path = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(f"benchmarks/data/blog-{size:g}mb.xml")
    path.parent.mkdir(parents=True, exist_ok=True)
    generate(size, path, packed="--gzip" in sys.argv)
    print(f"wrote {path} ({path.stat().st_size:,} bytes)")
