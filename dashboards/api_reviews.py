"""The API's calls about review and approval (``/api/v1/reviews``), mixed into
:class:`dashboards.api_client.Api`: the queue of returns waiting, the summary per unit, one
return's detail, the actions on it, approving a unit's clean returns, period locks and the
verdict of the review chain (docs/approval.md, "API")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx


def path_period(period: str) -> str:
    """A period as the reviews' paths write it: ``2025-2026/DN`` -> ``2025-2026-DN``."""
    return period.replace("/", "-")


def _items(body: Any) -> list[dict[str, Any]]:
    """The rows of a list answer, whether it is a bare list or ``{"items": [...]}``."""
    if isinstance(body, dict):
        return list(body.get("items") or [])
    return list(body or [])


class ReviewCalls:
    """Calls of :class:`~dashboards.api_client.Api` about reviews (it gives the transport)."""

    # the transport, which Api defines (declared here for the type checker only)
    _request: Callable[..., httpx.Response]
    get: Callable[..., Any]

    def review_queue(
        self, period: str, unit: str | None = None, state: str | None = None, page: int = 1
    ) -> dict[str, Any]:
        """Returns waiting (received, checked, returned): ``{"total", "items"}``, each with
        school, unit, state, received_at, age in days and findings."""
        body = self.get("/reviews/queue", period=period, unit=unit, state=state, page=page)
        if isinstance(body, list):
            return {"total": len(body), "items": body}
        return body

    def review_queue_all(
        self, period: str, unit: str | None = None, state: str | None = None
    ) -> list[dict[str, Any]]:
        """Every page of the queue."""
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            body = self.review_queue(period, unit, state, page)
            rows = _items(body)
            items.extend(rows)
            if not rows or len(items) >= int(body.get("total") or 0):
                return items
            page += 1

    def review_summary(self, period: str, unit: str | None = None) -> list[dict[str, Any]]:
        """Per child unit: returns by state, pending, locked, age of the oldest waiting."""
        return _items(self.get("/reviews/summary", period=period, unit=unit))

    def review(self, school_code: str, period: str) -> dict[str, Any]:
        """One return: figures, state, hash, history, differences, findings, effect."""
        return self.get(f"/reviews/{quote(school_code)}/{path_period(period)}")

    def review_act(
        self,
        school_code: str,
        period: str,
        action: str,
        expected_hash: str,
        reason: str | None = None,
    ) -> dict[str, Any]:
        """Take ``action`` (check, approve, return, reopen) on the version the caller saw."""
        body = {"action": action, "expected_hash": expected_hash, "reason": reason or None}
        path = f"/reviews/{quote(school_code)}/{path_period(period)}/actions"
        return self._request("POST", path, json=body).json()

    def approve_clean(self, unit: str, period: str) -> dict[str, Any]:
        """Approve every waiting return of ``unit`` without findings: the counts."""
        body = {"unit": unit, "period": period}
        return self._request("POST", "/reviews/approve-clean", json=body).json()

    def review_locks(self) -> list[dict[str, Any]]:
        return _items(self.get("/reviews/locks"))

    def lock_period(
        self, scheme: str, unit: str, period: str, reason: str | None = None
    ) -> dict[str, Any]:
        body = {"scheme": scheme, "unit": unit, "period": period, "reason": reason or None}
        return self._request("POST", "/reviews/locks", json=body).json()

    def unlock_period(self, scheme: str, unit: str, period: str, reason: str) -> None:
        path = f"/reviews/locks/{scheme}/{quote(unit)}/{path_period(period)}"
        self._request("DELETE", path, params={"reason": reason})

    def review_chain(self) -> dict[str, Any]:
        """The chain's verdict: ``{"ok", "events", "problems", "checked_at"}``."""
        return self.get("/reviews/chain")
