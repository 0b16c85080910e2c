"""The first element below each of many elements, for several tests, in one walk.

Comments nest (a reply's ``li`` inside its parent's), and each comment's fields were
searched with ``.//`` queries below it: every search also ran through all the replies
nested inside, so a thread nested thousands deep was quadratic (issue 15). ``Below``
answers "the first element below H, in document order, that test T accepts" for every
holder H at once: walking the tree with the holders open at each point, an element that
T accepts is the answer for each open holder that has none yet. Those are always the
innermost ones, so each holder is answered once and the walk stays linear.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from lxml import etree

__all__ = ["Below", "Test"]

Test = Callable[[etree._Element], bool]


class Below:
    """``first(name, holder)``: ``holder.xpath(".//*[test]")[0]`` (or None), for each holder
    and each named test, found in one walk of ``root``."""

    def __init__(self, root: etree._Element, holders: Iterable[etree._Element],
                 tests: Mapping[str, Test]) -> None:
        self._found: dict[str, dict[etree._Element, etree._Element]] = {n: {} for n in tests}
        wanted = set(holders)
        if not wanted:
            return
        open_: list[etree._Element] = []  # the holders around the current element
        answered = dict.fromkeys(tests, 0)  # per test: open_[:n] have their answer
        for event, el in etree.iterwalk(root, events=("start", "end")):
            if not isinstance(el.tag, str):
                continue
            if event == "end":
                if el in wanted and open_ and open_[-1] is el:
                    open_.pop()
                    for name, n in answered.items():
                        answered[name] = min(n, len(open_))
                continue
            for name, test in tests.items():
                n = answered[name]
                if n < len(open_) and test(el):
                    found = self._found[name]
                    for holder in open_[n:]:
                        found[holder] = el
                    answered[name] = len(open_)
            if el in wanted:
                open_.append(el)

    def first(self, name: str, holder: etree._Element) -> etree._Element | None:
        return self._found[name].get(holder)
