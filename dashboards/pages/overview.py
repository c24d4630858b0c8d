"""Province overview: what needs attention first, then KPI tiles per family."""

from __future__ import annotations

from typing import Any

import dash
from dash import html

from dashboards import ids
from dashboards.api_client import ApiProblem, Value
from dashboards.components import states
from dashboards.components.attrs import data_attrs
from dashboards.components.frame import Page, frame, resolve
from dashboards.components.indicators import FAMILIES
from dashboards.components.review_marks import basis_of, marks
from dashboards.components.tiles import BAD, gap, name_of, status_of, tile, unit_label
from dashboards.formats import change_text, counts, value_text, vn_number
from dashboards.i18n import t

dash.register_page(
    __name__,
    path="/",
    title="IOC-EDU · Tổng quan",
    name="overview",
    order=0,
    menu=True,
    label="nav.overview",
)

ATTENTION_ROWS = 8


def layout(**query: Any) -> Any:
    page = resolve("/", query)
    if not isinstance(page, Page):
        return page
    basis = basis_of(query)
    try:
        own = page.api.values(page.unit["code"], page.unit["scheme"], page.period, basis=basis)
        children = (
            page.api.values(
                page.unit["code"], page.unit["scheme"], page.period, children=True, basis=basis
            )
            if page.unit["children"]
            else []
        )
    except ApiProblem as problem:
        return frame(page, "/", states.error(problem, page.lang))
    if not any(row.get("value") is not None for row in own):
        empty = states.empty(t("state.no_returns", page.lang))
        return frame(page, "/", states.noted(page.unit, page.lang, empty))
    mark = marks(page.view, "/", own, basis, page.lang)
    alerts = open_alerts(page)
    body = html.Div(
        [
            *([alerts] if alerts else []),
            *([mark] if mark else []),
            _attention(page, own, children),
            _tiles(page, own),
        ],
        className="overview",
    )
    return frame(
        page, "/", states.noted(page.unit, page.lang, body), t("overview.title", page.lang)
    )


def open_alerts(page: Page) -> html.Div | None:
    """'N cảnh báo đang mở' (not silenced) in the unit, a link to the alerts page; None when
    the API says nothing of alerts to this account."""
    try:
        summary = page.api.alerts_summary(page.unit["scheme"], page.unit["code"], top=0)
    except ApiProblem:
        return None
    n = int(summary.get("total") or 0)
    text = t("alerts.overview_open", page.lang, n=vn_number(n))
    return html.Div(
        html.A(text, href=page.view.href("/alerts")),
        id=ids.ALERTS_OPEN_COUNT,
        className="al-open-count",
        **data_attrs(open=str(n)),
    )


def furthest(rows: list[Value], limit: int = ATTENTION_ROWS) -> list[Value]:
    scored = [(g, r) for r in rows if (g := gap(r)) is not None]
    return [r for _, r in sorted(scored, key=lambda x: -x[0])[:limit]]


def changed_most(rows: list[Value], limit: int = ATTENTION_ROWS) -> list[Value]:
    """Largest relative change since the same term last year (across the 2025 break the
    previous year is restated on the new units, so the change still compares like with like)."""
    scored = [
        (abs(change) / abs(previous), r)
        for r in rows
        if (change := r.get("change")) is not None and (previous := r.get("previous_value"))
    ]
    return [r for _, r in sorted(scored, key=lambda x: -x[0])[:limit]]


def _attention(page: Page, own: list[Value], children: list[Value]) -> html.Section:
    lang, view = page.lang, page.view
    pool = children or own

    def item(row: Value, detail: str) -> html.Li:
        target = view.with_(unit=row["unit_code"], indicator=row["indicator_id"])
        return html.Li(
            html.A(
                [
                    html.Strong(row.get("unit_name") or row["unit_code"]),
                    " · ",
                    name_of(row, lang),
                    ": ",
                    html.Span(
                        value_text(row.get("value"), unit_label(row, lang), count=counts(row))
                    ),
                    html.Span(f" ({detail})", className="muted"),
                ],
                href=target.href("/unit"),
            ),
            className=f"attn attn-{status_of(row)}",
        )

    below = [
        item(
            r,
            t(
                "overview.gap",
                lang,
                gap=f"{round(100 * (gap(r) or 0))} %",
                ref=value_text(
                    r.get("target_value") if r.get("target_status") in BAD else r.get("norm_value"),
                    unit_label(r, lang),
                ),
            ),
        )
        for r in furthest(pool)
    ]
    moved = [
        item(r, change_text(r.get("change"), unit_label(r, lang), lang, count=counts(r)))
        for r in changed_most(pool)
    ]
    return html.Section(
        [
            html.H2(t("overview.attention", lang)),
            html.Div(
                [
                    html.Div(
                        [
                            html.H3(t("overview.below_norm", lang)),
                            html.Ul(below) if below else states.empty(t("state.nothing_red", lang)),
                        ],
                        className="attn-col",
                    ),
                    html.Div(
                        [html.H3(t("overview.changed", lang)), html.Ul(moved)],
                        className="attn-col",
                    ),
                ],
                className="attn-grid",
            ),
        ],
        id=ids.OVERVIEW_ATTENTION,
        className="card",
    )


def _tiles(page: Page, own: list[Value]) -> html.Div:
    sections = []
    for family in FAMILIES:
        rows = [r for r in own if r.get("family") == family]
        if not rows:
            continue
        sections.append(
            html.Section(
                [
                    html.H2(t(f"family.{family}", page.lang)),
                    html.Div([tile(r, page.view, page.lang) for r in rows], className="tiles"),
                ],
                className="family",
                id=f"family-{family}",
            )
        )
    return html.Div(sections, id=ids.OVERVIEW_TILES)
