"""The body analysis's fourth round of CPU cuts (issue 12, branch ana12c): each shortcut gives
what the way it replaced gave, compared here on generated input (the old way kept as it was)."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from blogarchive.analysis import analyse, dates
from blogarchive.analysis.dates import _DAY_FIRST, _ISO, _MONTH_FIRST, _MONTH_YEAR


def _find_date_as_it_was(text: str) -> tuple[str, str, int, int] | None:
    """``dates.find_date`` before it searched only the runs holding a year."""
    if dates._YEAR.search(text) is None:
        return None
    best: tuple[str, str, int, int] | None = None
    for pattern in (_ISO, _DAY_FIRST, _MONTH_FIRST, _MONTH_YEAR):
        for match in pattern.finditer(text):
            groups = match.groupdict()
            # (the month's lookup as it is now: as it was, it raised on a long s, below)
            month = int(groups["m"]) if "m" in groups else dates._month(groups["mon"])
            if "d" in groups:
                try:
                    iso: str | None = date(int(groups["y"]), month, int(groups["d"])).isoformat()
                except ValueError:
                    iso = None
            else:
                iso = f"{groups['y']}-{month:02d}" if 1 <= month <= 12 else None
            if iso is None:
                continue
            found = (iso, match.group(0), match.start(), match.end())
            if best is None or found[2] < best[2]:
                best = found
            break
    return best


# What dates are made of and what stands around them: month names in any case (and the
# letters re.I matches to others: the long s, the Kelvin sign), days, years real and not,
# the suffixes and the "de", and every kind of character at a run's edge.
_DATE_PIECES = st.sampled_from([
    "March", "MARCH", "mar", "Mar.", "juin", "Juni", "märz", "Août", "\u017feptember", "\u212aan",
    "junho", "1", "15", "31", "32", "0", "2009", "1999", "0000", "12345", "2010-02-30",
    "2008-06-06", "st", "th", "er", "º", "°", ".", ",", "-", "de", "del", " ", "  ", "\u00a0",
    "\t", "\n", "(", ")", ":", '"', "'", "/", "é", "x", "_", "\u2014", "\u0663\u0660\u0661\u0660",
])


@settings(max_examples=1500, deadline=None)
@given(st.lists(_DATE_PIECES, max_size=14).map("".join))
def test_the_date_search_in_the_runs_holding_a_year_finds_what_the_whole_search_found(
        text: str) -> None:
    assert dates.find_date(text) == _find_date_as_it_was(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_the_date_search_on_any_text(text: str) -> None:
    assert dates.find_date(text) == _find_date_as_it_was(text)


def test_dates_next_to_punctuation_and_in_prose() -> None:
    for text in ('(March 15, 2009): "an excerpt..."', "on 6 de junio de 2008, then 2009",
                 "x2009-01-02 and 3 March 2010", "Mar 32, 2009 or April 2, 2009",
                 "(2009)\u2014June 6, 2008", "in 1999 we wrote 6. Juni 2008 and so on"):
        assert dates.find_date(text) == _find_date_as_it_was(text)
    assert dates.find_date('(March 15, 2009): "x"') == ("2009-03-15", "March 15, 2009", 1, 15)


def test_a_month_written_with_letters_lower_does_not_give_is_still_its_month() -> None:
    # re.I matches U+017F (long s) to s and U+0131/U+0130 (dotless, dotted I) to i, which
    # str.lower() does not give: the month's lookup raised KeyError, and with it the analysis
    # of the whole blog.
    assert dates.find_date("\u017feptember 2009") == ("2009-09", "\u017feptember 2009", 0, 14)
    assert dates.find_date("6 Ju\u0130n 2008") == ("2008-06-06", "6 Ju\u0130n 2008", 0, 11)
    found = analyse("<p>Earlier posts:</p><ul><li><a href='/2010/03/a.html'>A</a> "
                    "\u017feptember 2009</li><li><a href='/b'>B</a></li></ul>", "https://x.blogspot.com/2010/09/p.html")
    assert found.link_lists[0].items[0].date == "2009-09"
