"""Browser tests: Playwright driving Debian's chromium against the real `ioc serve`.

Every page a test opens is checked for browser console errors, and screenshots are kept
under ``test-artifacts/screenshots/`` as artifacts of the run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ioc.config import Settings
from tests.conftest import REPO, serve

SHOTS = REPO / "test-artifacts" / "screenshots"
PASSWORD = "demo-2025!"
GEO = REPO.parent / "shared" / "data" / "real" / "geo"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def boundaries_env() -> dict[str, str]:
    """Boundary files for the map, from the shared real-data folder when it is there."""
    files = [GEO / "vn_communes_2025_p92_can_tho.geojson", GEO / "vn_districts_gadm_adm3.topo.json"]
    files.append(GEO / "vn_provinces_34_2025.geojson")  # the whole-country map (map.py)
    present = [str(f) for f in files if f.exists()]
    return {"IOC_BOUNDARIES": ",".join(present)} if present else {}


@pytest.fixture(scope="session")
def dash_server(
    demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory, boundaries_env: Any
) -> Iterator[Any]:
    """`ioc serve` (dashboard and API) over its own copy of the demo data."""
    yield from serve(demo_settings, tmp_path_factory.mktemp("dash"), boundaries_env)


def session_cookie(base: str, username: str) -> str:
    response = httpx.post(
        f"{base}/api/v1/auth/login", json={"username": username, "password": PASSWORD}
    )
    response.raise_for_status()
    return response.cookies["ioc_session"]


class Console:
    """Browser console errors and uncaught page errors seen while a test ran."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def watch(self, page: Any) -> None:
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))


@pytest.fixture
def console() -> Console:
    return Console()


def open_page(
    browser: Any,
    console: Console,
    contexts: list[Any],
    base: str,
    username: str | None,
    path: str,
    viewport: dict[str, int] = DESKTOP,
    lang: str = "vi",
    timeout_ms: int = 20_000,
) -> Any:
    """A page of the server at ``base``, signed in as ``username`` (None: not signed in), in
    ``lang``, at ``path``; its console watched, its context added to ``contexts`` (the
    caller closes them)."""
    context = browser.new_context(viewport=viewport, accept_downloads=True)
    contexts.append(context)
    cookies = [{"name": "ioc_lang", "value": lang, "url": base}]
    if username:
        cookies.append(
            {"name": "ioc_session", "value": session_cookie(base, username), "url": base}
        )
    context.add_cookies(cookies)
    page = context.new_page()
    page.set_default_timeout(timeout_ms)
    console.watch(page)
    page.goto(base + path)
    return page


def pages_on(
    browser: Any, console: Console, base: str, viewport: dict[str, int] = DESKTOP
) -> Iterator[Callable[..., Any]]:
    """For a fixture over a server of its own: ``opener(username, path, viewport=...)`` gives
    signed-in pages of the server at ``base`` (30 s timeouts); they are closed afterwards, and
    none may have logged a console error."""
    contexts: list[Any] = []

    def opener(username: str, path: str, size: dict[str, int] = viewport) -> Any:
        return open_page(browser, console, contexts, base, username, path, size, timeout_ms=30_000)

    yield opener
    for context in contexts:
        context.close()
    assert not console.errors, console.errors


@pytest.fixture
def open_as(
    browser: Any, dash_server: Any, console: Console, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Any]]:
    """``open_as(username, path, viewport=DESKTOP)``: a signed-in page at ``path``.
    After the test, the page must not have logged console errors."""
    contexts: list[Any] = []

    def opener(
        username: str | None, path: str = "/", viewport: dict[str, int] = DESKTOP, lang: str = "vi"
    ) -> Any:
        base = dash_server.base
        return open_page(browser, console, contexts, base, username, path, viewport, lang)

    yield opener
    for context in contexts:
        context.close()
    allowed = getattr(request.node, "console_errors_expected", ())
    unexpected = [e for e in console.errors if not any(a in e for a in allowed)]
    assert not unexpected, f"browser console errors: {unexpected}"


def screenshot(page: Any, name: str) -> Path:
    """Keep a screenshot of the page as a test artifact."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def api_get(base: str, username: str, path: str, **params: Any) -> Any:
    """The API's own answer, to check what the page shows against."""
    response = httpx.get(
        f"{base}/api/v1{path}",
        params=params,
        cookies={"ioc_session": session_cookie(base, username)},
        timeout=60,
    )
    response.raise_for_status()
    return response.json()
