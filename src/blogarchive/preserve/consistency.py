"""``validate``'s references and derived data, checked as the records stream by.

Every comment's post and parent exist or are recorded as orphans, ids are unique, and the
label index, author list and counts in blog.json agree with the records. The records are
read one at a time (``iter_posts``, ``iter_comments``) and only their ids and kinds are kept
(and the posts' distinct authors): ``validate`` used to ``load`` the whole archive, every
body and analysis with it, so its memory grew with the archive's text (debt14; figures in
docs/performance.md). The label index, on either side, is kept as a digest of each label's
ids: blog.json's is 6.7 MB at 1 GB (293,264 ids), and both held as lists beside the records'
ids made the peak 26 MiB higher (112 MiB).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from hashlib import blake2b
from typing import Any, Protocol

from .._words import counted
from ..model import Archive, Comment, Post
from ..stats import Counts
from ..store import author_order

__all__ = ["Consistency", "author_problems"]


class _Report(Protocol):
    def add(self, file: str, reason: str, line: int | None = None) -> None: ...


class Consistency:
    """What the checks need of an archive, fed its posts, then its comments.

    Nothing is reported until both files were read whole: a record that cannot be loaded
    makes the archive unloadable, and then that is the only thing said about it (as when
    ``validate`` loaded it first)."""

    def __init__(self, head: Archive) -> None:
        """``head``: blog.json's Archive (``load_head``); not kept, its labels digested."""
        self.notes = head.notes
        self.counts = Counts()
        self.counts.labels = len(head.labels)
        self.counts.skipped = len(head.skipped)
        self.stored = {label.name: _digest(label.post_ids).digest() for label in head.labels}
        self.post_ids = Counter[str]()
        self.authors = Counter[tuple[str, str | None]]()  # (name, uri) -> posts written
        self.kinds: dict[str, str] = {}
        self.index: dict[str, blake2b] = {}  # label -> the digest of its posts' ids, in order
        self.comment_ids = Counter[str]()
        self.comment_problems: list[tuple[str, int]] = []
        self.parents: list[str] = []  # parent ids not among the comments read before them

    def read_posts(self, posts: Iterable[Post]) -> None:
        index = self.index
        for post in posts:
            self.post_ids[post.id] += 1
            self.kinds[post.id] = post.kind  # the last of a repeated id, as a dict of all
            self.counts.add_post(post)
            if post.author is not None:  # as store._authors counts them
                self.authors[post.author.name, post.author.uri] += 1
            for name in dict.fromkeys(post.labels):  # as assemble.label_index: once a post
                if name not in index:
                    index[name] = _digest(())
                _add(index[name], post.id)

    def read_comments(self, comments: Iterable[Comment]) -> None:
        """After ``read_posts``: a comment's post must be known when it is checked."""
        for line, c in enumerate(comments, 1):
            self.comment_ids[c.id] += 1
            self.counts.add_comment(c)
            kind = self.kinds.get(c.post_id or "")
            if kind is None and not c.orphan:
                problem = (f"comment {c.id}: its post {c.post_id} is not in the archive, and "
                           "it is not marked orphan")
            elif kind is not None and c.orphan:
                problem = f"comment {c.id}: marked orphan, but its post {c.post_id} is in the " \
                          "archive"
            elif kind is not None and c.post_kind != kind:
                problem = f"comment {c.id}: post_kind {c.post_kind!r}, but {c.post_id} is a {kind}"
            else:
                problem = ""
            if problem:
                self.comment_problems.append((problem, line))
            if c.parent_id and c.parent_id not in self.comment_ids:
                self.parents.append(c.parent_id)  # it may still come later in the file

    def check_references(self, posts_file: str, comments_file: str, report: _Report) -> None:
        for ident, n in self.post_ids.items():
            if n > 1:
                report.add(posts_file, f"post id {ident} appears {n} times")
        for ident, n in self.comment_ids.items():
            if n > 1:
                report.add(comments_file, f"comment id {ident} appears {n} times")
        for problem, line in self.comment_problems:
            report.add(comments_file, problem, line)
        lost_parents = sum(1 for parent in self.parents if parent not in self.comment_ids)
        if lost_parents:
            replies = counted(lost_parents, "reply", "replies")
            # Archives written by earlier versions spell the note "N repl(ies)".
            noted = any(n.startswith((f"{replies} ", f"{lost_parents} repl(ies) "))
                        and "whose parent comment is not in the sources" in n
                        for n in self.notes)
            if not noted:
                report.add(comments_file, f"{replies} name a parent comment that is not in "
                                          "the archive, and blog.json does not record it")

    def check_derived(self, stored_counts: Any, stored_authors: Any, blog_file: str,
                      report: _Report) -> None:
        """The label index, and ``counts`` and ``authors`` as blog.json stores them."""
        stored, found = self.stored, {name: d.digest() for name, d in self.index.items()}
        if stored != found:
            wrong = sorted(k for k in stored.keys() | found.keys()
                           if stored.get(k) != found.get(k))
            report.add(blog_file, "the label index does not match the posts' labels: "
                                  + ", ".join(repr(w) for w in wrong[:5]))
        if stored_counts != self.counts.as_dict():
            report.add(blog_file, "counts do not match the records (posts, comments, labels, "
                                  "skipped or analysis totals differ)")
        wrong = author_problems(stored_authors, self.authors)
        if wrong:
            report.add(blog_file, "the author list does not match the posts' authors: "
                                  + "; ".join(wrong[:5]) + ("; ..." if len(wrong) > 5 else ""))


def _digest(ids: Iterable[str]) -> blake2b:
    """A running digest of a label's post ids in order: equal digests, equal lists."""
    digest = blake2b(digest_size=32)
    for ident in ids:
        _add(digest, ident)
    return digest


def _add(digest: blake2b, ident: str) -> None:
    data = ident.encode("utf-8", "surrogatepass")
    digest.update(len(data).to_bytes(8, "big") + data)  # the length first: ids never run on


def author_problems(stored: Any, written: Counter[tuple[str, str | None]]) -> list[str]:
    """How blog.json's ``authors`` (``stored``) differs from what the writer makes of the
    posts (``store.author_list``): each distinct post author (name and uri; comments' authors
    are not in it) once, with the posts they wrote, in ``store.author_order``. An entry
    the schema refuses is the schema check's to report; none of them is compared here."""
    if not isinstance(stored, list) or not all(_entry(e) for e in stored):
        return []
    listed = Counter[tuple[str, str | None]]()
    wrong = []
    for entry in stored:
        key = (entry["name"], entry["uri"])
        listed[key] += 1
        if listed[key] == 2:
            wrong.append(f"{_who(key)} listed more than once")
        elif key not in written or entry["posts"] != written[key]:
            wrong.append(f"{_who(key)} listed with {entry['posts']} posts, wrote "
                         + (str(written[key]) if key in written else "none"))
    wrong += [f"{_who(key)} wrote {written[key]} posts, not listed"
              for key in sorted(written, key=author_order) if key not in listed]
    keys = [(e["name"], e["uri"]) for e in stored]
    if not wrong and keys != sorted(keys, key=author_order):
        wrong.append("not in order of name, then uri")
    return wrong


def _entry(entry: Any) -> bool:
    return (isinstance(entry, dict) and isinstance(entry.get("name"), str)
            and "uri" in entry and isinstance(entry["uri"], (str, type(None)))
            and type(entry.get("posts")) is int)


def _who(key: tuple[str, str | None]) -> str:
    name, uri = key
    return f"{name!r}" + (f" ({uri})" if uri else "")
