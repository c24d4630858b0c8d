"""CSV/XLSX download links for any API list: the same query with a format suffix.

Links are same-origin, so the browser's session cookie goes with them and the API applies
the caller's scope (and audits the export).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from dash import html

from dashboards.i18n import t

API_PREFIX = "/api/v1"


def export_href(path: str, fmt: str, lang: str, **params: Any) -> str:
    """``/api/v1<path>.<fmt>?…&headers=<lang>`` for the API list at ``path``."""
    query = {k: v for k, v in params.items() if v not in (None, "")}
    query["headers"] = lang
    return f"{API_PREFIX}{path}.{fmt}?{urlencode(query)}"


def links(path: str, lang: str, id_prefix: str | None = None, **params: Any) -> list[html.A]:
    """The CSV and Excel links (ids ``<id_prefix>-csv`` and ``-xlsx`` when given)."""
    return [
        html.A(
            t(f"common.download_{fmt}", lang),
            href=export_href(path, fmt, lang, **params),
            className=f"dl dl-{fmt}",
            download="",
            **_id(f"{id_prefix}-{fmt}" if id_prefix else None),
        )
        for fmt in ("csv", "xlsx")
    ]


def _id(id_: str | None) -> dict[str, Any]:
    """``id=`` for a component only when there is one (Dash keeps an explicit None)."""
    return {"id": id_} if id_ else {}


def downloads(
    path: str, lang: str, id_: str | None = None, id_prefix: str | None = None, **params: Any
) -> html.Div:
    """:func:`links` in a row, for the list the API serves at ``path`` with ``params``."""
    return html.Div(
        links(path, lang, id_prefix, **params),
        className="downloads",
        **_id(id_),
    )
