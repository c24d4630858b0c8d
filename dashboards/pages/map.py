"""Map: one indicator across the child units of the current unit (old districts, or 2025
communes), or across the provinces of the whole country; coloured by norm band.

The GeoJSON goes to the browser once, with the page. Changing the indicator sends back a
``Patch`` of the colours, hover texts and the side table only, and mirrors the indicator into
the URL with ``history.replaceState``.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import (
    ClientsideFunction,
    Input,
    Output,
    Patch,
    State,
    callback,
    clientside_callback,
    dcc,
    html,
)

from dashboards import ids
from dashboards.api_client import Api, ApiProblem, Value
from dashboards.components import states
from dashboards.components.attrs import data_attrs
from dashboards.components.downloads import links
from dashboards.components.frame import Page, frame, resolve
from dashboards.components.indicators import indicator_meta, indicator_options, known_indicator
from dashboards.context import View, api, lang
from dashboards.figures.map import (
    BAND_COLOURS,
    SEQUENTIAL,
    Colouring,
    Layers,
    MapUnit,
    band,
    colouring,
    graph_config,
    map_figure,
    point_of,
    restyle,
)
from dashboards.formats import counts, value_text, vn_number
from dashboards.i18n import t

dash.register_page(
    __name__,
    path="/map",
    title="IOC-EDU · Bản đồ",
    name="map",
    order=1,
    menu=True,
    label="nav.map",
)

COUNTRY_ROLES = ("admin", "leader")
# boundary rings thinned to a fraction of a screen pixel (degrees): a province's communes
# (~1° across on ~800 px), the whole country (~15° across)
CHILD_TOLERANCE = 0.0005
COUNTRY_TOLERANCE = 0.002


# ---------------------------------------------------------------------------------------------
# Data


def _values(client: Api, state: dict[str, Any], indicator: str) -> dict[str, Value]:
    if state["country"]:
        rows = client.province_values(state["scheme"], state["period"], indicator=indicator)
    else:
        rows = client.values(
            state["unit"], state["scheme"], state["period"], children=True, indicator=indicator
        )
    return {r["unit_code"]: r for r in rows if r.get("indicator_id") == indicator}


def download_links(state: dict[str, Any], indicator: str, language: str) -> list[Any]:
    """CSV and XLSX of the map's values, straight from the API (same origin, same cookie)."""
    params: dict[str, Any] = {"scheme": state["scheme"], "period": state["period"]}
    if state["country"]:
        path = "/indicators/provinces"
    else:
        path = "/indicators/values"
        params |= {"unit": state["unit"], "children": "true"}
    return links(path, language, "map", indicator=indicator, **params)


# ---------------------------------------------------------------------------------------------
# Legend and table


def legend(paint: Colouring, meta: dict[str, Any], language: str) -> list[Any]:
    unit = str(meta.get(f"unit_{language}") or "")
    items: list[Any] = []
    if paint.mode == "bands":
        for kind in ("meets", "fails", "no_norm"):
            if kind == "no_norm" and not paint.counts.get(kind):
                continue
            items.append(_swatch(BAND_COLOURS[kind], t(f"map.{kind}", language), paint, kind))
    else:
        gradient = f"linear-gradient(to right, {', '.join(SEQUENTIAL)})"
        items.append(
            html.Li(
                [
                    html.Div(t("map.scale", language), className="legend-note"),
                    html.Div(
                        [
                            html.Span(value_text(paint.low, unit)),
                            html.Span(className="legend-ramp", style={"background": gradient}),
                            html.Span(value_text(paint.high, unit)),
                        ],
                        className="legend-scale",
                    ),
                ],
                className="legend-item legend-item-scale",
                **data_attrs(band="scale"),
            )
        )
    items.append(_swatch(BAND_COLOURS["no_value"], t("map.no_value", language), paint, "no_value"))
    return [html.Ul(items, className="legend")]


def _swatch(colour: str, label: str, paint: Colouring, kind: str) -> html.Li:
    return html.Li(
        [
            html.Span(className="legend-swatch", style={"background": colour}),
            html.Span(label),
            html.Span(f" ({paint.counts.get(kind, 0)})", className="muted"),
        ],
        className="legend-item",
        **data_attrs(band=kind, count=str(paint.counts.get(kind, 0))),
    )


def table_rows(
    units: list[MapUnit],
    rows: dict[str, Value],
    meta: dict[str, Any],
    view: View,
    language: str,
) -> dict[str, Any]:
    """The map's values as table rows, best first (by the indicator's direction), no data
    last. The browser draws them (one element, not hundreds of components: the table of a
    hundred communes must not slow the map down)."""
    unit = str(meta.get(f"unit_{language}") or "")
    descending = meta.get("direction") != "down"

    def key(u: MapUnit) -> tuple[int, float, str]:
        value = (rows.get(u.code) or {}).get("value")
        if value is None:
            return (1, 0.0, u.code)
        return (0, -value if descending else value, u.code)

    body = []
    for u in sorted(units, key=key):
        row = rows.get(u.code) or {}
        kind = band(row)
        body.append(
            {
                "code": u.code,
                "name": u.name,
                "href": view.with_(unit=u.code).href("/unit"),
                "value": row.get("value"),
                "text": value_text(row.get("value"), unit, count=counts(row)),
                "band": kind,
                "band_label": t(f"map.{kind}", language),
                "coverage": (
                    f"{vn_number(row.get('schools_contributing') or 0)}/"
                    f"{vn_number(row.get('schools_in_scope') or 0)}"
                    if row
                    else "—"
                ),
            }
        )
    head = [
        t("common.unit", language),
        t("common.value", language),
        t("common.status", language),
        t("overview.coverage", language),
    ]
    return {"head": head, "rows": body, "numeric": [1, 3]}


def _note(layers: Layers, rows: dict[str, Value], language: str) -> list[Any]:
    notes: list[Any] = []
    if not any(r.get("value") is not None for r in rows.values()):
        notes.append(states.empty(t("state.no_returns", language)))
    if layers.points and not layers.shapes:
        notes.append(html.P(t("map.bubbles", language), className="muted map-hint"))
    elif layers.points:
        text = t("map.some_bubbles", language, n=len(layers.points))
        notes.append(html.P(text, className="muted map-hint"))
    return notes


# ---------------------------------------------------------------------------------------------
# Page


def layout(**query: Any) -> Any:
    page = resolve("/map", query)
    if not isinstance(page, Page):
        return page
    view, language = page.view, page.lang
    country = query.get("level") == "country" and page.me["role"] in COUNTRY_ROLES
    try:
        catalog = page.api.catalog()
        indicator = known_indicator(catalog, view.indicator)
        view = view.with_(indicator=indicator)
        state = {
            "scheme": view.scheme,
            "unit": view.unit,
            "period": view.period,
            "country": country,
        }
        if country:
            children: list[Any] = page.api.units(scheme=view.scheme, level="province")
        else:
            children = list(page.unit["children"])
        if not children:
            return frame(page, "/map", states.empty(t("map.no_children", language)))
        rows = _values(page.api, state, indicator)
        geojson = page.api.boundaries(
            view.scheme,  # type: ignore[arg-type]  # resolve() has filled the view
            None if country else view.unit,
            tolerance=COUNTRY_TOLERANCE if country else CHILD_TOLERANCE,
        )
    except ApiProblem as problem:
        return frame(page, "/map", states.error(problem, language))

    units = [point_of(u) for u in children]
    meta = indicator_meta(catalog, indicator)
    figure, layers = map_figure(
        units,
        geojson,
        rows,
        meta,
        language,
        country=country,
        revision=f"{view.scheme}-{'country' if country else view.unit}",
    )
    paint = colouring([rows.get(c) or {} for c in [*layers.shapes, *layers.points]])
    state |= {"layers": layers.as_dict(), "names": {u.code: u.name for u in units}}
    body = html.Div(
        [
            html.Div(
                [
                    html.Label(t("map.indicator", language), htmlFor=ids.MAP_INDICATOR),
                    dcc.Dropdown(
                        id=ids.MAP_INDICATOR,
                        options=indicator_options(catalog, language),
                        value=indicator,
                        clearable=False,
                        className="map-indicator",
                    ),
                    html.Div(_scope_link(page, view, country), id=ids.MAP_SCOPE),
                ],
                className="map-controls",
            ),
            html.Div(_note(layers, rows, language), id=ids.MAP_NOTE),
            html.Div(
                [
                    html.Div(
                        [
                            dcc.Graph(
                                id=ids.MAP_GRAPH,
                                figure=figure,
                                config=graph_config(),
                                className="map-graph",
                            ),
                            html.P(t("map.click_hint", language), className="muted map-hint"),
                        ],
                        className="card map-canvas",
                    ),
                    html.Aside(
                        [
                            html.Div(legend(paint, meta, language), id=ids.MAP_LEGEND),
                            html.Div(
                                [
                                    html.H3(t("map.table", language)),
                                    html.Div(
                                        download_links(state, indicator, language),
                                        id=ids.MAP_DOWNLOADS,
                                        className="downloads",
                                    ),
                                ],
                                className="map-table-head",
                            ),
                            html.Div(id=ids.MAP_TABLE, className="map-table-wrap"),
                        ],
                        className="card map-side",
                    ),
                ],
                className="map-layout",
            ),
            dcc.Store(id=ids.MAP_STATE, data=state),
            dcc.Store(id=ids.MAP_TABLE_DATA, data=table_rows(units, rows, meta, view, language)),
            dcc.Store(id=ids.MAP_TABLE_DRAWN),
            dcc.Store(id=ids.MAP_URL_SYNC),
            dcc.Location(id=ids.MAP_GO, refresh="callback-nav"),
        ],
        className="map-page",
    )
    return frame(page, "/map", body, _title(page, country, language))


def _title(page: Page, country: bool, language: str) -> str:
    if country:
        return t("map.country_title", language)
    level = page.unit["children"][0]["level"] if page.unit["children"] else "commune"
    key = f"map.children_{page.view.scheme}_{level}"
    return f"{t('map.title', language)} · {t(key, language)}"


def _scope_link(page: Page, view: View, country: bool) -> Any:
    if page.me["role"] not in COUNTRY_ROLES:
        return None
    if country:
        label = t("map.back_to_unit", page.lang, unit=page.unit["name"])
        return html.A(label, href=view.href("/map"), className="btn-link", id=ids.MAP_TO_UNIT)
    return html.A(
        t("map.country", page.lang),
        href=view.href("/map", level="country"),
        className="btn-link",
        id=ids.MAP_TO_COUNTRY,
    )


@callback(
    Output(ids.MAP_GRAPH, "figure"),
    Output(ids.MAP_LEGEND, "children"),
    Output(ids.MAP_TABLE_DATA, "data"),
    Output(ids.MAP_DOWNLOADS, "children"),
    Output(ids.MAP_NOTE, "children"),
    Input(ids.MAP_INDICATOR, "value"),
    State(ids.MAP_STATE, "data"),
    prevent_initial_call=True,
)
def _change_indicator(indicator: str, state: dict[str, Any]) -> tuple[Any, ...]:
    """Recolour the map for another indicator: a Patch of colours and texts, no geometry."""
    language = lang()
    client = api()
    view = View(state["scheme"], state["unit"], state["period"], indicator)
    try:
        catalog = client.catalog()
        rows = _values(client, state, indicator)
    except ApiProblem as problem:
        error = states.error(problem, language)
        return dash.no_update, dash.no_update, dash.no_update, dash.no_update, error
    meta = indicator_meta(catalog, indicator)
    layers = Layers.from_dict(state["layers"])
    names: dict[str, str] = state.get("names") or {}
    patch = Patch()
    for trace, props in restyle(layers, names, rows, meta, language).items():
        for path, value in props.items():
            target = patch["data"][trace]
            *parents, last = path.split(".")
            for part in parents:
                target = target[part]
            target[last] = value
    paint = colouring([rows.get(c) or {} for c in [*layers.shapes, *layers.points]])
    units = [MapUnit(code, names.get(code, code)) for code in [*layers.shapes, *layers.points]]
    return (
        patch,
        legend(paint, meta, language),
        table_rows(units, rows, meta, view, language),
        download_links(state, indicator, language),
        _note(layers, rows, language),
    )


# A click on a unit opens its page (the unit's code is the point's customdata).
clientside_callback(
    ClientsideFunction("ioc_map", "open_unit"),
    Output(ids.MAP_GO, "href"),
    Input(ids.MAP_GRAPH, "clickData"),
    State(ids.MAP_INDICATOR, "value"),
    State(ids.MAP_STATE, "data"),
    prevent_initial_call=True,
)
# The chosen indicator goes into the URL (a shareable deep link) without a navigation.
clientside_callback(
    ClientsideFunction("ioc_map", "sync_url"),
    Output(ids.MAP_URL_SYNC, "data"),
    Input(ids.MAP_INDICATOR, "value"),
    prevent_initial_call=True,
)
# The side table, drawn in the browser from the rows the server sent.
clientside_callback(
    ClientsideFunction("ioc_map", "draw_table"),
    Output(ids.MAP_TABLE_DRAWN, "data"),
    Input(ids.MAP_TABLE_DATA, "data"),
    State(ids.MAP_TABLE, "id"),
)
