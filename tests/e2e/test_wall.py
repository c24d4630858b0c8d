"""The operations wall screen in chromium: opened with a display token only, its clock and
data-as-of, rotation, figures against the API's, refresh in place, the stale-data banner
when the server goes away (and recovery when it comes back), and a short soak."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from dashboards.formats import value_text
from dashboards.wall import screens
from ioc.config import Settings
from tests.bench import wall_soak
from tests.conftest import IOC, REPO, free_port, serve, upload_and_wait
from tests.e2e.conftest import PASSWORD, Console, api_get, screenshot

TOKEN = "ioc_demo-display-soc-trang-94"
FULL_HD = {"width": 1920, "height": 1080}
UHD = {"width": 3840, "height": 2160}
VN = ZoneInfo("Asia/Ho_Chi_Minh")
BAD = ("below", "above")
FADED_IN = """() => Array.from(document.querySelectorAll('.wall-panel')).every(p => {
  const style = getComputedStyle(p);
  return p.classList.contains('active') ? style.opacity === '1' : style.visibility === 'hidden';
})"""
#: per panel, whether it has nothing to show (its body marked .wall-skip) and is passed by
SKIPPED = """() => Array.from(document.querySelectorAll('.wall-panel'))
    .map(p => p.querySelector('.wall-skip') !== null)"""
# a stopped server: the browser's failed requests, and dash-renderer reporting them
SERVER_GONE = ("ERR_CONNECTION_REFUSED", "Failed to fetch", "Callback failed", "ERR_EMPTY_RESPONSE")


@pytest.fixture
def open_wall(browser: Any, console: Console, request: pytest.FixtureRequest) -> Iterator[Any]:
    """``open_wall(base, query, viewport)``: a fresh browser (no session, no cookies) that
    opens ``/wall?token=...&QUERY``. After the test: no unexpected console errors."""
    contexts: list[Any] = []

    def opener(base: str, query: str = "", viewport: dict[str, int] = FULL_HD) -> Any:
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        console.watch(page)
        page.goto(f"{base}/wall?token={TOKEN}&dim=0&{query}")
        return page

    yield opener
    for context in contexts:
        context.close()
    allowed = getattr(request.node, "console_errors_expected", ())
    unexpected = [e for e in console.errors if not any(a in e for a in allowed)]
    assert not unexpected, f"browser console errors: {unexpected}"


def _latest(base: str) -> str:
    return api_get(base, "demo-leader", "/periods")[0]["period"]


def _clock_ok(shown: str) -> bool:
    now = datetime.now(VN)
    return shown in {(now + timedelta(minutes=d)).strftime("%H:%M") for d in (-1, 0, 1)}


def test_a_screen_opens_with_its_token_alone(dash_server: Any, open_wall: Any) -> None:
    page = open_wall(dash_server.base, "panels=kpis&dwell=600")
    page.wait_for_selector("#wall-kpi-NET_STUDENTS")
    # the token went into an httponly cookie and out of the address
    assert "token" not in page.url and page.url.endswith("/wall?dim=0&panels=kpis&dwell=600")
    cookie = next(c for c in page.context.cookies() if c["name"] == "ioc_wall")
    assert cookie["httpOnly"] and cookie["value"] == TOKEN
    assert not any(c["name"] == "ioc_session" for c in page.context.cookies())
    # the clock (Việt Nam time, kept by the browser) and the data as-of are on screen
    page.wait_for_function("() => document.getElementById('wall-clock').textContent.length === 5")
    assert _clock_ok(page.inner_text("#wall-clock"))
    dates = {(datetime.now(VN) - timedelta(minutes=d)).strftime("%d/%m/%Y") for d in (0, 1)}
    assert page.inner_text("#wall-date").split(" ")[-1] in dates
    health = httpx.get(f"{dash_server.base}/api/v1/health").json()
    as_of = datetime.fromisoformat(health["data_as_of"]).astimezone(VN)
    assert page.inner_text("#wall-asof-time") == as_of.strftime("%H:%M %d/%m/%Y")
    year, term = _latest(dash_server.base).split("/")
    assert (
        page.inner_text("#wall-period") == f"{year} · {'Đầu năm' if term == 'DN' else 'Cuối năm'}"
    )
    # the clock moves on its own: the page changes it, not the server
    page.evaluate("document.getElementById('wall-clock').textContent = '--:--'")
    page.evaluate("window.iocWall.state.texts = {}")
    page.wait_for_function("() => document.getElementById('wall-clock').textContent !== '--:--'")
    assert not page.is_visible("#wall-stale")


SIGN_OUT = """() => {
    const form = document.createElement('form');
    Object.assign(form, {method: 'post', action: '/_logout'});
    document.body.append(form);
    form.submit();
}"""


def test_signing_out_forgets_the_display_token(dash_server: Any, open_wall: Any) -> None:
    """A browser that showed a wall and then signs out (POST ``/_logout``) keeps no display token:
    the wall cookie is cleared with the session, and /wall asks for a sign-in again."""
    page = open_wall(dash_server.base, "panels=kpis&dwell=600")
    page.wait_for_selector("#wall-kpi-NET_STUDENTS")
    assert any(c["name"] == "ioc_wall" for c in page.context.cookies())
    page.evaluate(SIGN_OUT)
    page.wait_for_url(re.compile(r"/login$"))
    assert not any(c["name"] == "ioc_wall" for c in page.context.cookies())
    page.goto(f"{dash_server.base}/wall?panels=kpis&dwell=600")
    page.wait_for_url(re.compile(r"/login\?next=%2Fwall"))
    assert not page.query_selector("#wall-kpi-NET_STUDENTS")


def test_key_figures_are_the_apis(dash_server: Any, open_wall: Any) -> None:
    _, every = screens.load()
    panel = next(p for p in every["soc-trang"].panels if p.kind == "kpis")
    page = open_wall(dash_server.base, "screen=soc-trang&panels=kpis&dwell=600")
    page.wait_for_selector("#wall-kpi-NET_STUDENTS")
    values = api_get(
        dash_server.base,
        "demo-leader",
        "/indicators/values",
        unit="94",
        scheme="legacy",
        period=_latest(dash_server.base),
    )
    by_id = {v["indicator_id"]: v for v in values}
    assert page.locator(".wall-kpi").count() == len(panel.indicators)
    for indicator in panel.indicators:
        row = by_id[indicator]
        tile = page.locator(f"#wall-kpi-{indicator}")
        assert float(tile.get_attribute("data-value")) == row["value"], indicator
        assert value_text(row["value"], row["unit_vi"]) in tile.inner_text(), indicator
        status = row["target_status"] if row["target_status"] in (*BAD, "meets") else None
        status = status or row["norm_status"]
        assert f"wall-kpi-{status}" in tile.get_attribute("class"), indicator
    assert by_id["NET_STUDENTS"]["value"] == by_id["NET_STUDENTS"]["numerator"]


def test_red_now_lists_what_the_api_says_is_below(dash_server: Any, open_wall: Any) -> None:
    page = open_wall(dash_server.base, "panels=red_now&dwell=600")
    page.wait_for_selector("#wall-red-units .wall-red-row")
    period = _latest(dash_server.base)
    children = api_get(
        dash_server.base,
        "demo-leader",
        "/indicators/values",
        unit="94",
        scheme="legacy",
        period=period,
        children="true",
    )

    def reference(r: dict[str, Any]) -> float | None:  # the target if it fails, else the norm
        return r["target_value"] if r["target_status"] in BAD else r["norm_value"]

    failing = [
        r
        for r in children
        if r["value"] is not None
        and reference(r)
        and (
            r["target_status"] in BAD
            or (r["norm_status"] in BAD and r["target_status"] in ("no_norm", "no_value"))
        )
    ]
    failing.sort(
        key=lambda r: (
            -abs(r["value"] - reference(r)) / abs(reference(r)),
            r["unit_code"],
            r["indicator_id"],
        )
    )
    # one row per failing indicator, worst first, with its worst unit and how many fail it
    worst: dict[str, dict[str, Any]] = {}
    for r in failing:
        worst.setdefault(r["indicator_id"], r)
    expected = [
        (i, r["unit_code"], str(sum(f["indicator_id"] == i for f in failing)))
        for i, r in worst.items()
    ]
    rows = page.locator("#wall-red-units .wall-red-row")
    shown = [
        tuple(rows.nth(n).get_attribute(a) for a in ("data-indicator", "data-unit", "data-units"))
        for n in range(rows.count())
    ]
    assert shown == expected[: len(shown)]
    rows_shown = next(p.rows for p in screens.resolve({}).panels if p.kind == "red_now")
    assert len(shown) == min(rows_shown, len(expected))
    assert page.get_attribute("#wall-red-units", "data-count") == str(len(failing))
    assert page.inner_text("#wall-red-units .wall-big") == str(len(expected))
    first = rows.first.inner_text()
    assert failing[0]["unit_name"] in first and failing[0]["name_vi"] in first
    assert value_text(failing[0]["value"], failing[0]["unit_vi"]) in first
    # schools not reported: the API's counts (a display account never sees their names)
    quality = api_get(
        dash_server.base, "demo-leader", "/quality", unit="94", scheme="legacy", period=period
    )
    missing = page.locator("#wall-red-missing")
    assert missing.get_attribute("data-missing") == str(quality["total"]["schools_missing"])
    assert missing.get_attribute("data-late") == str(quality["total"]["schools_late"])
    # failed ingests of the last 7 days
    runs = api_get(dash_server.base, "demo-leader", "/ingest/runs")
    since = datetime.now(UTC) - timedelta(days=7)
    failed = [
        r
        for r in runs
        if r["status"] != "loaded" and datetime.fromisoformat(r["started_at"]) >= since
    ]
    assert page.get_attribute("#wall-red-failed", "data-count") == str(len(failed))
    screenshot(page, "wall-red-now-1920")


def test_panels_rotate_one_at_a_time(dash_server: Any, open_wall: Any) -> None:
    page = open_wall(dash_server.base, "dwell=1&shift=5")
    page.wait_for_selector("#wall-kpi-NET_STUDENTS", state="attached")
    kinds = [p.kind for p in screens.resolve({}).panels]
    titles = {
        "red_now": "Cần xử lý ngay",
        "kpis": "Chỉ số chính",
        "map": "Bản đồ",
        "trends": "Xu hướng qua các năm học",
        "completeness": "Tiến độ báo cáo theo đơn vị",
        "exams": "Thi tốt nghiệp THPT",
    }
    # a panel with nothing to show (the exam panel without exam results) is passed by
    shown = [i for i, skip in enumerate(page.evaluate(SKIPPED)) if not skip]
    seen: dict[int, str] = {}
    deadline = time.monotonic() + 4 * len(kinds) + 10
    while len(seen) < len(shown) and time.monotonic() < deadline:
        state = page.evaluate(
            """() => ({panel: +document.getElementById('wall').dataset.panel,
                active: Array.from(document.querySelectorAll('.wall-panel.active'))
                    .map(p => p.dataset.kind),
                title: document.getElementById('wall-panel-title').textContent})"""
        )
        assert len(state["active"]) == 1
        assert state["active"][0] == kinds[state["panel"]]
        assert state["title"] == titles[kinds[state["panel"]]]
        seen[state["panel"]] = state["active"][0]
        page.wait_for_timeout(300)
    assert sorted(seen) == shown, seen
    # burn-in care: everything has moved by a few pixels after a shift period
    page.wait_for_function(
        "() => document.getElementById('wall-shift').style.transform.startsWith('translate(')",
        timeout=15_000,
    )
    moved = page.evaluate("document.getElementById('wall-shift').style.transform")
    assert re.fullmatch(r"translate\(-?\d+(\.\d)?px, ?-?\d+(\.\d)?px\)", moved), moved


def test_the_screen_dims_at_night(dash_server: Any, browser: Any) -> None:
    """The demo screen dims between 22:00 and 06:00, Việt Nam time; not by day."""
    context = browser.new_context(viewport=FULL_HD)
    page = context.new_page()
    page.goto(f"{dash_server.base}/wall?token={TOKEN}&panels=kpis")
    dim = screens.resolve({}).dim
    page.wait_for_selector("#wall-dim", state="attached")
    page.wait_for_function("() => document.getElementById('wall-dim').style.opacity !== ''")
    hhmm = datetime.now(VN).strftime("%H:%M")
    if hhmm in ("21:59", "22:00", "05:59", "06:00"):
        pytest.skip("too close to the change of the dimming")
    night = hhmm >= dim.from_ or hhmm < dim.to
    shown = float(page.evaluate("document.getElementById('wall-dim').style.opacity"))
    assert shown == (dim.level if night else 0.0)
    context.close()


@pytest.mark.slow  # keeps `make test` under 15 minutes; CI runs it (make test-slow)
def test_screenshots_full_hd_and_4k(dash_server: Any, open_wall: Any) -> None:
    kinds = [p.kind for p in screens.resolve({}).panels]
    for viewport, suffix, shots in ((FULL_HD, "1920", kinds), (UHD, "3840", ("kpis", "map"))):
        page = open_wall(dash_server.base, "dwell=600", viewport)
        page.wait_for_selector("#wall-kpi-NET_STUDENTS", state="attached")
        skipped = page.evaluate(SKIPPED)
        shots = [kind for kind in shots if not skipped[kinds.index(kind)]]
        # plotly has drawn every figure, at this screen's scale
        page.wait_for_function("() => document.querySelectorAll('.wall-graph .trace').length >= 3")
        for kind in shots:
            page.evaluate(f"window.iocWall.show({kinds.index(kind)})")
            page.wait_for_function(FADED_IN)  # the cross-fade is over
            screenshot(page, f"wall-{kind}-{suffix}")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        # type scales with the screen: a 4K wall gets twice the pixels
        size = page.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('.wall-kpi-value')).fontSize)"
        )
        assert size >= 70 * viewport["height"] / 1080
        page.context.close()


def test_a_signed_in_leader_opens_the_wall_and_nobody_else_does(
    dash_server: Any, open_as: Any, browser: Any
) -> None:
    page = open_as("demo-leader", "/wall?panels=kpis&dim=0")
    page.wait_for_selector("#wall-kpi-NET_STUDENTS")
    assert page.locator("header.topbar").count() == 0  # not the normal frame
    page.goto(f"{dash_server.base}/wall?screen=nope")
    assert "Không có cấu hình màn hình này" in page.wait_for_selector(".wall-message").inner_text()
    display = open_as("demo-display", "/")  # the display role's session lands on the wall
    display.wait_for_selector("#wall-kpi-NET_STUDENTS", state="attached")
    anonymous = open_as(None, "/wall")
    anonymous.wait_for_selector("#login-username")
    assert "next=%2Fwall" in anonymous.url
    context = browser.new_context()
    bad = context.new_page()
    bad.goto(f"{dash_server.base}/wall?token=ioc_not-a-real-token-000")
    assert "thu hồi" in bad.wait_for_selector(".wall-message").inner_text()
    context.close()


@pytest.mark.slow  # make test-slow; .ci/run runs it
def test_short_soak_keeps_heap_and_dom_flat(dash_server: Any, open_wall: Any) -> None:
    """A minute with a panel a second and a full redraw every pull: DOM nodes and the JS
    heap after GC end where they started (give or take noise), the undo history stays cut."""
    page = open_wall(dash_server.base, wall_soak.SOAK_QUERY)
    page.wait_for_selector("#wall-kpi-NET_STUDENTS", state="attached")
    samples = wall_soak.soak(page, seconds=50, every_s=10, warmup_s=10, log=print, warm_draws=12)
    for text in wall_soak.report(samples):
        print(text)
    first, last = samples[0], samples[-1]
    assert last.switches - first.switches >= 30  # it did rotate...
    assert last.draws - first.draws >= 5  # ...and redraw
    assert last.nodes <= first.nodes + 60, wall_soak.report(samples)
    assert last.elements <= first.elements + 40
    assert last.listeners <= first.listeners + 10
    assert min(s.heap for s in samples[-2:]) <= first.heap * 1.2 + 1e6, wall_soak.report(samples)
    assert 0 <= last.history <= 11


# -- a deployment's own screens file (IOC_WALL_SCREENS) -----------------------------------------

OWN_SCREENS = """\
default: phong-hop
screens:
  phong-hop:
    title: {vi: "Phòng họp Cù Lao Dung", en: "Cù Lao Dung meeting room"}
    unit: "945"
    scheme: legacy
    panels:
      - kind: kpis
        indicators: [NET_SCHOOLS, NET_CLASS_SIZE]
"""


@pytest.fixture(scope="module")
def own_screens_server(
    demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    where = tmp_path_factory.mktemp("wall-screens")
    (where / "screens.yaml").write_text(OWN_SCREENS, encoding="utf-8")
    yield from serve(demo_settings, where, {"IOC_WALL_SCREENS": str(where / "screens.yaml")})


def test_a_deployments_own_screens_file_is_used(own_screens_server: Any, open_wall: Any) -> None:
    base = own_screens_server.base
    page = open_wall(base, "dwell=600")  # no ?screen=: the file's own default
    page.wait_for_selector("#wall-kpi-NET_SCHOOLS")
    assert page.inner_text(".wall-title") == "Phòng họp Cù Lao Dung"
    assert page.locator(".wall-kpi").count() == 2 and page.locator(".wall-panel").count() == 1
    values = api_get(
        base, "demo-leader", "/indicators/values", unit="945", scheme="legacy", period=_latest(base)
    )
    schools = next(v for v in values if v["indicator_id"] == "NET_SCHOOLS")
    assert float(page.get_attribute("#wall-kpi-NET_SCHOOLS", "data-value")) == schools["value"]
    page.goto(f"{base}/wall?screen=soc-trang")  # the packaged screens are not there
    assert "Không có cấu hình màn hình này" in page.wait_for_selector(".wall-message").inner_text()


# -- a server of our own, to change its data and to stop it -----------------------------------


class OwnServer:
    """``ioc serve`` over a copy of the demo data, on a fixed port, stoppable and restartable."""

    def __init__(self, data: Path, log: Path) -> None:
        self.data, self.log = data, log
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "IOC_DATA_DIR": str(self.data)}
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [*IOC, "serve", "--port", str(self.port)], cwd=REPO, env=env, stdout=log, stderr=log
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise AssertionError(self.log.read_text())

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()  # as if the machine lost power: no goodbye to the browser
            self.proc.wait(timeout=20)


@pytest.fixture(scope="module")
def own_server(
    demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OwnServer]:
    where = tmp_path_factory.mktemp("wall-own")
    shutil.copytree(demo_settings.data_dir, where / "data")
    server = OwnServer(where / "data", where / "server.log")
    server.start()
    yield server
    server.stop()


def _operator(base: str) -> httpx.Client:
    client = httpx.Client(base_url=f"{base}/api/v1", timeout=60)
    client.post("/auth/login", json={"username": "demo-operator", "password": PASSWORD})
    return client


def test_new_data_arrives_without_a_reload(own_server: OwnServer, open_wall: Any) -> None:
    page = open_wall(own_server.base, "panels=red_now&dwell=600&refresh=1")
    page.wait_for_selector("#wall-red-failed[data-count]")
    before = int(page.get_attribute("#wall-red-failed", "data-count"))
    events_before = page.get_attribute(".wall-ticker-track", "data-events")
    page.evaluate("window.__sameDocument = true")
    operator = _operator(own_server.base)
    try:  # a file that cannot be read at all
        made = upload_and_wait(
            operator, "/ingest", files={"file": ("so_lieu.csv", b"khong,phai\n1,2\n")}
        )
    finally:
        operator.close()
    assert made.status_code == 201 and made.json()["status"] == "failed", made.text
    page.wait_for_selector(f"#wall-red-failed[data-count='{before + 1}']", timeout=30_000)
    run = made.json()["run_id"]
    assert page.locator(f"#wall-red-failed [data-run='{run}']").count() == 1
    assert f"Lần nạp #{run} lỗi" in page.text_content(".wall-ticker-track")
    assert page.get_attribute(".wall-ticker-track", "data-events") == events_before
    assert page.evaluate("window.__sameDocument === true")  # refreshed in place
    assert "so_lieu" not in page.content()  # the display token never sees file names


def test_stale_banner_keeps_the_last_figures_and_recovers(
    own_server: OwnServer, open_wall: Any, request: pytest.FixtureRequest
) -> None:
    request.node.console_errors_expected = SERVER_GONE
    page = open_wall(own_server.base, "panels=kpis&dwell=600&refresh=1&stale=4&retry=2")
    page.wait_for_selector("#wall-kpi-NET_STUDENTS")
    page.wait_for_function("() => window.iocWall.state.ok === true")
    figures = page.inner_text(".wall-kpis")
    own_server.stop()
    try:
        banner = page.wait_for_selector("#wall-stale.show", timeout=30_000)
        text = banner.inner_text()
        assert re.match(r"Dữ liệu cũ: cập nhật lần cuối \d+ giây trước", text), text
        screenshot(page, "wall-stale-1920")
        page.wait_for_timeout(2500)
        assert page.inner_text(".wall-kpis") == figures  # the last good figures stay
        assert page.inner_text("#wall-stale-text") != text  # the age moves on
        assert page.evaluate("window.iocWall.state.failures") >= 1
    finally:
        own_server.start()
    # retried with backoff (at most 2 s apart here): back to fresh, banner gone
    page.wait_for_selector("#wall-stale", state="hidden", timeout=30_000)
    assert page.evaluate("window.iocWall.state.failures") == 0
    assert page.inner_text(".wall-kpis") == figures
