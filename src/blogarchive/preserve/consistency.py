"""``validate``'s references and derived data, checked as the records stream by.

Every comment's post and parent exist or are recorded as orphans, ids are unique, and the
label index and counts in blog.json agree with the records. The records are read one at a
time (``iter_posts``, ``iter_comments``) and only their ids, kinds and labels are kept:
``validate`` used to ``load`` the whole archive, every body and analysis with it, so its
memory grew with the archive's text (debt14; figures in docs/performance.md).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from .._words import counted
from ..assemble import label_index
from ..model import Archive, Comment, Post
from ..stats import Counts

__all__ = ["Consistency"]


class _Report(Protocol):
    def add(self, file: str, reason: str, line: int | None = None) -> None: ...


class Consistency:
    """What the checks need of an archive, fed its posts, then its comments.

    Nothing is reported until both files were read whole: a record that cannot be loaded
    makes the archive unloadable, and then that is the only thing said about it (as when
    ``validate`` loaded it first)."""

    def __init__(self, head: Archive) -> None:
        self.head = head  # blog.json's Archive: no posts or comments, the labels as stored
        self.counts = Counts()
        self.post_ids = Counter[str]()
        self.kinds: dict[str, str] = {}
        self.index: dict[str, list[str]] = {}
        self.comment_ids = Counter[str]()
        self.comment_problems: list[tuple[str, int]] = []
        self.parents: list[str] = []  # parent ids not among the comments read before them

    def read_posts(self, posts: Iterable[Post]) -> None:
        self.index = label_index(self._seen(posts))

    def _seen(self, posts: Iterable[Post]) -> Iterator[Post]:
        for post in posts:
            self.post_ids[post.id] += 1
            self.kinds[post.id] = post.kind  # the last of a repeated id, as a dict of all
            self.counts.add_post(post)
            yield post

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
                        for n in self.head.notes)
            if not noted:
                report.add(comments_file, f"{replies} name a parent comment that is not in "
                                          "the archive, and blog.json does not record it")

    def check_derived(self, stored_counts: Any, blog_file: str, report: _Report) -> None:
        """The label index and ``counts`` as blog.json stores them (``stored_counts``)."""
        stored = {label.name: list(label.post_ids) for label in self.head.labels}
        if stored != self.index:
            wrong = sorted(k for k in stored.keys() | self.index.keys()
                           if stored.get(k) != self.index.get(k))
            report.add(blog_file, "the label index does not match the posts' labels: "
                                  + ", ".join(repr(w) for w in wrong[:5]))
        self.counts.labels = len(self.head.labels)
        self.counts.skipped = len(self.head.skipped)
        if stored_counts != self.counts.as_dict():
            report.add(blog_file, "counts do not match the records (posts, comments, labels, "
                                  "skipped or analysis totals differ)")
