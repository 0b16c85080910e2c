"""Where each page of the access copy lives in OUT, and the relative links between them.

Posts and pages keep their Blogger path (``2010/03/wells-running-dry.html``, ``p/about.html``)
when it is a plain one, so a reader who knows the blog's addresses finds them again; any
other post (a converter-made file, a path with odd characters, a second post claiming the
same path) gets ``posts/<id>.html``. Labels get an ASCII file name (with a short hash when the
name had to change to become one, so two labels never share a page). Every link is relative
and names a file (``index.html``, never a bare folder): file:// shows no folder index.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, MutableMapping
from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit

from ..model import Post

if TYPE_CHECKING:  # annotations only: the site's narrow records
    from ..narrow import SitePost

__all__ = ["PER_PAGE", "SitePaths", "home_page", "relative", "root_of"]

PER_PAGE: Final = 10  # posts per home page
# A Blogger path this copy can use as a file name as it is: ASCII, no dot segments.
_BLOGGER_PATH: Final = re.compile(r"/((?:\d{4}/\d{2}|p)/[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.html)")
# Top-level names the copy uses for itself: a post's path never takes them.
_RESERVED: Final = ("index.html", "search.html", "about.html", "search-index.js")
_UNSAFE_ID: Final = re.compile(r"[^A-Za-z0-9_-]")


def root_of(path: str) -> str:
    """The prefix leading from the page at ``path`` back to OUT (``""`` or ``../../``)."""
    return "../" * path.count("/")


def relative(from_path: str, to_path: str) -> str:
    """A link from the page at ``from_path`` to ``to_path`` (both relative to OUT)."""
    return root_of(from_path) + to_path


def home_page(number: int) -> str:
    """The file of home page ``number`` (1 is ``index.html``)."""
    return "index.html" if number == 1 else f"page-{number}.html"


def _blogger_path(post: Post | SitePost) -> str | None:
    # the URL split only when the path does not do: most posts carry their path, and
    # splitting every post's URL regardless was most of this function's time
    match = _BLOGGER_PATH.fullmatch(post.path or "")
    if match is None and post.url:
        match = _BLOGGER_PATH.fullmatch(urlsplit(post.url).path)
    return None if match is None else match[1]


def _label_name(label: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60]
    plain = re.fullmatch(r"[a-z0-9]+(?: [a-z0-9]+)*", label) is not None
    if plain and slug:
        return slug
    digest = hashlib.sha256(label.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{slug}-{digest}" if slug else digest


class SitePaths:
    """The file of every published post and page, label, year and month.

    Posts are given in the archive's order (``add``: the first to claim a Blogger path keeps
    it); ``posts`` (id -> file) and the files taken may be held outside memory (``store``,
    ``taken``: the export's spool) so that a large archive costs no memory here.
    """

    def __init__(self, posts: Iterable[Post] = (), labels: Iterable[str] = (), *,
                 store: MutableMapping[str, str] | None = None,
                 taken: MutableMapping[str, str] | None = None) -> None:
        self.posts: MutableMapping[str, str] = store if store is not None else {}
        self._taken: MutableMapping[str, str] = taken if taken is not None else {}
        for post in posts:
            self.add(post)
        self.labels: dict[str, str] = {}
        self.add_labels(labels)

    def _free(self, path: str) -> bool:
        return path not in _RESERVED and path not in self._taken

    def add(self, post: Post | SitePost) -> str:
        """The file of ``post``, the next published post or page in the archive's order."""
        path = _blogger_path(post)
        if path is None or not self._free(path):
            stem = _UNSAFE_ID.sub("_", post.id)[:80] or "post"
            path, n = f"posts/{stem}.html", 1
            while not self._free(path):
                n += 1
                path = f"posts/{stem}-{n}.html"
        self._taken[path] = post.id
        self.posts[post.id] = path
        return path

    def add_labels(self, labels: Iterable[str]) -> None:
        """The files of ``labels``, given sorted: of two that share a slug, the first in
        that order keeps it."""
        taken = {name.removeprefix("labels/").removesuffix(".html")
                 for name in self.labels.values()}
        for label in labels:
            name = stem = _label_name(label)
            n = 1
            while name in taken:  # "a b" and "a-b" both slug to a-b
                n += 1
                name = f"{stem}-{n}"
            taken.add(name)
            self.labels[label] = f"labels/{name}.html"

    @staticmethod
    def year(year: int) -> str:
        return f"archive/{year:04d}/index.html"

    @staticmethod
    def month(year: int, month: int) -> str:
        return f"archive/{year:04d}/{month:02d}.html"
