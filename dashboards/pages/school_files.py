"""The school profile's files card: the return files its figures came from (or, for a pull,
the source and resource), one row per period and ingest run, newest first, with download
links."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboards import ids
from dashboards.components.datagrid import col, fit_height, grid, text_col
from dashboards.components.downloads import downloads
from dashboards.components.frame import Page
from dashboards.formats import date_text
from dashboards.i18n import t
from dashboards.pages.school_source import run_origin
from ioc.domain.period import Period


def files_section(page: Page, code: str, profile: dict[str, Any]) -> html.Section:
    language = page.lang
    seen: dict[tuple[str, str, Any], dict[str, Any]] = {}
    for r in profile["returns"]:
        key = (r["school_year"], r["term"], r.get("run_id"))
        seen.setdefault(
            key,
            {
                "id": f"{Period.of(r['school_year'], r['term'])}/{r.get('run_id')}",
                "period": str(Period.of(r["school_year"], r["term"])),
                "file": run_origin(r, language) or "—",
                "received": r.get("received_date") or "",
                "received_text": date_text(r.get("received_date")),
                "run": r.get("run_id"),
                "run_text": str(r.get("run_id") or "—"),
            },
        )
    rows = list(reversed(list(seen.values())))
    columns = [
        col("period", t("common.period", language), width=135, minWidth=125),
        col("file", t("school.file", language), minWidth=200, flex=2, tooltipField="file"),
        text_col("received", t("school.received", language), width=120),
        text_col("run", t("school.run", language), width=90),
    ]
    return html.Section(
        [
            html.H2(t("school.files", language)),
            grid(ids.SCHOOL_FILES, columns, rows, height=fit_height(len(rows), 360)),
            downloads(f"/schools/{code}/files", language),
        ],
        className="card",
    )
