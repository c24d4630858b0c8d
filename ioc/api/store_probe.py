"""Whether the operational store answers, for the health endpoint: cheap enough for a load
balancer to ask every second. One round trip at a time, its answer kept for
``keep_seconds``; a store that does not answer within ``timeout`` counts as unreachable
(the round trip goes on in its thread, and the next probe waits for it)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool

log = logging.getLogger("ioc.api")


class StoreProbe:
    def __init__(
        self, ping: Callable[[], None], keep_seconds: float = 2.0, timeout: float = 2.0
    ) -> None:
        self.ping = ping
        self.keep_seconds = keep_seconds
        self.timeout = timeout
        self._answer: tuple[float, bool] | None = None  # (when, reachable)
        self._probing: asyncio.Future[bool] | None = None

    async def reachable(self) -> bool:
        answer = self._answer
        if answer is not None and time.monotonic() - answer[0] < self.keep_seconds:
            return answer[1]
        if self._probing is None or self._probing.done():
            self._probing = asyncio.ensure_future(self._probe())
        try:
            async with asyncio.timeout(self.timeout):
                return await asyncio.shield(self._probing)
        except TimeoutError:
            return False

    async def _probe(self) -> bool:
        try:
            await run_in_threadpool(self.ping)
            ok = True
        except Exception as exc:  # any failure to answer: unreachable, said in the log
            log.warning("the store cannot be reached: %s", (str(exc).splitlines() or [""])[0])
            ok = False
        self._answer = (time.monotonic(), ok)
        return ok
