"""Scheduled reports: the schedules of the caller's units, their runs and files; operators
create, run and delete them. Everything goes through ``/api/v1/schedules``."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboards.api_client import ApiProblem
from dashboards.components import states
from dashboards.components.datagrid import col, grid, number_col
from dashboards.components.frame import Page, frame, resolve
from dashboards.context import api, lang
from dashboards.formats import datetime_text
from dashboards.i18n import t

dash.register_page(__name__, path="/schedules", title="IOC-EDU · Báo cáo định kỳ")

EDITORS = ("admin", "operator")
KINDS = ("standard", "indicators", "schools", "quality", "chase")
GRID = "schedules-grid"


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
                html.Div(schedules_grid(rows, language), id="schedules-grid-wrap"),
                html.P(t("schedules.zone", language, zone=page.zone), className="muted"),
                html.Div(
                    [
                        html.Button(t("schedules.run_now", language), id="schedules-run"),
                        html.Button(t("schedules.delete", language), id="schedules-delete"),
                    ]
                    if editor
                    else [],
                    className="toolbar",
                ),
                html.Div(id="schedules-action", role="status"),
                html.H3(t("schedules.history", language)),
                html.Div(states.empty(t("schedules.pick", language)), id="schedules-runs"),
                dcc.Interval(id="schedules-tick", interval=5000),
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
        GRID,
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
                    field("schedules.name", dcc.Input(id="schedule-name", type="text")),
                    field(
                        "schedules.cron",
                        dcc.Input(id="schedule-cron", type="text", value="0 7 1 * *"),
                    ),
                    field(
                        "schedules.kind",
                        dcc.Dropdown(
                            id="schedule-kind",
                            options=list(KINDS),
                            value="standard",
                            clearable=False,
                        ),
                    ),
                    field(
                        "schedules.units",
                        dcc.Input(id="schedule-units", type="text", value=view.unit or ""),
                    ),
                    field(
                        "schedules.period",
                        dcc.Dropdown(
                            id="schedule-period",
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
                            id="schedule-formats",
                            options=["xlsx", "csv"],
                            value=["xlsx"],
                            inline=True,
                        ),
                    ),
                    field("schedules.folder", dcc.Input(id="schedule-folder", type="text")),
                    field("schedules.email", dcc.Input(id="schedule-email", type="text")),
                    dcc.Store(id="schedule-scheme", data=view.scheme),
                ],
                className="form-grid",
            ),
            html.Button(
                t("schedules.create", language), id="schedule-create", className="btn primary"
            ),
            html.Div(id="schedule-created", role="status"),
        ],
        className="card",
    )


def _split(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(",") if p.strip()]


@callback(
    Output("schedule-created", "children"),
    Output("schedules-grid-wrap", "children", allow_duplicate=True),
    Input("schedule-create", "n_clicks"),
    State("schedule-name", "value"),
    State("schedule-cron", "value"),
    State("schedule-kind", "value"),
    State("schedule-units", "value"),
    State("schedule-period", "value"),
    State("schedule-formats", "value"),
    State("schedule-folder", "value"),
    State("schedule-email", "value"),
    State("schedule-scheme", "data"),
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
        "units": _split(units),
        "period": period,
        "formats": formats or [],
        "folder": folder or None,
        "email_to": _split(email),
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
    Output("schedules-runs", "children"),
    Input(GRID, "selectedRows"),
    Input("schedules-action", "children"),
    Input("schedules-tick", "n_intervals"),
    State(GRID, "selectedRows"),
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
    Output("schedules-action", "children"),
    Output("schedules-grid-wrap", "children"),
    Input("schedules-run", "n_clicks"),
    Input("schedules-delete", "n_clicks"),
    State(GRID, "selectedRows"),
    prevent_initial_call=True,
)
def _act(_run: Any, _delete: Any, selected: list[dict[str, Any]] | None) -> Any:
    language, client = lang(), api()
    if not selected:
        return states.empty(t("schedules.pick", language)), no_update
    schedule_id = selected[0]["id"]
    try:
        if dash.ctx.triggered_id == "schedules-delete":
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
