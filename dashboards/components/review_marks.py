"""Approval marks on the pages of figures (overview, unit): how many returns of the unit wait
for approval ("12 báo cáo chờ duyệt", from the API's ``pending``), the switch "Gồm số liệu
chờ duyệt" (``?basis=all`` in the address: the API's ``basis=all``) and, while it is on, the
badge "Số liệu chưa duyệt" over the figures, which then are not official."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dash import html

from dashboards import ids
from dashboards.components.attrs import data_attrs
from dashboards.context import View
from dashboards.formats import vn_number
from dashboards.i18n import Lang, t

ALL = "all"  # the API's basis including returns waiting for approval


def basis_of(query: Mapping[str, Any]) -> str | None:
    """The basis the address asks: ``"all"``, or None for the API's default (official)."""
    return ALL if query.get("basis") == ALL else None


def pending_of(rows: Iterable[Mapping[str, Any]]) -> int:
    """Returns of the unit waiting for approval, as the API's values carry it."""
    return max((int(r.get("pending") or 0) for r in rows), default=0)


def _aria(**values: str) -> dict[str, Any]:
    return {f"aria-{name}": value for name, value in values.items()}


def marks(view: View, path: str, rows: list[Any], basis: str | None, language: Lang) -> Any:
    """The pending count and the switch (nothing when nothing waits and the switch is off)."""
    pending = pending_of(rows)
    if not pending and basis != ALL:
        return None
    on = basis == ALL
    switch = html.A(
        [
            html.Span("☑" if on else "☐", className="switch-box"),
            " ",
            t("review.include_pending", language),
        ],
        href=view.href(path) if on else view.href(path, basis=ALL),
        id=ids.REVIEW_INCLUDE,
        role="switch",
        className="switch" + (" on" if on else ""),
        **_aria(checked="true" if on else "false"),
    )
    parts: list[Any] = []
    if pending:
        parts.append(
            html.Span(
                t("review.pending_marker", language, n=vn_number(pending)),
                id=ids.REVIEW_PENDING,
                className="badge badge-pending",
                **data_attrs(value=pending),
            )
        )
    parts.append(switch)
    if on:
        parts.append(
            html.Span(
                t("review.unofficial", language),
                id=ids.REVIEW_UNOFFICIAL,
                className="badge badge-unofficial",
            )
        )
    return html.Div(parts, className="review-marks", role="note")
