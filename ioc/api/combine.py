"""Requests that wait for the same kind of computation at the same time, computed in one call.

Some computations cost mostly a fixed overhead, whatever the rows: a school's indicator values
are a Polars plan of a few thousand expression nodes over about twenty rows, 25 ms for one
school and 28 ms for ten. Under load, school pages arrive together; :class:`Combiner` lets
the first caller compute at once (no added wait when alone), and the callers that arrive
while it computes wait for the next call, made once for all of them by the first of them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")


@dataclass
class _Ticket(Generic[In, Out]):
    item: In
    done: threading.Event = field(default_factory=threading.Event)
    lead: bool = False  # woken to make the next call, not with an answer
    result: Out | None = None
    error: BaseException | None = None


class Combiner(Generic[In, Out]):
    """Calls ``compute`` with the items of every caller waiting at once; ``compute`` answers
    one result per item, in order. A failure of a call is every caller's of that call."""

    def __init__(self, compute: Callable[[Sequence[In]], Sequence[Out]]) -> None:
        self._compute = compute
        self._lock = threading.Lock()
        self._busy = False
        self._waiting: list[_Ticket[In, Out]] = []

    def __call__(self, item: In) -> Out:
        ticket: _Ticket[In, Out] = _Ticket(item)
        with self._lock:
            self._waiting.append(ticket)
            ticket.lead = not self._busy
            self._busy = True
        if not ticket.lead:
            ticket.done.wait()
        if ticket.lead:
            self._call()
        if ticket.error is not None:
            raise ticket.error
        return ticket.result  # type: ignore[return-value]  # set by the call that answered it

    def _call(self) -> None:
        """Compute for every waiting ticket, then wake the first that came meanwhile to make
        the next call (or stop)."""
        with self._lock:
            batch, self._waiting = self._waiting, []
        try:
            results = self._compute([t.item for t in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"{len(results)} results for {len(batch)} items")
            for ticket, result in zip(batch, results, strict=True):
                ticket.result = result
        except BaseException as exc:  # every caller of this call sees its failure
            for ticket in batch:
                ticket.error = exc
        finally:
            with self._lock:
                following = self._waiting[0] if self._waiting else None
                self._busy = following is not None
            for ticket in batch:
                ticket.lead = False
                ticket.done.set()
            if following is not None:
                following.lead = True
                following.done.set()
