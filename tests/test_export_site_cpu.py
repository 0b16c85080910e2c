"""The site export's CPU (issue 11, branch exp11e): what it does faster must give the same
bytes as what it replaced. That the exported files did not move is test_export_golden.py;
these check each faster path against the slower one it stands for."""

from __future__ import annotations

from pathlib import Path

import jinja2
import markupsafe
import pytest
from markupsafe import Markup

from blogarchive.export import site


class _Html:
    def __html__(self) -> str:
        return "<b>already safe</b>"


class _Text(str):
    pass


@pytest.mark.parametrize("value", [
    "", "plain", "<a href=\"x\">Tom & Jerry's</a>", "\ud800 lone surrogate", "é ∑ 😀",
    Markup("<i>safe</i>"), Markup(""), _Text("<sub>class</sub>"), _Html(), 0, 12, 3.5, None,
    True, ["<list>"],
])
def test_escape_gives_what_markupsafe_gives(value: object) -> None:
    mine = site.escape(value)
    theirs = markupsafe.escape(value)
    assert type(mine) is Markup and mine == theirs


def test_the_templates_escape_through_it(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text("{{ value }}|{{ safe }}|{{ number }}")
    env = site._environment(tmp_path)
    template = env.get_template("page.html")
    assert template.root_render_func.__globals__["escape"] is site.escape
    assert template.render(value="<&>\"'", safe=Markup("<b>"), number=7) == \
        "&lt;&amp;&gt;&#34;&#39;|<b>|7"
    # a template compiled from a string is made by the same class
    assert env.from_string("{{ v }}").root_render_func.__globals__["escape"] is site.escape
    assert isinstance(template, jinja2.Template)


@pytest.mark.parametrize("pieces", [
    [], [""], ["one piece\n"], ["é", "∑\n", "😀", "x" * 100_000],
    [f"<p>{n}</p>\n" for n in range(10_000)],  # more pieces than one join takes
])
def test_a_page_is_written_as_a_text_file_would_be(tmp_path: Path, pieces: list[str]) -> None:
    mine, theirs = tmp_path / "mine.html", tmp_path / "theirs.html"
    theirs.write_text("stale content, longer than some pages " * 100)
    mine.write_text("stale content, longer than some pages " * 100)  # truncated, as "w" does
    site._write_page(str(mine), iter(pieces))
    with theirs.open("w", encoding="utf-8") as stream:
        stream.write("".join(pieces))
    assert mine.read_bytes() == theirs.read_bytes()


def test_a_page_that_cannot_be_encoded_fails_as_before(tmp_path: Path) -> None:
    with pytest.raises(UnicodeEncodeError):
        site._write_page(str(tmp_path / "page.html"), iter(["a", "\udc80"]))
