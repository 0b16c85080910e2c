"""``CaptureReport``: what a capture run did (or would do), and the summary the CLI prints."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import attrs

from .plan import Plan, Target

__all__ = ["CaptureReport"]


@attrs.define
class CaptureReport:
    """What a capture did (or, with ``dry_run``, would do)."""

    path: Path
    plan: Plan
    to_fetch: tuple[Target, ...]
    """The targets this run fetches (or would): not yet held, or failed with retry_failed."""
    held: int = 0
    """Targets already captured by an earlier run (not fetched again)."""
    held_failed: int = 0
    """Targets that failed in an earlier run and were not retried (no ``retry_failed``)."""
    fetched: int = 0
    failed: Counter[str] = attrs.Factory(Counter)
    """Targets that failed in this run, by error kind."""
    bytes: int = 0
    revisits: int = 0
    shared: int = 0
    """Targets whose URL to request was captured for another target: no request made."""
    warcs: list[str] = attrs.Factory(list)
    dry_run: bool = False
    events: tuple[dict[str, Any], ...] = ()
    failures: list[tuple[str, str, str]] = attrs.Factory(list)
    """``(url as written, error kind, detail)`` of each target that failed in this run."""
    from_sources: int = 0
    """Targets copied from a WARC source kept in originals/ (not fetched)."""
    adopted: int = 0
    """Lines taken over from a run that was killed before its last checkpoint."""
    checkpoints: int = 0
    """Commits of this run into the archive (the last one included)."""

    def lines(self) -> list[str]:
        """The human summary the CLI prints."""
        plan = self.plan
        out = []
        if self.dry_run:
            hosts = Counter(t.host for t in self.to_fetch)
            out.append(f"would fetch {len(self.to_fetch)} URL(s) from {len(hosts)} host(s); "
                       "nothing fetched (--dry-run)")
            out.extend(f"  {n:6d}  {host}"
                       for host, n in sorted(hosts.items(), key=lambda kv: (-kv[1], kv[0])))
        else:
            failed = sum(self.failed.values())
            kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.failed.items()))
            out.append(f"captured {self.fetched + self.shared} URL(s), {self.bytes} bytes "
                       f"({self.revisits} as revisits, {self.shared} sharing another's "
                       f"record) into {', '.join(self.warcs) or '-'}; "
                       f"{failed} failed" + (f" ({kinds})" if kinds else ""))
            out.extend(f"  failed: {url}: {kind}: {detail}"
                       for url, kind, detail in self.failures)
        if self.from_sources:
            out.append(f"taken from the WARC sources in originals/: {self.from_sources} URL(s) "
                       "(copied, not fetched)")
        if self.adopted:
            out.append(f"recovered {self.adopted} URL(s) stored by an interrupted run")
        out.append(f"already held: {self.held} captured, {self.held_failed} failed earlier "
                   "(not retried without --retry-failed)")
        out.append(f"left out: {plan.out_of_scope} out of scope, {plan.not_web} not http(s), "
                   f"{plan.unanalysed} post(s) without body analysis")
        return out
