"""The quality page's verdict on the review record (``GET /reviews/chain``): "intact (N
events, checked at …)" or, in red, each event that was edited, deleted or reordered outside
the product. Only for who may read it (admin, leader, approver); nothing for the others."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboards import ids
from dashboards.api_client import Api, ApiProblem
from dashboards.components.attrs import data_attrs
from dashboards.formats import datetime_text, vn_number
from dashboards.i18n import Lang, t

READERS = ("admin", "leader", "approver")


def _kind(kind: str, language: Lang) -> str:
    try:
        return t(f"review.chain_{kind}", language)
    except KeyError:
        return kind


def chain_panel(client: Api, role: str, language: Lang, zone: str) -> html.Section | None:
    """The verdict, or None (a role that may not read it, or no answer: the rest of the
    page does not depend on it)."""
    if role not in READERS:
        return None
    try:
        report = client.review_chain()
    except ApiProblem:
        return None
    at = datetime_text(report.get("checked_at"), zone)
    problems = [p for p in report.get("problems") or [] if isinstance(p, dict)]
    ok = bool(report.get("ok")) and not problems
    if ok:
        body: Any = html.P(
            t("review.chain_ok", language, n=vn_number(report.get("events") or 0), at=at),
            className="state ok",
        )
    else:
        lines = [
            html.Li(
                t(
                    "review.chain_problem",
                    language,
                    id=p.get("event_id") if p.get("event_id") is not None else "—",
                    kind=_kind(str(p.get("kind")), language),
                    detail=p.get("detail") or "",
                )
            )
            for p in problems
        ]
        head = t("review.chain_broken", language, n=vn_number(len(problems)), at=at)
        body = html.Div(
            [html.Strong(head), html.Ul(lines)], className="state state-error", role="alert"
        )
    return html.Section(
        [html.H2(t("review.history", language)), body],
        className="card",
        id=ids.REVIEW_CHAIN,
        **data_attrs(ok=str(ok).lower()),
    )
