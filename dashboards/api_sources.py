"""The API's calls about pulled sources (``/api/v1/sources``), mixed into
:class:`dashboards.api_client.Api`: the sources, their state, their ledger, and starting a
pull or a connection test."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx


class SourceCalls:
    """Calls of :class:`~dashboards.api_client.Api` about sources (it gives the transport)."""

    # the transport, which Api defines (declared here for the type checker only)
    _request: Callable[..., httpx.Response]
    get: Callable[..., Any]

    # -- pulled sources --------------------------------------------------------------
    def sources(self) -> list[dict[str, Any]]:
        """The sources the caller may see, with their state; never a credential."""
        return self.get("/sources")

    def sources_status(self) -> list[dict[str, Any]]:
        """One row per source: ``name``, ``state``, ``last_success_at``, ``last_pull_at``,
        ``consecutive_failures``, ``error`` (any signed-in role)."""
        return self.get("/sources/status")

    def create_source(self, spec: dict[str, Any]) -> dict[str, Any]:
        return self._request("POST", "/sources", json=spec).json()

    def update_source(self, name: str, spec: dict[str, Any]) -> dict[str, Any]:
        return self._request("PUT", f"/sources/{name}", json=spec).json()

    def delete_source(self, name: str) -> None:
        self._request("DELETE", f"/sources/{name}")

    def pull_source(self, name: str, *, full: bool = False, dry_run: bool = False) -> int:
        """Start a pull; the id of its job (202, ``Location: /api/v1/jobs/{id}``)."""
        params = {"full": str(full).lower(), "dry_run": str(dry_run).lower()}
        response = self._request("POST", f"/sources/{name}/pull", params=params)
        location = response.headers.get("Location", "")
        if location.rstrip("/").rsplit("/", 1)[-1].isdigit():
            return int(location.rstrip("/").rsplit("/", 1)[-1])
        return int(response.json()["job_id"])

    def test_source(self, name: str) -> dict[str, Any]:
        """Connect, authenticate and map the first page of each resource: ``{"ok",
        "checks"}`` (nothing stored; waited for)."""
        return self._request("POST", f"/sources/{name}/test", timeout=180).json()

    def source_pulls(self, name: str, limit: int = 50) -> list[dict[str, Any]]:
        """A source's ledger, newest first."""
        body = self.get(f"/sources/{name}/pulls", limit=limit)
        return body["items"] if isinstance(body, dict) else body
