"""Data quality of a unit and period: completeness and timeliness by child unit, the
schools to chase, warnings and outliers, and the rejected rows of recent ingest runs."""

from __future__ import annotations

from collections import Counter
from typing import Any

import dash
from dash import Input, Output, callback, dcc, html

from dashboards import ids
from dashboards.api_client import ApiProblem
from dashboards.components import states
from dashboards.components.attrs import data_attrs
from dashboards.components.datagrid import (
    col,
    fit_height,
    grid,
    link_col,
    md_link,
    status_col,
    text_col,
    value_col,
)
from dashboards.components.downloads import downloads
from dashboards.components.frame import Page, frame, resolve
from dashboards.components.labels import catalog_text, level_label
from dashboards.context import lang
from dashboards.figures.unit import quality_bars
from dashboards.formats import cell_value, date_text, value_text, vn_number
from dashboards.i18n import t
from dashboards.pages.quality_runs import rejects_parts, runs_section
from dashboards.pages.quality_sources import sources_panel
from dashboards.pages.review_chain import chain_panel

dash.register_page(
    __name__,
    path="/quality",
    title="IOC-EDU · Chất lượng dữ liệu",
    name="quality",
    order=4,
    menu=True,
    label="nav.quality",
)


def layout(**query: Any) -> Any:
    page = resolve("/quality", query)
    if not isinstance(page, Page):
        return page
    language, view = page.lang, page.view
    title = t("quality.title", language)
    assert view.unit and view.scheme and view.period
    try:
        report = page.api.quality(view.unit, view.scheme, view.period)
    except ApiProblem as problem:
        return frame(page, "/quality", states.error(problem, language), title)
    sources = sources_panel(page.api, language)
    chain = chain_panel(page.api, page.me["role"], language, page.zone)
    total = report.get("total") or {}
    if not total.get("schools_expected"):
        empty = html.Div([sources, states.empty(t("state.no_returns", language))])
        return frame(page, "/quality", states.noted(page.unit, language, empty), title)
    body = html.Div(
        [
            *([sources] if sources else []),
            *([chain] if chain else []),
            _totals(page, report),
            _by_unit(page, report),
            _chase(page),
            _findings(page),
            runs_section(page),
        ],
        className="quality-page",
    )
    return frame(page, "/quality", states.noted(page.unit, language, body), title)


def _figure(id_: str, label: str, value: Any, text: str) -> html.Div:
    return html.Div(
        [html.Div(text, className="dq-value"), html.Div(label)],
        className="dq-figure",
        id=id_,
        **data_attrs(value="" if value is None else repr(value)),
    )


def _totals(page: Page, report: dict[str, Any]) -> html.Section:
    language = page.lang
    total = report["total"]
    figures = [
        ("schools_expected", "quality.expected", None),
        ("schools_reported", "quality.reported", None),
        ("schools_on_time", "quality.on_time", None),
        ("schools_missing", "quality.missing", None),
        ("schools_late", "quality.late", None),
        ("completeness_pct", "quality.completeness", "%"),
        ("timeliness_pct", "quality.timeliness", "%"),
        ("quality_score", "quality.score", ""),
        ("schools_with_findings", "quality.with_findings", None),
    ]
    boxes = []
    for key, label, unit in figures:
        value = total.get(key)
        text = vn_number(value) if unit is None else value_text(value, unit)
        boxes.append(_figure(f"dq-{key}", t(label, language), value, text))
    return html.Section(
        [html.Div(boxes, className="quality-top")], id=ids.QUALITY_TOTALS, className="card"
    )


def unit_rows(page: Page, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    view = page.view
    out = []
    for r in rows:
        link = view.with_(unit=r["unit_code"]).href("/quality")
        row = {
            "id": r["unit_code"],
            "unit": md_link(r.get("unit_name") or r["unit_code"], link),
        }
        for key in (
            "schools_expected",
            "schools_reported",
            "schools_on_time",
            "schools_missing",
            "schools_late",
        ):
            row[key] = r.get(key)
            row[f"{key}_text"] = vn_number(r.get(key))
        for key, unit in (
            ("completeness_pct", "%"),
            ("timeliness_pct", "%"),
            ("quality_score", ""),
        ):
            row[key] = r.get(key)
            row[f"{key}_text"] = value_text(r.get(key), unit)
        out.append(row)
    return out


def _by_unit(page: Page, report: dict[str, Any]) -> html.Section:
    language, view = page.lang, page.view
    rows = report.get("by_unit") or []
    columns = [
        link_col("unit", t("quality.unit", language), minWidth=160, flex=2, pinned="left"),
        text_col("schools_expected", t("quality.expected", language)),
        text_col("schools_reported", t("quality.reported", language)),
        text_col("schools_on_time", t("quality.on_time", language)),
        text_col("schools_missing", t("quality.missing", language)),
        text_col("schools_late", t("quality.late", language)),
        text_col("completeness_pct", t("quality.completeness", language), sort="asc"),
        text_col("timeliness_pct", t("quality.timeliness", language)),
        text_col("quality_score", t("quality.score", language)),
    ]
    data = unit_rows(page, rows)
    table = grid(ids.QUALITY_UNITS, columns, data, height=fit_height(len(data), 520))
    return html.Section(
        [
            html.H2(t("quality.by_unit", language)),
            table,
            downloads("/quality", language, unit=view.unit, scheme=view.scheme, period=view.period),
            dcc.Graph(
                id=ids.QUALITY_BARS,
                figure=quality_bars(rows, lang=language),
                config={"displaylogo": False, "responsive": True},
                style={"height": f"{max(220, 60 + 34 * len(rows))}px"},
            ),
        ],
        className="card",
    )


def _school_lists(page: Page, kind: str) -> tuple[list[dict[str, Any]], Any]:
    view = page.view
    assert view.unit and view.scheme and view.period
    fetch = page.api.chase if kind == "chase" else page.api.findings
    try:
        return fetch(view.unit, view.scheme, view.period), None
    except ApiProblem as problem:
        return [], states.error(problem, page.lang)


def _school_link(page: Page, code: str, name: str | None) -> str:
    return md_link(name or code, page.view.href("/school", code=code))


def _chase(page: Page) -> html.Section:
    language, view = page.lang, page.view
    items, problem = _school_lists(page, "chase")
    content: Any = problem
    if problem is None and not items:
        content = states.empty(t("quality.no_chase", language))
    elif problem is None:
        rows = [
            {
                "id": r["school_code"],
                "code": r["school_code"],
                "school": _school_link(page, r["school_code"], r.get("school_name")),
                "level": level_label(r.get("level"), language),
                "status": t(f"quality.status_{r.get('status')}", language),
                "status_code": r.get("status"),
                "due": r.get("due_date") or "",
                "due_text": date_text(r.get("due_date")),
                "received": r.get("first_received_date") or "",
                "received_text": date_text(r.get("first_received_date")),
                "last_period": r.get("last_period") or "—",
            }
            for r in items
        ]
        columns = [
            col("code", t("unit.code", language), maxWidth=120),
            link_col("school", t("quality.school", language), minWidth=200, flex=2),
            col("level", t("unit.level", language), maxWidth=130),
            status_col("status", t("common.status", language)),
            text_col("due", t("quality.due", language)),
            text_col("received", t("quality.first_received", language)),
            col("last_period", t("quality.last_period", language)),
        ]
        content = grid(ids.QUALITY_CHASE, columns, rows, height=fit_height(len(rows)))
    return html.Section(
        [
            html.H2([t("quality.chase", language), f" ({vn_number(len(items))})"]),
            html.P(t("quality.chase_note", language), className="note"),
            content,
            downloads(
                "/quality/chase", language, unit=view.unit, scheme=view.scheme, period=view.period
            ),
        ],
        className="card",
        id=f"{ids.QUALITY_CHASE}-section",
    )


def _findings(page: Page) -> html.Section:
    language, view = page.lang, page.view
    items, problem = _school_lists(page, "findings")
    content: Any = problem
    summary: Any = None
    if problem is None and not items:
        content = states.empty(t("quality.no_findings", language))
    elif problem is None:
        counts = Counter(catalog_text(r, "rule", language) for r in items)
        summary = html.Ul(
            [html.Li(f"{label}: {vn_number(n)}") for label, n in counts.most_common()],
            className="dq-list",
        )
        rows = [
            {
                "id": str(i),
                "code": r["school_code"],
                "school": _school_link(page, r["school_code"], r.get("school_name")),
                "rule": catalog_text(r, "rule", language),
                "field": catalog_text(r, "field", language),
                "value": cell_value(r.get("value"), r.get("field"), language),
                "message": catalog_text(r, "message", language),
            }
            for i, r in enumerate(items)
        ]
        columns = [
            col("code", t("unit.code", language), maxWidth=120),
            link_col("school", t("quality.school", language), minWidth=200, flex=2),
            col("rule", t("quality.rule", language), minWidth=160),
            col("field", t("quality.field", language), minWidth=120),
            value_col("value", t("quality.value", language), language, minWidth=120),
            col(
                "message",
                t("quality.message", language),
                minWidth=220,
                flex=2,
                tooltipField="message",
            ),
        ]
        content = grid(ids.QUALITY_FINDINGS, columns, rows, height=fit_height(len(rows)))
    return html.Section(
        [
            html.H2([t("quality.findings", language), f" ({vn_number(len(items))})"]),
            summary,
            content,
            downloads(
                "/quality/findings",
                language,
                unit=view.unit,
                scheme=view.scheme,
                period=view.period,
            ),
        ],
        className="card",
        id=f"{ids.QUALITY_FINDINGS}-section",
    )


@callback(
    Output(ids.QUALITY_REJECTS, "children"),
    Output(ids.QUALITY_REJECTS_DOWNLOADS, "children"),
    Input(ids.QUALITY_RUN, "value"),
    prevent_initial_call=True,
)
def _show_rejects(run_id: int | None) -> tuple[Any, Any]:
    if run_id is None:
        return states.empty(t("quality.no_rejects", lang())), None
    return rejects_parts(int(run_id), lang())
