"""Ids and counts that int() refuses are kept as text, not a traceback (exit 3)."""

from __future__ import annotations

import pytest

import blogarchive


@pytest.mark.parametrize("post_id, total", [("1", "\u00b2"), ("1", "7" * 5000), ("7" * 5000, "1")])
def test_ids_and_counts_int_refuses_are_kept_not_a_traceback(post_id: str, total: str) -> None:
    # Found while testing the JSON readers: int() refuses "²" (which str.isdigit() admits)
    # and 4,300 digits or more; the Atom readers gave both to int().
    atom = (f"<feed xmlns='http://www.w3.org/2005/Atom' xmlns:thr="
            f"'http://purl.org/syndication/thread/1.0'><id>tag:blogger.com,1999:blog-5</id>"
            f"<entry><id>tag:blogger.com,1999:blog-5.post-{post_id}</id>"
            f"<thr:total>{total}</thr:total></entry></feed>")
    (post,) = blogarchive.read(atom.encode()).posts
    assert post.id == post_id
    assert post.comment_count == (1 if total == "1" else None)
    assert any(total in x for x in post.extras) == (total != "1")
