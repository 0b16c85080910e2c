"""A worker process's tie to the batch's process: when that process is killed on its own
(SIGKILL, out of memory), its ``--jobs`` workers exit at once rather than run on as orphans.

A pool's worker never notices by itself: it waits for its next task on a queue whose write
end it holds a copy of (forked, or handed over by the forkserver), so that wait never ends.
So each worker watches the batch's process directly: on Linux through a pidfd, which becomes
readable the moment that process ends (no polling, no pid reuse once opened); elsewhere by
looking once every ``POLL`` seconds. A Dask LocalCluster's workers need none of this: their
nannies run in the batch's process, and distributed ends a worker whose nanny is gone.
"""

from __future__ import annotations

import os
import select
import threading
import time
from typing import Final

__all__ = ["EXIT", "POLL", "follow"]

POLL: Final = 0.5
"""Seconds between two looks at the batch's process where no pidfd is to be had."""

EXIT: Final = 70
"""A worker's exit status when it ended because the batch's process had gone."""


def follow(parent: int) -> None:
    """End this process as soon as process ``parent`` (the batch's) has ended; at once if it
    has already. A worker pool's initializer: a daemon thread waits, the worker goes on."""
    try:
        watched = os.pidfd_open(parent)
    except ProcessLookupError:  # gone before this worker even started
        os._exit(EXIT)
    except (AttributeError, OSError):  # not Linux, or a kernel before 5.3
        threading.Thread(target=_poll, args=(parent,), name="lifeline", daemon=True).start()
        return
    threading.Thread(target=_wait, args=(watched,), name="lifeline", daemon=True).start()


def _wait(watched: int) -> None:
    select.select([watched], [], [])  # readable once the process has ended
    os._exit(EXIT)  # no clean-up: nobody is left to hear the result; a convert's swap is
    # atomic, and the next run repairs what this one leaves


def _poll(parent: int) -> None:
    while True:
        time.sleep(POLL)
        try:
            os.kill(parent, 0)
        except OSError:  # no such process; or another user's, which took its pid
            os._exit(EXIT)
