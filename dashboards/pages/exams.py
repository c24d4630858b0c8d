"""Thi tốt nghiệp THPT: a unit's results in the national graduation exam of a year (the
unit from the header, in either scheme): KPI cards, the subject's score spectrum against
the other provinces loaded, failing papers per subject, the admission combinations and the
ranking of the unit's linked schools with their inputs (docs/exams.md)."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, clientside_callback, dcc, html, no_update

from dashboards import ids
from dashboards.api_client import Api, ApiProblem
from dashboards.api_exams import rank_of
from dashboards.components import states
from dashboards.components.datagrid import fit_height, grid
from dashboards.components.downloads import downloads
from dashboards.components.frame import Page, frame, resolve
from dashboards.context import View, api, lang
from dashboards.figures.exams import failing, spectrum, subject_name
from dashboards.i18n import Lang, t
from dashboards.pages.exams_parts import (
    choose_subject,
    choose_year,
    combinations_table,
    councils_note,
    kpis,
    school_columns,
    school_rows,
    subject_options,
)

dash.register_page(
    __name__,
    path="/exams",
    title="IOC-EDU · Thi tốt nghiệp THPT",
    name="exams",
    order=3.5,
    menu=True,
    label="exams.nav",
)

GRAPH_CONFIG: dcc.Graph.Config = {"displaylogo": False, "responsive": True}


def layout(**query: Any) -> Any:
    page = resolve("/exams", query)
    if not isinstance(page, Page):
        return page
    language, view = page.lang, page.view
    title = t("exams.title", language)
    try:
        years = page.api.exam_years()
    except ApiProblem as problem:
        return frame(page, "/exams", states.error(problem, language), title)
    if not years:
        return frame(page, "/exams", not_loaded(language), title)
    year = choose_year(query.get("year"), years)
    subject = choose_subject(query.get("subject"))
    state = {"unit": view.unit, "scheme": view.scheme, "period": view.period}
    parts = content(page.api, view, year, subject, language)
    body = html.Div(
        [
            dcc.Store(id=ids.EXAMS_VIEW, data=state),
            dcc.Store(id=ids.EXAMS_URL_SYNC),
            html.Div(
                [
                    html.Label(t("exams.year", language), htmlFor=ids.EXAMS_YEAR),
                    dcc.Dropdown(
                        id=ids.EXAMS_YEAR,
                        options=[{"label": str(y), "value": y} for y in years],
                        value=year,
                        clearable=False,
                        searchable=False,
                        className="picker picker-year",
                    ),
                    html.Label(t("exams.subject", language), htmlFor=ids.EXAMS_SUBJECT),
                    dcc.Dropdown(
                        id=ids.EXAMS_SUBJECT,
                        options=subject_options(language),
                        value=subject,
                        clearable=False,
                        className="picker picker-subject",
                    ),
                ],
                className="controls exam-controls card",
            ),
            html.Div(parts["councils"], id=f"{ids.EXAMS_COUNCILS}-wrap"),
            html.Section(
                [
                    html.H2(t("exams.kpis", language)),
                    html.Div(parts["kpis"], className="tiles", id=f"{ids.EXAMS_KPIS}-tiles"),
                ],
                id=ids.EXAMS_KPIS,
                className="card",
            ),
            html.Div(
                [
                    html.Section(
                        [
                            html.H2(t("exams.spectrum", language)),
                            dcc.Graph(
                                id=ids.EXAMS_SPECTRUM,
                                figure=parts["spectrum"],
                                config=GRAPH_CONFIG,
                                style={"height": "360px"},
                            ),
                            html.Div(parts["spectrum_note"], id=ids.EXAMS_SPECTRUM_NOTE),
                        ],
                        className="card",
                    ),
                    html.Section(
                        [
                            html.H2(t("exams.failing", language)),
                            dcc.Graph(
                                id=ids.EXAMS_FAILING, figure=parts["failing"], config=GRAPH_CONFIG
                            ),
                        ],
                        className="card",
                    ),
                ],
                className="unit-main exam-main",
            ),
            html.Section(
                [
                    html.H2(t("exams.combinations", language)),
                    html.Div(parts["combinations"], id=f"{ids.EXAMS_COMBINATIONS}-body"),
                ],
                id=ids.EXAMS_COMBINATIONS,
                className="card",
            ),
            html.Section(
                [
                    html.H2(t("exams.schools", language)),
                    html.Div(parts["schools"], id=f"{ids.EXAMS_SCHOOLS}-body"),
                ],
                id=ids.EXAMS_SCHOOLS,
                className="card",
            ),
        ],
        className="exam-page",
    )
    return frame(page, "/exams", body, title)


def not_loaded(language: Lang) -> html.Div:
    """No exam result is loaded yet: say so, and how an operator loads them."""
    return html.Div(
        [
            html.P(t("exams.not_loaded", language)),
            html.P([t("exams.how_to_load", language), " ", html.Code("ioc exams ingest TỆP...")]),
        ],
        id=ids.EXAMS_EMPTY,
        className="state state-empty",
        role="status",
    )


def content(client: Api, view: View, year: int, subject: str, language: Lang) -> dict[str, Any]:
    """Every part that depends on the year and the subject, from the API (a part the API
    refuses shows its readable error; the others still show)."""
    assert view.unit and view.scheme
    try:
        summary = client.exam_summary(view.unit, year, view.scheme)
    except ApiProblem as problem:
        error = states.error(problem, language)
        return {
            "councils": None,
            "kpis": error,
            "spectrum": {},
            "spectrum_note": None,
            "failing": {},
            "combinations": None,
            "schools": None,
        }
    subjects = summary.get("subjects") or []
    if not subjects:
        empty = states.empty(t("exams.no_unit_results", language, year=year))
        return {
            "councils": councils_note(summary, language),
            "kpis": empty,
            "spectrum": {},
            "spectrum_note": None,
            "failing": {},
            "combinations": None,
            "schools": None,
        }
    province = (summary.get("unit") or {}).get("level", "province") == "province"
    figure, note = spectrum_parts(client, view, year, subject, language, province=province)
    return {
        "councils": councils_note(summary, language),
        "kpis": kpis(summary, subject, _rank(client, view, year, subject), language),
        "spectrum": figure,
        "spectrum_note": note,
        "failing": failing(subjects, lang=language),
        "combinations": _combinations(summary, language),
        "schools": schools_part(client, view, year, subject, language),
    }


def _rank(client: Api, view: View, year: int, subject: str) -> Any:
    """The unit's rank among the provinces loaded in the subject (None: not a province)."""
    assert view.unit and view.scheme
    try:
        return rank_of(client.exam_provinces(year, view.scheme, subject), view.unit)
    except ApiProblem:  # the KPI says "—"; the other parts say what went wrong
        return None


def _combinations(summary: dict[str, Any], language: Lang) -> Any:
    rows = summary.get("combinations") or []
    if not rows:
        return states.empty(t("exams.no_combinations", language))
    return combinations_table(rows, language)


def spectrum_parts(
    client: Api, view: View, year: int, subject: str, language: Lang, *, province: bool
) -> tuple[Any, Any]:
    """The subject's spectrum figure and the note under it (``province``: the unit is one,
    compared with the other provinces loaded; else with its own province)."""
    assert view.unit and view.scheme
    try:
        own, others = client.exam_spectrum(view.unit, year, view.scheme, subject)
    except ApiProblem as problem:
        return {}, states.error(problem, language)
    if not own["bins"]:
        name = subject_name(subject, language)
        return {}, states.empty(t("exams.no_papers", language, subject=name))
    figure = spectrum(own, others, subject=subject, lang=language)
    key = "exams.spectrum_alone"
    if others:
        key = "exams.spectrum_note" if province else "exams.spectrum_note_province"
    return figure, html.P(t(key, language), className="note")


def schools_part(client: Api, view: View, year: int, subject: str, language: Lang) -> Any:
    """The ranking of the unit's linked schools in the subject, or why there is none."""
    assert view.unit and view.scheme
    try:
        rows = client.exam_schools(view.unit, year, view.scheme, subject)
    except ApiProblem as problem:
        return states.error(problem, language)
    if not rows:
        return states.empty(t("exams.no_schools", language))
    shown = school_rows(rows, view)
    return html.Div(
        [
            grid(
                ids.EXAMS_SCHOOLS_GRID,
                school_columns(language),
                shown,
                height=fit_height(len(shown)),
                lang=language,
            ),
            downloads(
                "/exams/schools",
                language,
                unit=view.unit,
                year=year,
                scheme=view.scheme,
                subject=subject,
            ),
        ]
    )


@callback(
    Output(f"{ids.EXAMS_COUNCILS}-wrap", "children"),
    Output(f"{ids.EXAMS_KPIS}-tiles", "children"),
    Output(ids.EXAMS_SPECTRUM, "figure"),
    Output(ids.EXAMS_SPECTRUM_NOTE, "children"),
    Output(ids.EXAMS_FAILING, "figure"),
    Output(f"{ids.EXAMS_COMBINATIONS}-body", "children"),
    Output(f"{ids.EXAMS_SCHOOLS}-body", "children"),
    Input(ids.EXAMS_YEAR, "value"),
    Input(ids.EXAMS_SUBJECT, "value"),
    State(ids.EXAMS_VIEW, "data"),
    prevent_initial_call=True,
)
def _update(year: Any, subject: Any, state: dict[str, Any]) -> tuple[Any, ...]:
    if not year or not subject:
        return (no_update,) * 7
    view = View(scheme=state["scheme"], unit=state["unit"], period=state.get("period"))
    parts = content(api(), view, int(year), choose_subject(subject), lang())
    return (
        parts["councils"],
        parts["kpis"],
        parts["spectrum"],
        parts["spectrum_note"],
        parts["failing"],
        parts["combinations"],
        parts["schools"],
    )


# the chosen year and subject go into the address without reloading, so it can be shared
clientside_callback(
    """
    function(year, subject) {
        const url = new URL(window.location.href);
        if (year) { url.searchParams.set("year", year); }
        if (subject) { url.searchParams.set("subject", subject); }
        window.history.replaceState(window.history.state, "", url.pathname + url.search);
        window.dash_clientside.set_props("NAV_GO", {search: url.search, href: url.href});
        return window.dash_clientside.no_update;
    }
    """.replace("NAV_GO", ids.NAV_GO),
    Output(ids.EXAMS_URL_SYNC, "data"),
    Input(ids.EXAMS_YEAR, "value"),
    Input(ids.EXAMS_SUBJECT, "value"),
    prevent_initial_call=True,
)
