"""Bounds on the memory of a serving process that no cache of ours holds: glibc's malloc
arenas.

glibc gives each thread that allocates while another does an arena of its own, up to 8 per
core; a worker runs about a hundred threads (the request thread pool, DuckDB's, the
warm-up, the schedulers), and memory freed in an arena is seldom given back to the system,
so a worker's resident memory grows with its threads rather than with what it keeps.
A few arenas are enough for a process that holds the GIL for most of its allocations."""

from __future__ import annotations

import ctypes
import logging

log = logging.getLogger("ioc.api")
M_ARENA_MAX = -8  # mallopt parameter (malloc.h)


def limit_arenas(count: int) -> bool:
    """At most ``count`` malloc arenas in this process from now on (0: leave glibc's
    default); False where the C library has no ``mallopt`` (not glibc)."""
    if count <= 0:
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    done = bool(mallopt(M_ARENA_MAX, count))
    if not done:
        log.warning("malloc arenas could not be limited to %d", count)
    return done
