"""Exports have capacity of their own, so they cannot starve interactive requests.

FastAPI runs every sync route in one shared pool of worker threads (anyio's default, 40);
fifty exports at once used to take all of them, and another user's ``GET /periods`` waited
for the exports to finish. Now an export (the CSV or XLSX form of a list, a report file
download) is admitted before its route runs: beyond ``IOC_EXPORTS_MAX_PER_ACCOUNT`` exports
of one account, or ``IOC_EXPORTS_MAX_CONCURRENT`` in all, it is refused at once with 429 and
``Retry-After``, never queued. An admitted export's file is written on the export pool
(:meth:`ExportGate.run`), a limiter of ``IOC_EXPORTS_MAX_CONCURRENT`` threads, not in the
route's shared thread. The counts are those of one server process.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.types import Receive, Scope, Send

from ioc.api.deps import PrincipalDep
from ioc.api.errors import ApiError
from ioc.config import Settings

T = TypeVar("T")


class ExportGate:
    """Admission of exports (per account and in all) and the pool that writes them.

    The counts change only on the event loop (in the :func:`export_slot` dependency), so
    they need no lock."""

    def __init__(self, settings: Settings) -> None:
        self.total = settings.exports_max_concurrent
        self.per_account = settings.exports_max_per_account
        self.retry_after = settings.exports_retry_after_seconds
        self.running: Counter[str] = Counter()
        self.limiter = CapacityLimiter(self.total)

    @classmethod
    def of(cls, app: FastAPI) -> ExportGate:
        """The application's gate, made on first use."""
        gate: ExportGate | None = getattr(app.state, "exports", None)
        if gate is None:
            gate = app.state.exports = cls(app.state.settings)
        return gate

    @contextlib.contextmanager
    def slot(self, account: str) -> Iterator[None]:
        """Hold one export slot of ``account``; ApiError 429 when none is free."""
        mine, everyone = self.running[account], self.running.total()
        if mine >= self.per_account:
            raise self._refused(
                "too_many_exports",
                f"Tài khoản của bạn đang xuất {mine} tệp cùng lúc, tối đa "
                f"{self.per_account}; hãy đợi các tệp đó xong rồi thử lại",
                f"Your account has {mine} exports running, the most it may have at once "
                f"(IOC_EXPORTS_MAX_PER_ACCOUNT={self.per_account}); retry when one is done",
            )
        if everyone >= self.total:
            raise self._refused(
                "exports_busy",
                f"Máy chủ đang xuất {everyone} tệp cùng lúc, tối đa {self.total}; "
                f"hãy thử lại sau {self.retry_after} giây",
                f"The server is writing {everyone} exports, the most it writes at once "
                f"(IOC_EXPORTS_MAX_CONCURRENT={self.total}); retry in {self.retry_after} s",
            )
        self.running[account] += 1
        try:
            yield
        finally:
            self.running[account] -= 1
            if not self.running[account]:
                del self.running[account]

    def _refused(self, code: str, vi: str, en: str) -> ApiError:
        return ApiError(429, code, vi, en, headers={"Retry-After": str(self.retry_after)})

    async def run(self, func: Callable[..., T], *args: Any) -> T:
        """``func(*args)`` on a thread of the export pool."""
        return await anyio.to_thread.run_sync(func, *args, limiter=self.limiter)

    async def iterate(
        self, chunks: Iterator[bytes], close: Callable[[], None]
    ) -> AsyncIterator[bytes]:
        """The chunks of a streamed export, each made on the export pool; ``close`` runs
        when the stream ends or the client goes away."""
        try:
            while (chunk := await self.run(next, chunks, None)) is not None:
                yield chunk
        finally:
            close()


class PooledResponse(Response):
    """A whole-file export whose body ``make()`` writes on the export pool when the
    response is sent, so the route's thread is free as soon as the data is read."""

    def __init__(
        self,
        gate: ExportGate,
        make: Callable[[], bytes],
        *,
        media_type: str,
        headers: dict[str, str],
    ) -> None:
        super().__init__(media_type=media_type, headers=headers)
        self._gate, self._make = gate, make

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.body = await self._gate.run(self._make)
        self.headers["content-length"] = str(len(self.body))
        await super().__call__(scope, receive, send)


async def export_slot(request: Request, who: PrincipalDep) -> AsyncIterator[None]:
    """A dependency: the request is an export, admitted (429 otherwise) until it is sent."""
    with ExportGate.of(request.app).slot(who.username):
        yield
