"""Generate a mirror of a Blogger blog: a folder of saved pages, for benchmarking the HTML reader.

    python benchmarks/generate_pages.py 3000 benchmarks/data/pages-3000

Item pages in a Layouts v2 shape (a third with threaded comments, some with replies), plus one
monthly archive page for every ten posts (those posts again, cut at a jump link), as a site
mirror made with wget holds them. Deterministic: the same count gives the same files.
"""

from __future__ import annotations

import random
import sys
from datetime import datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

from generate import BLOG, HOST, _body, _words

HEAD = (
    "<!DOCTYPE html>\n<html class='v2' dir='ltr' lang='en'><head>"
    "<meta content='blogger' name='generator'/><title>Benchmark Blog: {title}</title>"
    "<link href='{url}' rel='canonical'/>"
    f"<link rel='alternate' type='application/atom+xml' title='Benchmark Blog - Atom' "
    f"href='{HOST}/feeds/posts/default'/>"
    f"<link rel='service.post' type='application/atom+xml' title='Benchmark Blog - Atom' "
    f"href='https://www.blogger.com/feeds/{BLOG}/posts/default'/>"
    "<style>body{{font:14px Georgia}} .post-body{{line-height:1.4}}</style></head>"
    "<body class='loading'><div class='widget Header' id='Header1'><h1 class='title'>"
    f"<a href='{HOST}/'>Benchmark Blog</a></h1></div>"
    "<div class='main section' id='main'><div class='widget Blog' id='Blog1'>"
    "<div class='blog-posts hfeed'>"
)
TAIL = (
    "</div></div></div><div id='sidebar'><div class='widget BlogArchive' id='BlogArchive1'>"
    "<h2>Blog Archive</h2><ul><li><a href='" + HOST + "/2010/'>2010</a></li></ul></div></div>"
    "<script type='text/javascript'>_WidgetManager._Init('//www.blogger.com/rearrange?"
    f"blogID\\x3d{BLOG}','//example/','{BLOG}');</script></body></html>\n"
)


def _post(n: int, when: datetime, body: str, rng: random.Random, *, item: bool) -> str:
    ident = str(7_000_000_000_000_000_000 + n * 7919)
    slug = f"post-{n}"
    url = f"{HOST}/{when:%Y/%m}/{slug}.html"
    comments = ""
    count = rng.randint(0, 6) if rng.random() < 0.33 else 0
    if item and count:
        items = []
        for c in range(count):
            cid = str(8_000_000_000_000_000_000 + n * 100 + c)
            ms = int((when + timedelta(hours=c + 1)).timestamp() * 1000)
            items.append(
                f'<li class="comment" id="c{cid}"><div class="comment-block"><div '
                f'class="comment-header"><cite class="user"><a href="https://www.blogger.com/'
                f'profile/{c}" rel="nofollow">Reader {c}</a></cite><span class="datetime '
                f'secondary-text"><a href="{url}?showComment={ms}#c{cid}">later</a></span>'
                f'</div><p class="comment-content">{escape(_words(rng, 5, 40))}</p></div></li>'
            )
        comments = (
            f"<div class='comments' id='comments'><h4>{count} comments:</h4><div "
            "class='comments-content'><div id='comment-holder'><div class='comment-thread "
            f"toplevel-thread'><ol id='top-ra'>{''.join(items)}</ol></div></div></div></div>"
        )
    jump = "" if item else (f"<div class='jump-link'><a href='{url}#more'>Read more</a></div>")
    title = escape(_words(rng, 2, 7).title())
    return (
        "<div class='post-outer'><div class='post hentry' itemprop='blogPost'>"
        f"<meta content='{BLOG}' itemprop='blogId'/><meta content='{ident}' itemprop='postId'/>"
        f"<a name='{ident}'></a><h3 class='post-title entry-title'>"
        f"{title if item else f'<a href={chr(39)}{url}{chr(39)}>{title}</a>'}</h3>"
        f"<div class='post-body entry-content' id='post-body-{ident}'>{body}"
        "<div style='clear: both;'></div></div>" + jump +
        "<div class='post-footer'><div class='post-footer-line post-footer-line-1'>"
        "<span class='post-author vcard'>Posted by <span class='fn'>Bench Author</span></span>"
        f"<span class='post-timestamp'> at <a class='timestamp-link' href='{url}' "
        f"rel='bookmark' title='permanent link'><abbr class='published' "
        f"title='{when:%Y-%m-%dT%H:%M:00}-07:00'>{when:%H:%M}</abbr></a></span></div>"
        "<div class='post-footer-line post-footer-line-2'><span class='post-labels'>Labels: "
        f"<a href='{HOST}/search/label/water' rel='tag'>water</a></span></div></div>"
        f"</div>{comments}</div>"
    )


def generate_pages(count: int, folder: Path) -> int:
    rng = random.Random(20100917)
    start = datetime(2008, 1, 1, 9, 0)
    archive: list[str] = []
    written = 0
    for n in range(count):
        when = start + timedelta(hours=31 * n)
        body = _body(rng)
        state = rng.getstate()
        page = _post(n, when, body, rng, item=True)
        path = folder / f"{when:%Y/%m}" / f"post-{n}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        url = f"{HOST}/{when:%Y/%m}/post-{n}.html"
        path.write_text(HEAD.format(title=f"post {n}", url=url) + page + TAIL, "utf-8")
        written += 1
        rng.setstate(state)
        cut = body.find("</p>", len(body) // 3)  # an index page shows the start of the body
        teaser = body[: cut + 4] if cut > 0 else body
        archive.append(_post(n, when, teaser, rng, item=False))
        if len(archive) == 10:
            index = folder / f"archive-{n // 10}.html"
            index.write_text(HEAD.format(title="archive", url=f"{HOST}/search?n={n}")
                             + "".join(archive) + TAIL, "utf-8")
            written += 1
            archive = []
    return written


if __name__ == "__main__":
    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(f"benchmarks/data/pages-{pages}")
    out.mkdir(parents=True, exist_ok=True)
    files = generate_pages(pages, out)
    size = sum(p.stat().st_size for p in out.rglob("*.html"))
    print(f"wrote {out}/ ({files:,} files, {size:,} bytes)")
