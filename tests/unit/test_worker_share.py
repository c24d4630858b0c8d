"""Each worker of ``ioc serve --workers N`` gets its share of DuckDB's threads and memory."""

from __future__ import annotations

import pytest

from ioc.cli.asgi import share_of, worker_share
from ioc.config import Settings


@pytest.mark.parametrize(
    ("limit", "workers", "share"),
    [
        ("2GB", 2, "1000MB"),
        ("2GiB", 2, "1073MB"),
        ("1.5 gb", 3, "500MB"),
        ("4000MB", 4, "1000MB"),
        ("80%", 4, "20%"),
        ("3000000000", 3, "1000MB"),
        ("a lot", 2, "a lot"),  # not understood: kept, DuckDB says what is wrong
    ],
)
def test_share_of_a_memory_limit(limit: str, workers: int, share: str) -> None:
    assert share_of(limit, workers) == share


def test_defaults_are_divided_among_workers() -> None:
    one = Settings(workers=2)
    assert (one.duckdb_threads, one.duckdb_memory_limit) == (2, "2GB")
    shared = worker_share(one)
    assert (shared.duckdb_threads, shared.duckdb_memory_limit) == (1, "1000MB")
    assert worker_share(Settings(workers=8)).duckdb_threads == 1  # never below one thread


def test_values_set_explicitly_hold_for_each_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IOC_DUCKDB_MEMORY_LIMIT", "3GB")
    monkeypatch.setenv("IOC_WORKERS", "3")
    shared = worker_share(Settings())
    assert (shared.duckdb_threads, shared.duckdb_memory_limit) == (1, "3GB")
    monkeypatch.setenv("IOC_DUCKDB_THREADS", "4")
    assert worker_share(Settings()).duckdb_threads == 4


def test_one_worker_keeps_the_settings() -> None:
    settings = Settings()
    assert worker_share(settings) is settings
