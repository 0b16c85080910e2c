"""The built-in ``_entry.html``'s ``meta`` and ``entry_item`` as Python (issue 11, branch
exp11l: ``sitemacros``): the same bytes as the template's macros for any summary, the
template's macro for any other call, and a user's ``_entry.html`` left alone. That the
exported files did not move is test_export_golden.py."""

from __future__ import annotations

import filecmp
from pathlib import Path
from typing import Any

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

import blogarchive
from blogarchive.export import site, sitemacros
from blogarchive.export.sitetext import Summary, When
from export_archive import written


def _macros() -> tuple[Any, Any, Any]:
    """The built-in template's macros, and its module with the Python ones installed."""
    module = site._environment(None).get_template("_entry.html").module
    meta, entry_item = module.meta, module.entry_item  # type: ignore[attr-defined]
    assert isinstance(meta, jinja2.runtime.Macro)
    sitemacros.install(module)
    return meta, entry_item, module


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12) | st.sampled_from(
    ["", "<b>&amp;</b>", "\"quoted\" 'single'", "a, b", "\x00", "é ∑ 😀"])
_OPTIONAL = st.none() | _TEXT
_SUMMARY = st.builds(
    Summary, id=_TEXT, kind=st.sampled_from(["post", "page"]), title=_TEXT, path=_TEXT,
    when=st.none() | st.builds(When, iso=_TEXT, text=_TEXT), year=st.none(), month=st.none(),
    author=_OPTIONAL, author_url=_OPTIONAL,
    labels=st.lists(st.tuples(_TEXT, _TEXT), max_size=4).map(tuple), excerpt=_TEXT)
_ROOT = st.sampled_from(["", "../", "../../", "\x00", "<&>"]) | st.builds(
    Markup, st.sampled_from(["", "../", "<i>safe</i>"]))


@settings(max_examples=300, deadline=None)
@given(summary=_SUMMARY, root=_ROOT)
def test_the_python_macros_give_the_templates_bytes(summary: Summary, root: str) -> None:
    meta, entry_item, module = _macros()
    for mine, theirs in ((module.meta, meta), (module.entry_item, entry_item)):
        got = mine(summary, root)
        assert type(got) is Markup and got == theirs(summary, root)


def test_the_pages_calls_take_the_python_path(monkeypatch: pytest.MonkeyPatch) -> None:
    meta, _entry_item, module = _macros()
    summary = Summary(id="p", kind="post", title="T", path="2020/01/t.html", when=None,
                      year=None, month=None, author="A", author_url=None,
                      labels=(("x", "labels/x.html"),), excerpt="words")
    called: list[str] = []
    invoke = jinja2.runtime.Macro.__call__

    def spy(self: jinja2.runtime.Macro, *args: Any, **kwargs: Any) -> Any:
        called.append(self.name)
        return invoke(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.runtime.Macro, "__call__", spy)
    module.meta(summary, "../")
    module.entry_item(summary, Markup(""))
    assert called == []
    meta(summary, "../")
    module.entry_item(summary, "", 3)  # not the pages' call: the template's macro
    assert called == ["meta", "entry_item", "meta"]  # the macro calls its own meta


@pytest.mark.parametrize("call", [
    lambda f, s: f(s, root="../"),  # keywords
    lambda f, s: f(entry=s, root=""),
    lambda f, s: f({"title": "<d>", "path": "p.html", "labels": [("l", "l.html")]}, "../"),
    lambda f, s: f({"title": "<d>", "path": "p.html", "labels": [], "when": None,
                    "author": "<a>", "author_url": "u", "excerpt": "e"}, "../"),
    lambda f, s: f(s, _Root("../")),  # a root of another type
])
def test_other_calls_go_to_the_template(call: Any) -> None:
    meta, entry_item, module = _macros()
    summary = Summary(id="p", kind="post", title="<T>", path="t.html", when=None, year=None,
                      month=None, author=None, author_url=None, labels=(), excerpt="")
    assert _outcome(call, module.meta, summary) == _outcome(call, meta, summary)
    assert _outcome(call, module.entry_item, summary) == _outcome(call, entry_item, summary)
    assert module.entry_item(summary, "", 3) == entry_item(summary, "", 3)
    assert "<h3>" in module.entry_item(summary, "", 3)


class _Root(str):
    pass


def _outcome(call: Any, macro: Any, summary: Summary) -> object:
    """What the call gives, or the error it raises (StrictUndefined: a dict lacking a field)."""
    try:
        return call(macro, summary)
    except jinja2.UndefinedError as err:
        return str(err)


def test_a_call_missing_its_root_fails_as_the_template_does() -> None:
    meta, _entry_item, module = _macros()
    summary = Summary(id="p", kind="post", title="T", path="t.html", when=None, year=None,
                      month=None, author=None, author_url=None,
                      labels=(("x", "labels/x.html"),), excerpt="")
    with pytest.raises(jinja2.UndefinedError) as theirs:
        meta(summary)
    with pytest.raises(jinja2.UndefinedError) as mine:
        module.meta(summary)
    assert str(mine.value) == str(theirs.value)


def _same_trees(one: Path, two: Path) -> None:
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file())
    assert len(files) > 20
    assert filecmp.cmpfiles(one, two, files, shallow=False)[1:] == ([], [])


@pytest.mark.parametrize("post_html", [None, '{% extends "base.html" %}'
                                       '{% from "_entry.html" import meta, entry_item %}'
                                       '{% block main %}{{ meta(entry=post, root=root) }}'
                                       '{{ meta(post, root) }}{{ entry_item(post, root, 4) }}'
                                       '{{ entry_item(post, root) }}{% endblock %}'])
def test_the_site_is_what_the_templates_macros_write(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, post_html: str | None) -> None:
    archive = written(tmp_path / "archive")
    templates = None
    if post_html is not None:  # a post.html of the user's, calling the built-in macros
        templates = tmp_path / "mine"
        templates.mkdir()
        (templates / "post.html").write_text(post_html)
    blogarchive.export(archive, tmp_path / "fast", templates=templates)
    monkeypatch.setattr(site, "install", lambda module: None)
    blogarchive.export(archive, tmp_path / "macros", templates=templates)
    _same_trees(tmp_path / "fast", tmp_path / "macros")


def test_a_users_entry_html_is_left_alone(tmp_path: Path) -> None:
    archive = written(tmp_path / "archive")
    templates = tmp_path / "mine"
    templates.mkdir()
    (templates / "_entry.html").write_text(
        (Path(site.__file__).parent / "templates/site/_entry.html").read_text()
        .replace('<p class="meta">', '<p class="meta mine">'))
    blogarchive.export(archive, tmp_path / "out", templates=templates)
    pages = [p.read_text() for p in (tmp_path / "out").rglob("*.html")]
    assert sum('<p class="meta mine">\n' in page for page in pages) > 5
    # the built-in meta's opening line (a comment's own meta line goes on after the tag)
    assert not any('<p class="meta">\n' in page for page in pages)
