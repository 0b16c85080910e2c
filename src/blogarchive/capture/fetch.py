"""Fetching one URL with httpx: redirects recorded hop by hop, bodies streamed to disk.

Retries with backoff on connection errors (connect timeouts too), 429 and 5xx (``Retry-After``
honoured, up to a cap); a per-host rate limit; a maximum size per body, checked against
Content-Length before reading and against the bytes read. Bodies are asked for unencoded
(``Accept-Encoding: identity``), so what is stored is the file itself, and the payload digest
is the file's. Everything that decides timing (the clock, the sleep) can be replaced, so tests
need no real waiting.
"""

from __future__ import annotations

import email.utils
import hashlib
import os
import ssl
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Final

import attrs
import httpx

from .options import FetchOptions

__all__ = ["ERROR_KINDS", "Exchange", "Fetched", "Fetcher"]

# What media.jsonl names as the reason a URL was not captured.
ERROR_KINDS: Final = ("dns", "connection", "tls", "timeout", "too-large", "http-status",
                      "too-many-redirects", "invalid-url", "not-an-image")
_RETRY_STATUS: Final = frozenset({429, 500, 502, 503, 504})
_BLOCK: Final = 1 << 16


@attrs.define
class Exchange:
    """One request and its response (one hop of a redirect chain), body in a temp file."""

    url: str
    request_headers: list[tuple[str, str]]
    status: int
    reason: str
    http_version: str
    response_headers: list[tuple[str, str]]
    body: Path
    length: int
    sha256: str
    date: datetime

    @property
    def content_type(self) -> str | None:
        return next((v for k, v in self.response_headers if k.lower() == "content-type"), None)


@attrs.define
class Fetched:
    """What fetching one URL gave: the hops, or the error that stopped it."""

    url: str
    """The URL requested (after --rewrite)."""
    exchanges: list[Exchange] = attrs.Factory(list)
    error_kind: str | None = None
    error: str | None = None
    attempts: int = 0

    @property
    def final(self) -> Exchange | None:
        return self.exchanges[-1] if self.exchanges else None

    @property
    def ok(self) -> bool:
        return self.error_kind is None

    def discard(self) -> None:
        """Remove the temp files of the bodies."""
        for hop in self.exchanges:
            hop.body.unlink(missing_ok=True)


class _TooLarge(Exception):
    pass


class _HostClock:
    """The per-host rate limit: each host's next free moment, shared by the workers."""

    def __init__(self, interval: float, clock: Callable[[], float],
                 sleep: Callable[[float], None]) -> None:
        self.interval, self.clock, self.sleep = interval, clock, sleep
        self.next_free: dict[str, float] = {}
        self.lock = threading.Lock()

    def wait(self, host: str) -> None:
        with self.lock:
            now = self.clock()
            start = max(now, self.next_free.get(host, now))
            self.next_free[host] = start + self.interval
        if start > now:
            self.sleep(start - now)


def _retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds asked by a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now).total_seconds())


def _classify(err: httpx.TransportError) -> str:
    if isinstance(err, httpx.TimeoutException):
        return "timeout"
    cause: BaseException | None = err
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            return "tls"
        if isinstance(cause, OSError) and "name" in str(cause).lower() and (
                "resolution" in str(cause).lower() or "not known" in str(cause).lower()):
            return "dns"
        cause = cause.__cause__ or cause.__context__
    text = str(err).lower()
    if "name or service not known" in text or "nodename nor servname" in text or (
            "temporary failure in name resolution" in text):
        return "dns"
    return "connection"


class Fetcher:
    """One httpx client shared by the worker threads; ``fetch`` is thread-safe."""

    def __init__(self, options: FetchOptions, spool: Path,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] | None = None) -> None:
        self.options = options
        self.spool = spool
        # Waits end early when the fetcher is closed, so an interrupted run does not hang
        # in a minute-long Retry-After.
        self.stopped = threading.Event()
        self.sleep: Callable[[float], None] = sleep or self._pause
        self.hosts = _HostClock(options.per_host_interval, clock, self.sleep)
        timeout = httpx.Timeout(options.read_timeout, connect=options.connect_timeout)
        limits = httpx.Limits(max_connections=max(1, options.concurrency))
        self.client = httpx.Client(timeout=timeout, limits=limits, follow_redirects=False,
                                   headers={"User-Agent": options.user_agent,
                                            "Accept-Encoding": "identity"},
                                   trust_env=False)

    def _pause(self, seconds: float) -> None:
        self.stopped.wait(seconds)

    def close(self) -> None:
        """Stop: waits end, no new request starts, open connections are closed."""
        self.stopped.set()
        self.client.close()

    def fetch(self, url: str) -> Fetched:
        """Follow ``url``'s redirects, retrying each hop as the options say."""
        result = Fetched(url)
        current = url
        for _ in range(self.options.max_redirects + 1):
            hop = self._hop(current, result)
            if hop is None:
                return result
            result.exchanges.append(hop)
            location = next((v for k, v in hop.response_headers if k.lower() == "location"),
                            None)
            if hop.status in (301, 302, 303, 307, 308) and location:
                try:
                    current = str(httpx.URL(current).join(location))
                except (httpx.InvalidURL, ValueError) as err:  # a server's malformed Location
                    result.error_kind, result.error = "invalid-url", f"Location: {err}"
                    return result
                continue
            if hop.status >= 400:
                result.error_kind, result.error = "http-status", f"HTTP {hop.status}"
            return result
        result.error_kind = "too-many-redirects"
        result.error = f"more than {self.options.max_redirects} redirects"
        return result

    def _hop(self, url: str, result: Fetched) -> Exchange | None:
        """One request, retried; None (and the error set on ``result``) when it failed."""
        options = self.options
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, ValueError) as err:
            result.error_kind, result.error = "invalid-url", str(err)
            return None
        if parsed.scheme not in ("http", "https") or not parsed.host:
            result.error_kind, result.error = "invalid-url", f"not an http(s) URL: {url}"
            return None
        for attempt in range(options.retries + 1):
            self.hosts.wait(parsed.host)
            if self.stopped.is_set():  # only while a run is being abandoned: never stored
                result.error_kind, result.error = "interrupted", "the capture was stopped"
                return None
            result.attempts += 1
            wait: float | None = None
            try:
                hop = self._request(url)
            except _TooLarge as err:
                result.error_kind, result.error = "too-large", str(err)
                return None
            except httpx.TransportError as err:
                result.error_kind, result.error = _classify(err), f"{type(err).__name__}: {err}"
                if "location header" in str(err).lower():
                    # httpx refuses a malformed Location itself: the server's fault, for good
                    result.error_kind = "invalid-url"
                    return None
                if result.error_kind in ("dns", "tls") or (
                        isinstance(err, httpx.TimeoutException)
                        and not isinstance(err, httpx.ConnectTimeout)):
                    # DNS and TLS failures are not transient; a server too slow to answer
                    # once would only triple the wait (connect timeouts are retried).
                    return None
            else:
                if hop.status not in _RETRY_STATUS or attempt == options.retries:
                    result.error_kind = result.error = None
                    return hop
                asked = next((v for k, v in hop.response_headers
                              if k.lower() == "retry-after"), None)
                wait = _retry_after(asked, hop.date)
                hop.body.unlink(missing_ok=True)
            if attempt == options.retries:
                return None
            delay = options.backoff * (2 ** attempt) if wait is None else wait
            self.sleep(min(delay, options.max_wait))
        return None

    def _request(self, url: str) -> Exchange:
        limit = self.options.max_size
        fd, name = tempfile.mkstemp(prefix="body-", dir=self.spool)
        body = Path(name)
        try:
            with os.fdopen(fd, "wb") as out, self.client.stream("GET", url) as response:
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > limit:
                    raise _TooLarge(f"Content-Length {declared} is over --max-size {limit}")
                digest = hashlib.sha256()
                size = 0
                for block in response.iter_raw(_BLOCK):
                    size += len(block)
                    if size > limit:
                        raise _TooLarge(f"body over --max-size {limit} bytes")
                    digest.update(block)
                    out.write(block)
                request_headers = list(response.request.headers.multi_items())
                return Exchange(
                    url=url,
                    request_headers=request_headers,
                    status=response.status_code,
                    reason=response.reason_phrase,
                    http_version=response.http_version,
                    response_headers=list(response.headers.multi_items()),
                    body=body,
                    length=size,
                    sha256=digest.hexdigest(),
                    date=datetime.now(timezone.utc),
                )
        except BaseException:
            body.unlink(missing_ok=True)
            raise
