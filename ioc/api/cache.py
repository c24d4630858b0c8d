"""Answers computed from one published build, kept until a new build is published.

A build never changes once published, so anything derived from it alone (indicator rows
of a unit, a unit's school list, a scope's units) can be reused by every later request
until the build id changes. Access rules are applied after the cache, per request."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from fastapi import Request


class BuildCache:
    def __init__(self, maxsize: int = 4096) -> None:
        self.maxsize = maxsize
        self._build: str | None = None
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, build_id: str, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if build_id != self._build:
                self._items.clear()
                self._build = build_id
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()  # outside the lock: concurrent misses may compute twice, harmlessly
        with self._lock:
            if build_id == self._build:
                self._items[key] = value
                while len(self._items) > self.maxsize:
                    self._items.popitem(last=False)
        return value


def cached(request: Request, key: Hashable, compute: Callable[[], Any]) -> Any:
    """``compute()`` for the build this request reads, reused across requests."""
    build = request.app.state.snapshot.current()
    if build is None:
        return compute()
    return request.app.state.cache.get(build.build_id, key, compute)
