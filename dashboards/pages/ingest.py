"""Ingest (operators): upload return files, follow their jobs to the run, read the rejects."""

from __future__ import annotations

import base64
from typing import Any

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboards import ids
from dashboards.api_client import ApiProblem
from dashboards.components import states
from dashboards.components.datagrid import grid, list_col
from dashboards.components.downloads import downloads
from dashboards.components.frame import Bare, Page, frame, frame_bare, resolve
from dashboards.components.jobs import ended, job_line, jobs_grid
from dashboards.components.labels import catalog_text, run_status
from dashboards.context import api, lang
from dashboards.formats import cell_value
from dashboards.i18n import Lang, t
from ioc.domain.period import PATTERN

UPLOADERS = ("admin", "operator")
POLL_MS = 1000  # how often the page asks how its jobs are going while one runs

dash.register_page(
    __name__,
    path="/ingest",
    title="IOC-EDU · Nạp dữ liệu",
    name="ingest",
    order=5,
    menu=True,
    label="nav.ingest",
    menu_roles=UPLOADERS,
)


def layout(**query: Any) -> Any:
    """The ingest page; on an installation without data too (its first file comes here)."""
    page = resolve("/ingest", query, bare=True)
    if isinstance(page, Bare):
        return frame_bare(page, "/ingest", _body(page, empty=True))
    if not isinstance(page, Page):
        return page
    return frame(page, "/ingest", _body(page, empty=False), t("nav.ingest", page.lang))


def _body(page: Page | Bare, *, empty: bool) -> html.Div:
    language = page.lang
    if page.me["role"] in UPLOADERS:
        upload: Any = html.Section(
            [
                html.H2(t("ingest.title", language)),
                dcc.Upload(
                    html.Div(t("ingest.drop", language)),
                    id=ids.INGEST_UPLOAD,
                    multiple=True,
                    accept=".csv,.xlsx,.xls,.ods,.txt,.tsv",
                    className="upload",
                ),
                html.Div(
                    [
                        html.Label(t("ingest.period", language), htmlFor=ids.INGEST_PERIOD),
                        dcc.Input(
                            id=ids.INGEST_PERIOD,
                            type="text",
                            pattern=PATTERN,
                            placeholder="2025-2026/DN",
                        ),
                        dcc.Checklist(
                            id=ids.INGEST_STRICT,
                            options=[{"label": t("ingest.strict", language), "value": "strict"}],
                            value=[],
                        ),
                    ],
                    className="upload-options",
                ),
                states.loading(html.Div(id=ids.INGEST_RESULT, role="status")),
                dcc.Store(id=ids.INGEST_FOLLOWED, data=[]),
                dcc.Interval(id=ids.INGEST_POLL, interval=POLL_MS, disabled=True),
            ],
            className="card",
        )
        jobs: Any = html.Section(
            [
                html.H2(t("ingest.jobs", language)),
                html.Div(_jobs_grid(page), id=ids.INGEST_JOBS_WRAP),
            ],
            className="card",
        )
    else:
        upload = states.empty(t("ingest.not_allowed", language))
        jobs = None
    runs = runs_grid([], language) if empty else _runs_grid(page)
    return html.Div(
        [
            *([states.no_data(language)] if empty else []),
            upload,
            *([jobs] if jobs is not None else []),
            html.Section(
                [
                    html.H2(t("ingest.runs", language)),
                    downloads("/ingest/runs", language, id_prefix=ids.INGEST_RUNS_DOWNLOADS),
                    html.Div(runs, id=ids.INGEST_RUNS_WRAP),
                ],
                className="card",
            ),
            html.Section(
                [
                    html.H2(t("ingest.rejects", language)),
                    html.Div(states.empty(t("ingest.pick_run", language)), id=ids.INGEST_REJECTS),
                ],
                className="card",
            ),
        ]
    )


def _jobs_grid(page: Page | Bare) -> Any:
    try:
        return jobs_grid(page.api.jobs(), page.lang, page.api.display_zone())
    except ApiProblem as problem:
        return states.error(problem, page.lang)


def _runs_grid(page: Page | Bare) -> Any:
    try:
        rows = page.api.runs()
    except ApiProblem as problem:
        return states.error(problem, page.lang)
    return runs_grid(rows, page.lang)


def runs_grid(rows: list[dict[str, Any]], language: Lang) -> Any:
    def c(field: str, key: str, **kw: Any) -> dict[str, Any]:
        return list_col(field, t(f"ingest.col_{key}", language), language, **kw)

    rows = [
        {
            **r,
            "status": run_status(r.get("status"), language),
            "message": r.get(f"message_{language}") or r.get("message") or "",
        }
        for r in rows
    ]
    return grid(
        ids.INGEST_RUNS,
        [
            c("run_id", "run", numeric=True, maxWidth=100, sort="desc"),
            c("file_name", "file", minWidth=220),
            c("received_date", "received"),
            c("run_by", "by"),
            c("status", "status"),
            c("rows_read", "read", numeric=True),
            c("rows_accepted", "accepted", numeric=True),
            c("rows_rejected", "rejected", numeric=True),
            c("warnings", "warnings", numeric=True),
            c("message", "message", minWidth=280, tooltipField="message"),
        ],
        rows,
        height=320,
        selectable=True,
        lang=language,
        row_id="run_id",
        filterable=True,
    )


@callback(
    Output(ids.INGEST_RESULT, "children", allow_duplicate=True),
    Output(ids.INGEST_FOLLOWED, "data"),
    Output(ids.INGEST_POLL, "disabled", allow_duplicate=True),
    Input(ids.INGEST_UPLOAD, "contents"),
    State(ids.INGEST_UPLOAD, "filename"),
    State(ids.INGEST_PERIOD, "value"),
    State(ids.INGEST_STRICT, "value"),
    prevent_initial_call=True,
)
def _upload(
    contents: list[str] | None, names: list[str] | None, period: str | None, strict: list[str]
) -> Any:
    """Send the files; each becomes a job the page then follows (see ``_follow``). A file
    refused at once (type, size, a limit) says why here."""
    if not contents or not names:
        return no_update, no_update, no_update
    language, client = lang(), api()
    lines, followed = [], []
    for content, name in zip(contents, names, strict=True):
        payload = base64.b64decode(content.split(",", 1)[1])
        try:
            job = client.upload(name, payload, period or None, strict="strict" in (strict or []))
        except ApiProblem as problem:
            lines.append(
                html.Li(
                    [t("ingest.failed", language, file=name), ": ", problem.text(language)],
                    className="run-failed",
                )
            )
            continue
        followed.append(job["id"])
        lines.append(job_line(job, language))
    return html.Ul(lines, className="run-results"), followed, not followed


@callback(
    Output(ids.INGEST_RESULT, "children"),
    Output(ids.INGEST_POLL, "disabled"),
    Output(ids.INGEST_RUNS_WRAP, "children"),
    Output(ids.INGEST_JOBS_WRAP, "children"),
    Input(ids.INGEST_POLL, "n_intervals"),
    State(ids.INGEST_FOLLOWED, "data"),
    prevent_initial_call=True,
)
def _follow(_: int, followed: list[int] | None) -> Any:
    """The followed jobs' progress; once all ended, their outcomes, and the runs and jobs
    lists refreshed."""
    if not followed:
        return no_update, True, no_update, no_update
    language, client = lang(), api()
    try:
        jobs = [client.job(job_id) for job_id in followed]
    except ApiProblem as problem:
        return states.error(problem, language), True, no_update, no_update
    lines = html.Ul([job_line(job, language) for job in jobs], className="run-results")
    if not all(ended(job) for job in jobs):
        return lines, False, no_update, no_update
    try:
        runs: Any = runs_grid(client.runs(), language)
        recent: Any = jobs_grid(client.jobs(), language, client.display_zone())
    except ApiProblem as problem:
        runs = recent = states.error(problem, language)
    return lines, True, runs, recent


@callback(
    Output(ids.INGEST_REJECTS, "children"),
    Input(ids.INGEST_RUNS, "selectedRows"),
    prevent_initial_call=True,
)
def _rejects(selected: list[dict[str, Any]] | None) -> Any:
    language = lang()
    if not selected:
        return states.empty(t("ingest.pick_run", language))
    run_id = selected[0]["run_id"]
    try:
        rows = api().rejects(run_id)
    except ApiProblem as problem:
        return states.error(problem, language)
    if not rows:
        return states.empty(t("ingest.no_rejects", language))
    rows = [
        {
            **r,
            "value": cell_value(r.get("value"), r.get("field"), language),
            "rule": catalog_text(r, "rule", language),
            "field": catalog_text(r, "field", language),
            "message": catalog_text(r, "message", language),
        }
        for r in rows
    ]

    def c(field: str, key: str, **kw: Any) -> dict[str, Any]:
        return list_col(field, t(f"ingest.col_{key}", language), language, **kw)

    return html.Div(
        [
            html.H3(f"#{run_id} · {selected[0].get('file_name', '')}"),
            downloads(
                f"/ingest/runs/{run_id}/rejects", language, id_prefix=ids.INGEST_REJECTS_DOWNLOADS
            ),
            grid(
                ids.INGEST_REJECTS_GRID,
                [
                    c("sheet", "sheet"),
                    c("source_row", "row", numeric=True, maxWidth=100),
                    c("column_name", "column", minWidth=200),
                    c("school_code", "school"),
                    c("rule", "rule", minWidth=200),
                    c("value", "value", minWidth=140),
                    c("message", "message", minWidth=280, tooltipField="message"),
                ],
                rows,
                height=320,
                lang=language,
                row_id=None,
                filterable=True,
            ),
        ]
    )
