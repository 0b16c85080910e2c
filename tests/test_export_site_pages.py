"""The site's pages rendered with less of Jinja2's per-page work (issue 11, branch exp11i):
the same bytes as a stock Jinja2 environment gives, for the built-in templates and for
templates of the user's. That the exported files did not move is test_export_golden.py."""

from __future__ import annotations

import filecmp
from pathlib import Path

import jinja2
import pytest

import blogarchive
from blogarchive.export import site
from export_archive import written

_ENVIRONMENT = site._environment


def _stock(templates: Path | None) -> jinja2.Environment:
    """The environment as it was before ``site._Environment``: Jinja2's own class."""
    loader = _ENVIRONMENT(templates).loader
    env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             auto_reload=False)
    env.template_class = site._Template
    return env


def _same_trees(one: Path, two: Path) -> None:
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file())
    assert len(files) > 20
    _same, mismatch, errors = filecmp.cmpfiles(one, two, files, shallow=False)
    assert (mismatch, errors) == ([], [])


@pytest.mark.parametrize("mine", [False, True])
def test_the_site_is_what_a_stock_environment_writes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mine: bool) -> None:
    archive = written(tmp_path / "archive")
    templates = None
    if mine:  # templates of the user's: an import with context, globals, a set at the top
        templates = tmp_path / "mine"
        templates.mkdir()
        (templates / "_entry.html").write_text(
            (Path(site.__file__).parent / "templates/site/_entry.html").read_text()
            + '{% set shown = namespace(n=0) %}'
            '{% macro extra() %}{{ range(3) | join(",") }}{% endmacro %}\n')
        (templates / "labels.html").write_text(
            '{% extends "base.html" %}{% import "_entry.html" as e with context %}'
            '{% block main %}{{ e.extra() }}{% set c = cycler("a", "b") %}'
            '{% for name, p, n in labels %}{{ c.next() }}{{ name }}{{ lang }}{% endfor %}'
            '{% endblock %}')
    blogarchive.export(archive, tmp_path / "fast", templates=templates)
    monkeypatch.setattr(site, "_environment", _stock)
    blogarchive.export(archive, tmp_path / "stock", templates=templates)
    _same_trees(tmp_path / "fast", tmp_path / "stock")
    if mine:
        assert "0,1,2" in (tmp_path / "fast/labels/index.html").read_text()


def test_the_environment_hands_back_each_template_it_loaded(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text('{% extends "base.html" %}')
    env = site._environment(tmp_path)
    page = env.get_template("page.html")
    assert env.get_template("page.html") is page
    assert env.get_template("base.html", "page.html") is env.get_template("base.html")
    assert env.get_template(page) is page
    for _ in range(2):  # a missing one is not remembered as anything
        with pytest.raises(jinja2.TemplateNotFound):
            env.get_template("missing.html")


def test_template_globals_are_the_environments_and_their_own(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text("{{ shared }} {{ own }} {{ range(2) | list }}")
    env = site._environment(tmp_path)
    env.globals["shared"] = "S"
    template = env.get_template("a.html", globals={"own": "O"})
    assert template.render() == "S O [0, 1]"
    # a template's own globals stay its own: the environment's are not changed
    assert "own" not in env.globals
    assert env.get_template("a.html", globals={"own": "P"}).render() == "S P [0, 1]"
