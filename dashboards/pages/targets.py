"""Targets: what leadership aims for, per unit and school year; operators edit them."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboards import ids
from dashboards.api_client import ApiProblem
from dashboards.components import states
from dashboards.components.datagrid import col, grid, number_col
from dashboards.components.downloads import downloads
from dashboards.components.frame import Page, frame, resolve
from dashboards.context import api, lang
from dashboards.i18n import t
from ioc.domain.period import Period

dash.register_page(
    __name__,
    path="/targets",
    title="IOC-EDU · Mục tiêu",
    name="targets",
    order=6,
    menu=True,
    label="nav.targets",
)

EDITORS = ("admin", "operator")
FIELDS = ("indicator_id", "scheme", "unit_code", "school_year", "target_value")


def layout(**query: Any) -> Any:
    page = resolve("/targets", query)
    if not isinstance(page, Page):
        return page
    language = page.lang
    try:
        rows = page.api.targets()
        catalog = page.api.catalog()
    except ApiProblem as problem:
        return frame(page, "/targets", states.error(problem, language))
    editor = page.me["role"] in EDITORS
    indicators = [i["id"] for i in catalog["indicators"]]
    at = Period.maybe(page.view.period)
    school_year = at.school_year if at else ""
    blank = {
        "indicator_id": page.view.indicator,
        "scheme": page.view.scheme,
        "unit_code": page.view.unit,
        "school_year": school_year,
        "target_value": None,
    }
    controls: list[Any] = [html.P(t("targets.help" if editor else "targets.read_only", language))]
    if editor:
        controls += [
            html.Button(t("targets.add", language), id=ids.TARGETS_ADD, className="btn"),
            html.Button(t("targets.save", language), id=ids.TARGETS_SAVE, className="btn primary"),
        ]
    return frame(
        page,
        "/targets",
        html.Section(
            [
                html.H2(t("targets.title", language)),
                html.Div(controls, className="toolbar"),
                downloads("/targets", language, id_prefix=ids.TARGETS_DOWNLOADS),
                targets_grid(rows, language, editor, indicators),
                html.Div(id=ids.TARGETS_RESULT, role="status"),
                dcc.Store(id=ids.TARGETS_BLANK_ROW, data=blank),
            ],
            className="card",
        ),
        t("nav.targets", language),
    )


def targets_grid(
    rows: list[dict[str, Any]], language: str, editor: bool, indicators: list[str]
) -> Any:
    def c(field: str, key: str, **kw: Any) -> dict[str, Any]:
        header = t(f"targets.col_{key}", language)
        if kw.pop("numeric", False):
            return number_col(field, header, language, editable=editor, **kw)
        return col(field, header, editable=editor, **kw)

    return grid(
        ids.TARGETS_GRID,
        [
            c(
                "indicator_id",
                "indicator",
                minWidth=220,
                cellEditor="agSelectCellEditor",
                cellEditorParams={"values": indicators},
            ),
            c(
                "scheme",
                "scheme",
                cellEditor="agSelectCellEditor",
                cellEditorParams={"values": ["legacy", "2025"]},
            ),
            c("unit_code", "unit"),
            col("unit_name", t("targets.col_unit_name", language), minWidth=180),
            c("school_year", "year"),
            c("target_value", "target", numeric=True, cellDataType="number"),
            col("set_by", t("targets.col_set_by", language)),
        ],
        rows,
        height=420,
        lang=language,
        row_id=None,
        editable=editor,
        filterable=True,
    )


@callback(
    Output(ids.TARGETS_GRID, "rowTransaction"),
    Input(ids.TARGETS_ADD, "n_clicks"),
    State(ids.TARGETS_BLANK_ROW, "data"),
    prevent_initial_call=True,
)
def _add_row(_clicks: int, blank: dict[str, Any]) -> Any:
    return {"add": [dict(blank)], "addIndex": 0}


@callback(
    Output(ids.TARGETS_RESULT, "children"),
    Input(ids.TARGETS_SAVE, "n_clicks"),
    State(ids.TARGETS_GRID, "virtualRowData"),
    prevent_initial_call=True,
)
def _save(_clicks: int, rows: list[dict[str, Any]] | None) -> Any:
    language = lang()
    if not rows:
        return no_update
    targets = []
    for row in rows:
        if row.get("target_value") in (None, ""):
            continue  # a blank row not filled in
        targets.append({k: row.get(k) for k in FIELDS})
    try:
        result = api().set_targets(targets)
    except ApiProblem as problem:
        return states.error(problem, language)
    return html.Div(t("targets.saved", language, count=result["saved"]), className="state ok")
