"""The data-quality page's ingest runs card (operators, admins, leaders): the recent runs
(a file's name, or the source and resource of a pull) and, for the chosen one, its rejected
rows with download links."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboards import ids
from dashboards.api_client import ApiProblem
from dashboards.components import states
from dashboards.components.datagrid import col, fit_height, grid, text_col, value_col
from dashboards.components.downloads import downloads
from dashboards.components.frame import Page
from dashboards.components.labels import catalog_text, run_status
from dashboards.context import api
from dashboards.formats import cell_value, date_text, datetime_text, vn_number
from dashboards.i18n import Lang, t
from dashboards.pages.school_source import run_origin

RUN_READERS = ("admin", "leader", "operator")
RECENT_RUNS = 20


def runs_section(page: Page) -> html.Section:
    language = page.lang
    head = html.H2(t("quality.runs", language))
    if page.me["role"] not in RUN_READERS:
        return html.Section(
            [head, states.empty(t("quality.runs_forbidden", language))],
            className="card",
            id=ids.QUALITY_RUNS,
        )
    try:
        runs = page.api.runs()
    except ApiProblem as problem:
        message = (
            states.empty(t("quality.runs_forbidden", language))
            if problem.status == 403
            else states.error(problem, language)
        )
        return html.Section([head, message], className="card", id=ids.QUALITY_RUNS)
    # the recent runs, and every run whose rejects can be opened below (rare and to act on)
    recent = [r for i, r in enumerate(runs) if i < RECENT_RUNS or (r.get("rows_rejected") or 0)]
    rows = [
        {
            "id": str(r["run_id"]),
            "run": r["run_id"],
            "run_text": str(r["run_id"]),
            "file": run_origin(r, language),
            "received": r.get("received_date") or "",
            "received_text": date_text(r.get("received_date")),
            "finished": r.get("finished_at") or "",
            "finished_text": datetime_text(r.get("finished_at"), page.zone),
            "status": run_status(r.get("status"), language),
            "message": r.get(f"message_{language}") or r.get("message") or "",
            **{k: r.get(k) for k in ("rows_read", "rows_accepted", "rows_rejected", "warnings")},
            **{
                f"{k}_text": vn_number(r.get(k))
                for k in ("rows_read", "rows_accepted", "rows_rejected", "warnings")
            },
        }
        for r in recent
    ]
    columns = [
        text_col("run", t("quality.run", language), maxWidth=120, sort="desc"),
        col("file", t("quality.file", language), minWidth=220, flex=2, tooltipField="file"),
        text_col("received", t("quality.received", language)),
        col("status", t("quality.status", language), maxWidth=130),
        text_col("rows_read", t("quality.rows_read", language)),
        text_col("rows_accepted", t("quality.rows_accepted", language)),
        text_col("rows_rejected", t("quality.rows_rejected", language)),
        text_col("warnings", t("quality.warnings", language)),
        col(
            "message", t("quality.message", language), minWidth=220, flex=2, tooltipField="message"
        ),
    ]
    with_rejects = [r for r in runs if (r.get("rows_rejected") or 0) > 0]
    options = [
        {
            "label": f"#{r['run_id']} · {run_origin(r, language) or '—'} "
            f"({vn_number(r.get('rows_rejected'))})",
            "value": r["run_id"],
        }
        for r in with_rejects
    ]
    chosen = with_rejects[0]["run_id"] if with_rejects else None
    rejects = (
        rejects_parts(chosen, language)
        if chosen is not None
        else (states.empty(t("quality.no_rejects", language)), None)
    )
    return html.Section(
        [
            head,
            grid(ids.QUALITY_RUNS + "-grid", columns, rows, height=fit_height(len(rows), 380)),
            downloads("/ingest/runs", language),
            html.H3(t("quality.rejects", language)),
            html.Div(
                [
                    html.Label(
                        t("quality.rejects_of", language),
                        htmlFor=ids.QUALITY_RUN,
                        className="ctl-label",
                    ),
                    dcc.Dropdown(
                        id=ids.QUALITY_RUN,
                        options=options,
                        value=chosen,
                        clearable=False,
                        className="ctl-indicator",
                    ),
                ],
                className="controls",
            )
            if options
            else None,
            states.loading(
                html.Div(
                    [
                        html.Div(rejects[0], id=ids.QUALITY_REJECTS),
                        html.Div(rejects[1], id=ids.QUALITY_REJECTS_DOWNLOADS),
                    ]
                )
            ),
        ],
        className="card",
        id=ids.QUALITY_RUNS,
    )


def rejects_parts(run_id: int, language: Lang) -> tuple[Any, Any]:
    try:
        items = api().rejects(run_id)
    except ApiProblem as problem:
        if problem.status == 403:
            return states.empty(t("quality.runs_forbidden", language)), None
        return states.error(problem, language), None
    rows = [
        {
            "id": str(i),
            "sheet": r.get("sheet") or "",
            "row": r.get("source_row"),
            "row_text": vn_number(r.get("source_row")),
            "school": r.get("school_code") or "—",
            "column": r.get("column_name") or "—",
            "rule": catalog_text(r, "rule", language),
            "value": cell_value(r.get("value"), r.get("field"), language),
            "message": catalog_text(r, "message", language),
        }
        for i, r in enumerate(items)
    ]
    columns = [
        col("sheet", t("quality.sheet", language), maxWidth=140),
        text_col("row", t("quality.row", language), maxWidth=100),
        col("school", t("quality.school", language), maxWidth=130),
        col("column", t("quality.column", language), minWidth=120),
        col("rule", t("quality.rule", language), minWidth=140),
        value_col("value", t("quality.value", language), language, maxWidth=140),
        col(
            "message", t("quality.message", language), minWidth=220, flex=2, tooltipField="message"
        ),
    ]
    table = grid(ids.QUALITY_REJECTS + "-grid", columns, rows, height=fit_height(len(rows)))
    return table, downloads(f"/ingest/runs/{run_id}/rejects", language)
