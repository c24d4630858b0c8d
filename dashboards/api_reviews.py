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
        self,
        period: str,
        unit: str,
        scheme: str | None = None,
        state: str | None = None,
        page: int = 1,
        size: int = 1000,
    ) -> dict[str, Any]:
        """Returns waiting (received, checked, returned; or ``state``) in a unit, oldest
        first: ``{"total", "page", "size", "items"}``, each with the school, its place codes,
        state, received_at, age_days, findings and content_hash."""
        return self.get(
            "/reviews/queue",
            period=period,
            unit=unit,
            scheme=scheme,
            state=state,
            page=page,
            size=size,
        )

    def review_queue_all(
        self, period: str, unit: str, scheme: str | None = None, state: str | None = None
    ) -> list[dict[str, Any]]:
        """Every page of the queue."""
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            body = self.review_queue(period, unit, scheme, state, page)
            rows = _items(body)
            items.extend(rows)
            if not rows or len(items) >= int(body.get("total") or 0):
                return items
            page += 1

    def review_summary(
        self, period: str, unit: str, scheme: str | None = None
    ) -> list[dict[str, Any]]:
        """Per child unit: returns by state, ``pending``, ``locked``."""
        return _items(self.get("/reviews/summary", period=period, unit=unit, scheme=scheme))

    def review(self, school_code: str, period: str) -> dict[str, Any]:
        """One return: its queue row (state, hash, school) flattened with ``figures``,
        ``history``, ``findings``, ``effect``, ``period`` and ``previous_period``."""
        body = self.get(f"/reviews/{quote(school_code)}/{path_period(period)}")
        return {**(body.get("return") or {}), **body}

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

    def approve_clean(self, unit: str, period: str, scheme: str | None = None) -> dict[str, Any]:
        """Approve every waiting return of ``unit`` without findings: the counts
        (``approved``, ``with_findings``, ``not_allowed``, ``refused``, ``remaining``)."""
        body = {"unit": unit, "period": period, "scheme": scheme}
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
