"""Sortable data grids (dash-ag-grid) and the CSV/XLSX download links every table carries.

Numbers are formatted on the server (Vietnamese format) into a ``*_text`` field next to the
raw value: the grid sorts on the number and shows the text.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import dash_ag_grid as dag
from dash import html

from dashboards.i18n import t

API_PREFIX = "/api/v1"
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>])")


def md_link(text: str, href: str) -> str:
    """A markdown link for a grid cell (the text escaped, so a name cannot inject markup)."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return f"[{escaped}]({href.replace(' ', '%20')})"


def col(field: str, header: str, **extra: Any) -> dict[str, Any]:
    return {"field": field, "headerName": header, **extra}


def text_col(field: str, header: str, **extra: Any) -> dict[str, Any]:
    """A column showing ``<field>_text`` and sorting on ``<field>`` (numbers)."""
    return {
        "field": field,
        "headerName": header,
        "type": "rightAligned",
        "valueFormatter": {"function": f"params.data ? params.data['{field}_text'] : ''"},
        **extra,
    }


def link_col(field: str, header: str, **extra: Any) -> dict[str, Any]:
    return {"field": field, "headerName": header, "cellRenderer": "markdown", **extra}


def status_col(field: str, header: str, **extra: Any) -> dict[str, Any]:
    """Status text with a colour class from the raw status in ``<field>_code``."""
    return {
        "field": field,
        "headerName": header,
        "cellClass": {"function": f"params.data ? 'st st-' + params.data['{field}_code'] : ''"},
        **extra,
    }


def fit_height(rows: int, most: int = 460) -> int:
    """A grid's height in pixels: its rows, up to ``most`` (then it scrolls)."""
    return min(most, 52 + 42 * max(rows, 2))


def grid(
    id_: str,
    columns: list[dict[str, Any]],
    rows: list[dict[str, Any]],
    *,
    height: int | None = 420,
    row_id: str = "id",
) -> dag.AgGrid:
    """A sortable, resizable grid; ``height=None`` grows with its rows (short lists)."""
    options: dict[str, Any] = {
        "animateRows": False,
        "suppressCellFocus": True,
        "enableCellTextSelection": True,
        "tooltipShowDelay": 300,
    }
    style: dict[str, Any] = {"width": "100%"}
    if height is None:
        options["domLayout"] = "autoHeight"
    else:
        style["height"] = f"{height}px"
    return dag.AgGrid(
        id=id_,
        columnDefs=columns,
        rowData=rows,
        defaultColDef={"sortable": True, "resizable": True, "minWidth": 80},
        dashGridOptions=options,
        columnSize="responsiveSizeToFit",
        getRowId=f"params.data['{row_id}']",
        style=style,
        className="grid",
    )


def export_href(path: str, fmt: str, lang: str, **params: Any) -> str:
    """A same-origin link to an API list in CSV or XLSX (the session cookie goes with it)."""
    query = {k: v for k, v in params.items() if v not in (None, "")}
    query["headers"] = lang
    return f"{API_PREFIX}{path}.{fmt}?{urlencode(query)}"


def downloads(path: str, lang: str, id_: str | None = None, **params: Any) -> html.Div:
    """CSV and Excel links for the list the API serves at ``path`` with ``params``."""
    kwargs = {"id": id_} if id_ else {}
    return html.Div(
        [
            html.A(
                t("common.download_csv", lang),
                href=export_href(path, "csv", lang, **params),
                className="dl dl-csv",
                download="",
            ),
            html.A(
                t("common.download_xlsx", lang),
                href=export_href(path, "xlsx", lang, **params),
                className="dl dl-xlsx",
                download="",
            ),
        ],
        className="downloads",
        **kwargs,
    )
