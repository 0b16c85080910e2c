"""Post-body analysis on fixtures written for every variant (HTML.md sections 6 and 7).

Each ``tests/fixtures/analysis/<name>.html`` has a ``<name>.json`` with the full expected
analysis (reviewed by hand when written; ``BLOGARCHIVE_REGEN=1`` rewrites them after a
deliberate change). The tests below the pair runner state the important facts explicitly, so a
careless regeneration cannot hide a regression.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import cattrs
import pytest

import blogarchive
from blogarchive.analysis import BodyAnalysis, UrlMap, analyse
from blogarchive.analysis.dates import find_date
from blogarchive.analysis.linklists import is_intro
from blogarchive.analysis.urls import fold_host, original_image, path_kind
from conftest import EXAMPLE, FIXTURES

CASES = FIXTURES / "analysis"
HOME = "https://example-blog.blogspot.com/"
BASE = HOME + "2010/09/water-report.html"
URLS = UrlMap.build(
    [
        (HOME + "2010/03/wells-running-dry.html", "111"),
        (HOME + "2009/11/who-counts-the-water.html", "222"),
        (HOME + "p/about.html", "333"),
    ],
    HOME,
)
converter = cattrs.Converter()


def run(name: str) -> BodyAnalysis:
    return analyse((CASES / f"{name}.html").read_text(encoding="utf-8"), BASE, URLS)


@pytest.mark.parametrize("case", sorted(p.stem for p in CASES.glob("*.html")))
def test_fixture_pair(case: str) -> None:
    got = converter.unstructure(run(case))
    expected_path = CASES / f"{case}.json"
    if os.environ.get("BLOGARCHIVE_REGEN"):
        expected_path.write_text(
            json.dumps(got, indent=1, ensure_ascii=False, sort_keys=True) + "\n",
            encoding="utf-8",
        )
    assert got == json.loads(expected_path.read_text(encoding="utf-8"))


# -- quotes --------------------------------------------------------------------------------


def test_blockquote_kinds_and_nesting() -> None:
    quotes = run("quotes-blockquotes").quotes
    assert [q.kind for q in quotes] == [
        "blockquote", "blockquote-cite", "editor-quote", "indent", "indent", "blockquote",
        "indent", "blockquote", "blockquote",
    ]
    cited = quotes[1]
    assert cited.cite == "https://example.org/district/summary.html"
    assert cited.paragraphs == 2
    # The nested blockquote is inside the outer one's text, not a second quote.
    assert quotes[5].text == "Outer words. Inner words, quoted once only."
    assert all("Inner words" not in q.text for q in quotes if q is not quotes[5])
    # Empty and image-only blockquotes, and image anchors with margins, are not quotes.
    assert not any(q.text == "" for q in quotes)
    assert not any("y.jpg" in q.html for q in quotes)
    assert quotes[7].attribution == "Leonardo da Vinci"
    assert quotes[8].attribution == "Thomas Fuller"


def test_quote_mark_paragraphs() -> None:
    quotes = run("quotes-paragraphs").quotes
    assert all(q.kind == "quote-mark-paragraph" for q in quotes)
    run3 = quotes[0]
    assert run3.paragraphs == 3  # each opens with a mark, only the last closes
    assert run3.text.startswith('"Extraction') and run3.text.endswith('metering."')
    assert quotes[1].text == "\u201cA lone quotation in curly marks, closed at the end.\u201d"
    assert quotes[1].attribution == "A. Hydrologist"
    texts = " ".join(q.text for q in quotes)
    assert "Scare quotes" not in texts  # closes early, then prose follows
    assert "she said" not in texts  # dialogue with narration is not a quotation
    assert any(q.text.startswith("\u00ab") for q in quotes)  # French guillemets
    german = next(q for q in quotes if q.text.startswith("\u201e"))
    assert german.attribution == "Landesamt"
    # Paragraphs made of <br><br>-separated lines, the commonest Blogger body shape.
    lines = quotes[-1]
    assert lines.paragraphs == 2
    assert lines.text.startswith('"First quoted line of a passage that carries on here.')
    assert "ordinary prose" not in lines.text


# -- link lists ----------------------------------------------------------------------------


def test_seed_shape_list() -> None:
    (found,) = run("list-seed").link_lists
    assert found.intro == "Earlier Field Notes posts on the topic include:"
    assert found.form == "ul"
    first, second, gone = found.items
    assert (first.title, first.date, first.date_text) == (
        "Wells running dry", "2010-03-02", "March 2, 2010"
    )
    assert first.excerpt == "The first of the monitoring wells went dry in late August..."
    assert first.post_id == "111" and first.same_blog
    # A .co.uk mirror, http and ?m=1 still resolve to the archived post.
    assert second.post_id == "222" and second.same_blog
    assert gone.same_blog and gone.post_id is None and gone.date == "2008-06-06"


def test_intro_in_a_preceding_blockquote_and_nested_lists() -> None:
    analysis = run("list-nested-seealso")
    (found,) = analysis.link_lists
    assert found.intro == "see also:"
    assert [i.date for i in found.items] == ["2007-11-23", "2007-11-19", "2007-08-24"]
    assert [i.same_blog for i in found.items] == [True, True, False]
    # The blockquote holding only the intro is layout, not a quotation.
    assert analysis.quotes == ()


def test_br_lines_and_paragraph_runs() -> None:
    (lines,) = run("list-br-lines").link_lists
    assert lines.form == "lines"
    assert [i.post_id for i in lines.items] == ["111", "222"]
    assert lines.items[0].date == "2010-03-02"
    assert (lines.items[1].date, lines.items[1].date_source) == ("2009-11", "url")
    (paras,) = run("list-paragraphs").link_lists
    assert paras.form == "paragraphs"
    assert [i.title for i in paras.items] == ["Part 1", "Part 2"]


@pytest.mark.parametrize(
    ("case", "intro", "date", "excerpt_start"),
    [
        ("list-french", "Billets précédents sur le sujet :", "2010-03-02", "Le premier"),
        ("list-german", "Frühere Beiträge zum Thema:", "2010-03-02", "Der erste"),
        ("list-spanish", "Entradas anteriores sobre el tema:", "2009-11-14", "Nadie"),
        ("list-portuguese", "Posts anteriores sobre o tema:", "2009-11-14", "Ninguém"),
    ],
)
def test_lists_in_other_languages(case: str, intro: str, date: str, excerpt_start: str) -> None:
    (found,) = run(case).link_lists
    assert found.intro == intro
    (item,) = found.items
    assert item.date == date and item.date_source == "text"
    assert item.excerpt is not None and item.excerpt.startswith(excerpt_start)
    assert item.post_id in ("111", "222")  # .fr/.de/.com.es/.com.br hosts fold to .com


def test_template_widgets_are_not_author_lists() -> None:
    analysis = run("widgets")
    assert analysis.link_lists == ()
    assert "linkwithin_text" not in analysis.text  # scripts are not text


# -- links and media -----------------------------------------------------------------------


def test_links_resolve_and_broken_ones_are_flagged() -> None:
    links = run("links-media").links
    by_text = {link.text: link for link in links}
    assert by_text["my post"].post_id == "111"
    assert by_text["same on a mirror"].post_id == "222"
    assert by_text["a comment"].post_id == "111"  # relative, ?showComment and #c dropped
    assert (by_text["the about page"].kind, by_text["the about page"].post_id) == ("page", "333")
    assert by_text["all well posts"].kind == "label" and not by_text["all well posts"].broken
    assert by_text["a missing post"].broken
    assert not by_text["the report"].internal and by_text["the report"].kind is None
    assert not by_text["mail"].internal
    assert sum(link.broken for link in links) == 1
    assert [link.image for link in links].count(True) == 1


def test_media_inventory_and_original_sizes() -> None:
    media = run("links-media").media
    assert [m.kind for m in media] == [
        "image", "image", "image", "image", "video", "video", "iframe", "video",
    ]
    lightbox = media[0]
    assert lightbox.original == "https://1.bp.blogspot.com/-AbC/XyZ/AAAAAAAAAAA/dEf/s0/well.jpg"
    assert (lightbox.width, lightbox.height, lightbox.alt) == ("320", "240", "A dry well")
    assert lightbox.link is not None and lightbox.link.endswith("/s1600/well.jpg")
    assert media[1].original is not None and media[1].original.endswith("/s0/meter.png")
    assert media[2].original == "https://blogger.googleusercontent.com/img/a/AVvXsEgX=s0"
    assert media[3].original is None  # not on Blogger's servers
    assert media[4].url.startswith("https://www.blogger.com/video.g")
    assert media[7].url == "http://www.youtube.com/v/xyz"  # the <object>, counted once


def test_plain_text() -> None:
    text = analyse("<p>One&nbsp;two</p><p>three<br>four</p><script>x=1</script><!-- c -->"
                   "<style>p{}</style>five").text
    assert text == "One two three four five"
    assert analyse("a < b & c", content_type="text").text == "a < b & c"


# -- through read(), write() and load() ----------------------------------------------------


def test_read_analyses_every_post_and_the_archive_answers_backlinks(tmp_path: Path) -> None:
    archive = blogarchive.read(EXAMPLE)
    assert all(p.analysis is not None for p in archive.posts)
    seed = next(p for p in archive.posts if p.analysis and p.analysis.link_lists)
    (found,) = seed.analysis.link_lists  # type: ignore[union-attr]
    targets = [i.post_id for i in found.items]
    assert all(targets)
    for target in targets:
        assert target is not None
        assert [p.id for p in archive.backlinks(target)] == [seed.id]
    assert list(archive.broken_links()) == []
    assert blogarchive.load(blogarchive.write(archive, tmp_path / "a")) == archive


def test_read_without_analysis() -> None:
    archive = blogarchive.read(EXAMPLE, analyse=False)
    assert all(p.analysis is None for p in archive.posts)
    assert blogarchive.analyse_archive(archive) == blogarchive.read(EXAMPLE)


# -- the small rules, one by one -----------------------------------------------------------


@pytest.mark.parametrize("intro", [
    "Earlier Library Boy posts on the topic include:", "Previous posts:", "Related posts",
    "See also:", "More on this:", "Past posts on water:", "Other posts in this series:",
    "Further reading:", "Voir aussi :", "Articles connexes :", "Siehe auch:",
    "Mehr zum Thema: ältere Beiträge:", "Véase también:", "Artículos previos:",
    "Veja também:", "Leia também:", "Vedi anche:", "Zie ook:",
])
def test_intro_wordings(intro: str) -> None:
    assert is_intro(intro)


@pytest.mark.parametrize("text", [
    "Prior to v201509 there were four different types:",  # "prior to" is not "prior posts"
    "The unrelated matter of the meters:",  # a keyword inside a word
    "This paragraph is long and mentions earlier work, but it goes on and on well past the "
    "length of any heading and then past two hundred characters, which no intro line ever "
    "needs, before it finally ends with a colon:",
    "Meters are due next spring.",
])
def test_not_intros(text: str) -> None:
    assert not is_intro(text)


def test_a_keyword_before_a_list_of_documentation_links_is_not_a_post_list() -> None:
    body = ("<p>Prior versions had four types of lists:</p><ul>"
            '<li><a href="https://developers.example.com/a">BasicUserList</a>: remarketing</li>'
            '<li><a href="https://developers.example.com/b">LogicalUserList</a>: combined</li>'
            "</ul>")
    assert analyse(body, BASE, URLS).link_lists == ()


@pytest.mark.parametrize(("text", "iso"), [
    ("(June 6, 2008):", "2008-06-06"), ("6 June 2008", "2008-06-06"),
    ("Sept. 3rd, 2009", "2009-09-03"), ("2007-11-23", "2007-11-23"),
    ("le 1er février 2011", "2011-02-01"), ("am 3. März 2012", "2012-03-03"),
    ("14 de noviembre de 2009", "2009-11-14"), ("14 de novembro de 2009", "2009-11-14"),
    ("March 2010", "2010-03"), ("no date here", None),
    ("30 February 2010", "2010-02"),  # an impossible day: the month is still worth having
])
def test_dates_as_written(text: str, iso: str | None) -> None:
    found = find_date(text)
    assert (found[0] if found else None) == iso


@pytest.mark.parametrize(("host", "folded"), [
    ("Name.blogspot.co.uk", "name.blogspot.com"), ("name.blogspot.com.br", "name.blogspot.com"),
    ("name.blogspot.fr", "name.blogspot.com"), ("www.example.org", "example.org"),
    ("my.name.blogspot.de", "my.name.blogspot.com"),
    ("blogspot.example.com", "blogspot.example.com"),
])
def test_host_folding(host: str, folded: str) -> None:
    assert fold_host(host) == folded


@pytest.mark.parametrize(("url", "original"), [
    ("https://1.bp.blogspot.com/-a/B/C/d/s1600/x.jpg",
     "https://1.bp.blogspot.com/-a/B/C/d/s0/x.jpg"),
    ("http://2.bp.blogspot.com/_x/S4/AAAA/s1600-h/x.jpg",
     "http://2.bp.blogspot.com/_x/S4/AAAA/s0/x.jpg"),
    ("https://1.bp.blogspot.com/-a/B/C/d/s72-c/x.jpg",
     "https://1.bp.blogspot.com/-a/B/C/d/s0/x.jpg"),
    ("https://blogger.googleusercontent.com/img/b/R/AV/w640-h400-rw/x.png",
     "https://blogger.googleusercontent.com/img/b/R/AV/s0/x.png"),
    ("https://blogger.googleusercontent.com/img/a/AVvX=w640-h400-p-k-no-nu",
     "https://blogger.googleusercontent.com/img/a/AVvX=s0"),
    ("https://lh3.googleusercontent.com/abc=s1600", "https://lh3.googleusercontent.com/abc=s0"),
    ("https://example.org/s1600/x.jpg", None),
])
def test_original_image_sizes(url: str, original: str | None) -> None:
    assert original_image(url) == original


@pytest.mark.parametrize(("path", "kind"), [
    ("/", "home"), ("/2010/03/wells.html", "post"), ("/p/about.html", "page"),
    ("/search/label/wells", "label"), ("/search?q=x", "search"), ("/2010/03/", "archive"),
    ("/2010_03_01_archive.html", "archive"), ("/feeds/posts/default", "feed"),
    ("/BlunderDome/clueless/2007/11/vc-novice.asp", "post"), ("/favicon.ico", "other"),
])
def test_path_kinds(path: str, kind: str) -> None:
    assert path_kind(path) == kind
