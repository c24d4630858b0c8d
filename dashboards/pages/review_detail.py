"""One return on the review desk: its figures with the contract's labels beside the same
school's previous period and the version it replaced (changes highlighted), its findings,
the effect on its units' totals, its review history, and (for approvers) the actions."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboards import ids
from dashboards.components import states
from dashboards.components.attrs import data_attrs
from dashboards.components.labels import catalog_text, field_text
from dashboards.formats import datetime_text, value_text
from dashboards.i18n import Lang, t
from dashboards.pages.review_queue import state_text
from ioc.domain.period import Period

#: the actions each state offers (docs/approval.md, "A return's state")
OFFERED = {
    "received": ("approve", "check", "return"),
    "checked": ("approve", "return"),
    "returned": (),
    "approved": ("reopen",),
}


def _differs(a: Any, b: Any) -> bool:
    if a is None and b is None:
        return False
    try:
        return float(a) != float(b)
    except (TypeError, ValueError):
        return a != b


def figures_table(detail: dict[str, Any], language: Lang) -> html.Div:
    """This version, the replaced one and last year's, side by side (the API's ``figures``:
    per contract field its labels, ``value``, ``previous``, ``replaced``): the changed
    fields first (highlighted), every other field folded under them."""
    rows = [f for f in detail.get("figures") or [] if isinstance(f, dict)]
    has_replaced = any(f.get("replaced") is not None for f in rows)
    has_previous = any(f.get("previous") is not None for f in rows)
    before = Period.maybe(detail.get("previous_period"))
    prev_head = (
        t("review.previous", language, period=before.label(language))
        if before
        else t("review.previous_plain", language)
    )
    heads = [t("review.field", language), t("review.this_version", language)]
    heads += [t("review.replaced", language)] if has_replaced else []
    heads += [prev_head] if has_previous else []
    changed: list[html.Tr] = []
    same: list[html.Tr] = []
    for f in rows:
        name, kind, value = str(f.get("field")), str(f.get("type") or ""), f.get("value")
        label = f.get(f"label_{language}") or f.get("label_vi") or name
        cells = [html.Td(label, className="rv-label")]
        cells.append(html.Td(field_text(kind, name, value, language), className="num"))
        moved = False
        if has_replaced:
            flag = bool(f.get("changed")) or (
                f.get("replaced") is not None and _differs(value, f.get("replaced"))
            )
            moved |= flag
            text = field_text(kind, name, f.get("replaced"), language)
            cells.append(html.Td(text, className="num rv-changed" if flag else "num"))
        if has_previous:
            flag = f.get("previous") is not None and _differs(value, f.get("previous"))
            moved |= flag
            text = field_text(kind, name, f.get("previous"), language)
            cells.append(html.Td(text, className="num rv-moved" if flag else "num"))
        row = html.Tr(cells, **data_attrs(field=name, changed=str(moved).lower()))
        (changed if moved else same).append(row)
    head = html.Thead(html.Tr([html.Th(h) for h in heads]))
    parts: list[Any] = [html.P(t("review.changed_note", language), className="muted")]
    if changed:
        parts.append(html.Table([head, html.Tbody(changed)], className="rv-table"))
    else:
        parts.append(states.empty(t("review.no_changes", language)))
    if same:
        parts.append(
            html.Details(
                [
                    html.Summary(t("review.show_all", language)),
                    html.Table([head, html.Tbody(same)], className="rv-table"),
                ]
            )
        )
    return html.Div(
        [html.H3(t("review.figures", language)), html.Div(parts, className="rv-scroll")],
        id=ids.REVIEW_FIGURES,
    )


def findings_list(detail: dict[str, Any], language: Lang) -> html.Div:
    rows = detail.get("findings") or []
    items = [
        html.Li(
            [
                html.Strong(catalog_text(f, "rule", language)),
                " · ",
                catalog_text(f, "field", language),
                ": ",
                catalog_text(f, "message", language),
            ]
        )
        for f in rows
        if isinstance(f, dict)
    ]
    body = html.Ul(items) if items else states.empty(t("review.no_findings", language))
    return html.Div([html.H3(t("review.findings", language)), body], id=ids.REVIEW_FINDINGS)


def effect_table(detail: dict[str, Any], language: Lang) -> html.Div | None:
    """Each affected unit's indicators: official, and including this return."""
    rows = [r for r in detail.get("effect") or [] if isinstance(r, dict)]
    if not rows:
        return None
    changed: list[html.Tr] = []
    same: list[html.Tr] = []
    for r in rows:
        unit = r.get("unit_name") or r.get("unit_code") or ""
        name = r.get(f"label_{language}") or r.get("label_vi") or r.get("field") or ""
        official, including = r.get("official"), r.get("with_return")
        line = html.Tr(
            [
                html.Td(f"{unit} · {name}"),
                html.Td(value_text(official, count=True), className="num"),
                html.Td(
                    value_text(including, count=True),
                    className="num rv-changed" if official != including else "num",
                ),
            ]
        )
        (changed if official != including else same).append(line)
    head = html.Tr(
        [
            html.Th(""),
            html.Th(t("review.effect_official", language)),
            html.Th(t("review.effect_all", language)),
        ]
    )
    parts: list[Any] = [html.H3(t("review.effect", language))]
    if changed:  # what approving it would change first; the totals it leaves alone folded
        table = html.Table([html.Thead(head), html.Tbody(changed)], className="rv-table")
        parts.append(html.Div(table, className="rv-scroll"))
    if same:
        table = html.Table([html.Thead(head), html.Tbody(same)], className="rv-table")
        parts.append(
            html.Details(
                [
                    html.Summary(t("review.effect_same", language)),
                    html.Div(table, className="rv-scroll"),
                ]
            )
        )
    return html.Div(parts, id=ids.REVIEW_EFFECT)


def history_list(detail: dict[str, Any], language: Lang, zone: str) -> html.Div:
    events = [e for e in detail.get("history") or [] if isinstance(e, dict)]
    items = []
    for e in events:
        action = str(e.get("action") or "")
        try:
            word = t(f"review.action_{action}", language)
        except KeyError:
            word = action
        to_state = state_text(e.get("to_state"), language) if e.get("to_state") else ""
        reason = f" — {e['reason']}" if e.get("reason") else ""
        items.append(
            html.Li(
                f"{datetime_text(e.get('at'), zone)} · {e.get('actor') or ''} · {word}"
                + (f" → {to_state}" if to_state else "")
                + reason
            )
        )
    body = html.Ul(items) if items else states.empty(t("review.no_history", language))
    return html.Div([html.H3(t("review.history", language)), body], id=ids.REVIEW_HISTORY)


def actions(state: str, language: Lang) -> html.Div:
    """The buttons the return's state offers, and the reason box (return and reopen)."""
    offered = OFFERED.get(state, ())
    buttons = [
        html.Button(
            t(f"review.action_{action}", language),
            id={"type": ids.REVIEW_ACTION, "action": action},
            className="btn primary" if action == "approve" else "btn",
        )
        for action in offered
    ]
    if not buttons:
        return html.Div()
    return html.Div(
        [
            html.Label(t("review.reason", language), htmlFor=ids.REVIEW_REASON),
            dcc.Textarea(id=ids.REVIEW_REASON, value="", rows=2, className="rv-reason"),
            html.Div(buttons, className="toolbar"),
        ],
        className="rv-actions",
    )


def detail_panel(detail: dict[str, Any], language: Lang, zone: str, acts: bool) -> html.Div:
    """The whole panel; ``acts``: the caller is an approver (the API still checks may())."""
    state = str(detail.get("state") or "received")
    name = detail.get("school_name") or detail.get("school_code")
    head = html.Div(
        [
            html.H3(f"{name} ({detail.get('school_code')})"),
            html.Span(
                state_text(state, language),
                className=f"badge st st-{state}",
                id=f"{ids.REVIEW_DETAIL}-state",
                **data_attrs(state=state),
            ),
        ],
        className="rv-head",
    )
    effect = effect_table(detail, language)
    return html.Div(
        [
            head,
            *([actions(state, language)] if acts else []),
            findings_list(detail, language),
            figures_table(detail, language),
            *([effect] if effect else []),
            history_list(detail, language, zone),
        ],
        className="rv-detail",
    )
