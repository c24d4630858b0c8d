"""Cảnh báo: the alerts the signed-in account may see (docs/alerts.md). Filters (state,
severity, unit, rule, silenced), counts of the filtered set, CSV/XLSX links of the same
query, the table; one alert (picked, or ``/alerts?id=N``) beside it with its timeline, its
deliveries and the forms to acknowledge and resolve it; then the silences and the rules.
Everything goes through ``/api/v1/alerts``; the API decides scope and rights, and its
problem text is shown in the page's language."""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Input, Output, State, callback, dcc, html, no_update

from dashboards import ids
from dashboards.api_client import Api, ApiProblem
from dashboards.components import states
from dashboards.components.frame import Page, frame, resolve
from dashboards.context import api, lang
from dashboards.formats import number_text
from dashboards.i18n import Lang, t
from dashboards.pages.alerts_admin import RULE_WRITERS, SILENCERS, rules_section, silences_section
from dashboards.pages.alerts_detail import ACTORS, detail_panel
from dashboards.pages.alerts_table import (
    STATE_CHOICES,
    alert_rows,
    alerts_grid,
    counts_bar,
    export_links,
    filters_bar,
    query_of,
)

PAGE_SIZE = 500  # rows the table holds; the links export every row of the query

dash.register_page(
    __name__,
    path="/alerts",
    title="IOC-EDU · Cảnh báo",
    name="alerts",
    order=9,
    menu=True,
    label="alerts.nav",
)


def layout(**query: Any) -> Any:
    page = resolve("/alerts", query)
    if not isinstance(page, Page):
        return page
    try:
        body = _body(page, query)
    except ApiProblem as problem:
        return frame(
            page, "/alerts", states.error(problem, page.lang), t("alerts.title", page.lang)
        )
    return frame(page, "/alerts", body, t("alerts.title", page.lang))


def _names(page: Page) -> dict[str, str]:
    unit = page.unit
    names = {str(unit["code"]): str(unit["name"])}
    names.update({str(c["code"]): str(c["name"]) for c in unit.get("children") or []})
    return names


def _chosen(query: dict[str, Any]) -> dict[str, str]:
    """The filters the address asks for (``state``, ``severity``, ``rule``, ``silenced``)."""
    chosen = {k: str(query.get(k) or "") for k in ("state", "severity", "rule", "silenced")}
    if chosen["state"] not in STATE_CHOICES:
        chosen["state"] = ""
    if chosen["silenced"] not in ("", "true", "false"):
        chosen["silenced"] = ""
    return chosen


def listing(
    client: Api, filters: dict[str, Any], names: dict[str, str], language: Lang
) -> list[Any]:
    """The counts, the links and the table of the alerts ``filters`` select."""
    body = client.alerts(size=PAGE_SIZE, **filters)
    items, total = body.get("items") or [], int(body.get("total") or 0)
    parts: list[Any] = [
        html.Div(
            [
                counts_bar(body.get("counts") or {}, total, language),
                export_links(filters, language),
            ],
            className="al-bar",
        ),
        alerts_grid(alert_rows(items, names, language, client.display_zone()), language),
    ]
    if total > len(items):
        text = t(
            "alerts.shown_of",
            language,
            shown=number_text(len(items), language),
            total=number_text(total, language),
        )
        parts.append(html.P(text, className="muted"))
    return parts


def _detail(client: Api, alert_id: int, names: dict[str, str], language: Lang) -> Any:
    alert = client.alert(alert_id)
    acts = client.me()["role"] in ACTORS
    return detail_panel(alert, names, language, client.display_zone(), acts)


def _body(page: Page, query: dict[str, Any]) -> html.Div:
    language, unit, role = page.lang, page.unit, page.me["role"]
    names = _names(page)
    chosen = _chosen(query)
    picked = (chosen["state"], chosen["severity"], "", chosen["rule"], chosen["silenced"])
    filters = query_of(picked, unit["scheme"])
    rules = page.api.alert_rules()
    units = [(code, name) for code, name in names.items()]
    shown_id = str(query.get("id") or "")
    detail: Any = states.empty(t("alerts.pick", language))
    if shown_id.isdigit():
        try:
            detail = _detail(page.api, int(shown_id), names, language)
        except ApiProblem as problem:
            detail, shown_id = states.error(problem, language), ""
    view = {"scheme": unit["scheme"], "names": names}
    listing_card = html.Section(
        [
            html.H2(t("alerts.list", language)),
            filters_bar(units, rules, chosen, language),
            states.loading(
                html.Div(listing(page.api, filters, names, language), id=ids.ALERTS_LIST)
            ),
            html.P(t("alerts.zone", language, zone=page.zone), className="muted"),
        ],
        className="card al-list",
    )
    detail_card = html.Section(
        [
            html.H2(t("alerts.detail", language)),
            states.loading(html.Div(id=ids.ALERTS_MESSAGE, role="status")),
            html.Div(detail, id=ids.ALERTS_DETAIL),
        ],
        className="card al-side",
    )
    silences = silences_section(
        page.api.alert_silences(), rules, unit["code"], language, page.zone, role in SILENCERS
    )
    return html.Div(
        [
            dcc.Store(id=ids.ALERTS_VIEW, data=view),
            dcc.Store(id=ids.ALERTS_SHOWN, data=int(shown_id) if shown_id else None),
            html.Div([listing_card, detail_card], className="al-main"),
            silences,
            rules_section(rules, unit["scheme"], unit["code"], language, role in RULE_WRITERS),
        ],
        className="alerts-page",
    )


FILTER_STATES = (
    State(ids.ALERTS_FILTER_STATE, "value"),
    State(ids.ALERTS_FILTER_SEVERITY, "value"),
    State(ids.ALERTS_FILTER_UNIT, "value"),
    State(ids.ALERTS_FILTER_RULE, "value"),
    State(ids.ALERTS_FILTER_SILENCED, "value"),
)


@callback(
    Output(ids.ALERTS_LIST, "children"),
    Input(ids.ALERTS_FILTER_STATE, "value"),
    Input(ids.ALERTS_FILTER_SEVERITY, "value"),
    Input(ids.ALERTS_FILTER_UNIT, "value"),
    Input(ids.ALERTS_FILTER_RULE, "value"),
    Input(ids.ALERTS_FILTER_SILENCED, "value"),
    State(ids.ALERTS_VIEW, "data"),
    prevent_initial_call=True,
)
def _filter(*values: Any) -> Any:
    *picked, view = values
    language = lang()
    try:
        return listing(api(), query_of(picked, view["scheme"]), view["names"], language)
    except ApiProblem as problem:
        return states.error(problem, language)


@callback(
    Output(ids.ALERTS_DETAIL, "children"),
    Output(ids.ALERTS_SHOWN, "data"),
    Output(ids.ALERTS_MESSAGE, "children"),
    Input(ids.ALERTS_GRID, "selectedRows"),
    State(ids.ALERTS_VIEW, "data"),
    prevent_initial_call=True,
)
def _open(selected: list[dict[str, Any]] | None, view: dict[str, Any]) -> Any:
    if not selected:  # a redrawn table loses the selection: keep the detail shown
        return no_update, no_update, no_update
    alert_id = int(selected[0]["id"])
    try:
        return _detail(api(), alert_id, view["names"], lang()), alert_id, None
    except ApiProblem as problem:
        return states.error(problem, lang()), None, None


@callback(
    Output(ids.ALERTS_MESSAGE, "children", allow_duplicate=True),
    Output(ids.ALERTS_DETAIL, "children", allow_duplicate=True),
    Output(ids.ALERTS_LIST, "children", allow_duplicate=True),
    Input({"type": ids.ALERTS_ACTION, "action": ALL}, "n_clicks"),
    State({"type": ids.ALERTS_COMMENT, "action": ALL}, "value"),
    State({"type": ids.ALERTS_COMMENT, "action": ALL}, "id"),
    State(ids.ALERTS_SHOWN, "data"),
    State(ids.ALERTS_VIEW, "data"),
    *FILTER_STATES,
    prevent_initial_call=True,
)
def _act(
    clicks: list[int | None],
    comments: list[str | None],
    comment_ids: list[dict[str, str]],
    shown: int | None,
    view: dict[str, Any],
    *picked: Any,
) -> Any:
    """Acknowledge or resolve the alert shown; then its detail and the table again."""
    pressed = dash.ctx.triggered_id
    if shown is None or not any(clicks) or not isinstance(pressed, dict):
        return no_update, no_update, no_update
    language, client, action = lang(), api(), str(pressed["action"])
    typed = {i["action"]: (c or "").strip() for i, c in zip(comment_ids, comments, strict=True)}
    comment = typed.get(action, "")
    try:
        if action == "resolve":
            if not comment:
                need = html.Div(t("alerts.comment_needed", language), className="state state-error")
                return need, no_update, no_update
            client.resolve_alert(shown, comment)
        else:
            client.acknowledge_alert(shown, comment or None)
    except ApiProblem as problem:
        return states.error(problem, language), no_update, no_update
    ok = html.Div(
        t(f"alerts.done_{action}", language, id=shown), className="state ok", role="status"
    )
    try:
        panel = _detail(client, shown, view["names"], language)
        rows = listing(client, query_of(picked, view["scheme"]), view["names"], language)
    except ApiProblem as problem:
        return ok, states.error(problem, language), no_update
    return ok, panel, rows
