"""The settings that bound what one serving process (each worker of ``ioc serve``) holds in
memory besides DuckDB's own limit (``IOC_DUCKDB_MEMORY_LIMIT``); :class:`ioc.config.Settings`
has them and reads them from the environment (``IOC_CACHE_MB``, ...)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class MemorySettings(BaseModel):
    cache_mb: int = Field(
        default=256,
        ge=0,
        description="Answers computed from the build served (and the one being warmed) kept "
        "in each worker, in MB",
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
