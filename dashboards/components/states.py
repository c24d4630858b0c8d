"""What a page shows instead of data: loading, empty, error, redirect."""

from __future__ import annotations

from urllib.parse import quote

from dash import dcc, html

from dashboards.api_client import ApiProblem
from dashboards.i18n import t


def empty(message: str) -> html.Div:
    """An empty state that explains itself (e.g. no returns for this period)."""
    return html.Div(message, className="state state-empty", role="status")


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
    return dcc.Location(id="to-login", href=f"/login?next={quote(next_path, safe='')}")


def loading(children: object, id_: str | None = None) -> dcc.Loading:
    kwargs = {"id": id_} if id_ else {}
    return dcc.Loading(children, type="default", delay_show=150, **kwargs)
