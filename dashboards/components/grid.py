"""A read-only sortable, filterable grid (dash-ag-grid) with Vietnamese number format."""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag

from dashboards.i18n import t

# Vietnamese number format in the browser: 256.347 and 87,5
LOCALE = {"function": "params.value == null ? '' : Number(params.value).toLocaleString('vi-VN')"}


def column(field: str, header: str, *, numeric: bool = False, **extra: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"field": field, "headerName": header, **extra}
    if numeric:
        spec.update(type="numericColumn", valueFormatter=LOCALE, filter="agNumberColumnFilter")
    return spec


def grid(
    id_: str,
    rows: list[dict[str, Any]],
    columns: list[dict[str, Any]],
    *,
    height: int = 420,
    selectable: bool = False,
    editable: bool = False,
    lang: str = "vi",
    **extra: Any,
) -> dag.AgGrid:
    options: dict[str, Any] = {
        "animateRows": False,
        "enableCellTextSelection": True,
        "localeText": {"noRowsToShow": t("state.no_rows", lang)},
    }
    if selectable:
        options["rowSelection"] = {
            "mode": "singleRow",
            "checkboxes": False,
            "enableClickSelection": True,
        }
    return dag.AgGrid(
        id=id_,
        rowData=rows,
        columnDefs=columns,
        defaultColDef={
            "sortable": True,
            "filter": True,
            "resizable": True,
            "editable": editable,
            "minWidth": 90,
        },
        dashGridOptions=options,
        columnSize="responsiveSizeToFit",
        style={"height": f"{height}px", "width": "100%"},
        className="ag-theme-alpine",
        **extra,
    )
