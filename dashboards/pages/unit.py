"""A unit: its key indicators, a ranking of its child units or schools for any indicator,
the indicator's trend with the 2025 break marked, and a data-quality summary."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, clientside_callback, dcc, html, no_update

from dashboards import ids
from dashboards.api_client import Api, ApiProblem, Value
from dashboards.components import states
from dashboards.components.attrs import data_attrs
from dashboards.components.datagrid import fit_height
from dashboards.components.downloads import downloads
from dashboards.components.frame import DEFAULT_INDICATOR, Page, frame, resolve
from dashboards.components.indicators import FAMILIES
from dashboards.components.review_marks import basis_of, marks
from dashboards.components.tiles import tile
from dashboards.context import View, api, lang
from dashboards.figures.unit import trend
from dashboards.formats import value_text, vn_number
from dashboards.i18n import Lang, t
from dashboards.pages.unit_ranking import indicator_meta, ranking, ranking_section
from ioc.domain.period import Period

dash.register_page(
    __name__,
    path="/unit",
    title="IOC-EDU · Đơn vị",
    name="unit",
    order=2,
    menu=True,
    label="nav.unit",
)

KEY_INDICATORS = (
    "NET_SCHOOLS",
    "NET_STUDENTS",
    "NET_CLASS_SIZE",
    "STF_TEACHERS_PER_CLASS",
    "STF_TEACHER_SHORTFALL",
    "FAC_SOLID_CLASSROOM_PCT",
    "WSH_CLEAN_WATER_PCT",
    "HLT_MEDICAL_ROOM_PCT",
    "DX_MGMT_SOFTWARE_PCT",
    "DQ_COMPLETENESS_PCT",
)
KINDS = ("children", "schools")


def layout(**query: Any) -> Any:
    page = resolve("/unit", query)
    if not isinstance(page, Page):
        return page
    language, view = page.lang, page.view
    basis = basis_of(query)
    try:
        own = page.api.values(page.unit["code"], page.unit["scheme"], page.period, basis=basis)
    except ApiProblem as problem:
        return frame(page, "/unit", states.error(problem, language), t("unit.title", language))
    if not own:  # a unit without schools: nothing to rank or trace
        empty = states.noted(page.unit, language, states.empty(t("state.no_returns", language)))
        return frame(page, "/unit", empty, t("unit.title", language))
    indicator = view.indicator
    if not any(r["indicator_id"] == indicator for r in own):
        indicator = DEFAULT_INDICATOR
        view = view.with_(indicator=indicator)
    has_children = bool(page.unit["children"])
    sees_schools = page.me["role"] != "display"
    kind = choose_kind(query.get("list"), has_children, sees_schools)
    has_data = any(r.get("value") is not None for r in own)
    state = {
        "unit": view.unit,
        "scheme": view.scheme,
        "period": view.period,
        "periods": {p["period"]: p["scheme"] for p in page.periods},
    }
    body = html.Div(
        [
            dcc.Store(id=ids.UNIT_VIEW, data=state),
            dcc.Store(id=ids.UNIT_URL_SYNC),
            marks(view, "/unit", own, basis, language),
            _kpis(page, own, view) if has_data else states.empty(t("state.no_returns", language)),
            ranking_section(page, view, own, kind, has_children, sees_schools),
            html.Div(
                [_trend_section(page, view), _quality_section(page, view)],
                className="unit-main",
            ),
        ],
        className="unit-page",
    )
    return frame(page, "/unit", states.noted(page.unit, language, body), t("unit.title", language))


def choose_kind(asked: Any, has_children: bool, sees_schools: bool) -> str:
    """Child units or schools: what was asked when it exists, else what the unit has."""
    kind = asked if asked in KINDS else ("children" if has_children else "schools")
    if kind == "schools" and not sees_schools:
        kind = "children"
    if kind == "children" and not has_children and sees_schools:
        kind = "schools"
    return kind


# -- KPIs --------------------------------------------------------------------------------
def _kpis(page: Page, own: list[Value], view: View) -> html.Section:
    language = page.lang
    by_id = {r["indicator_id"]: r for r in own}
    key = [by_id[i] for i in KEY_INDICATORS if i in by_id]
    by_key = {r["indicator_id"] for r in key}  # each tile once (their ids are unique)
    families = []
    for family in FAMILIES:
        rows = [r for r in own if r.get("family") == family and r["indicator_id"] not in by_key]
        if rows:
            families.append(
                html.Div(
                    [
                        html.H3(t(f"family.{family}", language)),
                        html.Div([tile(r, view, language) for r in rows], className="tiles"),
                    ],
                    className="family",
                )
            )
    return html.Section(
        [
            html.H2(t("unit.kpis", language)),
            html.Div([tile(r, view, language) for r in key], className="tiles"),
            html.Details(
                [html.Summary(t("unit.all_kpis", language)), *families], className="all-kpis"
            ),
        ],
        id=ids.UNIT_KPIS,
        className="card",
    )


# -- trend -------------------------------------------------------------------------------
def _trend_section(page: Page, view: View) -> html.Section:
    language = page.lang
    figure, links, note = trend_parts(
        page.api, view, {p["period"]: p["scheme"] for p in page.periods}, language
    )
    return html.Section(
        [
            html.H2(t("unit.trend", language)),
            # the spinner sits on the note and links the same call updates, not on the graph
            # (a dcc.Loading around a dcc.Graph can remount it: plotly/dash#760)
            dcc.Graph(
                id=ids.UNIT_TREND,
                figure=figure,
                config={"displaylogo": False, "responsive": True},
                style={"height": "340px"},
                className="trend-graph",
            ),
            states.loading(
                html.Div(
                    [
                        html.Div(note, id=f"{ids.UNIT_TREND}-note", className="note"),
                        html.Div(links, id=ids.UNIT_TREND_DOWNLOADS),
                    ]
                )
            ),
        ],
        className="card trend",
    )


def break_before(rows: list[Value], schemes: dict[str, str]) -> str | None:
    """The first period of the series after the 1 July 2025 reorganisation, if the series
    has periods on both sides of it."""
    periods = [Period.of(r["school_year"], r["term"]) for r in rows]
    after = [p for p in periods if schemes.get(str(p)) == "2025" or p.scheme == "2025"]
    return str(after[0]) if after and after[0] != periods[0] else None


def trend_parts(
    client: Api, view: View, schemes: dict[str, str], language: Lang
) -> tuple[Any, Any, Any]:
    assert view.unit and view.scheme and view.indicator
    try:
        rows = client.series(view.indicator, view.unit, view.scheme)
    except ApiProblem as problem:
        return {}, None, states.error(problem, language)
    links = downloads(
        f"/indicators/{view.indicator}/series",
        language,
        unit=view.unit,
        scheme=view.scheme,
    )
    if not any(r.get("value") is not None for r in rows):
        return {}, links, states.empty(t("unit.no_series", language))
    meta = indicator_meta(view.indicator) or {}
    unit = (meta.get("unit") or {}).get(language, "")
    cut = break_before(rows, schemes)
    figure = trend(rows, lang=language, unit=unit, break_before=cut)
    note = None
    if cut:
        key = "unit.note_2025" if view.scheme == "2025" else "unit.note_legacy"
        note = html.P(["⌇ ", t("common.break_2025", language), ": ", t(key, language)])
    return figure, links, note


# -- data quality ------------------------------------------------------------------------
def _quality_section(page: Page, view: View) -> html.Section:
    language = page.lang
    assert view.unit and view.scheme and view.period
    try:
        report = page.api.quality(view.unit, view.scheme, view.period)
    except ApiProblem as problem:
        body: Any = states.error(problem, language)
    else:
        total = report.get("total") or {}
        body = [
            html.Div(
                [
                    _figure(t("unit.completeness", language), total.get("completeness_pct"), "%"),
                    _figure(t("unit.timeliness", language), total.get("timeliness_pct"), "%"),
                    _figure(t("unit.score", language), total.get("quality_score"), None),
                ],
                className="dq-figures",
            ),
            html.Ul(
                [
                    html.Li(
                        t(
                            "unit.reported",
                            language,
                            reported=vn_number(total.get("schools_reported")),
                            expected=vn_number(total.get("schools_expected")),
                        )
                    ),
                    html.Li(t("unit.to_chase", language, n=vn_number(report.get("chase_count")))),
                    html.Li(
                        t("unit.findings", language, n=vn_number(report.get("findings_count")))
                    ),
                ],
                className="dq-list",
            ),
            html.A(t("unit.quality_link", language), href=view.href("/quality")),
        ]
    return html.Section(
        [html.H2(t("unit.quality", language)), html.Div(body)],
        id=ids.UNIT_QUALITY,
        className="card",
    )


def _figure(label: str, value: float | None, unit: str | None) -> html.Div:
    return html.Div(
        [html.Div(value_text(value, unit), className="dq-value"), html.Div(label)],
        className="dq-figure",
        **data_attrs(value="" if value is None else repr(value)),
    )


# -- callbacks ---------------------------------------------------------------------------
def _view_of(state: dict[str, Any], indicator: str) -> View:
    return View(
        scheme=state["scheme"], unit=state["unit"], period=state["period"], indicator=indicator
    )


@callback(
    Output(ids.UNIT_GRID, "columnDefs"),
    Output(ids.UNIT_GRID, "rowData"),
    Output(ids.UNIT_GRID_DOWNLOADS, "children"),
    Output(ids.UNIT_GRID_TITLE, "children"),
    Output(ids.UNIT_GRID, "style"),
    Input(ids.UNIT_INDICATOR, "value"),
    Input(ids.UNIT_CHILD_KIND, "value"),
    State(ids.UNIT_VIEW, "data"),
    prevent_initial_call=True,
)
def _update_ranking(indicator: str, kind: str, state: dict[str, Any]) -> tuple[Any, ...]:
    if not indicator or kind not in KINDS:
        return (no_update,) * 5
    columns, rows, links, note = ranking(api(), _view_of(state, indicator), kind, lang())
    return columns, rows, links, note, {"width": "100%", "height": f"{fit_height(len(rows))}px"}


@callback(
    Output(ids.UNIT_TREND, "figure"),
    Output(ids.UNIT_TREND_DOWNLOADS, "children"),
    Output(f"{ids.UNIT_TREND}-note", "children"),
    Input(ids.UNIT_INDICATOR, "value"),
    State(ids.UNIT_VIEW, "data"),
    prevent_initial_call=True,
)
def _update_trend(indicator: str, state: dict[str, Any]) -> tuple[Any, ...]:
    if not indicator:
        return (no_update,) * 3
    return trend_parts(api(), _view_of(state, indicator), state["periods"], lang())


# the chosen indicator and list go into the address without reloading, so it can be shared
clientside_callback(
    """
    function(indicator, kind) {
        const url = new URL(window.location.href);
        if (indicator) { url.searchParams.set("indicator", indicator); }
        if (kind) { url.searchParams.set("list", kind); }
        window.history.replaceState(window.history.state, "", url.pathname + url.search);
        // the header's period and scheme switch reads the address from its dcc.Location:
        // tell it (the address already matches, so it does not navigate)
        window.dash_clientside.set_props("NAV_GO", {search: url.search, href: url.href});
        return window.dash_clientside.no_update;
    }
    """.replace("NAV_GO", ids.NAV_GO),
    Output(ids.UNIT_URL_SYNC, "data"),
    Input(ids.UNIT_INDICATOR, "value"),
    Input(ids.UNIT_CHILD_KIND, "value"),
    prevent_initial_call=True,
)
