"""Duyệt số liệu: the review desk. The summary of the period per child unit, the queue of
returns waiting (by unit and state), one return's detail beside it, and for approvers the
actions (approve, check, return and reopen with a reason), approving a unit's returns without
findings and locking the period. Everything goes through ``/api/v1/reviews``; the API says
who may do what (its problem text is shown as it answers)."""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Input, Output, State, callback, dcc, html, no_update

from dashboards import ids
from dashboards.api_client import Api, ApiProblem
from dashboards.components import states
from dashboards.components.frame import Page, frame, resolve
from dashboards.context import api, lang
from dashboards.formats import datetime_text, vn_number
from dashboards.i18n import Lang, t
from dashboards.pages.review_detail import detail_panel
from dashboards.pages.review_queue import (
    filters,
    oldest,
    queue_grid,
    queue_rows,
    summary_grid,
)
from ioc.domain.period import Period

VIEWERS = ("approver", "admin", "leader")
ACTORS = ("approver",)  # who sees the buttons (the API checks each action's scope)

dash.register_page(
    __name__,
    path="/review",
    title="IOC-EDU · Duyệt số liệu",
    name="review",
    order=7,
    menu=True,
    label="review.nav",
    menu_roles=VIEWERS,
)


def layout(**query: Any) -> Any:
    page = resolve("/review", query)
    if not isinstance(page, Page):
        return page
    title = t("review.title", page.lang)
    try:
        body = _body(page)
    except ApiProblem as problem:
        return frame(page, "/review", states.error(problem, page.lang), title)
    return frame(page, "/review", body, title)


def _body(page: Page) -> html.Div:
    language, unit = page.lang, page.unit
    period, acts = page.period, page.me["role"] in ACTORS
    summary = page.api.review_summary(period, unit["code"], unit["scheme"])
    queue = page.api.review_queue_all(period, unit["code"], unit["scheme"])
    names = {
        str(r.get("unit_code")): str(r.get("unit_name") or r.get("unit_code")) for r in summary
    }
    view = {"unit": unit["code"], "scheme": unit["scheme"], "period": period, "names": names}
    desk = html.Section(
        [
            html.H2(t("review.summary", language)),
            summary_grid(summary, oldest(queue), language),
            *(_desk_tools(page) if acts else [html.P(t("review.read_only", language))]),
            states.loading(html.Div(id=ids.REVIEW_DESK_MESSAGE, role="status")),
        ],
        id=ids.REVIEW_SUMMARY,
        className="card",
    )
    listing = html.Section(
        [
            html.H2(t("review.queue", language)),
            filters(summary, language),
            queue_grid(queue, names, language, page.zone),
            html.P(t("review.zone", language, zone=page.zone), className="muted"),
        ],
        className="card rv-queue",
    )
    detail = html.Section(
        [
            html.H2(t("review.detail", language)),
            states.loading(html.Div(id=ids.REVIEW_MESSAGE, role="status")),
            html.Div(states.empty(t("review.pick", language)), id=ids.REVIEW_DETAIL),
        ],
        className="card rv-side",
    )
    return html.Div(
        [
            dcc.Store(id=ids.REVIEW_VIEW, data=view),
            dcc.Store(id=ids.REVIEW_SHOWN, data=None),
            desk,
            html.Div([listing, detail], className="rv-main"),
        ],
        className="review-page",
    )


def _lock_of(client: Api, scheme: str, unit: str, period: str) -> dict[str, Any] | None:
    at = Period.parse(period)
    for lock in client.review_locks():
        same_unit = str(lock.get("unit_code")) == unit and lock.get("unit_scheme", scheme) == scheme
        same_period = lock.get("period") == period or (
            lock.get("school_year") == at.school_year and lock.get("term") == at.term
        )
        if same_unit and same_period:
            return lock
    return None


def _lock_state(client: Api, view: dict[str, Any], name: str, language: Lang) -> html.Div:
    """Whether the period is locked, and the one button that changes it."""
    lock = _lock_of(client, view["scheme"], view["unit"], view["period"])
    label = Period.parse(view["period"]).label(language)
    if lock:
        text = t(
            "review.lock_state",
            language,
            period=label,
            unit=name,
            at=datetime_text(lock.get("locked_at"), client.display_zone()),
            by=lock.get("locked_by") or "",
        )
    else:
        text = t("review.unlocked_state", language, period=label, unit=name)
    action = "unlock" if lock else "lock"
    return html.Div(
        [
            html.Span(text, className="badge badge-lock" if lock else "muted"),
            html.Label(t("review.lock_reason", language), htmlFor=ids.REVIEW_LOCK_REASON),
            dcc.Input(id=ids.REVIEW_LOCK_REASON, value="", type="text", className="rv-reason"),
            html.Button(
                t(f"review.action_{action}", language),
                id={"type": ids.REVIEW_LOCK, "action": action},
                className="btn",
            ),
        ],
        id=ids.REVIEW_LOCK_STATE,
        className="toolbar rv-lock",
    )


def _desk_tools(page: Page) -> list[Any]:
    language, unit = page.lang, page.unit
    tools: list[Any] = [
        html.Div(
            html.Button(
                t("review.approve_clean", language), id=ids.REVIEW_CLEAN, className="btn primary"
            ),
            className="toolbar",
        )
    ]
    if unit.get("level") == "province":
        view = {"unit": unit["code"], "scheme": unit["scheme"], "period": page.period}
        tools.append(_lock_state(page.api, view, unit["name"], language))
    return tools


def _ok(text: str) -> html.Div:
    return html.Div(text, className="state ok", role="status")


def _refreshed(client: Api, view: dict[str, Any], unit: str | None, state: str | None) -> Any:
    rows = client.review_queue_all(
        view["period"], unit or view["unit"], view["scheme"], state or None
    )
    return queue_rows(rows, view.get("names") or {}, lang(), client.display_zone())


@callback(
    Output(ids.REVIEW_QUEUE, "rowData"),
    Input(ids.REVIEW_FILTER_UNIT, "value"),
    Input(ids.REVIEW_FILTER_STATE, "value"),
    State(ids.REVIEW_VIEW, "data"),
    prevent_initial_call=True,
)
def _filter(unit: str | None, state: str | None, view: dict[str, Any]) -> Any:
    try:
        return _refreshed(api(), view, unit, state)
    except ApiProblem:
        return no_update


def _show(client: Api, school: str, period: str) -> tuple[Any, Any]:
    """The detail panel of a return and what the actions need of it."""
    language = lang()
    detail = client.review(school, period)
    acts = client.me()["role"] in ACTORS
    shown = {
        "school": school,
        "name": detail.get("school_name") or school,
        "period": period,
        "hash": detail.get("content_hash"),
    }
    return detail_panel(detail, language, client.display_zone(), acts), shown


@callback(
    Output(ids.REVIEW_DETAIL, "children"),
    Output(ids.REVIEW_SHOWN, "data"),
    Output(ids.REVIEW_MESSAGE, "children"),
    Input(ids.REVIEW_QUEUE, "selectedRows"),
    State(ids.REVIEW_VIEW, "data"),
    prevent_initial_call=True,
)
def _open(selected: list[dict[str, Any]] | None, view: dict[str, Any]) -> Any:
    if not selected:  # new rows after an action lose the selection: keep the detail shown
        return no_update, no_update, no_update
    try:
        panel, shown = _show(api(), selected[0]["school_code"], view["period"])
    except ApiProblem as problem:
        return states.error(problem, lang()), None, None
    return panel, shown, None


@callback(
    Output(ids.REVIEW_MESSAGE, "children", allow_duplicate=True),
    Output(ids.REVIEW_DETAIL, "children", allow_duplicate=True),
    Output(ids.REVIEW_SHOWN, "data", allow_duplicate=True),
    Output(ids.REVIEW_QUEUE, "rowData", allow_duplicate=True),
    Input({"type": ids.REVIEW_ACTION, "action": ALL}, "n_clicks"),
    State(ids.REVIEW_REASON, "value"),
    State(ids.REVIEW_SHOWN, "data"),
    State(ids.REVIEW_VIEW, "data"),
    State(ids.REVIEW_FILTER_UNIT, "value"),
    State(ids.REVIEW_FILTER_STATE, "value"),
    prevent_initial_call=True,
)
def _act(
    clicks: list[int | None],
    reason: str | None,
    shown: dict[str, Any] | None,
    view: dict[str, Any],
    unit: str | None,
    state: str | None,
) -> Any:
    """Take the pressed action on the version shown; then the detail and queue again."""
    pressed = dash.ctx.triggered_id
    if not shown or not any(clicks) or not isinstance(pressed, dict):
        return no_update, no_update, no_update, no_update
    language, client, action = lang(), api(), str(pressed["action"])
    if action in ("return", "reopen") and not (reason or "").strip():
        need = html.Div(t("review.reason_needed", language), className="state state-error")
        return need, no_update, no_update, no_update
    try:
        client.review_act(shown["school"], shown["period"], action, shown["hash"], reason)
    except ApiProblem as problem:
        return states.error(problem, language), no_update, no_update, no_update
    done = _ok(t(f"review.done_{action}", language, school=shown["name"]))
    try:
        panel, again = _show(client, shown["school"], shown["period"])
        rows = _refreshed(client, view, unit, state)
    except ApiProblem as problem:
        return done, states.error(problem, language), None, no_update
    return done, panel, again, rows


@callback(
    Output(ids.REVIEW_DESK_MESSAGE, "children"),
    Output(ids.REVIEW_QUEUE, "rowData", allow_duplicate=True),
    Input(ids.REVIEW_CLEAN, "n_clicks"),
    State(ids.REVIEW_VIEW, "data"),
    State(ids.REVIEW_FILTER_UNIT, "value"),
    State(ids.REVIEW_FILTER_STATE, "value"),
    prevent_initial_call=True,
)
def _approve_clean(
    clicks: int | None, view: dict[str, Any], unit: str | None, state: str | None
) -> Any:
    """Approve the returns without findings of the unit picked in the queue's filter (or
    the desk's unit)."""
    if not clicks:
        return no_update, no_update
    language, client = lang(), api()
    try:
        counts = client.approve_clean(unit or view["unit"], view["period"], view["scheme"])
        rows = _refreshed(client, view, unit, state)
    except ApiProblem as problem:
        return states.error(problem, language), no_update
    text = t(
        "review.approve_clean_done",
        language,
        approved=vn_number(counts.get("approved") or 0),
        skipped=vn_number(counts.get("with_findings") or 0),
    )
    return _ok(text), rows


@callback(
    Output(ids.REVIEW_DESK_MESSAGE, "children", allow_duplicate=True),
    Output(ids.REVIEW_LOCK_STATE, "children"),
    Input({"type": ids.REVIEW_LOCK, "action": ALL}, "n_clicks"),
    State(ids.REVIEW_LOCK_REASON, "value"),
    State(ids.REVIEW_VIEW, "data"),
    prevent_initial_call=True,
)
def _lock(clicks: list[int | None], reason: str | None, view: dict[str, Any]) -> Any:
    pressed = dash.ctx.triggered_id
    if not any(clicks) or not isinstance(pressed, dict):
        return no_update, no_update
    language, client = lang(), api()
    scheme, unit, period = view["scheme"], view["unit"], view["period"]
    try:
        if pressed["action"] == "unlock":
            if not (reason or "").strip():
                return html.Div(
                    t("review.reason_needed", language), className="state state-error"
                ), no_update
            client.unlock_period(scheme, unit, period, reason or "")
            done = t("review.unlocked_done", language)
        else:
            client.lock_period(scheme, unit, period, reason)
            done = t("review.locked_done", language)
        name = client.unit(scheme, unit)["name"]
        again = _lock_state(client, view, name, language)
    except ApiProblem as problem:
        return states.error(problem, language), no_update
    return _ok(done), again.children
