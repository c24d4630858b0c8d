"""The unit page's ranking: a grid of the unit's child units or schools for one indicator,
best first, with its controls, download links and a note (count or readable error)."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboards import ids
from dashboards.api_client import Api, ApiProblem, Value
from dashboards.components import states
from dashboards.components.datagrid import (
    col,
    fit_height,
    grid,
    link_col,
    md_link,
    status_col,
    text_col,
)
from dashboards.components.downloads import downloads
from dashboards.components.frame import Page
from dashboards.components.indicators import FAMILIES
from dashboards.components.labels import level_label
from dashboards.components.tiles import name_of, status_of, unit_label
from dashboards.context import View, api
from dashboards.formats import counts, value_text, vn_number, vn_value
from dashboards.i18n import Lang, t


def indicator_options(own: list[Value], language: Lang) -> list[dict[str, str]]:
    return [
        {
            "label": t(f"family.{family}", language) + " · " + name_of(r, language),
            "value": r["indicator_id"],
        }
        for family in FAMILIES
        for r in own
        if r.get("family") == family
    ]


def ranking_section(
    page: Page,
    view: View,
    own: list[Value],
    kind: str,
    has_children: bool,
    sees_schools: bool,
) -> html.Section:
    language = page.lang
    columns, rows, links, note = ranking(page.api, view, kind, language)
    kinds = [
        {"label": t("unit.children", language), "value": "children", "disabled": not has_children}
    ]
    if sees_schools:
        kinds.append({"label": t("unit.schools", language), "value": "schools"})
    return html.Section(
        [
            html.H2(t("unit.ranking", language)),
            html.Div(
                [
                    html.Label(
                        t("unit.indicator", language),
                        htmlFor=ids.UNIT_INDICATOR,
                        className="ctl-label",
                    ),
                    dcc.Dropdown(
                        id=ids.UNIT_INDICATOR,
                        options=indicator_options(own, language),
                        value=view.indicator,
                        clearable=False,
                        className="ctl-indicator",
                    ),
                    dcc.RadioItems(
                        id=ids.UNIT_CHILD_KIND,
                        options=kinds,
                        value=kind,
                        inline=True,
                        className="ctl-kind",
                    ),
                ],
                className="controls ranking-controls",
            ),
            html.Div(note, id=ids.UNIT_GRID_TITLE, className="grid-note"),
            states.loading(grid(ids.UNIT_GRID, columns, rows, height=fit_height(len(rows)))),
            html.Div(links, id=ids.UNIT_GRID_DOWNLOADS),
        ],
        className="card ranking",
    )


def ranking(
    client: Api, view: View, kind: str, language: Lang
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], Any, Any]:
    """Columns, rows, download links and a note (count, or a readable error) of the grid."""
    assert view.unit and view.scheme and view.period and view.indicator
    try:
        if kind == "schools":
            items = client.all_schools(view.unit, view.scheme, view.period, view.indicator)
            columns, rows = school_rows(items, view, language)
            path, extra = "/schools", {"indicator": view.indicator}
        else:
            values = client.values(
                view.unit, view.scheme, view.period, children=True, indicator=view.indicator
            )
            columns, rows = unit_rows(values, view, language)
            path, extra = "/indicators/values", {"children": "true", "indicator": view.indicator}
    except ApiProblem as problem:
        return [], [], None, states.error(problem, language)
    links = downloads(
        path,
        language,
        unit=view.unit,
        scheme=view.scheme,
        period=view.period,
        **extra,
    )
    if not rows:
        return columns, rows, links, states.empty(t("state.no_returns", language))
    return columns, rows, links, html.Span(t("unit.rows", language, n=vn_number(len(rows))))


def ranks(values: list[float | None], direction: str | None) -> list[int]:
    """1 = best: the smallest value when lower is better ('down'), else the largest; rows
    without a value rank last (so the grid's sort keeps them at the bottom)."""
    known = sorted((v, i) for i, v in enumerate(values) if v is not None)  # ascending by value
    if direction != "down":
        known.reverse()
    out = [len(known) + 1] * len(values)
    for rank, (_, i) in enumerate(known, start=1):
        out[i] = rank
    return out


def rank_text(rank: int, value: float | None) -> str:
    return "—" if value is None else vn_number(rank)


def unit_rows(
    values: list[Value], view: View, language: Lang
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    direction = values[0].get("direction") if values else None
    unit = unit_label(values[0], language) if values else ""
    order = ranks([v.get("value") for v in values], direction)
    rows = []
    for row, rank in zip(values, order, strict=True):
        status = status_of(row)
        scope, contributing = row.get("schools_in_scope") or 0, row.get("schools_contributing")
        target = view.with_(unit=row["unit_code"])
        rows.append(
            {
                "id": row["unit_code"],
                "rank": rank,
                "rank_text": rank_text(rank, row.get("value")),
                "code": row["unit_code"],
                "name": md_link(row.get("unit_name") or row["unit_code"], target.href("/unit")),
                "value": row.get("value"),
                "value_text": value_text(row.get("value"), unit, count=counts(row)),
                "status": t(f"status.{status}", language),
                "status_code": status,
                "norm": row.get("norm_value"),
                "norm_text": value_text(row.get("norm_value"), unit),
                "target": row.get("target_value"),
                "target_text": value_text(row.get("target_value"), unit, count=counts(row)),
                "coverage": (contributing or 0) / scope if scope else None,
                "coverage_text": f"{vn_number(contributing)}/{vn_number(scope)}",
            }
        )
    columns = [
        text_col("rank", t("unit.rank", language), minWidth=96, maxWidth=110, sort="asc"),
        link_col("name", t("common.unit", language), minWidth=170, flex=2),
        text_col("value", t("common.value", language)),
        status_col("status", t("common.status", language)),
        text_col("norm", t("unit.norm", language)),
    ]
    if any(r["target"] is not None for r in rows):
        columns.append(text_col("target", t("unit.target", language)))
    columns.append(text_col("coverage", t("unit.coverage", language)))
    return columns, rows


def school_rows(
    items: list[dict[str, Any]], view: View, language: Lang
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    meta = indicator_meta(view.indicator)
    unit = (meta or {}).get("unit", {}).get(language, "") if meta else ""
    order = ranks([s.get("value") for s in items], (meta or {}).get("direction"))
    rows = []
    for item, rank in zip(items, order, strict=True):
        status = item.get("norm_status") or "no_norm"
        rows.append(
            {
                "id": item["school_code"],
                "rank": rank,
                "rank_text": rank_text(rank, item.get("value")),
                "code": item["school_code"],
                "name": md_link(
                    item["school_name"], view.href("/school", code=item["school_code"])
                ),
                "level": level_label(item.get("level"), language),
                "value": item.get("value"),
                "value_text": value_text(item.get("value"), unit, count=counts(item)),
                "status": t(f"status.{status}", language),
                "status_code": status,
                "norm": item.get("norm_value"),
                "norm_text": value_text(item.get("norm_value"), unit),
                "fraction": item.get("denominator"),
                "fraction_text": (
                    f"{vn_value(item.get('numerator'))} / {vn_value(item.get('denominator'))}"
                    if item.get("denominator") is not None
                    else "—"
                ),
            }
        )
    columns = [
        text_col("rank", t("unit.rank", language), minWidth=96, maxWidth=110, sort="asc"),
        col("code", t("unit.code", language), maxWidth=120),
        link_col("name", t("common.school", language), minWidth=200, flex=2),
        col("level", t("unit.level", language), maxWidth=130),
        text_col("value", t("common.value", language)),
        status_col("status", t("common.status", language)),
        text_col("norm", t("unit.norm", language)),
        text_col("fraction", t("unit.fraction", language)),
    ]
    return columns, rows


CATALOG_CACHE: dict[str, dict[str, Any]] = {}


def indicator_meta(indicator: str | None) -> dict[str, Any] | None:
    """Unit and direction of an indicator, from the API's catalog (kept per process)."""
    if not CATALOG_CACHE:
        try:
            CATALOG_CACHE.update({i["id"]: i for i in api().catalog()["indicators"]})
        except ApiProblem:
            return None
    return CATALOG_CACHE.get(indicator or "")
