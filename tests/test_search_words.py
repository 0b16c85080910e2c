"""``words_of`` with the tokens made distinct first (issue 11, branch exp11n): the same words
in the same order as lowering and blanking the whole text (the formula before), for any
text; the exported index's bytes are also test_export_golden.py's."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from blogarchive.export.search import _separators, words_of


def _whole(*texts: str) -> str:
    words = "\n".join(texts).casefold().translate(_separators()).split()
    return " ".join(dict.fromkeys(words))


_PIECES = st.sampled_from([
    "a", "A", "ab", "AB", "Ab", "b", "\u03c3", "\u03a3", "\u03c2", "ß", "SS", "ss", "İ",
    "i", "ﬁ", "Ǆ", "ǅ", "é", "É", "e\u0301", "_", "-", "'", ".", ",", "\U0001f600",
    "\U0001d400", "1", "²", " ", "  ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f",
    "\x85", "\xa0", "\u2028", "\u3000", "\u200b"])


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.lists(_PIECES, max_size=20).map("".join), min_size=1, max_size=3))
@example(["Word word WORD", "x-Word", "word. WORD!"])
@example(["\u03a3\u0391\u03a3 \u03c3\u03b1\u03c2", "stra\u00dfe STRASSE"])
def test_the_distinct_tokens_give_the_words_the_whole_text_gives(texts: list[str]) -> None:
    assert words_of(*texts) == _whole(*texts)
