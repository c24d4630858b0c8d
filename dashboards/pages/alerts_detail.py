"""One alert on the alerts page: what it says, its figures, the forms to acknowledge
(optional comment) and resolve (required comment) for who may act, its timeline and the
deliveries made of it, every time in the display zone as dd/mm/yyyy HH:MM."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboards import ids
from dashboards.components import states
from dashboards.components.attrs import data_attrs
from dashboards.i18n import Lang, t
from dashboards.pages.alerts_table import OPEN, rule_name, subject, value_vs, when, word
from ioc.domain.period import Period

#: roles that act on alerts (the API still checks the alert is within their scopes)
ACTORS = ("admin", "leader", "operator", "analyst", "approver")


def _facts(alert: dict[str, Any], names: dict[str, str], language: Lang, zone: str) -> html.Dl:
    unit = str(alert.get("unit_code") or "")
    pairs: list[tuple[str, str]] = [
        (t("alerts.col_subject", language), subject(alert)),
        (t("alerts.col_unit", language), names.get(unit, unit) or "—"),
        (t("alerts.col_value", language), value_vs(alert, language)),
        (t("alerts.col_opened", language), when(alert.get("opened_at"), zone)),
    ]
    period = Period.maybe(f"{alert.get('school_year')}/{alert.get('term')}")
    if period:
        pairs.append((t("common.period", language), period.label(language)))
    if alert.get("acknowledged_by"):
        pairs.append((t("alerts.col_ack_by", language), str(alert["acknowledged_by"])))
    items: list[Any] = []
    for label, text in pairs:
        items += [html.Dt(label), html.Dd(text)]
    return html.Dl(items, className="al-facts")


def _notes(alert: dict[str, Any], language: Lang, zone: str) -> list[html.Div]:
    notes = []
    if alert.get("silenced_until"):
        text = t("alerts.silenced_until", language, at=when(alert["silenced_until"], zone))
        notes.append(html.Div(text, className="badge al-silenced"))
    if alert.get("escalated_at"):
        text = t("alerts.escalated", language, at=when(alert["escalated_at"], zone))
        notes.append(html.Div(text, className="badge al-escalated"))
    return notes


def timeline(alert: dict[str, Any], language: Lang, zone: str) -> html.Div:
    """The alert's events, oldest first: time, who, what, and the comment."""
    items = []
    for e in alert.get("events") or []:
        action = str(e.get("action") or "")
        actor = e.get("actor") or ""
        who = t("alerts.actor_system", language) if actor == "system" else actor
        comment = f" — {e['comment']}" if e.get("comment") else ""
        items.append(
            html.Li(
                [
                    html.Span(when(e.get("at"), zone), className="al-when"),
                    f" · {who} · ",
                    html.Strong(word("event", action, language)),
                    comment,
                ],
                className=f"al-event al-event-{action}",
                **data_attrs(action=action),
            )
        )
    body = (
        html.Ol(items, className="al-timeline")
        if items
        else states.empty(t("alerts.no_events", language))
    )
    return html.Div([html.H3(t("alerts.timeline", language)), body], id=ids.ALERTS_TIMELINE)


def deliveries(alert: dict[str, Any], language: Lang, zone: str) -> html.Div:
    rows = [d for d in alert.get("deliveries") or [] if isinstance(d, dict)]
    if not rows:
        body: Any = states.empty(t("alerts.no_deliveries", language))
    else:
        heads = ("recipient", "channel", "status", "attempts", "sent", "error")
        head = html.Tr([html.Th(t(f"alerts.col_{h}", language)) for h in heads])
        lines = [
            html.Tr(
                [
                    html.Td(d.get("recipient") or ""),
                    html.Td(word("channel", d.get("channel"), language)),
                    html.Td(
                        word("delivery", d.get("status"), language),
                        className=f"al-delivery-{d.get('status')}",
                    ),
                    html.Td(str(d.get("attempts") or 0), className="num"),
                    html.Td(when(d.get("sent_at") or d.get("created_at"), zone)),
                    html.Td(d.get("error") or ""),
                ]
            )
            for d in rows
        ]
        table = html.Table([html.Thead(head), html.Tbody(lines)], className="al-table")
        body = html.Div(table, className="al-scroll")
    return html.Div([html.H3(t("alerts.deliveries", language)), body], id=ids.ALERTS_DELIVERIES)


def _form(action: str, language: Lang) -> html.Div:
    textarea = {"type": ids.ALERTS_COMMENT, "action": action}
    return html.Div(
        [
            html.Label(t(f"alerts.{action}_comment", language), htmlFor=str(textarea)),
            dcc.Textarea(id=textarea, value="", rows=2, className="al-comment"),
            html.Button(
                t(f"alerts.{action}", language),
                id={"type": ids.ALERTS_ACTION, "action": action},
                className="btn primary" if action == "resolve" else "btn",
            ),
        ],
        className=f"al-act al-act-{action}",
    )


def actions(state: str, language: Lang) -> html.Div:
    """Acknowledge (an open alert, comment optional) and resolve (comment required)."""
    offered = ("acknowledge", "resolve") if state == "open" else ("resolve",)
    return html.Div([_form(a, language) for a in offered], className="al-actions")


def detail_panel(
    alert: dict[str, Any], names: dict[str, str], language: Lang, zone: str, acts: bool
) -> html.Div:
    """The whole panel; ``acts``: the caller's role may act (the API checks the scope)."""
    state, severity = str(alert.get("state") or ""), str(alert.get("severity") or "")
    head = html.Div(
        [
            html.Span(
                word("severity", severity, language), className=f"badge al-sev al-sev-{severity}"
            ),
            html.H3(f"#{alert.get('id')} · {rule_name(alert, language)}"),
            html.Span(
                word("state", state, language),
                className=f"badge st st-{state}",
                id=f"{ids.ALERTS_DETAIL}-state",
                **data_attrs(state=state),
            ),
        ],
        className="al-head",
    )
    message = alert.get(f"message_{language}") or alert.get("message_vi")
    if not acts:
        tools: list[Any] = [html.P(t("alerts.read_only", language), className="muted")]
    elif state in OPEN:
        tools = [actions(state, language)]
    else:
        tools = [html.P(t("alerts.closed", language), className="muted")]
    return html.Div(
        [
            head,
            *([html.P(message, className="al-message")] if message else []),
            *_notes(alert, language, zone),
            _facts(alert, names, language, zone),
            *tools,
            timeline(alert, language, zone),
            deliveries(alert, language, zone),
        ],
        className="al-detail",
        **data_attrs(alert=str(alert.get("id"))),
    )
