"""Sortable data grids (dash-ag-grid).

Numbers are formatted on the server (Vietnamese format) into a ``*_text`` field next to the
raw value: the grid sorts on the number and shows the text; :func:`number_col` and
:func:`value_col` format raw numbers in the browser instead, in the page's language.
"""

from __future__ import annotations

import re
from typing import Any

import dash_ag_grid as dag

from dashboards.i18n import t

#: the browser's number format of each language: 256.347 and 87,5; 256,347 and 87.5
LOCALES = {"vi": "vi-VN", "en": "en-US"}


def _numbers(lang: str, decimals: int | None = None) -> dict[str, str]:
    """A valueFormatter showing numbers in ``lang``'s format (up to 2 decimals, or exactly
    ``decimals``) and any other value as it is: the cell keeps its number, so it still sorts
    as one."""
    locale = LOCALES.get(lang, LOCALES["vi"])
    digits = "" if decimals is None else f", {int(decimals)}"
    return {"function": f"localNumber(params.value, '{locale}'{digits})"}  # grid_numbers.js


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>])")


def md_link(text: str, href: str) -> str:
    """A markdown link for a grid cell (the text escaped, so a name cannot inject markup)."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return f"[{escaped}]({href.replace(' ', '%20')})"


def col(field: str, header: str, **extra: Any) -> dict[str, Any]:
    return {"field": field, "headerName": header, **extra}


def number_col(
    field: str, header: str, lang: str, *, decimals: int | None = None, **extra: Any
) -> dict[str, Any]:
    """A raw number column, formatted in the browser in ``lang`` (with exactly ``decimals``
    when given), filtered as a number."""
    return col(
        field,
        header,
        type="numericColumn",
        valueFormatter=_numbers(lang, decimals),
        filter="agNumberColumnFilter",
        **extra,
    )


def value_col(field: str, header: str, lang: str, **extra: Any) -> dict[str, Any]:
    """The offending value of a finding or a reject (:func:`dashboards.formats.cell_value`):
    a number in ``lang``'s format, anything else as written."""
    return col(field, header, valueFormatter=_numbers(lang), **extra)


def list_col(
    field: str, header: str, lang: str, *, numeric: bool = False, **extra: Any
) -> dict[str, Any]:
    """A column of a run or job list: numbers formatted in ``lang`` when ``numeric``, the
    offending ``value`` of a reject as a value, anything else as text."""
    if numeric:
        return number_col(field, header, lang, **extra)
    if field == "value":
        return value_col(field, header, lang, **extra)
    return col(field, header, **extra)


TEXT_MIN_WIDTH = 140  # px: a figure and its longest unit ("0,67 phòng/lớp"), never "0,67 ph…"


def text_col(field: str, header: str, **extra: Any) -> dict[str, Any]:
    """A column showing ``<field>_text`` and sorting on ``<field>`` (numbers), wide enough
    for a figure with its unit ("25 HS/lớp", "2,20 GV/lớp") where a phone squeezes columns."""
    return {
        "field": field,
        "headerName": header,
        "type": "rightAligned",
        "minWidth": TEXT_MIN_WIDTH,
        "valueFormatter": {"function": f"params.data ? params.data['{field}_text'] : ''"},
        **extra,
    }


def link_col(field: str, header: str, **extra: Any) -> dict[str, Any]:
    return {"field": field, "headerName": header, "cellRenderer": "markdown", **extra}


STATUS_MIN_WIDTH = 150  # px: the longest norm status, "Không có định mức"


def status_col(field: str, header: str, **extra: Any) -> dict[str, Any]:
    """Status text with a colour class from the raw status in ``<field>_code``."""
    return {
        "field": field,
        "headerName": header,
        "minWidth": STATUS_MIN_WIDTH,
        "cellClass": {"function": f"params.data ? 'st st-' + params.data['{field}_code'] : ''"},
        **extra,
    }


def fit_height(rows: int, most: int = 460) -> int:
    """A grid's height in pixels: its rows, up to ``most`` (then it scrolls)."""
    return min(most, 52 + 42 * max(rows, 2))


ALL_ROWS_DRAWN = 100  # a grid given at most this many rows draws them all (no virtual rows)


def grid(
    id_: str,
    columns: list[dict[str, Any]],
    rows: list[dict[str, Any]],
    *,
    height: int | None = 420,
    row_id: str | None = "id",
    selectable: bool = False,
    editable: bool = False,
    filterable: bool = False,
    lang: str | None = None,
) -> dag.AgGrid:
    """A sortable, resizable grid; ``height=None`` grows with its rows (short lists).
    ``selectable``: one row at a time by clicking; ``editable``: some columns are editable
    (their definitions say which), so cells keep focus; ``filterable``: column filters;
    ``lang``: the empty grid says so in that language."""
    options: dict[str, Any] = {
        "animateRows": False,
        "suppressCellFocus": not editable,
        "enableCellTextSelection": True,
        "tooltipShowDelay": 300,
        # AG Grid marks its grids `content-visibility: auto`: a grid below the fold is not
        # painted until scrolled to, so a full-page screenshot or a printed page showed
        # the runs and rejects of the quality page as empty frames
        "suppressContentVisibilityAuto": True,
    }
    if 0 < len(rows) <= ALL_ROWS_DRAWN:  # short lists: every row in the page, found and printed
        options["suppressRowVirtualisation"] = True
    if lang:
        options["localeText"] = {"noRowsToShow": t("state.no_rows", lang)}
    if selectable:
        options["rowSelection"] = {
            "mode": "singleRow",
            "checkboxes": False,
            "enableClickSelection": True,
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
        defaultColDef={
            "sortable": True,
            "resizable": True,
            "minWidth": 80,
            # a header longer than its column (on a phone) wraps rather than "Tình tr…"
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
            "filter": filterable,
        },
        dashGridOptions=options,
        columnSize="responsiveSizeToFit",
        style=style,
        className="grid",
        **({"getRowId": f"params.data['{row_id}']"} if row_id else {}),
    )
