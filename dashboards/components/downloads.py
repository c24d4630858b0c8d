"""CSV/XLSX download links for any API list: same query, another format."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from dash import html

from dashboards.i18n import t


def api_href(path: str, fmt: str, **params: Any) -> str:
    query = {k: v for k, v in params.items() if v is not None}
    query["format"] = fmt
    return f"/api/v1{path}?{urlencode(query)}"


def links(path: str, lang: str, id_prefix: str, **params: Any) -> html.Div:
    """Two links that download what a table or chart shows, through the API."""
    return html.Div(
        [
            html.A(
                t("common.download_csv", lang),
                href=api_href(path, "csv", headers=lang, **params),
                id=f"{id_prefix}-csv",
                download="",
            ),
            html.A(
                t("common.download_xlsx", lang),
                href=api_href(path, "xlsx", headers=lang, **params),
                id=f"{id_prefix}-xlsx",
                download="",
            ),
        ],
        className="downloads",
    )
