"""``ioc.api.combine.Combiner``: a caller alone computes at once; callers arriving while a call
runs share the next one; each gets its own item's result; a failure reaches every caller of
that call and not the next."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

from ioc.api.combine import Combiner


class Recorder:
    """A computation that squares its items, records each call and can be held open."""

    def __init__(self) -> None:
        self.calls: list[list[int]] = []
        self.entered = threading.Event()
        self.release = threading.Event()
        self.release.set()
        self.fail_with: int | None = None

    def __call__(self, items: Sequence[int]) -> list[int]:
        self.calls.append(list(items))
        self.entered.set()
        self.release.wait(10)
        if self.fail_with in items:
            raise ValueError(f"bad item {self.fail_with}")
        return [i * i for i in items]


def test_a_caller_alone_computes_its_item_at_once() -> None:
    work = Recorder()
    combine = Combiner(work)
    assert combine(3) == 9 and combine(4) == 16
    assert work.calls == [[3], [4]]


def test_callers_arriving_during_a_call_share_the_next() -> None:
    work = Recorder()
    work.release.clear()
    combine = Combiner(work)
    with ThreadPoolExecutor(8) as pool:
        first = pool.submit(combine, 1)
        assert work.entered.wait(5)
        rest = [pool.submit(combine, i) for i in range(2, 9)]
        while len(combine._waiting) < 7:  # every other caller is queued behind the first
            threading.Event().wait(0.01)
        work.release.set()
        assert first.result(5) == 1
        assert [f.result(5) for f in rest] == [i * i for i in range(2, 9)]
    assert work.calls[0] == [1]
    assert sorted(work.calls[1]) == list(range(2, 9)) and len(work.calls) == 2


def test_a_failure_reaches_every_caller_of_that_call_only() -> None:
    work = Recorder()
    work.release.clear()
    work.fail_with = 5
    combine = Combiner(work)
    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(combine, 1)
        assert work.entered.wait(5)
        failing = [pool.submit(combine, i) for i in (5, 6)]
        while len(combine._waiting) < 2:
            threading.Event().wait(0.01)
        work.release.set()
        assert first.result(5) == 1
        for future in failing:
            with pytest.raises(ValueError, match="bad item 5"):
                future.result(5)
    assert combine(7) == 49  # the next call is made


def test_many_threads_each_get_their_own_result() -> None:
    work = Recorder()
    combine = Combiner(work)
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(combine, range(300)))
    assert results == [i * i for i in range(300)]
    assert sorted(i for call in work.calls for i in call) == list(range(300))
