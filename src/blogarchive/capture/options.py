"""The knobs of a capture's fetching (the CLI's --concurrency, --max-size, --user-agent ...).

Apart from fetch.py so that importing blogarchive, or a dry run, does not load httpx.
"""

from __future__ import annotations

import attrs

__all__ = ["FetchOptions", "parse_size", "user_agent"]


def parse_size(text: str) -> int:
    """``12345``, ``500K``, ``200M``, ``2G`` (powers of 1024) as bytes; ValueError if not."""
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    number, factor = text.strip().upper().rstrip("B"), 1
    if number[-1:] in units:
        number, factor = number[:-1], units[number[-1]]
    if not number.isdigit() or int(number) == 0:
        raise ValueError(f"--max-size wants a size such as 500K, 200M or 2G, not {text!r}")
    return int(number) * factor


def user_agent(contact: str | None = None) -> str:
    """``blogarchive/<version> (+project URL)``, with the user's contact when given."""
    from .. import __version__

    agent = f"blogarchive/{__version__} (+https://pypi.org/project/blogarchive/)"
    return f"{agent} {contact}" if contact else agent


@attrs.frozen
class FetchOptions:
    """How politely and how patiently to fetch (the CLI's --concurrency, --max-size ...)."""

    concurrency: int = 4
    per_host_interval: float = 0.1
    """Seconds between two requests to the same host (a per-host rate limit)."""
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    retries: int = 3
    """Further attempts after the first, on connection errors, 429 and 5xx."""
    backoff: float = 1.0
    """First wait before a retry; doubled each time."""
    max_wait: float = 60.0
    """Longest wait before a retry, whatever Retry-After asks."""
    max_size: int = 200 * 1024 * 1024
    max_redirects: int = 10
    user_agent: str = attrs.field(factory=user_agent)
