"""An archive built for the migration exports: every case they must handle, in one blog.

Built from the model and written with ``blogarchive.write`` (what ``load`` reads), so each
case is stated here rather than hidden in a source file's markup.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Final

import blogarchive
from blogarchive import Archive, Author, Blog, Comment, Label, Post

HOST: Final = "https://migrate-example.blogspot.com"
IST: Final = timezone(timedelta(hours=5, minutes=30))
PDT: Final = timezone(timedelta(hours=-7))
# labels YAML would misread when hand-quoted: quotes, a colon, a comment mark, a leading dash,
# words YAML 1.1 reads as a boolean or a number ("y", "N" and "0o12" only Go's YAML, which
# Hugo uses), and scripts other than Latin
ODD_LABELS: Final = ('He said "hi"', "key: value", "# not a comment", "- dash", "yes", "123",
                     "y", "N", "0o12", "Ñandú ünïcode 水", "it's")
DEEP: Final = "<div>" * 3000 + "deep text" + "</div>" * 3000
AUTHOR: Final = Author(name="Marta Field", uri="https://www.blogger.com/profile/1",
                       email="noreply@blogger.com")


def _post(pid: str, title: str, content: str, *, path: str | None, status: str = "live",
          kind: str = "post", published: datetime | None = None,
          labels: tuple[str, ...] = ()) -> Post:
    when = published or datetime(2010, 3, 1, 9, 0, tzinfo=PDT)
    return Post(id=pid, kind=kind, status=status, title=title, content=content,
                url=f"{HOST}{path}" if path else None, path=path, published=when,
                updated=when + timedelta(hours=1), author=AUTHOR, labels=labels,
                atom_id=f"tag:blogger.com,1999:blog-1.{kind}-{pid}")


POSTS: Final = (
    _post("1001", 'Plain: a "quoted" title', "<p>First <b>bold</b> line.</p><!--more-->"
          "<p>Liquid {% raw %} {{ page.title }} stays text.</p><pre>{{ code }}</pre>"
          '<p><img src="https://1.bp.blogspot.com/-abc/AAA/s320/photo.jpg" alt="a photo"></p>',
          path="/2010/02/plain-post.html", labels=ODD_LABELS,
          published=datetime(2010, 2, 10, 10, 0, tzinfo=IST)),
    _post("1002", "A table", "<table><tr><td>a</td><td>b</td></tr></table>"
          '<p><a href="http://migrate-example.blogspot.com/2010/02/plain-post.html?m=1#c1">'
          "the first post</a> &amp; <a href='/p/about.html'>me</a></p>",
          path="/2010/03/a-table.html", labels=("water",)),
    _post("1003", "A quoted list", "<blockquote><ul><li>one</li><li>two</li></ul></blockquote>",
          path="/2010/03/a-quoted-list.html"),
    _post("1004", "Deep", DEEP, path="/2010/03/deep.html"),
    _post("1005", "Floated image", '<div style="float: left; margin: 1em">text ]]> end</div>',
          path="/2010/04/floated.html"),
    _post("1006", "Braces", "<p>Hugo {{< shortcode >}} and {{% mark %}} stay text.</p>"
          "<pre>{{< in code >}}</pre>", path="/2010/04/braces.html"),
    _post("2001", "A draft", "<p>not yet DRAFTMARKER</p>", path=None, status="draft",
          labels=("water",)),
    _post("2002", "Scheduled", "<p>later SCHEDULEDMARKER</p>", path="/2030/01/later.html",
          status="scheduled", published=datetime(2030, 1, 1, 8, 0, tzinfo=PDT)),
    _post("2003", "Binned", "<p>gone TRASHMARKER</p>", path="/2010/05/binned.html",
          status="soft-trashed"),
    _post("3001", "About", "<p>About me.</p>", path="/p/about.html", kind="page"),
    _post("3002", "Unfinished page", "<p>PAGEDRAFTMARKER</p>", path=None, kind="page",
          status="draft"),
)


def _comment(cid: str, post_id: str, *, parent: str | None = None, status: str = "live",
             name: str = "Lupe", minute: int = 0) -> Comment:
    return Comment(id=cid, post_id=post_id, parent_id=parent, status=status,
                   content=f"<p>comment {cid} &amp; more</p>",
                   published=datetime(2010, 2, 11, 9, minute, tzinfo=PDT),
                   author=AUTHOR if name == AUTHOR.name else Author(
                       name=name, uri=f"https://example.org/{name}"),
                   post_kind="post", orphan=post_id not in {p.id for p in POSTS})


COMMENTS: Final = (
    _comment("c1", "1001"),
    _comment("c2", "1001", parent="c1", name="Marta Field", minute=5),
    _comment("c3", "1001", status="removed", name="Anonymous", minute=10),
    _comment("c4", "1002", parent="c-missing", minute=15),
    _comment("c5", "9999", minute=20),  # its post is not in the archive
    _comment("c6", "3001", status="spam", minute=25),
)


def archive() -> Archive:
    labels = sorted({name for p in POSTS for name in p.labels})
    return Archive(
        blog=Blog(id="1", title='Migrate "example": notes', url=f"{HOST}/",
                  description="A blog with every case", locale="en",
                  time_zone="America/Los_Angeles"),
        posts=POSTS, comments=COMMENTS,
        labels=tuple(Label(name, tuple(p.id for p in POSTS if name in p.labels))
                     for name in labels))


def written(dest: Path) -> Path:
    """The archive at ``dest``, as ``convert`` leaves one."""
    blogarchive.write(archive(), dest)
    return dest
