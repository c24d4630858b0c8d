"""The wall screen's pure parts: screens as data, the red-now ranking, the figures, and one
refresh (redraw only on change; keep the screen when the API cannot be reached)."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from dashboards.api_client import Api, ApiProblem, Credentials
from dashboards.figures import wall as figures
from dashboards.wall import panels, red_now, screens
from dashboards.wall.refresh import initial_status, refresh, scale_of

TOKEN = "ioc_demo-display-soc-trang-94"


def test_every_configured_screen_validates() -> None:
    default, found = screens.load()
    assert default in found
    for screen in found.values():
        assert screen.panels and all(p.kind in screens.PANEL_KINDS for p in screen.panels)
        assert screen.retry_s <= screen.retry_max_s
    demo = found[default]
    assert (demo.unit, demo.scheme) == ("94", "legacy")  # the demo province
    assert {p.kind for p in demo.panels} == set(screens.PANEL_KINDS)


def test_url_overrides(tmp_path: Path) -> None:
    screen = screens.resolve({"dwell": "2", "refresh": "0.1", "panels": "kpis,red_now,nope"})
    assert [p.kind for p in screen.panels] == ["kpis", "red_now"]
    assert all(screen.dwell_of(p) == 2 for p in screen.panels)
    assert screen.refresh_s == 1  # clamped to the lowest allowed
    other = screens.resolve({"screen": "cu-lao-dung", "unit": "946", "scheme": "x", "dim": "0"})
    assert (other.unit, other.scheme, other.dim.level) == ("946", "legacy", 0)
    assert screens.resolve({"unit": "94; drop", "period": "2024-2025/CN"}).unit == "94"
    with pytest.raises(screens.ScreenError, match="unknown screen"):
        screens.resolve({"screen": "nope"})
    broken = tmp_path / "screens.yaml"
    broken.write_text("default: a\nscreens:\n  a:\n    panels: [{kind: pie}]\n", encoding="utf-8")
    with pytest.raises(screens.ScreenError, match="pie"):
        screens.load(broken)


def test_a_bad_screens_file_names_the_file_the_screen_and_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "screens.yaml"
    bad.write_text(
        "default: ok\nscreens:\n  ok:\n    panels: [{kind: kpis}]\n"
        "  hall:\n    unit: '94'\n    refresh_s: 0\n    panels: [{kind: kpis}, {kind: pie}]\n",
        encoding="utf-8",
    )
    with pytest.raises(screens.ScreenError) as caught:
        screens.load(bad)
    lines = str(caught.value).splitlines()
    assert set(lines) == {
        f"{bad}: screen 'hall': refresh_s: Input should be greater than or equal to 1 (given: 0)",
        f"{bad}: screen 'hall': panels.1.kind: Input should be 'red_now', 'kpis', 'map', "
        "'trends', 'completeness' or 'exams' (given: 'pie')",
    }
    bad.write_text("default: nope\nscreens:\n  ok:\n    panels: [{kind: kpis}]\n")
    with pytest.raises(screens.ScreenError, match="the default screen 'nope' is not defined"):
        screens.load(bad)
    bad.write_text("default: ok\nscreens:\n  ok: [\n", encoding="utf-8")
    with pytest.raises(screens.ScreenError, match=r"screens.yaml: not valid YAML at line 4"):
        screens.load(bad)
    with pytest.raises(screens.ScreenError, match="no such wall screens file"):
        screens.load(tmp_path / "missing.yaml")


def test_the_setting_defaults_to_the_packaged_screens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ioc.config import Settings

    monkeypatch.delenv("IOC_WALL_SCREENS", raising=False)
    assert Settings().wall_screens == screens.SCREENS_FILE
    monkeypatch.setenv("IOC_WALL_SCREENS", str(tmp_path / "own.yaml"))
    assert Settings().wall_screens == tmp_path / "own.yaml"


def _row(unit: str, indicator: str, value: float, norm: float, status: str, **kw: Any) -> dict:
    return {
        "unit_code": unit,
        "unit_name": f"U{unit}",
        "indicator_id": indicator,
        "name_vi": indicator,
        "unit_vi": "%",
        "value": value,
        "norm_value": norm,
        "norm_status": status,
        "target_value": kw.get("target"),
        "target_status": kw.get("target_status", "no_norm"),
    }


def test_red_now_ranks_by_distance_from_target_or_norm() -> None:
    rows = [
        _row("1", "A", 90, 100, "below"),  # 10 % off
        _row("2", "A", 50, 100, "below"),  # 50 % off
        _row("3", "A", 100, 100, "meets"),
        _row("4", "B", 99, 100, "below", target=80, target_status="meets"),  # meets its target
        _row("5", "B", 70, 60, "meets", target=100, target_status="below"),  # 30 % off target
    ]
    assert [r["unit_code"] for r in red_now.below(rows)] == ["2", "5", "1"]
    assert [r["unit_code"] for r in red_now.below(rows, ("B",))] == ["5"]
    grouped = red_now.by_indicator(red_now.below(rows))
    assert [(r["indicator_id"], r["unit_code"], n) for r, n in grouped] == [
        ("A", "2", 2),
        ("B", "5", 1),
    ]


def test_number_text_drops_only_the_unit() -> None:
    assert panels.number_text(87.456, "%") == "87,5"
    assert panels.number_text(255973, "HS") == "255.973"
    assert panels.number_text(None, "HS") == "—"


def test_figures_are_pure_and_scaled() -> None:
    rows = [
        {
            "unit_code": "1",
            "unit_name": "B",
            "schools_expected": 10,
            "schools_reported": 9,
            "completeness_pct": 90.0,
        },
        {
            "unit_code": "2",
            "unit_name": "A",
            "schools_expected": 10,
            "schools_reported": 10,
            "completeness_pct": 100.0,
        },
        {"unit_code": "3", "unit_name": "C", "schools_expected": 0, "completeness_pct": None},
    ]
    race = figures.completeness_race(rows, limit=10, scale=2)
    assert list(race.data[0].y) == ["B", "A"]  # plotly draws the first at the bottom
    assert race.layout.font.size == 44
    children = [
        {"code": "1", "name": "One", "latitude": 9.6, "longitude": 105.9},
        {"code": "2", "name": "Two", "latitude": 9.8, "longitude": 106.1},
        {"code": "3", "name": "Nowhere", "latitude": None, "longitude": None},
    ]
    values = [_row("1", "A", 50, 100, "below"), _row("2", "A", 100, 100, "meets")]
    bubbles = figures.bubble_map(children, values, {"1": 100, "2": 400}, "vi")
    assert list(bubbles.data[0].marker.color) == [figures.BAD, figures.OK]
    assert bubbles.data[0].marker.size[0] < bubbles.data[0].marker.size[1]
    assert bubbles.layout.yaxis.scaleratio > 1  # degrees of latitude drawn longer


class FakeApi:
    """The API calls a refresh makes, with a build id the test can change."""

    def __init__(self) -> None:
        self.build = "b1"
        self.calls: list[str] = []
        self.value = 31.3

    def me(self) -> dict:
        self.calls.append("me")
        return {"username": "wall", "role": "display"}

    def health(self) -> dict:
        self.calls.append("health")
        return {"build_id": self.build, "data_as_of": "2025-10-31T08:00:00+00:00"}

    def periods(self) -> list:
        return [{"period": "2025-2026/DN"}]

    def unit(self, scheme: str, code: str) -> dict:
        self.calls.append("unit")
        return {
            "code": code,
            "name": "Tỉnh X",
            "scheme": scheme,
            "level": "province",
            "children": [],
        }

    def values(self, code: str, scheme: str, period: str, children: bool = False) -> list:
        return [_row(code, "NET_CLASS_SIZE", self.value, 40, "meets")]

    def quality(self, code: str, scheme: str, period: str) -> dict:
        return {"total": {"schools_expected": 1, "schools_reported": 1}, "by_unit": []}

    def series(self, indicator: str, code: str, scheme: str, term: str | None = None) -> list:
        return []

    def runs(self) -> list:
        return []

    def schedules(self) -> list:  # as the API answers a display account
        raise ApiProblem(403, "role_forbidden", "Không được phép", "Forbidden")

    def sources_status(self) -> list:  # every pulled source is fine
        return []


def test_a_refresh_redraws_only_when_the_data_changed() -> None:
    screen = screens.resolve({"panels": "kpis", "dim": "0"})
    api = FakeApi()
    status, drawn = refresh(api, screen, initial_status(), {"n": 1, "h": 1080}, "vi", now=0)
    assert status["ok"] and status["drawn"] and drawn is not None and 0 in drawn.bodies
    # a build seen for the first time is fetched once more (answers may straddle a publish)
    settled, drawn = refresh(api, screen, status, {"n": 2, "h": 1080}, "vi", now=5)
    assert drawn is None and "unit" in api.calls and not settled["settle"]
    # same build: two cheap calls and nothing to draw
    api.calls.clear()
    again, drawn = refresh(api, screen, settled, {"n": 2, "h": 1080}, "vi", now=10)
    assert again["ok"] and drawn is None and api.calls == ["me", "health"]
    # the periodic full fetch of the same build: fetched again, not redrawn
    later = settled["full_at"] + screen.full_every_s + 1
    api.calls.clear()
    same, drawn = refresh(api, screen, again, {"n": 3, "h": 1080}, "vi", now=later)
    assert drawn is None and "unit" in api.calls and same["full_at"] == later
    # a new build (new figures, new data as-of), or a taller screen: redrawn
    api.build, api.value = "b2", 32.0
    changed, drawn = refresh(api, screen, same, {"n": 4, "h": 1080}, "vi", now=later + 1)
    assert drawn is not None and changed["digest"] != status["digest"]
    assert "32,0" in str(drawn.bodies[0])
    bigger, drawn = refresh(api, screen, changed, {"n": 5, "h": 2160}, "vi", now=later + 2)
    assert drawn is not None and bigger["scale"] == 2.0


def test_an_unreachable_api_keeps_the_screen() -> None:
    screen = screens.resolve({"panels": "kpis"})
    status, _ = refresh(FakeApi(), screen, initial_status(), {"n": 1}, "vi", now=0)
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    down, drawn = refresh(Api(dead, Credentials(token=TOKEN)), screen, status, {"n": 2}, "vi")
    assert drawn is None  # nothing replaces the last good figures
    assert down["ok"] is False and down["seq"] == 2
    assert down["error"] == "Không kết nối được máy chủ dữ liệu"
    assert down["digest"] == status["digest"] and down["build_id"] == status["build_id"]


def test_a_revoked_token_is_said_so() -> None:
    class Revoked(FakeApi):
        def me(self) -> dict:
            raise ApiProblem(401, "unauthenticated", "Cần đăng nhập", "Sign in")

    down, drawn = refresh(Revoked(), screens.resolve({}), initial_status(), {"n": 1}, "vi")
    assert drawn is None and not down["ok"] and "thu hồi" in down["error"]


def test_scale_follows_the_screen_height() -> None:
    assert scale_of({"h": 2160}) == 2.0
    assert scale_of({"h": "junk"}) == 1.0
    assert scale_of(None) == 1.0
    assert scale_of({"h": 100000}) == 4.0


def test_the_token_moves_from_the_address_into_an_httponly_cookie() -> None:
    import flask

    from dashboards.wall.access import WALL_COOKIE, gate

    app = flask.Flask(__name__)
    app.before_request(gate)
    app.add_url_rule("/<path:path>", "page", lambda path: f"page {path}")
    client = app.test_client()
    opened = client.get(f"/wall?screen=soc-trang&token={TOKEN}&dwell=5")
    assert opened.status_code == 302
    assert opened.headers["Location"] == "/wall?screen=soc-trang&dwell=5"
    cookie = opened.headers["Set-Cookie"]
    assert cookie.startswith(f"{WALL_COOKIE}={TOKEN};") and "HttpOnly" in cookie
    assert opened.headers["Referrer-Policy"] == "no-referrer"
    assert client.get("/wall/open").headers["Location"] == "/wall"  # no token: no cookie
    assert "Set-Cookie" not in client.get("/wall?token=<script>").headers  # not a token
    assert client.get("/wall?screen=x").get_data(as_text=True) == "page wall"  # the page
    assert client.get("/unit?token=abc").get_data(as_text=True) == "page unit"  # not ours
    closed = client.get("/wall/close")
    assert closed.headers["Location"] == "/login" and "Max-Age=0" in closed.headers["Set-Cookie"]
