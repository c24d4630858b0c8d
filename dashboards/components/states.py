"""What a page shows instead of data: loading, empty, error, redirect."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from dash import dcc, html

from dashboards import ids
from dashboards.api_client import ApiProblem
from dashboards.i18n import t


def empty(message: str) -> html.Div:
    """An empty state that explains itself (e.g. no returns for this period)."""
    return html.Div(message, className="state state-empty", role="status")


def no_data(lang: str) -> html.Div:
    """Before any data is published: what to do next, with the way to the ingest page."""
    return html.Div(
        [
            html.Span(t("state.no_data", lang)),
            " ",
            html.A(t("state.no_data_link", lang), href="/ingest"),
        ],
        id=ids.NO_DATA,
        className="state state-empty",
        role="status",
    )


def partial_unit(unit: Mapping[str, Any], lang: str) -> html.Div | None:
    """The old provinces a 2025 unit was formed from that never reported, named above its
    figures: they leave those provinces out (and its reporting shares are unknown)."""
    missing = unit.get("predecessors_without_returns") or []
    if not missing:
        return None
    former = t("state.former", lang)
    names = ", ".join(f"{p.get('short_name') or p['name']} ({former})" for p in missing)
    return html.Div(
        t("state.missing_predecessors", lang, names=names),
        id=ids.PARTIAL_UNIT,
        className="state state-partial",
        role="note",
    )


def noted(unit: Mapping[str, Any], lang: str, body: Any) -> Any:
    """``body`` under the note of :func:`partial_unit` when the unit has one."""
    note = partial_unit(unit, lang)
    return body if note is None else html.Div([note, body])


def error(problem: ApiProblem, lang: str) -> html.Div:
    """An API error as a readable message, never a traceback."""
    return html.Div(
        [
            html.Strong(t("state.error_title", lang)),
            html.Span(f" {problem.text(lang)} "),
            html.Small(f"({problem.status} {problem.code})", className="muted"),
        ],
        className="state state-error",
        role="alert",
    )


def to_login(next_path: str) -> dcc.Location:
    return dcc.Location(id=ids.TO_LOGIN, href=f"/login?next={quote(next_path, safe='')}")


def loading(children: Any, id_: str | None = None) -> dcc.Loading:
    kwargs: dict[str, Any] = {"id": id_} if id_ else {}
    return dcc.Loading(children, type="default", delay_show=150, **kwargs)
