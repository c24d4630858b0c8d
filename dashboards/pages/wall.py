"""The operations wall screen: a dark, large-type playlist of panels for a 16:9 wall.

Opened with a display token (``/wall?token=...&screen=NAME``, see
:mod:`dashboards.wall.access`) or by a signed-in account. The layout is drawn once: every
panel's container, graph, clock and banner exist from the start and are never added again.
``assets/wall.js`` rotates the panels, keeps the clock, and pulls fresh data by setting the
``wall-pull`` store; the callback below answers each pull with a status and, only when the
data changed, new panel bodies and figures for the existing containers and graphs.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import dash
import flask
import plotly.graph_objects as go
from dash import (
    ALL,
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    ctx,
    dcc,
    html,
    no_update,
)

from dashboards import ids
from dashboards.api_client import ApiProblem
from dashboards.components import states
from dashboards.components.attrs import data_attrs
from dashboards.context import lang
from dashboards.i18n import Lang, t
from dashboards.wall import refresh as wall_refresh
from dashboards.wall.access import has_token, wall_api
from dashboards.wall.panels import GRAPH_KINDS
from dashboards.wall.screens import Screen, ScreenError, resolve

dash.register_page(__name__, name="wall", path="/wall", title="IOC-EDU · Màn hình điều hành")

GRAPH_CONFIG: dcc.Graph.Config = {"staticPlot": True, "displayModeBar": False, "responsive": True}


def layout(**query: Any) -> Any:
    language = lang()
    try:
        screen = resolve(query, flask.current_app.config["IOC_WALL_SCREENS"])
    except ScreenError as exc:
        return _message(f"{t('wall.unknown_screen', language)} ({exc})")
    try:
        wall_api().me()
    except ApiProblem as problem:
        if problem.status == 401 and has_token():
            return _message(t("wall.token_invalid", language))
        if problem.status == 401:
            return states.to_login(f"/wall?{urlencode(query)}" if query else "/wall")
        # the API is down: start anyway; the screen retries and says it is waiting
    return wall(screen, language)


def _message(text: str) -> html.Div:
    return html.Div(
        html.Div(text, className="wall-message", role="alert"), id=ids.WALL, className="wall"
    )


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def client_config(screen: Screen, language: Lang, display_zone: str) -> dict[str, Any]:
    """What wall.js needs: timings in ms, burn-in care, its time zone and its strings."""
    return {
        "refresh": _ms(screen.refresh_s),
        "stale": _ms(screen.stale_s),
        "retry": _ms(screen.retry_s),
        "retry_max": _ms(screen.retry_max_s),
        "timeout": _ms(max(10.0, min(30.0, screen.refresh_s))),
        "shift_px": screen.shift_px,
        "shift_every": _ms(screen.shift_every_s),
        "dim": {"from": screen.dim.from_, "to": screen.dim.to, "level": screen.dim.level},
        "tz": screen.zone(display_zone),
        "dwell": [_ms(screen.dwell_of(p)) for p in screen.panels],
        "titles": [t(f"wall.panel_{p.kind}", language) for p in screen.panels],
        "text": {
            "stale": t("wall.stale", language, age="{age}"),
            "never": t("wall.stale_never", language),
            "retry": t("wall.retry", language, seconds="{seconds}"),
            "unreachable": t("wall.unreachable", language),
            "seconds": t("wall.seconds", language, n="{n}"),
            "minutes": t("wall.minutes", language, n="{n}"),
            "hours": t("wall.hours", language, n="{n}"),
            "days": t("wall.days", language, n="{n}"),
            "weekdays": t("wall.weekdays", language).split(","),
        },
    }


def _empty_figure() -> go.Figure:
    fig = go.Figure()
    fig.update_layout(
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        xaxis={"visible": False},
        yaxis={"visible": False},
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
    )
    return fig


def _panel(i: int, kind: str, language: Lang) -> html.Section:
    waiting = html.Div(t("wall.waiting", language), className="wall-waiting")
    parts: list[Any] = [
        html.Div(waiting, id={"type": ids.WALL_BODY, "index": i}, className="wall-body")
    ]
    if kind in GRAPH_KINDS:
        parts.append(
            dcc.Graph(
                id={"type": ids.WALL_GRAPH, "index": i},
                figure=_empty_figure(),
                config=GRAPH_CONFIG,
                responsive=True,
                className="wall-graph",
            )
        )
    return html.Section(
        parts,
        id=f"wall-panel-{i}",
        className=f"wall-panel wall-panel-{kind}" + (" active" if i == 0 else ""),
        **data_attrs(kind=kind),
    )


def wall(screen: Screen, language: Lang) -> html.Div:
    title = screen.title_in(language) or t("wall.title", language)
    config = client_config(screen, language, wall_api().display_zone())
    dots = [
        html.Span(className="wall-dot" + (" active" if i == 0 else ""))
        for i, _ in enumerate(screen.panels)
    ]
    return html.Div(
        [
            html.Div(
                [
                    html.Header(
                        [
                            html.Div(
                                [
                                    html.Div(title, className="wall-title"),
                                    html.Div(
                                        [
                                            html.Span(
                                                t(f"wall.panel_{screen.panels[0].kind}", language),
                                                id=ids.WALL_PANEL_TITLE,
                                            ),
                                            html.Span(dots, className="wall-dots"),
                                        ],
                                        className="wall-subtitle",
                                    ),
                                ],
                                className="wall-head-left",
                            ),
                            html.Div(
                                html.Span(t("wall.waiting", language), className="wall-label"),
                                id=ids.WALL_ASOF,
                                className="wall-asof",
                            ),
                            html.Div(
                                [
                                    html.Div(id=ids.WALL_CLOCK, className="wall-clock"),
                                    html.Div(id=ids.WALL_DATE, className="wall-date"),
                                ],
                                className="wall-time",
                            ),
                        ],
                        className="wall-head",
                    ),
                    html.Div(
                        html.Span(id=ids.WALL_STALE_TEXT),
                        id=ids.WALL_STALE,
                        className="wall-stale",
                        role="status",  # its age changes every second: polite, not an alert
                    ),
                    html.Main(
                        [_panel(i, p.kind, language) for i, p in enumerate(screen.panels)],
                        className="wall-stage",
                    ),
                    html.Footer(
                        [
                            html.Div(t("wall.events", language), className="wall-foot-label"),
                            html.Div(id=ids.WALL_TICKER, className="wall-ticker"),
                        ],
                        className="wall-foot",
                    ),
                ],
                id=ids.WALL_SHIFT,
                className="wall-shift",
            ),
            html.Div(id=ids.WALL_DIM, className="wall-dim"),
            dcc.Store(id=ids.WALL_PULL),
            dcc.Store(id=ids.WALL_ACK),
            dcc.Store(id=ids.WALL_STATUS, data=wall_refresh.initial_status()),
            dcc.Store(id=ids.WALL_CONFIG, data=screen.model_dump(mode="json", by_alias=True)),
        ],
        id=ids.WALL,
        className="wall",
        lang=language,
        **data_attrs(config=json.dumps(config, ensure_ascii=False)),
    )


# Each answer to a pull reaches wall.js (backoff, stale banner). The output is never set
# (a callback without outputs does not fire for a page's first layout).
clientside_callback(
    ClientsideFunction(namespace="iocWall", function_name="status"),
    Output(ids.WALL_ACK, "data"),
    Input(ids.WALL_STATUS, "data"),
)


@callback(
    Output(ids.WALL_STATUS, "data"),
    Output({"type": ids.WALL_BODY, "index": ALL}, "children"),
    Output({"type": ids.WALL_GRAPH, "index": ALL}, "figure"),
    Output(ids.WALL_ASOF, "children"),
    Output(ids.WALL_TICKER, "children"),
    Input(ids.WALL_PULL, "data"),
    State(ids.WALL_STATUS, "data"),
    State(ids.WALL_CONFIG, "data"),
    prevent_initial_call=True,
)
def _refresh(pull: Any, status: Any, config: Any) -> tuple[Any, ...]:
    language = lang()
    screen = Screen.model_validate(config)
    new_status, drawn = wall_refresh.refresh(wall_api(), screen, status, pull, language)
    if drawn is None:  # keep what is on the screen
        keep_bodies = [no_update] * len(ctx.outputs_list[1])
        keep_graphs = [no_update] * len(ctx.outputs_list[2])
        return new_status, keep_bodies, keep_graphs, no_update, no_update
    bodies = [drawn.bodies.get(o["id"]["index"]) for o in ctx.outputs_list[1]]
    graphs = [drawn.figures.get(o["id"]["index"], _empty_figure()) for o in ctx.outputs_list[2]]
    return new_status, bodies, graphs, drawn.as_of, drawn.ticker
