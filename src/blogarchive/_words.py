"""Counts in the words people read: ``1 reply``, ``2 replies``, ``12,345 entries``.

Every count a summary, a note or a message prints goes through here, so the wording is the same
everywhere: a real plural (never "reply(ies)") and thousands separators on every number.
"""

from __future__ import annotations

__all__ = ["counted", "number"]


def number(n: int) -> str:
    """``n`` with thousands separators (``12,345``), as every count is printed."""
    return f"{n:,}"


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """``1 reply``, ``2 replies``: the count and the word that agrees with it.

    ``plural`` defaults to ``singular + "s"``; give it for the irregular ones (``entries``).
    """
    return f"{number(n)} {singular if n == 1 else plural or singular + 's'}"
