"""The dashboard's callbacks as a browser sends them, captured once from chromium (Playwright):
the JSON bodies of every ``POST /_dash-update-component`` a page sends while it opens, and
those an action on it sends (an indicator picked on the map).

:func:`user_steps` captures one user's visit on a template (a province, one of its old
districts, a school there, an indicator), and :func:`substitute` makes another user's visit of
it by replacing the template's codes in the bodies (in the pages' addresses and the values
the callbacks carry), so that 50 simulated users ask for 50 different places.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from tests.bench import dashboard as dash_bench

CALLBACK = "/_dash-update-component"


@dataclass(frozen=True)
class Place:
    """What one user looks at."""

    province: str
    district: str
    school: str
    indicator: str  # picked on the map (instead of the map's first indicator)


@dataclass(frozen=True)
class Step:
    name: str
    bodies: list[str]  # the callbacks' JSON bodies, in the order the browser sent them


def capture(
    browser: dash_bench.Browser,
    path: str,
    ready: str | None,
    act: Callable[[Any], None] | None = None,
    settle_ms: int = 500,
) -> tuple[list[str], list[str], list[str]]:
    """(bodies sent while the page opened, bodies sent by ``act``, console errors). Without
    ``ready`` (a page that polls, never idle), what it sent in ``settle_ms``."""
    sent: list[str] = []

    def seen(request: Any) -> None:
        if request.method == "POST" and urlsplit(request.url).path == CALLBACK:
            sent.append(request.post_data or "")

    with browser.page() as (page, errors):
        page.on("request", seen)
        page.goto(browser.base_url + path)
        if ready is not None:
            page.wait_for_selector(ready)
            page.wait_for_load_state("networkidle")
        page.wait_for_timeout(settle_ms)
        opened = list(sent)
        if act is not None:
            act(page)
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(500)
        return opened, sent[len(opened) :], errors


def _pick(indicator: str) -> Callable[[Any], None]:
    def act(page: Any) -> None:
        page.click("#map-indicator")
        option = page.locator(
            ".dash-dropdown-option", has=page.locator(f"input[value='{indicator}']")
        )
        option.scroll_into_view_if_needed()
        option.click()
        page.wait_for_url(f"**indicator={indicator}**")

    return act


def user_steps(
    browser: dash_bench.Browser, place: Place, period: str, first_indicator: str
) -> tuple[list[Step], list[str]]:
    """One user's visit on ``place``: the overview of the province, its map and another
    indicator picked there, the page of one of its old districts, a school's page."""
    view = f"scheme=legacy&period={period}"
    overview, _, e1 = capture(browser, f"/?unit={place.province}&{view}", "#overview-tiles .tile")
    map_path = f"/map?unit={place.province}&{view}&indicator={first_indicator}"
    map_open, picked, e2 = capture(
        browser, map_path, "#map-graph .js-plotly-plot", _pick(place.indicator)
    )
    district, _, e3 = capture(browser, f"/unit?unit={place.district}&{view}", "#unit-kpis")
    school, _, e4 = capture(browser, f"/school?code={place.school}&{view}", "#school-identity")
    steps = [
        Step("overview", overview),
        Step("map", map_open),
        Step("indicator", picked),
        Step("district", district),
        Step("school", school),
    ]
    return steps, [*e1, *e2, *e3, *e4]


def substitute(steps: list[Step], template: Place, place: Place) -> list[Step]:
    """The template's visit with another place's codes."""
    pairs = [
        (template.school, place.school),
        (template.district, place.district),
        (template.province, place.province),
        (template.indicator, place.indicator),
    ]

    def swap(text: str) -> str:
        for old, new in pairs:
            # a code as a whole value or query parameter, never inside a longer code
            text = re.sub(rf'(?<=[="]){re.escape(old)}(?=["&#\\]|$)', new, text)
        return text

    return [Step(s.name, [swap(body) for body in s.bodies]) for s in steps]


def outputs(body: str) -> str:
    """The callback's output, shortened (what a line of the figures names)."""
    output = str(json.loads(body).get("output", "?"))
    return output if len(output) <= 60 else output[:57] + "..."
