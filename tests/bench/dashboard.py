"""Helpers of the ``dashboard`` target (issue 5, "Speed"): the real ``ioc serve`` on the
national snapshot, driven by Debian's chromium through Playwright.

- **overview interactive**: from navigation start to the first frame painted after the
  overview's KPI tiles entered the page (the page's layout came back and was drawn; the period
  and scheme controls are live), timed inside the page so that Playwright's polling is not
  counted (the time Playwright saw them is printed too), on a fresh browser context each time
  (cold cache), median of the runs;
- **first-load transfer**: the encoded (compressed) bytes of every response of such a first
  load, the document included, once the network is idle;
- **map indicator change**: on the map of a province's old districts (and on the whole-country
  map of the 2025 provinces), from the click event on another indicator in the picker to
  Plotly's ``plotly_afterplot`` event of the recoloured map, median of 5 changes.
"""

from __future__ import annotations

import contextlib
import re
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.bench.measure import child_env, run_child

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1366, "height": 768}
# In the page, before any of its scripts: the first frame painted after ``__SELECTOR__``
# matched (checked on every DOM change), in performance.now() milliseconds.
READY_JS = """(() => {
  const seen = () => {
    if (window.__iocReady !== undefined || !document.querySelector('__SELECTOR__')) return;
    window.__iocReady = performance.now();
    requestAnimationFrame(() => setTimeout(() => { window.__iocPainted = performance.now(); }));
  };
  new MutationObserver(seen).observe(document, {childList: true, subtree: true});
})();"""
PASSWORD = re.compile(r"Password[^:]*:\s*(\S+)")
INDICATORS = (
    "STF_QUALIFIED_PCT",
    "NET_STUDENTS",
    "FAC_SOLID_CLASSROOM_PCT",
    "WSH_PUPILS_PER_TOILET",
    "NET_CLASS_SIZE",
)
REPO = Path(__file__).resolve().parents[2]
GEO = REPO.parent / "shared" / "data" / "real" / "geo"
GEO_FILES = (
    "vn_districts_gadm_adm3.topo.json",
    "vn_provinces_34_2025.geojson",
    "vn_communes_2025_p92_can_tho.geojson",
)


def boundary_files() -> list[Path]:
    return [GEO / name for name in GEO_FILES if (GEO / name).exists()]


def leader_password(ioc: Path, data_dir: Path, username: str = "bench-viewer") -> str:
    """A new leader account (reads everything) and its generated password."""
    made = run_child(
        [str(ioc), "users", "add", username, "--role", "leader"], env=child_env(data_dir)
    )
    found = PASSWORD.search(made.stdout)
    if not made.ok or found is None:
        raise RuntimeError(made.failure() if not made.ok else f"no password in {made.stdout!r}")
    return found.group(1)


def session(base_url: str, username: str, password: str) -> str:
    response = httpx.post(
        f"{base_url}/api/v1/auth/login",
        json={"username": username, "password": password},
        timeout=60,
    )
    response.raise_for_status()
    return response.cookies["ioc_session"]


@dataclass
class Load:
    """One first load of a page: when it was usable, what it transferred."""

    interactive_ms: float
    transfer_bytes: int
    requests: int
    largest: list[tuple[int, str]] = field(default_factory=list)  # (bytes, path)
    errors: list[str] = field(default_factory=list)
    harness_ms: float = 0.0  # when Playwright saw it (its polling and IPC included)


@dataclass
class Change:
    """Indicator changes on one map."""

    url: str
    times_ms: list[float]
    shapes: int
    points: int
    errors: list[str] = field(default_factory=list)

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.times_ms) if self.times_ms else None


class Browser:
    """Chromium with a signed-in cookie; a fresh context (empty cache) per page."""

    def __init__(self, base_url: str, cookie: str) -> None:
        self.base_url, self.cookie = base_url, cookie
        self._pw: Any = None
        self._browser: Any = None

    def __enter__(self) -> Browser:
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            self._browser.close()
        with contextlib.suppress(Exception):
            self._pw.stop()

    @contextlib.contextmanager
    def page(self) -> Iterator[tuple[Any, list[str]]]:
        context = self._browser.new_context(viewport=VIEWPORT)
        context.add_cookies([{"name": "ioc_session", "value": self.cookie, "url": self.base_url}])
        page = context.new_page()
        page.set_default_timeout(120_000)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            yield page, errors
        finally:
            context.close()

    def first_load(self, path: str, ready: str) -> Load:
        """Open ``path`` cold; ``ready`` is the selector that makes it usable."""
        with self.page() as (page, errors):
            page.add_init_script(READY_JS.replace("__SELECTOR__", ready))
            page.goto(self.base_url + path, wait_until="commit")
            page.wait_for_selector(ready)
            seen = float(page.evaluate("performance.now()"))
            page.wait_for_function("() => window.__iocPainted !== undefined")
            interactive = float(page.evaluate("window.__iocPainted"))
            with contextlib.suppress(Exception):
                page.wait_for_load_state("networkidle", timeout=30_000)
            entries = page.evaluate(
                """() => [...performance.getEntriesByType('navigation'),
                          ...performance.getEntriesByType('resource')]
                    .map(e => [e.name.replace(location.origin, ''), e.encodedBodySize])"""
            )
            total = sum(int(size) for _, size in entries)
            largest = sorted(((int(s), n.split("?")[0]) for n, s in entries), reverse=True)[:4]
            return Load(interactive, total, len(entries), largest, errors, seen)

    def indicator_changes(self, path: str, indicators: tuple[str, ...] = INDICATORS) -> Change:
        """Open the map at ``path`` and time each change of indicator (click to redraw)."""
        with self.page() as (page, errors):
            page.goto(self.base_url + path)
            page.wait_for_selector("#map-graph .js-plotly-plot")
            page.wait_for_timeout(500)
            page.evaluate(
                """() => { const gd = document.querySelector('#map-graph .js-plotly-plot');
                    window.__plots = 0;
                    gd.on('plotly_afterplot', () => {
                        window.__plots += 1; window.__drawn = performance.now(); });
                    document.addEventListener('click', (e) => {
                        if (e.target.closest('.dash-dropdown-option')) {
                            window.__clicked = e.timeStamp; } }, true); }"""
            )
            shapes = page.locator("#map-graph path.choroplethlocation").count()
            points = page.locator("#map-graph .scattergeo .point").count()
            times = []
            for indicator in indicators:
                page.click("#map-indicator")
                option = page.locator(
                    ".dash-dropdown-option", has=page.locator(f"input[value='{indicator}']")
                )
                option.scroll_into_view_if_needed()
                before = page.evaluate("window.__plots")
                option.click()
                page.wait_for_function(f"() => window.__plots > {before}")
                page.wait_for_url(f"**indicator={indicator}**")
                # from the click event on the option to the map drawn again
                times.append(float(page.evaluate("window.__drawn - window.__clicked")))
                time.sleep(0.2)
            return Change(path, times, shapes, points, errors)
