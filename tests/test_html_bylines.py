"""Classic pages as people made them (issue 14): every byline wording and separator, every
timestamp format Blogger's settings offered (and its translations), commenters with and without
a profile, and the post's own label list; each combination published from a classic template
(tests/classic_render.py) and read back.

The skeletons in tests/fixtures/html/templates/ are written here, modelled on Minima and on
hand-made templates; the real classic templates of the optional corpus are rendered in place
when it is present.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

import blogarchive
from blogarchive.readers.html.timestamps import read_stamp
from classic_render import HOST, ClassicComment, ClassicPost, render
from conftest import CORPUS, FIXTURES

SKELETONS = FIXTURES / "html" / "templates"
POST_ID = "117311111111111111"
PERMALINK = f"{HOST}/2007/03/the-spring-survey.html"
WRITTEN = datetime(2007, 3, 5, 14, 7, 9)  # Monday, March 5, 2007, 2:07:09 PM, local time
HEADER = "Monday, March 05, 2007"
LABELS = ("zebra mussels", "aquifers", "Ñandú")  # the list's own order, not alphabetical

# <$BlogItemDateTime$> in each format Blogger's settings offered, and what it says: the whole
# moment, or the day alone (precision "date"), or the time alone (the date header's day).
FORMATS: dict[str, tuple[str, str]] = {
    "M/d/yyyy h:mm:ss a": ("3/05/2007 02:07:09 PM", "moment"),
    "M/d/yyyy hh:mm a": ("3/5/2007 02:07 PM", "minute"),
    "M/d/yy h:mm a": ("3/5/07 2:07 PM", "minute"),
    "M/d/yyyy": ("3/5/2007", "day"),
    "dd/MM/yyyy": ("05/03/2007", "day"),
    "dd.MM.yy": ("05.03.07", "day"),
    "dd.MM.yyyy HH:mm": ("05.03.2007 14:07", "minute"),
    "yyyy-MM-dd": ("2007-03-05", "day"),
    "yyyy-MM-dd HH:mm:ss": ("2007-03-05 14:07:09", "moment"),
    "EEEE, MMMM d, yyyy": ("Monday, March 5, 2007", "day"),
    "EEEE, MMMM dd, yyyy": ("Monday, March 05, 2007", "day"),
    "MMMM d, yyyy": ("March 5, 2007", "day"),
    "d MMMM yyyy": ("5 March 2007", "day"),
    "d MMMM, yyyy HH:mm": ("5 March, 2007 14:07", "minute"),
    "h:mm a": ("2:07 PM", "time"),
    "h:mm:ss a": ("2:07:09 PM", "time"),
    "hh:mm a lower": ("02:07 pm", "time"),
    "HH:mm": ("14:07", "time"),
    "HH:mm:ss": ("14:07:09", "time"),
    "de: EEEE, d. MMMM yyyy": ("Montag, 5. März 2007", "day"),
    "de: d. MMMM yyyy HH:mm": ("5. März 2007 14:07", "minute"),
    "fr: EEEE d MMMM yyyy": ("lundi 5 mars 2007", "day"),
    "fr: d MMMM yyyy à HH:mm": ("5 mars 2007 à 14:07", "minute"),
    "es: EEEE, d 'de' MMMM 'de' yyyy": ("lunes, 5 de marzo de 2007", "day"),
    "es: d/MM/yyyy H:mm": ("5/03/2007 14:07", "minute"),
    "pt: EEEE, d 'de' MMMM 'de' yyyy": ("segunda-feira, 5 de março de 2007", "day"),
    "pt: d 'de' MMMM 'de' yyyy HH:mm": ("5 de março de 2007 14:07", "minute"),
    "it: EEEE d MMMM yyyy": ("lunedì 5 marzo 2007", "day"),
    "nl: d MMMM yyyy": ("5 maart 2007", "day"),
}

# The byline as templates worded it around <$BlogItemAuthor$>, <$BlogItemPermalinkUrl$> and
# <$BlogItemDateTime$>, and the rule the reader should name for the permalink.
A = '<a href="<$BlogItemPermalinkUrl$>"'
WORDINGS: dict[str, str] = {
    "posted by at": f'posted by <$BlogItemAuthor$> at {A} title="permanent link">'
                    "<$BlogItemDateTime$></a>",
    "posted by @": f'posted by <$BlogItemAuthor$> @ {A} title="permanent link">'
                   "<$BlogItemDateTime$></a>",
    "# posted by @ text": f'{A}>#</a> posted by <$BlogItemAuthor$> @ <$BlogItemDateTime$>',
    "by | link": f"by <$BlogItemAuthor$> | {A}><$BlogItemDateTime$></a>",
    "pilcrow posted by at": f'{A} title="permalink">&para;</a> posted by <$BlogItemAuthor$> '
                            f'at {A} title="permalink"><$BlogItemDateTime$></a>',
    "Posted by span, on": 'Posted by <span class="post-author"><$BlogItemAuthor$></span>, on '
                          f"{A}><$BlogItemDateTime$></a>",
    "time first | posted by": f'{A} title="permanent link"><$BlogItemDateTime$></a> | '
                              "posted by <$BlogItemAuthor$>",
    "By (no verb) - link": f"By <$BlogItemAuthor$> - {A}><$BlogItemDateTime$></a>",
}
AUTHORS = ("orcmid", "Mary-Jane Van der Berg", "June May")  # a name of month words is a name

COMMENTERS = {
    "profile": ('<a href="http://www.blogger.com/profile/05550555" rel="nofollow">Pat Profile'
                "</a>", "Pat Profile", "http://www.blogger.com/profile/05550555"),
    "Anonymous": ("Anonymous", "Anonymous", None),
    "typed name": ("Jo Typed", "Jo Typed", None),
    "anon span": ('<span class="anon-comment-author">Anonymous</span>', "Anonymous", None),
}


def _expected(when: str, kind: str) -> tuple[datetime, str | None]:
    """What the page says: the day alone at 00:00 (precision "date"), or the moment to the
    second when the format prints seconds, else to the minute."""
    if kind == "day":
        return WRITTEN.replace(hour=0, minute=0, second=0), "date"
    return WRITTEN if ":09" in when else WRITTEN.replace(second=0), None


def _post(when: str, author: str, comments: tuple[ClassicComment, ...] = (),
          header: str = HEADER) -> ClassicPost:
    return ClassicPost(number=POST_ID, title="The spring survey", author=author,
                       permalink=PERMALINK, when=when, header=header,
                       body="<p>We measured <b>every</b> well.</p>", labels=LABELS,
                       comments=comments)


def _read(tmp_path: Path, html: str) -> blogarchive.Archive:
    page = tmp_path / "the-spring-survey.html"
    page.write_text(html, encoding="utf-8")
    return blogarchive.read(page, analyse=False)


def _skeleton(name: str, byline: str) -> str:
    return (SKELETONS / name).read_text(encoding="utf-8").replace("<!-- byline -->", byline)


def _check_post(archive: blogarchive.Archive, author: str, when: str, kind: str) -> None:
    (post,) = archive.posts
    assert post.id == POST_ID and post.url == PERMALINK
    assert post.author is not None and post.author.name == author
    moment, precision = _expected(when, kind)
    assert (post.published, post.published_precision) == (moment, precision)
    assert post.published is not None and post.published.tzinfo is None  # naive, as written
    assert post.labels == LABELS
    assert post.field_sources is not None
    assert post.field_sources.author is not None and post.field_sources.url is not None
    assert post.field_sources.labels == "post-labels"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("wording", WORDINGS)
def test_classic_byline_wording_and_format(tmp_path: Path, wording: str, fmt: str) -> None:
    when, kind = FORMATS[fmt]
    author = AUTHORS[len(wording) % len(AUTHORS)]
    html = render(_skeleton("minima.html", WORDINGS[wording]), _post(when, author))
    _check_post(_read(tmp_path, html), author, when, kind)


@pytest.mark.parametrize("skeleton", ["minima.html", "handmade.html", "comment-data.html"])
@pytest.mark.parametrize("wording", WORDINGS)
def test_classic_byline_in_each_skeleton(tmp_path: Path, skeleton: str, wording: str) -> None:
    when, kind = FORMATS["M/d/yyyy h:mm:ss a"]
    html = render(_skeleton(skeleton, WORDINGS[wording]), _post(when, "orcmid"))
    _check_post(_read(tmp_path, html), "orcmid", when, kind)


@pytest.mark.parametrize("skeleton", ["minima.html", "handmade.html", "comment-data.html"])
@pytest.mark.parametrize("commenter", COMMENTERS)
@pytest.mark.parametrize("fmt", ["M/d/yyyy h:mm:ss a", "h:mm a", "d MMMM, yyyy HH:mm"])
def test_classic_comment_author_is_never_the_time(tmp_path: Path, skeleton: str,
                                                  commenter: str, fmt: str) -> None:
    markup, name, uri = COMMENTERS[commenter]
    when = FORMATS[fmt][0]
    comment = ClassicComment(number="117320000000000001", author=markup, when=when,
                             body="Which aquifer?")
    html = render(_skeleton(skeleton, WORDINGS["posted by at"]),
                  _post(FORMATS["M/d/yyyy h:mm:ss a"][0], "orcmid", (comment,)))
    archive = _read(tmp_path, html)
    (found,) = archive.comments
    assert found.author is not None and (found.author.name, found.author.uri) == (name, uri)
    assert found.content.startswith("Which aquifer?")


CORPUS_TEMPLATES = sorted((CORPUS / "templates").glob("classic-template_*.txt")) or [
    Path("corpus-absent")]


@pytest.mark.parametrize("template", CORPUS_TEMPLATES, ids=lambda p: p.name)
@pytest.mark.parametrize("fmt", FORMATS)
def test_real_classic_templates_in_place(tmp_path: Path, template: Path, fmt: str) -> None:
    if not template.is_file():
        pytest.skip(f"optional test data absent: no classic templates in {CORPUS / 'templates'}"
                    " (set BLOGARCHIVE_CORPUS to run this)")
    when, kind = FORMATS[fmt]
    comment = ClassicComment(number="117320000000000001", author="Anonymous", when=when,
                             body="Which aquifer?")
    html = render(template.read_text(encoding="utf-8", errors="replace"),
                  _post(when, "orcmid", (comment,), header="2007-03-05"))  # as their blogs
    archive = _read(tmp_path, html)
    _check_post(archive, "orcmid", when, kind)
    (found,) = archive.comments
    assert found.author is not None and found.author.name == "Anonymous"


@pytest.mark.parametrize(("text", "year", "month", "day", "ambiguous"), [
    ("3/5/2007", None, None, (2007, 3, 5), True),  # Blogger's default order, said so
    ("3/5/2007", 2007, 3, (2007, 3, 5), False),  # the permalink's /2007/03/ decides
    ("3/5/2007", 2007, 5, (2007, 5, 3), False),
    ("05.03.07", None, None, (2007, 3, 5), True),  # dotted dates are day first
    ("13/5/2007", None, None, (2007, 5, 13), False),  # only one order is a date
    ("Sunday, October 29", 2006, 10, (2006, 10, 29), False),  # the year from the permalink
])
def test_day_and_month_order_is_never_guessed_silently(
        text: str, year: int | None, month: int | None, day: tuple[int, int, int],
        ambiguous: bool) -> None:
    stamp = read_stamp(text, year, month)
    assert stamp is not None and stamp.day is not None
    assert (stamp.day.year, stamp.day.month, stamp.day.day) == day
    assert (stamp.ambiguous is not None) == ambiguous


def test_an_ambiguous_byline_time_is_noted(tmp_path: Path) -> None:
    permalink = f"{HOST}/archives/the-spring-survey.html"  # no /YYYY/MM/ to decide
    post = ClassicPost(number=POST_ID, title="t", author="orcmid", permalink=permalink,
                       when="3/5/2007 02:07 PM", header=HEADER, body="<p>b</p>")
    html = render(_skeleton("minima.html", WORDINGS["posted by at"]), post)
    archive = _read(tmp_path, html)
    assert archive.posts[0].published == datetime(2007, 3, 5, 14, 7)
    assert any("either way round" in note and POST_ID in note for note in archive.notes)


@pytest.mark.parametrize("text", ["¶", "#", "5 comments", "Anonymous", "29 février", "",
                                  "x" * 200 + " 3/5/2007"])
def test_what_is_not_a_timestamp(text: str) -> None:
    assert read_stamp(text) is None


def test_a_word_read_as_an_unknown_zone_name_prints_nothing_and_is_ignored() -> None:
    # Fuzz seed final8, mutant 7604: "11:02 EM" made python-dateutil warn on stderr that it
    # did not understand the zone "EM". A stamp is kept naive, as written, zone or not.
    import warnings

    from blogarchive.readers.html.timestamps import read_stamp

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stamp = read_stamp("March 6, 2005 11:02 EM")
        named = read_stamp("March 6, 2005 11:02 UTC")
    assert stamp is not None and named is not None
    assert stamp.moment() == named.moment() == datetime(2005, 3, 6, 11, 2)
