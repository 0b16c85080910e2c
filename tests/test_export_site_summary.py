"""A post's summary as the site export stores and reads it back (issue 11, branch exp11n):
``summary_fields`` (what the spool keeps) and ``summary_of`` give what ``summarise`` gives,
and ``Summary`` and ``When``, slotted and no longer frozen for speed, still behave as values
for a user's template: equal by value, hashable, readable by attribute."""

from __future__ import annotations

import marshal
from datetime import datetime, timedelta, timezone

import jinja2
import pytest

from blogarchive._values import Author
from blogarchive.analysis.records import BodyAnalysis
from blogarchive.export.sitepaths import SitePaths
from blogarchive.export.sitetext import Summary, When, summarise, summary_fields, summary_of
from blogarchive.model import Archive, Blog, Post

_MOMENT = datetime(2010, 3, 4, 5, 6, tzinfo=timezone(timedelta(hours=-3)))


def _post(**changes: object) -> Post:
    values: dict[str, object] = {
        "id": "7", "kind": "post", "status": "live", "title": "  A title ", "content": "",
        "url": None, "path": "/2010/03/a-title.html", "published": _MOMENT,
        "updated": _MOMENT, "labels": ("b", "a", "b", "only here"),
        "author": Author(name="Ann", uri="http://ann.example/"),
        "analysis": BodyAnalysis(text="some words")}
    values.update(changes)
    return Post(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("changes", [
    {}, {"published": None}, {"published_precision": "date"}, {"title": " "},
    {"author": None}, {"author": Author(name=None, uri=None)}, {"labels": ()},
    {"analysis": None}, {"kind": "page", "published": None, "title": ""},
])
def test_the_stored_fields_read_back_as_summarise_gives(changes: dict[str, object]) -> None:
    archive = Archive(blog=Blog(id="9"))
    post = _post(**changes)
    paths = SitePaths([post], labels=["a", "b"])  # "only here" has no file: left out
    stored = marshal.loads(marshal.dumps(summary_fields(archive, post, paths.posts[post.id])))
    summary = summary_of(stored, paths.labels)
    assert summary == summarise(archive, post, paths)
    if post.labels:
        assert summary.labels == (("b", paths.labels["b"]), ("a", paths.labels["a"]))
        assert stored[10] == ("b", "a", "only here")  # the labels as named, once each
    else:
        assert summary.labels == stored[10] == ()


def test_a_summary_is_a_value_a_template_can_read_compare_and_hash() -> None:
    def made() -> Summary:
        return Summary("7", "post", "T", "t.html", When("2010-03-04", "2010-03-04"), 2010, 3,
                       None, None, (("a", "labels/a.html"),), "e")

    one, two = made(), made()
    assert one == two and one is not two
    assert hash(one) == hash(two) and len({one, two}) == 1
    assert hash(one.when) == hash(When("2010-03-04", "2010-03-04"))
    page = jinja2.Environment(autoescape=True).from_string(
        "{% for s in entries|unique %}{{ s.title }} {{ s.when.text }} "
        "{{ s.labels[0][1] }}{% endfor %}")
    assert page.render(entries=[one, two]) == "T 2010-03-04 labels/a.html"
