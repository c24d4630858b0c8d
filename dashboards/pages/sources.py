"""Pulled sources: their state, their ledger of pulls, and (for who may) pulling one now, a
dry run, a full reconcile or a connection test, followed as a job. Admins declare and edit
sources in the form of :mod:`dashboards.pages.sources_form`. Everything goes through
``/api/v1/sources``."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboards import ids
from dashboards.api_client import ApiProblem
from dashboards.components import states
from dashboards.components.attrs import data_attrs
from dashboards.components.datagrid import grid, list_col, status_col
from dashboards.components.frame import Bare, Page, frame, frame_bare, resolve
from dashboards.components.source_texts import (
    error_text,
    job_text,
    source_rows,
    word,
)
from dashboards.context import api, lang
from dashboards.formats import datetime_text
from dashboards.i18n import Lang, t
from dashboards.pages.sources_form import EDITORS, admin_buttons, form_section

VIEWERS = ("admin", "leader", "operator")
PULLERS = ("admin", "operator")  # the API still says who may pull which source (403)
POLL_MS = 1000

dash.register_page(
    __name__,
    path="/sources",
    title="IOC-EDU · Nguồn dữ liệu",
    name="sources",
    order=8,
    menu=True,
    label="sources.nav",
    menu_roles=VIEWERS,
)


def layout(**query: Any) -> Any:
    page = resolve("/sources", query, bare=True)
    if isinstance(page, Bare):
        return frame_bare(page, "/sources", _body(page))
    if not isinstance(page, Page):
        return page
    return frame(page, "/sources", _body(page), t("sources.title", page.lang))


def _body(page: Page | Bare) -> html.Div:
    language, role = page.lang, page.me["role"]
    zone = page.api.display_zone()
    try:
        rows = page.api.sources()
    except ApiProblem as problem:
        return html.Div(states.error(problem, language))
    buttons = [
        html.Button(t("sources.pull_now", language), id=ids.SOURCES_PULL, className="btn primary"),
        html.Button(t("sources.dry_run_button", language), id=ids.SOURCES_DRY_RUN),
        html.Button(t("sources.full", language), id=ids.SOURCES_FULL),
        html.Button(t("sources.test", language), id=ids.SOURCES_TEST),
    ]
    listing = html.Section(
        [
            html.H2(t("sources.list", language)),
            html.Div(sources_grid(rows, language, zone), id=ids.SOURCES_GRID_WRAP),
            html.P(t("sources.zone", language, zone=zone), className="muted"),
            html.Div(
                [*(buttons if role in PULLERS else []), *admin_buttons(language, role)],
                className="toolbar sources-toolbar",
            ),
            states.loading(html.Div(id=ids.SOURCES_ACTION, role="status")),
            dcc.Store(id=ids.SOURCES_FOLLOWED, data=None),
            dcc.Interval(id=ids.SOURCES_POLL, interval=POLL_MS, disabled=True),
            html.H3(t("sources.ledger", language)),
            html.Div(states.empty(t("sources.pick", language)), id=ids.SOURCES_LEDGER),
        ],
        className="card",
    )
    editing = (
        form_section(language)
        if role in EDITORS
        else states.empty(t("sources.read_only", language))
    )
    return html.Div([listing, editing], className="sources-page")


def sources_grid(rows: list[dict[str, Any]], language: Lang, zone: str) -> Any:
    """The sources: name, kind, units, schedule and state in words, last success, next pull."""

    def c(field: str, key: str, **kw: Any) -> dict[str, Any]:
        return list_col(field, t(f"sources.col_{key}", language), language, **kw)

    return grid(
        ids.SOURCES_GRID,
        [
            c("name", "name", minWidth=130, pinned="left"),
            c("kind", "kind", minWidth=200, tooltipField="kind"),
            c("units", "units", minWidth=90),
            c("schedule", "schedule", minWidth=190, tooltipField="schedule"),
            status_col("state", t("sources.col_state", language), minWidth=130),
            c("last_success", "last_success", minWidth=230),
            c("next", "next", minWidth=140),
        ],
        source_rows(rows, language, zone),
        height=None,
        selectable=True,
        lang=language,
    )


def _watermarks(marks: dict[str, Any] | None) -> str:
    return "; ".join(
        f"{resource}: {pair[0] or '∅'} → {pair[1] or '∅'}"
        for resource, pair in (marks or {}).items()
        if isinstance(pair, list | tuple) and len(pair) == 2
    )


def ledger(pulls: list[dict[str, Any]], language: Lang, zone: str) -> Any:
    """A source's pulls, newest first, with what each fetched and changed."""
    if not pulls:
        return states.empty(t("sources.no_pulls", language))

    def c(field: str, key: str, **kw: Any) -> dict[str, Any]:
        header = t(f"sources.col_{key}", language)  # whole headers, on two lines if need be
        return list_col(field, header, language, wrapHeaderText=True, autoHeaderHeight=True, **kw)

    counts = ("fetched", "inserted", "replaced", "unchanged", "rejected", "retries")
    rows = [
        {
            "id": p.get("id"),
            "started": datetime_text(p.get("started_at"), zone),
            "trigger": word("trigger", p.get("trigger"), language),
            "mode": word("mode", p.get("mode"), language)
            + (f" · {t('sources.dry_run', language)}" if p.get("dry_run") else ""),
            "status": word("status", p.get("status"), language),
            "status_code": p.get("status"),
            **{k: p.get(k) for k in counts},
            "watermark": _watermarks(p.get("watermarks")),
            "duration": p.get("duration_seconds"),
            "error": error_text(p.get("error"), language),
        }
        for p in pulls
    ]
    return grid(
        ids.SOURCES_LEDGER + "-grid",
        [
            c("started", "started", minWidth=160),
            c("trigger", "trigger", minWidth=110),
            c("mode", "mode", minWidth=120),
            status_col("status", t("sources.col_status", language), minWidth=110),
            *(c(k, k, numeric=True, minWidth=105) for k in counts),
            c("watermark", "watermark", minWidth=260, tooltipField="watermark"),
            c("duration", "duration", numeric=True, minWidth=100),
            c("error", "error", minWidth=320, tooltipField="error", wrapText=True, autoHeight=True),
        ],
        rows,
        height=None,
        lang=language,
    )


@callback(
    Output(ids.SOURCES_LEDGER, "children"),
    Input(ids.SOURCES_GRID, "selectedRows"),
    prevent_initial_call=True,
)
def _show_ledger(selected: list[dict[str, Any]] | None) -> Any:
    language, client = lang(), api()
    if not selected:  # new rows (a pull ended, a source saved) lose it: keep the ledger shown
        return no_update
    try:
        return ledger(client.source_pulls(selected[0]["name"]), language, client.display_zone())
    except ApiProblem as problem:
        return states.error(problem, language)


def _checks(body: dict[str, Any], name: str, language: Lang) -> html.Div:
    """A connection test's answer: good or not, and each check in words."""
    lines = []
    for check in body.get("checks") or []:
        if not isinstance(check, dict):
            lines.append(html.Li(str(check)))
            continue
        what = check.get(f"message_{language}") or check.get("message") or check.get("name")
        problem = error_text(check.get("error"), language)
        mark = "✓" if check.get("ok") else "✗"
        lines.append(html.Li(" ".join(str(x) for x in (mark, what or "", problem) if x)))
    ok = bool(body.get("ok"))
    head = t("sources.test_ok" if ok else "sources.test_bad", language, name=name)
    return html.Div(
        [html.Strong(head), html.Ul(lines)],
        className="state ok" if ok else "state state-error",
        role="status" if ok else "alert",
    )


@callback(
    Output(ids.SOURCES_ACTION, "children", allow_duplicate=True),
    Output(ids.SOURCES_FOLLOWED, "data"),
    Output(ids.SOURCES_POLL, "disabled", allow_duplicate=True),
    Input(ids.SOURCES_PULL, "n_clicks"),
    Input(ids.SOURCES_DRY_RUN, "n_clicks"),
    Input(ids.SOURCES_FULL, "n_clicks"),
    Input(ids.SOURCES_TEST, "n_clicks"),
    State(ids.SOURCES_GRID, "selectedRows"),
    prevent_initial_call=True,
)
def _act(_p: Any, _d: Any, _f: Any, _t: Any, selected: list[dict[str, Any]] | None) -> Any:
    """Start a pull (then followed by ``_follow``) or run the connection test."""
    language, client = lang(), api()
    if not selected:
        return states.empty(t("sources.pick", language)), no_update, no_update
    name, pressed = selected[0]["name"], dash.ctx.triggered_id
    try:
        if pressed == ids.SOURCES_TEST:
            return _checks(client.test_source(name), name, language), None, True
        job = client.pull_source(
            name, full=pressed == ids.SOURCES_FULL, dry_run=pressed == ids.SOURCES_DRY_RUN
        )
    except ApiProblem as problem:
        return states.error(problem, language), None, True
    text = t("sources.started", language, name=name, job=job)
    return html.Div(text, className="state ok"), {"job": job, "name": name}, False


@callback(
    Output(ids.SOURCES_ACTION, "children"),
    Output(ids.SOURCES_POLL, "disabled"),
    Output(ids.SOURCES_LEDGER, "children", allow_duplicate=True),
    Output(ids.SOURCES_GRID, "rowData", allow_duplicate=True),
    Output(ids.SOURCES_GRID, "selectedRows"),
    Input(ids.SOURCES_POLL, "n_intervals"),
    State(ids.SOURCES_FOLLOWED, "data"),
    prevent_initial_call=True,
)
def _follow(_: int, followed: dict[str, Any] | None) -> Any:
    """The started pull's progress; once it ended, its outcome, and the ledger and the
    sources' states refreshed."""
    if not followed:
        return no_update, True, no_update, no_update, no_update
    language, client = lang(), api()
    try:
        job = client.job(int(followed["job"]))
    except ApiProblem as problem:
        return states.error(problem, language), True, no_update, no_update, no_update
    text, good = job_text(job, followed["name"], language)
    line = html.Div(
        text,
        className="state ok" if good else "state state-error",
        role="status" if good else "alert",
        id=f"{ids.SOURCES_ACTION}-job",
        **data_attrs(status=str(job.get("status"))),
    )
    if job.get("status") not in ("succeeded", "failed", "interrupted"):
        return line, False, no_update, no_update, no_update
    zone = client.display_zone()
    try:
        pulls: Any = ledger(client.source_pulls(followed["name"]), language, zone)
        listing: Any = source_rows(client.sources(), language, zone)
    except ApiProblem as problem:
        pulls, listing = states.error(problem, language), None
    # new rows lose the grid's selection: the followed source stays picked
    picked = [r for r in listing if r["id"] == followed["name"]] if listing else no_update
    return line, True, pulls, listing or no_update, picked
