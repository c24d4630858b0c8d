"""The serving processes sharing the store (docs/scale.md): this process's instance id.

(The OPS branch holds only :func:`this_instance`; the LEASE branch adds the heartbeats.)"""

from __future__ import annotations

import os
import secrets
import socket

_MINE: tuple[int, str] | None = None  # (pid, id): a forked child makes its own


def this_instance() -> str:
    """This process's id, ``HOST:PID:RANDOM`` (new in a forked or spawned child)."""
    global _MINE
    pid = os.getpid()
    if _MINE is None or _MINE[0] != pid:
        _MINE = (pid, f"{socket.gethostname()[:60]}:{pid}:{secrets.token_hex(4)}")
    return _MINE[1]
