"""The site's pages rendered with less of Jinja2's per-page work, and created a batch at a
time (issue 11, branch exp11i): the same bytes as a stock Jinja2 environment gives, for the
built-in templates and for templates of the user's, and as each page written on its own.
That the exported files did not move is test_export_golden.py."""

from __future__ import annotations

import filecmp
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import blogarchive
from blogarchive.export import site, sitefiles
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


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=60, deadline=None)
@given(pages=st.lists(st.lists(_TEXT, max_size=12), max_size=9),
       batch=st.integers(1, 4), kept=st.integers(1, 60), total=st.integers(1, 200))
def test_pages_created_in_batches_are_the_pages_written_one_by_one(
        tmp_path_factory: pytest.TempPathFactory, pages: list[list[str]], batch: int, kept: int,
        total: int) -> None:
    folder = tmp_path_factory.mktemp("pages")
    files = sitefiles.PageFiles()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sitefiles, "BATCH_FILES", batch)
        patch.setattr(sitefiles, "KEPT_BYTES", kept)
        patch.setattr(sitefiles, "BATCH_BYTES", total)
        for n, pieces in enumerate(pages):
            files.write(str(folder / f"{n}.html"), iter(pieces))
        files.flush()
    for n, pieces in enumerate(pages):
        one = folder / f"one-{n}.html"
        sitefiles.write_page(str(one), iter(pieces))
        assert (folder / f"{n}.html").read_bytes() == one.read_bytes()
    assert len(list(folder.iterdir())) == 2 * len(pages)


def test_a_short_page_waits_for_its_batch_and_a_long_one_is_written_as_rendered(
        tmp_path: Path) -> None:
    files = sitefiles.PageFiles()
    short = tmp_path / "short.html"
    files.write(str(short), iter(["<p>short</p>\n"]))
    assert not short.exists()  # kept for its batch
    long = tmp_path / "long.html"
    seen: list[int] = []

    def rendered() -> Iterator[str]:
        for n in range(20_000):
            if n == 19_999:  # before the last piece, most of the page is on disk already
                seen.append(long.stat().st_size)
            yield f"<li>entry {n}</li>\n"

    files.write(str(long), rendered())
    assert short.exists()  # the batch went first: files are created in the order given
    assert seen[0] > sitefiles.KEPT_BYTES
    files.flush()
    assert long.read_text() == "".join(f"<li>entry {n}</li>\n" for n in range(20_000))


def test_a_template_error_leaves_the_pages_rendered_before_it_on_disk(tmp_path: Path) -> None:
    from blogarchive.errors import InvalidArgument

    archive = written(tmp_path / "archive")
    templates = tmp_path / "mine"
    templates.mkdir()
    # home.html is written once every post page is rendered (a batch of them still pending)
    (templates / "home.html").write_text('{% extends "base.html" %}'
                                         '{% block main %}{{ no_such_thing() }}{% endblock %}')
    with pytest.raises(InvalidArgument, match=r"home\.html.*template error while writing"):
        blogarchive.export(archive, tmp_path / "out", templates=templates)
    written_pages = list((tmp_path / "out").rglob("*.html"))
    assert written_pages and not (tmp_path / "out/index.html").exists()
    assert all(p.stat().st_size > 0 for p in written_pages)
