"""Answers computed from one published build, kept until a new build is published.

A build never changes once published, so anything derived from it alone (indicator rows
of a level, the schools of a period with one indicator, a scope's units) can be reused by
every later request until the build id changes. Access rules are applied after the cache,
per request.

A value is computed once even when many requests (or the warm-up thread) ask for it at the
same time: the first computes, the others wait for its answer. The cache holds at most
``max_bytes`` (frames by their estimated size), least recently used out first."""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, NamedTuple

import polars as pl
from fastapi import Request
from starlette.concurrency import run_in_threadpool

Getter = Callable[[Hashable, Callable[[], Any]], Any]
MISSING: Any = object()


class Spec(NamedTuple):
    """A cached value: its key and how to compute it (``get(*spec)``)."""

    key: Hashable
    compute: Callable[[], Any]


class _Entry:
    def __init__(self) -> None:
        self.ready = threading.Event()
        self.value: Any = None
        self.failed = False
        self.size = 0


class BuildCache:
    def __init__(self, max_bytes: int = 256 << 20) -> None:
        self.max_bytes = max_bytes
        self._build: str | None = None
        self._items: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def build(self) -> str | None:
        """The build whose answers are kept (the newest opened)."""
        return self._build

    def switch(self, build_id: str) -> None:
        """A new build is open: what was kept for the previous one goes."""
        with self._lock:
            if build_id != self._build:
                self._items.clear()
                self._bytes = 0
                self._build = build_id

    def peek(self, build_id: str, key: Hashable) -> Any:
        """The value if it is computed and kept, else MISSING (never computes nor waits)."""
        with self._lock:
            entry = self._items.get(key) if build_id == self._build else None
            if entry is None or not entry.ready.is_set() or entry.failed:
                return MISSING
            self._items.move_to_end(key)
            return entry.value

    def get(self, build_id: str, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if build_id != self._build:
                entry, owner = None, False  # an older build: answer, keep nothing
            elif key in self._items:
                entry, owner = self._items[key], False
                self._items.move_to_end(key)
            else:
                entry, owner = _Entry(), True
                self._items[key] = entry
        if entry is None:
            return compute()
        if not owner:
            entry.ready.wait()
            return compute() if entry.failed else entry.value
        try:
            value = compute()
        except BaseException:
            with self._lock:
                if self._items.get(key) is entry:
                    del self._items[key]
            entry.failed = True
            entry.ready.set()
            raise
        entry.value, entry.size = value, size_of(value)
        entry.ready.set()
        with self._lock:
            if self._items.get(key) is entry:
                self._bytes += entry.size
                self._evict()
        return value

    def _evict(self) -> None:
        for key in list(self._items):
            if self._bytes <= self.max_bytes:
                return
            entry = self._items[key]
            if entry.ready.is_set():
                del self._items[key]
                self._bytes -= entry.size

    def getter(self, build_id: str) -> Getter:
        """``get`` for one build: ``getter(build_id)(key, compute)``."""
        return lambda key, compute: self.get(build_id, key, compute)


def size_of(value: Any) -> int:
    """Roughly how many bytes a cached value holds."""
    if isinstance(value, pl.DataFrame):
        return int(value.estimated_size())
    if isinstance(value, dict):
        return sys.getsizeof(value) + sum(size_of(v) for v in value.values())
    if isinstance(value, list | tuple | set | frozenset):
        return sys.getsizeof(value) + sum(size_of(v) for v in value)
    return sys.getsizeof(value)


def _build_id(request: Request) -> str | None:
    """The build this request reads (its cursor's)."""
    build = getattr(request.state, "build", None) or request.app.state.snapshot.current()
    return None if build is None else build.build_id


def getter(request: Request) -> Getter:
    """The cache of the build this request reads, or no cache without one."""
    build_id = _build_id(request)
    if build_id is None:
        return lambda key, compute: compute()
    return request.app.state.cache.getter(build_id)


async def fetch(request: Request, spec: Spec) -> Any:
    """A cached value for an async route: at once, on the event loop, when it is kept; in a
    worker thread when it has to be computed (or waited for)."""
    build_id = _build_id(request)
    cache: BuildCache = request.app.state.cache
    value = MISSING if build_id is None else cache.peek(build_id, spec.key)
    if value is MISSING:
        value = await run_in_threadpool(getter(request), *spec)
    return value


def cached(request: Request, key: Hashable, compute: Callable[[], Any]) -> Any:
    """``compute()`` for the build this request reads, reused across requests."""
    return getter(request)(key, compute)
