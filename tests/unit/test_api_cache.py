"""The API's caches: one computation per key and build, bounded, emptied by a new build;
one verification of a credential for the requests that arrive while it runs."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from ioc.api.auth import AuthService
from ioc.api.cache import BuildCache
from ioc.api.middleware import ResponseCache
from ioc.api.principal import Principal
from ioc.config import Settings


def test_concurrent_askers_share_one_computation() -> None:
    cache = BuildCache()
    cache.switch("b1")
    started, release = threading.Event(), threading.Event()
    calls: list[int] = []
    answers: list[Any] = []

    def compute() -> str:
        calls.append(1)
        started.set()
        release.wait()
        return "value"

    first = threading.Thread(target=lambda: answers.append(cache.get("b1", "k", compute)))
    first.start()
    started.wait()
    second = threading.Thread(target=lambda: answers.append(cache.get("b1", "k", compute)))
    second.start()
    release.set()
    first.join()
    second.join()
    assert answers == ["value", "value"] and len(calls) == 1


def test_a_failed_computation_is_not_kept() -> None:
    cache = BuildCache()
    cache.switch("b1")

    def broken() -> None:
        raise ValueError("no")

    with pytest.raises(ValueError):
        cache.get("b1", "k", broken)
    assert cache.get("b1", "k", lambda: 2) == 2


def test_a_new_build_empties_the_cache_and_older_builds_keep_nothing() -> None:
    cache = BuildCache()
    cache.switch("b1")
    assert cache.get("b1", "k", lambda: 1) == 1
    cache.switch("b2")
    assert cache.get("b2", "k", lambda: 2) == 2
    assert cache.get("b1", "k", lambda: 3) == 3  # a request still reading b1
    assert cache.get("b1", "k", lambda: 4) == 4
    assert cache.get("b2", "k", lambda: 5) == 2


def test_the_cache_is_bounded_by_bytes() -> None:
    frame = pl.DataFrame({"x": range(1000)})
    cache = BuildCache(max_bytes=int(frame.estimated_size() * 2.5))
    cache.switch("b1")
    for key in ("a", "b", "c"):
        cache.get("b1", key, lambda: frame)
    assert cache.get("b1", "a", lambda: "recomputed") == "recomputed"  # least recently used
    assert cache.get("b1", "c", lambda: "recomputed") is frame


def test_a_build_being_prepared_is_kept_beside_the_served_one_in_one_budget() -> None:
    frame = pl.DataFrame({"x": range(1000)})
    cache = BuildCache(max_bytes=int(frame.estimated_size() * 3.5))
    cache.switch("b1")
    cache.get("b1", "a", lambda: frame)
    cache.prepare("b2")  # warming, not yet served
    assert cache.build == "b1" and cache.keeps("b1") and cache.keeps("b2")
    assert cache.get("b2", "a", lambda: frame) is frame
    assert cache.get("b2", "a", lambda: "recomputed") is frame  # kept
    assert cache.get("b1", "a", lambda: "recomputed") is frame  # the served build's too
    cache.prepare("b3")  # a newer build: the one prepared and never served goes
    assert not cache.keeps("b2") and cache.get("b2", "a", lambda: "computed") == "computed"
    cache.get("b3", "a", lambda: frame)
    cache.switch("b3")
    assert cache.build == "b3" and not cache.keeps("b1")
    assert cache.get("b1", "a", lambda: "computed") == "computed"
    assert cache.get("b3", "a", lambda: "recomputed") is frame
    for key in ("b", "c", "d"):  # what was dropped no longer counts against the budget
        cache.get("b3", key, lambda: frame)
    assert cache.get("b3", "b", lambda: "recomputed") is frame


ETAG = 'W/"b1-0123456789abcdef"'


def _answer(status: int = 200, kind: bytes = b"application/json") -> list[dict[str, Any]]:
    start = {"type": "http.response.start", "status": status, "headers": [(b"content-type", kind)]}
    return [start, {"type": "http.response.body", "body": b"[]"}]


def test_responses_are_kept_per_caller_and_build() -> None:
    responses = ResponseCache()
    responses.switch("b1")
    leader = Principal("lead", "leader")
    analyst = Principal("ana", "analyst", (("legacy", "945"),))
    key = ("b1", leader, "/api/v1/units", b"")
    responses.keep("b1", key, ETAG, _answer())
    kept = responses.get(key)
    assert kept is not None and kept.etag == ETAG and kept.not_modified["status"] == 304
    assert responses.get(("b1", analyst, "/api/v1/units", b"")) is None
    responses.switch("b2")
    assert responses.get(key) is None
    responses.keep("b1", key, ETAG, _answer())  # an answer read from an older build
    assert responses.get(key) is None


def test_only_whole_json_answers_are_kept() -> None:
    responses = ResponseCache()
    responses.switch("b1")
    for status, kind in ((404, b"application/json"), (200, b"text/csv; charset=utf-8")):
        key = ("b1", status, kind)
        responses.keep("b1", key, ETAG, _answer(status, kind))
        assert responses.get(key) is None


def test_concurrent_requests_share_one_verification(tmp_path: Path) -> None:
    auth = AuthService(Settings(data_dir=tmp_path))
    calls: list[str] = []
    release = threading.Event()

    def verify(secret: str) -> Principal:
        calls.append(secret)
        release.wait()
        return Principal("lead", "leader")

    auth._verify_token = verify  # type: ignore[method-assign]

    async def many() -> list[Principal | None]:
        asked = [asyncio.ensure_future(auth.principal("Bearer ioc_x", "")) for _ in range(5)]
        await asyncio.sleep(0)  # every request is under way
        release.set()
        return await asyncio.gather(*asked)

    # in a thread of its own: a browser test of the same worker may hold this thread's loop
    with ThreadPoolExecutor(1) as pool:
        answers = pool.submit(asyncio.run, many()).result()
    assert calls == ["ioc_x"] and answers == [Principal("lead", "leader")] * 5


def test_computations_at_once_are_bounded_and_nested_ones_do_not_wait() -> None:
    cache = BuildCache(computations=2)
    cache.switch("b1")
    running, most = 0, 0
    lock = threading.Lock()

    def compute(key: str) -> str:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        try:
            threading.Event().wait(0.02)
            # a computation that needs another value computes it in its own slot
            inner = cache.get("b1", f"inner-{key}", lambda: f"in-{key}")
            return f"{key}:{inner}"
        finally:
            with lock:
                running -= 1

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda k: cache.get("b1", k, lambda: compute(k)), "abcdefgh"))
    assert answers == [f"{k}:in-{k}" for k in "abcdefgh"]
    assert most == 2


def test_a_computation_holding_the_slot_never_waits_on_an_entry_waiting_for_that_slot() -> None:
    """The only slot is held by a computation that then asks for another value, which a second
    thread asked for meanwhile: both answer (the second thread took no entry while it waited
    for the slot; before, it did, and the first waited on it for ever)."""
    cache = BuildCache(computations=1)
    cache.switch("b1")
    holding, release = threading.Event(), threading.Event()
    answers: dict[str, str] = {}

    def outer() -> str:
        holding.set()
        assert release.wait(10)
        return cache.get("b1", "inner", lambda: "inner") + "+outer"

    first = threading.Thread(
        target=lambda: answers.update(a=cache.get("b1", "outer", outer)), daemon=True
    )
    first.start()
    assert holding.wait(10)
    second = threading.Thread(
        target=lambda: answers.update(b=cache.get("b1", "inner", lambda: "inner")), daemon=True
    )
    second.start()
    time.sleep(0.2)  # let the second thread reach the slot the first one holds
    release.set()
    first.join(10)
    second.join(10)
    assert not first.is_alive() and not second.is_alive(), "deadlock"
    assert answers == {"a": "inner+outer", "b": "inner"}
