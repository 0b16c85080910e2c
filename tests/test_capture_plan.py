"""blogarchive capture: which URLs it plans, the option parsers, --dry-run (no fetching)."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

import blogarchive
from blogarchive.capture import parse_rewrite, parse_size
from blogarchive.capture.plan import make_plan
from blogarchive.cli import main
from capture_server import (  # noqa: F401 (dest_fixture, server_fixture: used by name)
    BLOG,
    LIGHTBOX,
    PHOTO,
    PIC,
    Server,
    dest_fixture,
    rewrites,
    server_fixture,
    tree,
)
from conftest import EXAMPLE

# -- the plan ----------------------------------------------------------------------------------


def test_plan_blogger_scope_original_size_first_and_lightbox() -> None:
    plan = make_plan(blogarchive.read(BLOG))
    by_url = {t.url: t for t in plan.targets}
    assert len(plan.targets) == 11
    assert by_url[PHOTO].candidates == ("https://1.bp.blogspot.com/-abc/AAA/s0/photo.jpg", PHOTO)
    assert by_url[PHOTO].posts == ("1001", "1002")  # one target per URL, every post named
    assert by_url[LIGHTBOX].kind == "lightbox"
    assert by_url[PIC].candidates == (PIC,)  # no size segment: the URL is the original
    assert "https://example.org/outside.png" not in by_url
    assert (plan.out_of_scope, plan.not_web, plan.unanalysed) == (1, 1, 0)


def test_plan_scope_include_exclude_and_rewrite() -> None:
    archive = blogarchive.read(BLOG)
    everything = make_plan(archive, scope="all")
    assert "https://example.org/outside.png" in {t.url for t in everything.targets}
    assert everything.out_of_scope == 0
    included = make_plan(archive, include=["*.org"], exclude=["lh?.*", "*.bp.blogspot.com"])
    assert sorted(t.host for t in included.targets) == [
        "blogger.googleusercontent.com", "example.org"]
    rewritten = make_plan(archive, rewrites=[parse_rewrite("https://1.bp.blogspot.com/=http://m/")])
    by_url = {t.url: t for t in rewritten.targets}
    assert by_url[PHOTO].candidates == ("http://m/-abc/AAA/s0/photo.jpg",
                                        "http://m/-abc/AAA/s320/photo.jpg")
    assert by_url[PIC].candidates == (PIC,)  # other prefixes untouched


def test_plan_avatars_of_post_and_comment_authors(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = blogarchive.read(EXAMPLE)
    assert not [t for t in make_plan(archive).targets if t.kind == "avatar"]
    plan = make_plan(archive, avatars=True)
    avatars = {t.url: t for t in plan.targets if t.kind == "avatar"}
    rounded, blank = ("https://img1.blogblog.com/img/b16-rounded.gif",
                      "https://img1.blogblog.com/img/blank.gif")
    assert set(avatars) == {rounded, blank}
    commented = {c.post_id for c in archive.comments
                 if c.author is not None and c.author.image == blank}
    assert set(avatars[blank].posts) == commented  # a commenter's avatar names the post
    first = archive.posts[0]
    assert first.author is not None
    relative = attrs.evolve(first, author=attrs.evolve(
        first.author, image="//lh5.googleusercontent.com/-me/s96/me.png"))
    changed = attrs.evolve(archive, posts=(relative, *archive.posts[1:]))
    urls = {t.url for t in make_plan(changed, avatars=True).targets if t.kind == "avatar"}
    assert "https://lh5.googleusercontent.com/-me/s96/me.png" in urls  # made absolute
    blogarchive.convert(EXAMPLE, tmp_path / "example")
    assert main(["capture", str(tmp_path / "example"), "--dry-run", "--avatars"]) == 0
    assert "would fetch 4 URL(s)" in capsys.readouterr().out


def test_option_parsers_reject_bad_values() -> None:
    assert parse_size("500K") == 500 * 1024 and parse_size("2g") == 2 << 30
    assert parse_size("123") == 123
    for bad in ("", "M", "1.5M", "0", "12X"):
        with pytest.raises(ValueError, match="--max-size"):
            parse_size(bad)
    for bad in ("no-equals", "=x", "x="):
        with pytest.raises(ValueError, match="--rewrite"):
            parse_rewrite(bad)


def test_dry_run_counts_per_host_and_fetches_nothing(
        dest: Path, server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    before = tree(dest)
    args = ["capture", str(dest), "--dry-run"] + [f"--rewrite={r}" for r in rewrites(server)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "would fetch 11 URL(s) from 10 host(s)" in out
    assert "     2  1.bp.blogspot.com" in out
    assert "left out: 1 out of scope, 1 not http(s)" in out
    assert server.requests == []
    assert tree(dest) == before
