"""Answers computed from one published build, kept until a new build is published.

A build never changes once published, so anything derived from it alone (indicator rows
of a level, the schools of a period with one indicator, a scope's units) can be reused by
every later request until the build id changes. Access rules are applied after the cache,
per request. A new build's answers are kept from the moment it is opened, while it is warmed
and the previous build is still served (:meth:`BuildCache.prepare`).

A value is computed once even when many requests (or the warm-up thread) ask for it at the
same time: the first computes, the others wait for its answer. The cache holds at most
``max_bytes`` (frames by their estimated size), least recently used out first."""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, NamedTuple

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
    """The answers of the build this process serves and of the one it prepares (opened,
    being warmed, not yet served: :meth:`ioc.api.snapshot.Snapshot.on_prepare`), in one
    budget, least recently used out first; any other build's answers are computed, not kept."""

    def __init__(self, max_bytes: int = 256 << 20, computations: int = 1) -> None:
        self.max_bytes = max_bytes
        self._computing = _Slots(computations)
        self._build: str | None = None
        self._next: str | None = None
        self._items: OrderedDict[tuple[str, Hashable], _Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def build(self) -> str | None:
        """The build served (whose answers are kept)."""
        return self._build

    def keeps(self, build_id: str) -> bool:
        """Whether answers of ``build_id`` are kept: it is served or being prepared."""
        return build_id in (self._build, self._next)

    def prepare(self, build_id: str) -> None:
        """A new build is open and warming before it is served: keep its answers too (those
        of a build prepared before and never served go)."""
        with self._lock:
            if build_id != self._build:
                self._next = build_id
                self._drop_others()

    def switch(self, build_id: str) -> None:
        """``build_id`` is served now: what was kept for any other build goes."""
        with self._lock:
            self._build, self._next = build_id, None
            self._drop_others()

    def _drop_others(self) -> None:
        for key in [k for k in self._items if not self.keeps(k[0])]:
            entry = self._items.pop(key)
            if entry.ready.is_set():
                self._bytes -= entry.size

    def peek(self, build_id: str, key: Hashable) -> Any:
        """The value if it is computed and kept, else MISSING (never computes nor waits)."""
        with self._lock:
            entry = self._items.get((build_id, key))
            if entry is None or not entry.ready.is_set() or entry.failed:
                return MISSING
            self._items.move_to_end((build_id, key))
            return entry.value

    def get(self, build_id: str, key: Hashable, compute: Callable[[], Any]) -> Any:
        item = (build_id, key)
        with self._lock:
            kept = self.keeps(build_id)
            entry = self._items.get(item) if kept else None
            if entry is not None:
                self._items.move_to_end(item)
        if not kept:  # an older build: answer, keep nothing
            with self._computing:
                return compute()
        if entry is None:
            # The slot first, then the entry: an entry not ready is always being computed by
            # a thread that holds a slot. Taking the entry first and then waiting for a slot
            # let a computation holding the only slot wait for that entry, for ever.
            with self._computing:
                with self._lock:
                    entry = self._items.get(item)
                    mine = _Entry() if entry is None and self.keeps(build_id) else None
                    if mine is not None:
                        self._items[item] = mine
                if mine is not None:
                    return self._fill(item, mine, compute)
                if entry is None:  # the build stopped being kept meanwhile
                    return compute()
        entry.ready.wait()
        if entry.failed:
            with self._computing:
                return compute()
        return entry.value

    def _fill(self, item: tuple[str, Hashable], entry: _Entry, compute: Callable[[], Any]) -> Any:
        """Compute ``entry`` (its owner holds a slot) and keep it unless its build went."""
        try:
            value = compute()
        except BaseException:
            with self._lock:
                if self._items.get(item) is entry:
                    del self._items[item]
            entry.failed = True
            entry.ready.set()
            raise
        entry.value, entry.size = value, size_of(value)
        with self._lock:
            entry.ready.set()  # under the lock: a dropped entry's size is never counted twice
            if self._items.get(item) is entry:
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


class _Slots:
    """At most ``n`` computations at once across threads; a computation that asks for another
    value (through the cache) while it holds a slot computes it in that slot."""

    def __init__(self, n: int) -> None:
        self._free = threading.BoundedSemaphore(n)
        self._held = threading.local()

    def __enter__(self) -> None:
        depth = getattr(self._held, "depth", 0)
        if depth == 0:
            self._free.acquire()
        self._held.depth = depth + 1

    def __exit__(self, *exc: object) -> None:
        self._held.depth -= 1
        if self._held.depth == 0:
            self._free.release()


def size_of(value: Any) -> int:
    """Roughly how many bytes a cached value holds."""
    if hasattr(value, "estimated_size"):  # a frame, or what holds one
        return int(value.estimated_size())
    if isinstance(value, dict):
        return sys.getsizeof(value) + sum(size_of(v) for v in value.values())
    if isinstance(value, list | tuple | set | frozenset):
        return sys.getsizeof(value) + sum(size_of(v) for v in value)
    return sys.getsizeof(value)


def uncached(key: Hashable, compute: Callable[[], Any]) -> Any:
    """A :data:`Getter` that keeps nothing (no build to file the answer under)."""
    return compute()


def _build_id(request: Request) -> str | None:
    """The build this request reads (its cursor's)."""
    build = getattr(request.state, "build", None) or request.app.state.snapshot.current()
    return None if build is None else build.build_id


def getter(request: Request) -> Getter:
    """The cache of the build this request reads, or no cache without one."""
    build_id = _build_id(request)
    if build_id is None:
        return uncached
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
