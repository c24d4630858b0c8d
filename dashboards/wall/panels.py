"""The wall's panels as pure functions of a snapshot: HTML bodies and figures.

:func:`render` draws every panel of a screen from one snapshot (see
:mod:`dashboards.wall.data`); the page puts the bodies into the panels' fixed containers
and the figures into their fixed graphs, so a refresh replaces content and never adds any.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import plotly.graph_objects as go
from dash import html

from dashboards import ids
from dashboards.components.attrs import data_attrs
from dashboards.components.tiles import name_of, status_of
from dashboards.figures import wall as figures
from dashboards.formats import change_text, counts, value_text, vn_number
from dashboards.i18n import t
from dashboards.wall import exams
from dashboards.wall.data import key
from dashboards.wall.red_now import red_now
from dashboards.wall.screens import Panel, Screen
from dashboards.wall.ticker import local, ticker
from ioc.domain.period import Period, term_name

PUPILS = "NET_STUDENTS"


@dataclass
class Rendered:
    """Every panel's body (by panel index), figures (by panel index), the header's data
    line and the events ticker."""

    bodies: dict[int, Any] = field(default_factory=dict)
    figures: dict[int, go.Figure] = field(default_factory=dict)
    as_of: Any = None
    ticker: Any = None


def number_text(value: float | None, unit: str, *, count: bool = False) -> str:
    """The number of :func:`value_text` without its unit (the unit is drawn smaller)."""
    text = value_text(value, unit, count=count)
    return text[: -len(unit) - 1] if unit and text.endswith(f" {unit}") else text


# -- panels ------------------------------------------------------------------------------


def kpis(screen: Screen, panel: Panel, snap: dict[str, Any], lang: str) -> html.Div:
    place = snap["places"][key(*screen.place(panel))]
    by_id = {r["indicator_id"]: r for r in place.get("own") or []}
    tiles = []
    for indicator in panel.shown_indicators():
        row = by_id.get(indicator)
        if row is None:
            continue
        unit = figures.unit_text(row, lang)
        status = status_of(row) if row.get("value") is not None else "no_value"
        reference: list[Any] = []
        if row.get("target_value") is not None:
            reference = [
                t("wall.target", lang),
                " ",
                value_text(row["target_value"], unit, count=counts(row)),
            ]
        elif row.get("norm_value") is not None:
            reference = [t("wall.norm", lang), " ", value_text(row["norm_value"], unit)]
        tiles.append(
            html.Div(
                [
                    html.Div(name_of(row, lang), className="wall-kpi-name"),
                    html.Div(
                        [
                            html.Span(
                                number_text(row.get("value"), unit, count=counts(row)),
                                className="wall-kpi-value",
                            ),
                            " ",
                            html.Span(unit, className="wall-kpi-unit"),
                        ],
                        className="wall-kpi-figure",
                    ),
                    html.Div(
                        [
                            html.Span(
                                t(f"status.{status}", lang),
                                className=f"wall-pill wall-pill-{status}",
                            ),
                            html.Span(reference, className="wall-kpi-ref"),
                        ],
                        className="wall-kpi-row",
                    ),
                    html.Div(
                        [
                            change_text(row.get("change"), unit, lang, count=counts(row)),
                            " ",
                            t("wall.change", lang),
                        ]
                        if row.get("change") is not None
                        else t(
                            "wall.coverage",
                            lang,
                            n=vn_number(row.get("schools_contributing")),
                            total=vn_number(row.get("schools_in_scope")),
                        ),
                        className="wall-kpi-foot",
                    ),
                ],
                className=f"wall-kpi wall-kpi-{status}",
                id=f"wall-kpi-{indicator}",
                **data_attrs(value="" if row.get("value") is None else repr(row["value"])),
            )
        )
    return html.Div(tiles, className="wall-kpis", **data_attrs(unit=place["unit"]["code"]))


def _legend(lang: str) -> html.Div:
    swatches = (
        (figures.OK, t("status.meets", lang)),
        (figures.BAD, t("status.below", lang)),
        (figures.LINE, t("status.no_norm", lang)),
        (figures.NONE, t("status.no_value", lang)),
    )
    return html.Div(
        [
            html.Span([html.I(style={"background": colour}), label], className="wall-swatch")
            for colour, label in swatches
        ],
        className="wall-legend",
    )


def map_panel(
    screen: Screen, panel: Panel, snap: dict[str, Any], lang: str, scale: float
) -> tuple[html.Div, go.Figure]:
    place = snap["places"][key(*screen.place(panel))]
    indicator = panel.shown_indicators()[0]
    rows = place.get("child_values") or []
    values = [r for r in rows if r["indicator_id"] == indicator]
    pupils = {r["unit_code"]: r.get("value") or 0 for r in rows if r["indicator_id"] == PUPILS}
    fig = figures.bubble_map(place.get("children") or [], values, pupils, lang, scale)
    meta = values[0] if values else {}
    side = html.Div(
        [
            html.H3(name_of(meta, lang) if meta else indicator),
            html.Div(t("wall.map_caption", lang), className="wall-sub"),
            _legend(lang),
        ]
        if place.get("children")
        else [html.Div(t("wall.no_children", lang), className="wall-sub")],
        className="wall-map-side",
    )
    return side, fig


def trends_panel(
    screen: Screen, panel: Panel, snap: dict[str, Any], lang: str, scale: float
) -> tuple[html.Div, go.Figure]:
    scheme, code = screen.place(panel)
    series = (snap.get("series") or {}).get(key(scheme, code), {})
    shown = {i: series.get(i) or [] for i in panel.shown_indicators()}
    meta: dict[str, dict[str, Any]] = {}
    for place in snap["places"].values():
        for row in (place.get("own") or []) + (place.get("child_values") or []):
            meta.setdefault(row["indicator_id"], row)
    fig = figures.trends(shown, meta, lang, scale)
    at = Period.maybe(snap.get("period"))
    caption = html.Div(
        [
            snap["places"][key(scheme, code)]["unit"]["name"],
            " · ",
            term_name(at.term, lang) if at else "",
        ],
        className="wall-sub",
    )
    return caption, fig


def completeness_panel(
    screen: Screen, panel: Panel, snap: dict[str, Any], lang: str, scale: float
) -> tuple[html.Div, go.Figure]:
    place = snap["places"][key(*screen.place(panel))]
    quality = place.get("quality") or {}
    total = quality.get("total") or {}
    by_unit = quality.get("by_unit") or []
    fig = figures.completeness_race(by_unit, panel.rows, scale)
    lines: list[Any] = [
        html.Div(
            t(
                "wall.completeness_total",
                lang,
                unit=place["unit"]["name"],
                reported=vn_number(total.get("schools_reported")),
                expected=vn_number(total.get("schools_expected")),
                pct=value_text(total.get("completeness_pct"), "%"),
            ),
            className="wall-sub",
            id=ids.WALL_COMPLETENESS_TOTAL,
        )
    ]
    counted = [u for u in by_unit if u.get("schools_expected")]
    if len(counted) > panel.rows:
        lines.append(
            html.Div(
                t("wall.completeness_more", lang, shown=panel.rows, total=len(counted)),
                className="wall-sub",
            )
        )
    return html.Div(lines), fig


# -- header ------------------------------------------------------------------------------


def as_of(screen: Screen, snap: dict[str, Any], lang: str) -> list[Any]:
    return [
        html.Span(t("wall.data_as_of", lang) + " ", className="wall-label"),
        html.Span(local(snap.get("data_as_of"), screen, snap), id=ids.WALL_ASOF_TIME),
        html.Span(" · " + t("wall.period", lang) + " ", className="wall-label"),
        html.Span(
            at.label(lang) if (at := Period.maybe(snap.get("period"))) else "—", id=ids.WALL_PERIOD
        ),
    ]


# -- everything --------------------------------------------------------------------------


def render(screen: Screen, snap: dict[str, Any], lang: str, scale: float = 1.0) -> Rendered:
    out = Rendered(as_of=as_of(screen, snap, lang), ticker=ticker(screen, snap, lang))
    if not snap.get("period"):
        for i, _ in enumerate(screen.panels):
            out.bodies[i] = html.Div(t("wall.no_period", lang), className="wall-waiting")
        return out
    for i, panel in enumerate(screen.panels):
        if panel.kind == "red_now":
            out.bodies[i] = red_now(screen, panel, snap, lang)
        elif panel.kind == "kpis":
            out.bodies[i] = kpis(screen, panel, snap, lang)
        elif panel.kind == "exams":
            found = (snap.get("exams") or {}).get(key(*screen.place(panel)))
            out.bodies[i] = exams.panel(found, lang)
        else:
            draw = {"map": map_panel, "trends": trends_panel, "completeness": completeness_panel}
            out.bodies[i], out.figures[i] = draw[panel.kind](screen, panel, snap, lang, scale)
    return out


GRAPH_KINDS = ("map", "trends", "completeness")
