"""Helpers of the unit, school and data-quality browser tests: the API's own answers (one
sign-in per account and server, not one per call) and reading what a grid shows."""

from __future__ import annotations

import functools
from typing import Any

import httpx

from tests.e2e.conftest import session_cookie


@functools.cache
def _client(base: str, username: str) -> httpx.Client:
    return httpx.Client(
        base_url=f"{base}/api/v1",
        cookies={"ioc_session": session_cookie(base, username)},
        timeout=60,
    )


def api_get(base: str, username: str, path: str, **params: Any) -> Any:
    """The API's JSON answer to ``username`` (signed in once per server)."""
    response = _client(base, username).get(path, params=params)
    response.raise_for_status()
    return response.json()


def grid_cells(page: Any, grid: str, column: str) -> dict[str, str]:
    """Row id -> the text shown in one column of a grid (the rows the grid has rendered)."""
    return page.eval_on_selector_all(
        f"#{grid} .ag-body .ag-row",  # centre and pinned containers: a row is split among them
        """(rows, column) => {
            const out = {};
            for (const r of rows) {
                const cell = r.querySelector(`[col-id="${column}"]`);
                if (cell) { out[r.getAttribute("row-id")] = cell.textContent.trim(); }
            }
            return out;
        }""",
        column,
    )


def grid_order(page: Any, grid: str) -> list[str]:
    """Row ids in the order the grid displays them."""
    return page.eval_on_selector_all(
        f"#{grid} .ag-center-cols-container .ag-row",
        """rows => rows
            .sort((a, b) => +a.getAttribute('row-index') - +b.getAttribute('row-index'))
            .map(r => r.getAttribute('row-id'))""",
    )


def choose(page: Any, dropdown: str, value: str) -> None:
    """Pick an option of a dcc.Dropdown by its value."""
    page.click(f"#{dropdown}")
    page.click(f"[role=option]:has(input[value='{value}'])")


def reveal(page: Any) -> None:
    """Scroll through the page so every grid has drawn its rows (a grid off screen waits
    until it is seen), then back to the top: for full-page screenshots."""
    height = page.evaluate("document.documentElement.scrollHeight")
    for y in range(0, height, 600):
        page.evaluate(f"window.scrollTo(0, {y})")
        page.wait_for_timeout(80)
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(200)
