"""Sign-in, the overview's figures against the API, language, scope and error paths."""

from __future__ import annotations

from typing import Any

from dashboards.formats import value_text
from tests.e2e.conftest import DESKTOP, PASSWORD, PHONE, api_get, screenshot


def test_login_lands_on_the_overview_with_the_apis_figures(
    browser: Any, dash_server: Any, open_as: Any
) -> None:
    page = open_as(None, "/")
    page.wait_for_selector("#login-username")  # signed out: sent to the login page
    screenshot(page, "login")
    page.fill("#login-username", "demo-leader")
    page.fill("#login-password", "wrong password")
    page.click("#login-submit")
    page.wait_for_selector("#login-error:has-text('Sai tên đăng nhập')")
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#overview-tiles")
    screenshot(page, "overview")

    # the overview opens on the latest period, on the province holding the home province
    periods = api_get(dash_server.base, "demo-leader", "/periods")
    latest = periods[0]
    assert latest["period"] in page.inner_text("h1")
    me = api_get(dash_server.base, "demo-leader", "/auth/me")
    home = api_get(dash_server.base, "demo-leader", f"/units/{me['home']['scheme']}/94")
    province = home["counterparts"][0]
    values = api_get(
        dash_server.base,
        "demo-leader",
        "/indicators/values",
        unit=province["code"],
        scheme=latest["scheme"],
        period=latest["period"],
    )
    assert province["name"] in page.inner_text("h1")
    by_id = {v["indicator_id"]: v for v in values}
    pupils_per_class = by_id["NET_CLASS_SIZE"]
    # the value is Σpupils / Σclasses from the API, in Vietnamese number format
    assert (
        pupils_per_class["value"] == pupils_per_class["numerator"] / pupils_per_class["denominator"]
    )
    tile = page.locator("#tile-NET_CLASS_SIZE")
    assert value_text(pupils_per_class["value"], pupils_per_class["unit_vi"]) in tile.inner_text()
    assert "," in tile.locator(".tile-value").inner_text()  # decimal comma
    # every indicator with a value has a tile, coloured by its status
    with_value = [v for v in values if v["value"] is not None]
    assert page.locator(".tile").count() == len(values)
    for row in with_value[:10]:
        status = row["norm_status"] if row["target_status"] in ("no_norm", "no_value") else None
        if status:
            assert f"tile-{status}" in page.locator(f"#tile-{row['indicator_id']}").get_attribute(
                "class"
            )


def test_attention_lists_the_units_furthest_below_norm(dash_server: Any, open_as: Any) -> None:
    page = open_as("demo-leader", "/?unit=94&scheme=legacy&period=2024-2025/CN")
    page.wait_for_selector("#overview-attention")
    children = api_get(
        dash_server.base,
        "demo-leader",
        "/indicators/values",
        unit="94",
        scheme="legacy",
        period="2024-2025/CN",
        children="true",
    )

    def gap(r: dict[str, Any]) -> float:
        return abs(r["value"] - r["norm_value"]) / abs(r["norm_value"])

    failing = [
        r
        for r in children
        if r["norm_status"] in ("below", "above") and r["norm_value"] and r["value"] is not None
    ]
    worst = max(failing, key=gap)
    first = page.locator("#overview-attention li").first.inner_text()
    assert worst["unit_name"] in first and worst["name_vi"] in first


def test_language_switch_keeps_the_view(open_as: Any) -> None:
    page = open_as("demo-leader", "/?unit=94&scheme=legacy&period=2024-2025/CN")
    page.wait_for_selector("#overview-tiles")
    assert "Tổng quan" in page.inner_text("nav")
    page.click("#lang-switch")
    page.wait_for_selector("nav:has-text('Overview')")
    page.wait_for_selector("#overview-tiles")
    assert "2024-2025/CN" in page.inner_text("h1")
    assert "Needs attention" in page.inner_text("#overview-attention")
    screenshot(page, "overview-en")


def test_an_analyst_sees_only_their_district(dash_server: Any, open_as: Any) -> None:
    page = open_as("demo-analyst-945", "/?scheme=legacy&period=2024-2025/CN")
    page.wait_for_selector("#overview-tiles")
    unit = api_get(dash_server.base, "demo-analyst-945", "/units/legacy/945")
    assert unit["name"] in page.inner_text("h1")
    # another district is refused with a readable message, not a traceback
    page.goto(dash_server.base + "/?unit=941&scheme=legacy&period=2024-2025/CN")
    alert = page.wait_for_selector(".state-error")
    assert "403" in alert.inner_text()
    assert "Traceback" not in page.content()


def test_unknown_unit_and_period_are_explained(dash_server: Any, open_as: Any) -> None:
    page = open_as("demo-leader", "/?unit=99999&scheme=legacy&period=2024-2025/CN")
    assert "404" in page.wait_for_selector(".state-error").inner_text()
    page.goto(dash_server.base + "/?unit=94&scheme=legacy&period=2030-2031/DN")
    assert page.wait_for_selector(".state-error, .state-empty").inner_text()


def test_overview_fits_a_phone(open_as: Any) -> None:
    page = open_as("demo-leader", "/?unit=94&scheme=legacy&period=2024-2025/CN", viewport=PHONE)
    page.wait_for_selector("#overview-tiles")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"page is {width}px wide on a {PHONE['width']}px phone"
    screenshot(page, "overview-phone")
    assert DESKTOP["width"] == 1366


def test_one_users_sign_in_never_leaks_to_another_browser(
    browser: Any, dash_server: Any, open_as: Any
) -> None:
    """The dashboard calls the API on behalf of each browser: after someone signs in, a
    browser without a session must still be sent to the login page."""
    page = open_as(None, "/login")
    page.fill("#login-username", "demo-operator")
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#ingest-runs")  # an operator lands on the ingest page
    stranger = open_as(None, "/")
    stranger.wait_for_selector("#login-username")
    assert "demo-operator" not in stranger.content()
