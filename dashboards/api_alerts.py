"""The API's calls about alerts (``/api/v1/alerts``, docs/alerts.md), mixed into
:class:`dashboards.api_client.Api`: the list with its filters and counts, one alert with its
timeline and deliveries, acknowledging and resolving, the summary the wall and the overview
read, the rules and the silences."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

#: the list's filters the page passes on (and its CSV/XLSX links with them)
FILTERS = ("state", "severity", "rule", "scheme", "unit", "silenced", "kind", "q")


def _items(body: Any) -> list[dict[str, Any]]:
    """The rows of a list answer, whether it is a bare list or ``{"items": [...]}``."""
    if isinstance(body, dict):
        return list(body.get("items") or [])
    return list(body or [])


class AlertCalls:
    """Calls of :class:`~dashboards.api_client.Api` about alerts (it gives the transport)."""

    # the transport, which Api defines (declared here for the type checker only)
    _request: Callable[..., httpx.Response]
    get: Callable[..., Any]

    def alerts(self, page: int = 1, size: int = 500, **filters: Any) -> dict[str, Any]:
        """One page of the alerts the caller may see: ``{"total", "page", "size", "items",
        "counts"}`` (``counts``: the filtered set by state and by severity)."""
        params = {k: v for k, v in filters.items() if k in FILTERS and v not in (None, "")}
        return self.get("/alerts", page=page, size=size, **params)

    def alert(self, alert_id: int) -> dict[str, Any]:
        """One alert with its rule's name, its units, ``events`` and ``deliveries``."""
        return self.get(f"/alerts/{int(alert_id)}")

    def acknowledge_alert(self, alert_id: int, comment: str | None = None) -> dict[str, Any]:
        body = {"comment": comment or None}
        return self._request("POST", f"/alerts/{int(alert_id)}/acknowledge", json=body).json()

    def resolve_alert(self, alert_id: int, comment: str) -> dict[str, Any]:
        body = {"comment": comment}
        return self._request("POST", f"/alerts/{int(alert_id)}/resolve", json=body).json()

    def alerts_summary(
        self, scheme: str | None = None, unit: str | None = None, top: int | None = None
    ) -> dict[str, Any]:
        """Open alerts that are not silenced: ``total``, by ``severity``, ``silenced`` (left
        out) and ``top``: the most severe, then the oldest (``top`` of them; the API's
        default when None, none with 0)."""
        return self.get("/alerts/summary", scheme=scheme, unit=unit, top=top)

    def alert_rules(self) -> list[dict[str, Any]]:
        """The catalog's rules (``source: catalog``) and the stored ones."""
        return _items(self.get("/alerts/rules"))

    def create_alert_rule(self, spec: dict[str, Any]) -> dict[str, Any]:
        return self._request("POST", "/alerts/rules", json=spec).json()

    def alert_silences(self) -> list[dict[str, Any]]:
        return _items(self.get("/alerts/silences"))

    def create_silence(self, spec: dict[str, Any]) -> dict[str, Any]:
        """``spec``: rule_key (or ``*``), scheme, unit, reason, ends_at (ISO, with its zone)."""
        return self._request("POST", "/alerts/silences", json=spec).json()

    def end_silence(self, silence_id: int) -> None:
        self._request("DELETE", f"/alerts/silences/{int(silence_id)}")
