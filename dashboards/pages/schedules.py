"""Scheduled reports: the schedules of the caller's units, their runs and files; operators
create, run and delete them. Everything goes through ``/api/v1/schedules``."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboards import ids
from dashboards.api_client import ApiProblem
from dashboards.components import states
from dashboards.components.datagrid import col, grid, number_col
from dashboards.components.frame import Page, frame, resolve
from dashboards.context import api, lang
from dashboards.formats import comma_list, datetime_text
from dashboards.i18n import t

dash.register_page(
    __name__,
    path="/schedules",
    title="IOC-EDU · Báo cáo định kỳ",
    name="schedules",
    order=7,
    menu=True,
    label="nav.schedules",
)

EDITORS = ("admin", "operator")
KINDS = ("standard", "indicators", "schools", "quality", "chase")


def layout(**query: Any) -> Any:
    page = resolve("/schedules", query)
    if not isinstance(page, Page):
        return page
    language = page.lang
    try:
        rows = page.api.schedules()
    except ApiProblem as problem:
        return frame(page, "/schedules", states.error(problem, language))
    editor = page.me["role"] in EDITORS
    parts: list[Any] = [
        html.Section(
            [
                html.H2(t("schedules.list", language)),
                html.Div(schedules_grid(rows, language), id=ids.SCHEDULES_GRID_WRAP),
                html.P(t("schedules.zone", language, zone=page.zone), className="muted"),
                html.Div(
                    [
                        html.Button(t("schedules.run_now", language), id=ids.SCHEDULES_RUN),
                        html.Button(t("schedules.delete", language), id=ids.SCHEDULES_DELETE),
                    ]
                    if editor
                    else [],
                    className="toolbar",
                ),
                html.Div(id=ids.SCHEDULES_ACTION, role="status"),
                html.H3(t("schedules.history", language)),
                html.Div(states.empty(t("schedules.pick", language)), id=ids.SCHEDULES_RUNS),
                dcc.Interval(id=ids.SCHEDULES_TICK, interval=5000),
            ],
            className="card",
        )
    ]
    parts.append(_form(page) if editor else states.empty(t("schedules.read_only", language)))
    return frame(page, "/schedules", html.Div(parts), t("schedules.title", language))


def schedules_grid(rows: list[dict[str, Any]], language: str) -> Any:
    def c(field: str, key: str, **kw: Any) -> dict[str, Any]:
        if kw.pop("numeric", False):
            return number_col(field, t(key, language), language, **kw)
        return col(field, t(key, language), **kw)

    shown = [
        {
            **r,
            "units": ", ".join(r["units"]),
            "formats": ", ".join(r["formats"]),
            "next_run_at": r.get(f"next_run_text_{language}") or "—",
        }
        for r in rows
    ]
    return grid(
        ids.SCHEDULES_GRID,
        [
            c("id", "schedules.col_id", numeric=True, maxWidth=80),
            c("name", "schedules.name", minWidth=200),
            c("cron", "schedules.cron"),
            c("kind", "schedules.kind"),
            c("units", "schedules.units"),
            c("period", "schedules.period"),
            c("formats", "schedules.formats"),
            c("enabled", "schedules.col_enabled", maxWidth=90),
            c("next_run_at", "schedules.col_next"),
            c("owner", "schedules.col_owner"),
        ],
        shown,
        height=260,
        selectable=True,
        lang=language,
        filterable=True,
    )


def _form(page: Page) -> html.Section:
    language, view = page.lang, page.view

    def field(key: str, control: Any) -> html.Div:
        return html.Div([html.Label(t(key, language), htmlFor=control.id), control])

    return html.Section(
        [
            html.H2(t("schedules.new", language)),
            html.Div(
                [
                    field("schedules.name", dcc.Input(id=ids.SCHEDULE_NAME, type="text")),
                    field(
                        "schedules.cron",
                        dcc.Input(id=ids.SCHEDULE_CRON, type="text", value="0 7 1 * *"),
                    ),
                    field(
                        "schedules.kind",
                        dcc.Dropdown(
                            id=ids.SCHEDULE_KIND,
                            options=list(KINDS),
                            value="standard",
                            clearable=False,
                        ),
                    ),
                    field(
                        "schedules.units",
                        dcc.Input(id=ids.SCHEDULE_UNITS, type="text", value=view.unit or ""),
                    ),
                    field(
                        "schedules.period",
                        dcc.Dropdown(
                            id=ids.SCHEDULE_PERIOD,
                            options=[
                                {"label": t("schedules.latest", language), "value": "latest"},
                                {"label": t("schedules.previous", language), "value": "previous"},
                            ],
                            value="latest",
                            clearable=False,
                        ),
                    ),
                    field(
                        "schedules.formats",
                        dcc.Checklist(
                            id=ids.SCHEDULE_FORMATS,
                            options=["xlsx", "csv"],
                            value=["xlsx"],
                            inline=True,
                        ),
                    ),
                    field("schedules.folder", dcc.Input(id=ids.SCHEDULE_FOLDER, type="text")),
                    field("schedules.email", dcc.Input(id=ids.SCHEDULE_EMAIL, type="text")),
                    dcc.Store(id=ids.SCHEDULE_SCHEME, data=view.scheme),
                ],
                className="form-grid",
            ),
            html.Button(
                t("schedules.create", language), id=ids.SCHEDULE_CREATE, className="btn primary"
            ),
            html.Div(id=ids.SCHEDULE_CREATED, role="status"),
        ],
        className="card",
    )


@callback(
    Output(ids.SCHEDULE_CREATED, "children"),
    Output(ids.SCHEDULES_GRID_WRAP, "children", allow_duplicate=True),
    Input(ids.SCHEDULE_CREATE, "n_clicks"),
    State(ids.SCHEDULE_NAME, "value"),
    State(ids.SCHEDULE_CRON, "value"),
    State(ids.SCHEDULE_KIND, "value"),
    State(ids.SCHEDULE_UNITS, "value"),
    State(ids.SCHEDULE_PERIOD, "value"),
    State(ids.SCHEDULE_FORMATS, "value"),
    State(ids.SCHEDULE_FOLDER, "value"),
    State(ids.SCHEDULE_EMAIL, "value"),
    State(ids.SCHEDULE_SCHEME, "data"),
    prevent_initial_call=True,
)
def _create(
    _clicks: int,
    name: str | None,
    cron: str | None,
    kind: str,
    units: str | None,
    period: str,
    formats: list[str],
    folder: str | None,
    email: str | None,
    scheme: str,
) -> Any:
    language, client = lang(), api()
    spec = {
        "name": name or "",
        "cron": cron or "",
        "kind": kind,
        "scheme": scheme,
        "units": comma_list(units),
        "period": period,
        "formats": formats or [],
        "folder": folder or None,
        "email_to": comma_list(email),
    }
    try:
        made = client.create_schedule(spec)
        rows = client.schedules()
    except ApiProblem as problem:
        return states.error(problem, language), no_update
    next_run = made.get(f"next_run_text_{language}") or "—"
    text = t("schedules.created", language, id=made["id"], next=next_run)
    return html.Div(text, className="state ok"), schedules_grid(rows, language)


@callback(
    Output(ids.SCHEDULES_RUNS, "children"),
    Input(ids.SCHEDULES_GRID, "selectedRows"),
    Input(ids.SCHEDULES_ACTION, "children"),
    Input(ids.SCHEDULES_TICK, "n_intervals"),
    State(ids.SCHEDULES_GRID, "selectedRows"),
    prevent_initial_call=True,
)
def _runs(_selected: Any, _action: Any, _tick: Any, selected: list[dict[str, Any]] | None) -> Any:
    language, client = lang(), api()
    if not selected:
        return states.empty(t("schedules.pick", language))
    try:
        body = client.schedule_runs(selected[0]["id"])
    except ApiProblem as problem:
        return states.error(problem, language)
    if not body["items"]:
        return states.empty(t("schedules.no_runs", language))
    zone = client.display_zone()
    head = html.Tr(
        [
            html.Th(t(f"schedules.{k}", language))
            for k in (
                "col_id",
                "col_status",
                "col_started",
                "col_duration",
                "col_files",
                "col_error",
            )
        ]
    )
    body_rows = [
        html.Tr(
            [
                html.Td(run["id"]),
                html.Td(run["status"], className=f"run-{run['status']}"),
                html.Td(datetime_text(run.get("started_at"), zone)),
                html.Td("" if run.get("duration_s") is None else f"{run['duration_s']:.1f}"),
                html.Td(
                    [
                        html.A(f["name"], href=f["url"], download=f["name"], className="file-link")
                        for f in run["files"]
                        if f["available"]
                    ]
                ),
                html.Td(run.get("error") or ""),
            ]
        )
        for run in body["items"]
    ]
    return html.Table([html.Thead(head), html.Tbody(body_rows)], className="runs-table")


@callback(
    Output(ids.SCHEDULES_ACTION, "children"),
    Output(ids.SCHEDULES_GRID_WRAP, "children"),
    Input(ids.SCHEDULES_RUN, "n_clicks"),
    Input(ids.SCHEDULES_DELETE, "n_clicks"),
    State(ids.SCHEDULES_GRID, "selectedRows"),
    prevent_initial_call=True,
)
def _act(_run: Any, _delete: Any, selected: list[dict[str, Any]] | None) -> Any:
    language, client = lang(), api()
    if not selected:
        return states.empty(t("schedules.pick", language)), no_update
    schedule_id = selected[0]["id"]
    try:
        if dash.ctx.triggered_id == ids.SCHEDULES_DELETE:
            client.delete_schedule(schedule_id)
            text = t("schedules.deleted", language, id=schedule_id)
            return html.Div(text, className="state ok"), schedules_grid(
                client.schedules(), language
            )
        client.run_schedule(schedule_id)
    except ApiProblem as problem:
        return states.error(problem, language), no_update
    return html.Div(
        t("schedules.started", language, id=schedule_id), className="state ok"
    ), no_update
