"""Indicator explorer: an indicator's definition, its distribution and ranking across the
child units, its trend over periods (with the 1 July 2025 break), and a comparison of
chosen units. The overview's tiles open it with ``?indicator=ID``."""

from __future__ import annotations

from typing import Any

import dash
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html

from dashboards import ids
from dashboards.api_client import Api, ApiProblem, Value
from dashboards.components import downloads, states
from dashboards.components.frame import Page, frame, resolve
from dashboards.components.indicators import indicator_meta, indicator_options, known_indicator
from dashboards.context import View, api, lang
from dashboards.figures.explorer import (
    compare_figure,
    distribution_figure,
    graph_config,
    ranking_figure,
    trend_figure,
)
from dashboards.i18n import t
from dashboards.pages.explorer_definition import definition
from ioc.domain.period import Period

dash.register_page(
    __name__,
    path="/indicator",
    title="IOC-EDU · Chỉ tiêu",
    name="explorer",
    order=3,
    menu=True,
    label="nav.explorer",
)

MAX_COMPARE = 8


def _section(title: str, body: Any, links: list[Any] | None = None, id_: str = "") -> html.Section:
    head: list[Any] = [html.H2(title)]
    if links:
        head.append(html.Div(links, className="downloads"))
    extra: dict[str, Any] = {"id": id_} if id_ else {}
    parts = body if isinstance(body, list) else [body]
    return html.Section(
        [html.Div(head, className="section-head"), *parts], className="card", **extra
    )


# ---------------------------------------------------------------------------------------------
# Body


def _fetch(
    client: Api, view: View, indicator: str, has_children: bool
) -> tuple[Value | None, list[Value], list[Value]]:
    own_rows = client.values(view.unit, view.scheme, view.period, indicator=indicator)  # type: ignore[arg-type]  # resolve() has filled the view
    children = (
        client.values(view.unit, view.scheme, view.period, children=True, indicator=indicator)  # type: ignore[arg-type]  # resolve() has filled the view
        if has_children
        else []
    )
    series = client.series(indicator, view.unit, view.scheme)  # type: ignore[arg-type]  # resolve() has filled the view
    own = next((r for r in own_rows if r.get("indicator_id") == indicator), None)
    return own, [r for r in children if r.get("indicator_id") == indicator], series


def body(
    client: Api,
    catalog: dict[str, Any],
    view: View,
    indicator: str,
    has_children: bool,
    language: str,
) -> list[Any]:
    try:
        own, children, series = _fetch(client, view, indicator, has_children)
    except ApiProblem as problem:
        return [states.error(problem, language)]
    meta = indicator_meta(catalog, indicator)
    values_path = "/indicators/values"
    common = {"unit": view.unit, "scheme": view.scheme, "period": view.period}
    parts: list[Any] = [definition(catalog, indicator, own, language)]
    if not has_children:
        parts.append(states.empty(t("explorer.no_children", language)))
    elif not any(r.get("value") is not None for r in children):
        parts.append(states.empty(t("state.no_returns", language)))
    else:
        links = downloads.links(
            values_path,
            language,
            ids.EXPLORER_VALUES_DOWNLOADS,
            **common,
            children="true",
            indicator=indicator,
        )
        count = sum(1 for r in children if r.get("value") is not None)
        # a total (pupils, schools) of the unit is not on the scale of its children's
        kind = next((i.get("kind") for i in catalog["indicators"] if i["id"] == indicator), "")
        comparable = kind not in ("sum", "schools", "shortfall")
        parts.append(
            html.Div(
                [
                    _section(
                        t("explorer.distribution", language),
                        [
                            html.Div(
                                t("explorer.units_count", language, n=count), className="muted"
                            ),
                            dcc.Graph(
                                id=ids.EXPLORER_DISTRIBUTION,
                                figure=distribution_figure(
                                    children, meta, language, own if comparable else None
                                ),
                                config=graph_config(),
                            ),
                        ],
                        links,
                    ),
                    _section(
                        t("explorer.ranking", language),
                        html.Div(
                            dcc.Graph(
                                id=ids.EXPLORER_RANKING,
                                figure=ranking_figure(children, meta, language),
                                config=graph_config(),
                            ),
                            className="ranking-wrap",
                        ),
                        downloads.links(
                            values_path,
                            language,
                            ids.EXPLORER_RANKING_DOWNLOADS,
                            **common,
                            children="true",
                            indicator=indicator,
                        ),
                    ),
                ],
                className="row2",
            )
        )
    trend_links = downloads.links(
        f"/indicators/{indicator}/series",
        language,
        ids.EXPLORER_SERIES_DOWNLOADS,
        unit=view.unit,
        scheme=view.scheme,
    )
    trend: Any = (
        dcc.Graph(
            id=ids.EXPLORER_TREND,
            figure=trend_figure(series, meta, language, view.scheme or "legacy"),
            config=graph_config(),
        )
        if any(r.get("value") is not None for r in series)
        else states.empty(t("explorer.no_series", language))
    )
    parts.append(
        _section(t("explorer.trend", language), trend, trend_links, ids.EXPLORER_TREND_CARD)
    )
    return parts


def layout(**query: Any) -> Any:
    page = resolve("/indicator", query)
    if not isinstance(page, Page):
        return page
    view, language = page.view, page.lang
    try:
        catalog = page.api.catalog()
    except ApiProblem as problem:
        return frame(page, "/indicator", states.error(problem, language))
    indicator = known_indicator(catalog, view.indicator)
    view = view.with_(indicator=indicator)
    children = page.unit["children"]
    state = {
        "scheme": view.scheme,
        "unit": view.unit,
        "period": view.period,
        "has_children": bool(children),
        "term": at.term if (at := Period.maybe(view.period)) else "DN",
    }
    compare = html.Section(
        [
            html.Div(
                [
                    html.H2(t("explorer.compare", language)),
                    html.Div(id=ids.EXPLORER_COMPARE_DOWNLOADS, className="downloads"),
                ],
                className="section-head",
            ),
            dcc.Dropdown(
                id=ids.EXPLORER_UNITS,
                options=[{"label": c["name"], "value": c["code"]} for c in children],
                value=[],
                multi=True,
                placeholder=t("explorer.compare_pick", language),
                className="explorer-units",
            ),
            states.loading(html.Div(id=ids.EXPLORER_COMPARE)),
        ],
        className="card",
        id=ids.EXPLORER_COMPARE_CARD,
    )
    content = html.Div(
        [
            html.Div(
                [
                    html.Label(t("map.indicator", language), htmlFor=ids.EXPLORER_INDICATOR),
                    dcc.Dropdown(
                        id=ids.EXPLORER_INDICATOR,
                        options=indicator_options(catalog, language),
                        value=indicator,
                        clearable=False,
                        className="map-indicator",
                    ),
                ],
                className="map-controls",
            ),
            states.loading(
                html.Div(
                    body(page.api, catalog, view, indicator, bool(children), language),
                    id=ids.EXPLORER_BODY,
                )
            ),
            compare if children else None,
            dcc.Store(id=ids.EXPLORER_STATE, data=state),
            dcc.Store(id=ids.EXPLORER_URL_SYNC),
        ],
        className="explorer-page",
    )
    return frame(page, "/indicator", content, t("explorer.title", language))


@callback(
    Output(ids.EXPLORER_BODY, "children"),
    Input(ids.EXPLORER_INDICATOR, "value"),
    State(ids.EXPLORER_STATE, "data"),
    prevent_initial_call=True,
)
def _change_indicator(indicator: str, state: dict[str, Any]) -> list[Any]:
    language = lang()
    client = api()
    view = View(state["scheme"], state["unit"], state["period"], indicator)
    try:
        catalog = client.catalog()
    except ApiProblem as problem:
        return [states.error(problem, language)]
    return body(client, catalog, view, indicator, state["has_children"], language)


@callback(
    Output(ids.EXPLORER_COMPARE, "children"),
    Output(ids.EXPLORER_COMPARE_DOWNLOADS, "children"),
    Input(ids.EXPLORER_INDICATOR, "value"),
    Input(ids.EXPLORER_UNITS, "value"),
    State(ids.EXPLORER_UNITS, "options"),
    State(ids.EXPLORER_STATE, "data"),
)
def _compare(
    indicator: str, chosen: list[str] | None, options: list[dict[str, Any]], state: dict[str, Any]
) -> tuple[Any, Any]:
    language = lang()
    chosen = (chosen or [])[:MAX_COMPARE]
    if not chosen:
        return states.empty(t("explorer.compare_empty", language)), None
    client = api()
    names = {o["value"]: o["label"] for o in options}
    try:
        catalog = client.catalog()
        series = {names.get(c, c): client.series(indicator, c, state["scheme"]) for c in chosen}
    except ApiProblem as problem:
        return states.error(problem, language), None
    meta = indicator_meta(catalog, indicator)
    figure = compare_figure(series, meta, language, state["term"])
    links = []
    for code in chosen:
        links.append(
            html.A(
                f"{names.get(code, code)} (CSV)",
                href=downloads.export_href(
                    f"/indicators/{indicator}/series",
                    "csv",
                    language,
                    unit=code,
                    scheme=state["scheme"],
                ),
                className="compare-link",
            )
        )
    graph = dcc.Graph(id=ids.EXPLORER_COMPARE + "-graph", figure=figure, config=graph_config())
    return graph, links


clientside_callback(
    ClientsideFunction("ioc_map", "sync_url"),
    Output(ids.EXPLORER_URL_SYNC, "data"),
    Input(ids.EXPLORER_INDICATOR, "value"),
    prevent_initial_call=True,
)
