"""A ``--dask local`` cluster's forkserver, forked from this process rather than started as a
fresh interpreter, so that it starts with blogarchive and distributed imported (``ondask.
prepare`` imports distributed first): nothing left to import, where a fresh server spent 0.8 s
of CPU, on the path every worker waits on.

multiprocessing's forkserver is a new interpreter that imports its preload (distributed and
blogarchive); the cluster's nannies fork their workers from it, so no worker can start before
those imports are done, and the batch's start-up was that long. Forking it from this process
is safe only while this process runs no other thread (a copy of a lock another thread holds
would stay held in the copy), and it needs the standard library's forkserver to be as it is
in CPython 3.10 to 3.13; otherwise ``start`` does nothing and the forkserver starts as usual.
"""

from __future__ import annotations

import inspect
import multiprocessing.forkserver as forkserver
import os
import socket
import threading
from multiprocessing import connection, resource_tracker, util
from typing import Any, Final

__all__ = ["start"]

_MAIN_PARAMETERS: Final = ["listener_fd", "alive_r", "preload", "main_path", "sys_path"]
_STATE: Final = ("_forkserver_address", "_forkserver_alive_fd", "_forkserver_pid", "_lock",
                 "_preload_modules")


def start() -> bool:
    """Fork this process's forkserver now, with the preload set on it (``forkserver()`` in
    runners); False when it is running already, or cannot be forked safely here (it then
    starts as a fresh interpreter when first asked for)."""
    server: Any = getattr(forkserver, "_forkserver", None)
    if not _as_expected(server) or threading.active_count() > 1:
        return False
    with server._lock:
        if server._forkserver_pid is not None:
            return False
        resource_tracker.ensure_running()  # shared by the workers, as ensure_running does
        with socket.socket(socket.AF_UNIX) as listener:
            address = connection.arbitrary_address("AF_UNIX")  # type: ignore[attr-defined]
            listener.bind(address)
            if not util.is_abstract_socket_namespace(address):
                os.chmod(address, 0o600)
            listener.listen()
            # Every client holds the write end of the "alive" pipe: when all have ended, the
            # server reads EOF and exits (and with it, through distributed, the workers).
            alive_r, alive_w = os.pipe()
            pid = os.fork()
            if pid == 0:  # the server: never returns into the batch's code
                _serve(listener.fileno(), alive_r, alive_w, list(server._preload_modules))
            os.close(alive_r)
        server._forkserver_address = address
        server._forkserver_alive_fd = alive_w
        server._forkserver_pid = pid
    return True


def _serve(listener: int, alive_r: int, alive_w: int, preload: list[str]) -> None:
    code = 0
    try:
        os.close(alive_w)
        # Already imported here: blogarchive and the caller's main module (which a fresh
        # server imports first); what is left is distributed.
        forkserver.main(listener, alive_r, [m for m in preload if m != "__main__"])
    except SystemExit as ended:  # the last client has gone
        code = ended.code if isinstance(ended.code, int) else 0
    except BaseException:
        code = 1
    finally:
        os._exit(code)  # no clean-up of the batch's state, which this copy must not touch


def _as_expected(server: Any) -> bool:
    """The standard library's forkserver is the one this module knows."""
    if server is None or not all(hasattr(server, name) for name in _STATE):
        return False
    try:
        return list(inspect.signature(forkserver.main).parameters) == _MAIN_PARAMETERS
    except (TypeError, ValueError):
        return False
