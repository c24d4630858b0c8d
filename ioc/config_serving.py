"""The settings of serving processes (docs/scale.md): how many workers, the heartbeat and
lease, the log format, and what one worker holds in memory besides DuckDB's own limit
(``IOC_DUCKDB_MEMORY_LIMIT``). :class:`ioc.config.Settings` has them and reads them from the
environment (``IOC_WORKERS``, ``IOC_CACHE_MB``, ...): they are part of the one settings
class, kept here so that ``ioc/config.py`` stays small."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class ServingSettings(BaseModel):
    workers: int = Field(
        default=1,
        ge=1,
        le=32,
        description="Worker processes of 'ioc serve' (each answers requests; one of all the "
        "processes sharing the store runs the schedules)",
    )
    lease_seconds: float = Field(
        default=15.0,
        ge=3,
        le=600,
        description="A process silent this long is dead: its scheduler lease and its running "
        "jobs are taken over (heartbeats every third of it)",
    )
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="Server logs as text, or as JSON lines (one per request, with request id, "
        "user, route, status and duration) for a log collector",
    )

    # memory per worker
    cache_mb: int = Field(
        default=256,
        ge=0,
        description="Answers computed from the build served (and the one being warmed) kept "
        "in each worker, in MB",
    )
    computations: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Answers a worker computes at once (each uses every core through DuckDB "
        "and Polars); other requests needing one wait, requests answered from the cache do "
        "not. More use more memory at once, not less time",
    )
    response_cache_mb: int = Field(
        default=64, ge=0, description="Whole JSON answers kept in each worker, in MB"
    )
    malloc_arena_max: int = Field(
        default=2,
        ge=0,
        description="glibc malloc arenas of each worker (by default up to 8 per core, one per "
        "thread that allocates at once: memory taken by many threads and seldom given back); "
        "0: glibc's default",
    )
