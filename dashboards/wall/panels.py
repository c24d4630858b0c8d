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

from dashboards.api_client import DEFAULT_ZONE
from dashboards.components.attrs import data_attrs
from dashboards.components.tiles import BAD, gap, name_of, status_of
from dashboards.figures import wall as figures
from dashboards.formats import change_text, counts, value_text, vn_number
from dashboards.i18n import t
from dashboards.wall.data import FAILED, key
from dashboards.wall.screens import Panel, Screen
from ioc.domain.formats import local_datetime

PUPILS = "NET_STUDENTS"


@dataclass
class Rendered:
    """Every panel's body (by panel index), figures (by panel index), the header's data
    line and the events ticker."""

    bodies: dict[int, Any] = field(default_factory=dict)
    figures: dict[int, go.Figure] = field(default_factory=dict)
    as_of: Any = None
    ticker: Any = None


def local(
    value: str | None, screen: Screen, snap: dict[str, Any], fmt: str = "%H:%M %d/%m/%Y"
) -> str:
    """An instant in the screen's time zone: the API's display time zone unless the screen
    sets its own (the same zone as the dashboard's, so both show one time)."""
    zone = screen.zone(snap.get("display_timezone") or DEFAULT_ZONE)
    return local_datetime(value, zone, fmt)


def period_label(period: str | None, lang: str) -> str:
    if not period:
        return "—"
    year, term = period.split("/")
    return f"{year} · {t(f'term.{term}', lang)}"


def number_text(value: float | None, unit: str, *, count: bool = False) -> str:
    """The number of :func:`value_text` without its unit (the unit is drawn smaller)."""
    text = value_text(value, unit, count=count)
    return text[: -len(unit) - 1] if unit and text.endswith(f" {unit}") else text


def below(rows: list[dict[str, Any]], indicators: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Rows below their norm or target (worst first), optionally of some indicators."""
    scored = [
        (g, r)
        for r in rows
        if (not indicators or r["indicator_id"] in indicators) and (g := gap(r)) is not None
    ]
    scored.sort(key=lambda x: (-x[0], x[1].get("unit_code") or "", x[1]["indicator_id"]))
    return [r for _, r in scored]


# -- panels ------------------------------------------------------------------------------


def _head(label: str, big: str | None = None, tone: str = "none") -> html.Div:
    parts: list[Any] = [html.H3(label)]
    if big is not None:
        parts.append(html.Div(big, className=f"wall-big wall-tone-{tone}"))
    return html.Div(parts, className="wall-col-head")


def by_indicator(bad: list[dict[str, Any]]) -> list[tuple[dict[str, Any], int]]:
    """One row per failing indicator: its worst unit (``bad`` is worst first) and how many
    units fail it, the indicators ordered by their worst gap."""
    worst: dict[str, dict[str, Any]] = {}
    count: dict[str, int] = {}
    for r in bad:
        worst.setdefault(r["indicator_id"], r)
        count[r["indicator_id"]] = count.get(r["indicator_id"], 0) + 1
    return [(row, count[i]) for i, row in worst.items()]


def _red_row(row: dict[str, Any], units: int, children: int, lang: str) -> html.Li:
    unit = figures.unit_text(row, lang)
    reference = "target" if row.get("target_status") in BAD else "norm"
    ref_value = row.get("target_value") if reference == "target" else row.get("norm_value")
    return html.Li(
        [
            html.Strong(name_of(row, lang), className="wall-red-ind"),
            html.Span(
                value_text(row.get("value"), unit, count=counts(row)), className="wall-red-value"
            ),
            html.Span(
                t(
                    "wall.red_where",
                    lang,
                    units=vn_number(units),
                    total=vn_number(children),
                    worst=row.get("unit_name") or row["unit_code"],
                ),
                className="wall-red-unit",
            ),
            html.Span(
                t(
                    "wall.gap",
                    lang,
                    ref=t(f"wall.{reference}", lang),
                    value=value_text(ref_value, unit, count=counts(row)),
                ),
                className="wall-red-ref",
            ),
        ],
        className="wall-red-row",
        **data_attrs(indicator=row["indicator_id"], unit=row["unit_code"], units=str(units)),
    )


def red_now(screen: Screen, panel: Panel, snap: dict[str, Any], lang: str) -> html.Div:
    place = snap["places"][key(*screen.place(panel))]
    rows = place.get("child_values") or []
    bad = below(rows, panel.indicators)
    grouped = by_indicator(bad)
    units = {r["unit_code"] for r in bad}
    children = len(place.get("children") or [])
    items = [_red_row(row, n, children, lang) for row, n in grouped[: panel.rows]]
    if len(grouped) > panel.rows:
        more = vn_number(len(grouped) - panel.rows)
        items.append(html.Li(t("wall.red_more", lang, n=more), className="wall-more"))
    units_col = html.Div(
        [
            _head(t("wall.red_units", lang), vn_number(len(grouped)), "bad" if bad else "ok"),
            html.Div(
                t(
                    "wall.red_units_count",
                    lang,
                    units=vn_number(len(units)),
                    total=vn_number(children),
                    pairs=vn_number(len(bad)),
                )
                if bad
                else t("wall.red_units_none", lang),
                className="wall-sub",
            ),
            html.Ul(items, className="wall-red-list"),
        ],
        className="wall-col wall-col-wide",
        id="wall-red-units",
        **data_attrs(count=str(len(bad)), indicators=str(len(grouped))),
    )
    total = (place.get("quality") or {}).get("total") or {}
    by_unit = (place.get("quality") or {}).get("by_unit") or []
    missing, late = int(total.get("schools_missing") or 0), int(total.get("schools_late") or 0)
    chase = sorted(
        (u for u in by_unit if u.get("schools_missing")),
        key=lambda u: (-u["schools_missing"], u.get("unit_name") or ""),
    )
    missing_col = html.Div(
        [
            _head(t("wall.missing", lang), vn_number(missing), "bad" if missing else "ok"),
            html.Div(
                t("wall.missing_count", lang, missing=vn_number(missing), late=vn_number(late))
                if missing or late
                else t("wall.missing_none", lang),
                className="wall-sub",
            ),
            html.Ul(
                [
                    html.Li(
                        [
                            html.Strong(u.get("unit_name") or u["unit_code"]),
                            html.Span(
                                t("wall.missing_unit", lang, n=vn_number(u["schools_missing"]))
                            ),
                        ],
                        className="wall-miss-row",
                        **data_attrs(unit=u["unit_code"], missing=str(u["schools_missing"])),
                    )
                    for u in chase[: panel.rows]
                ],
                className="wall-miss-list",
            ),
        ],
        className="wall-col",
        id="wall-red-missing",
        **data_attrs(missing=str(missing), late=str(late)),
    )
    failed = snap.get("failed_runs") or []
    failed_col = html.Div(
        [
            _head(
                t("wall.failed", lang, days=screen.failed_days),
                vn_number(len(failed)),
                "bad" if failed else "ok",
            ),
            html.Div("" if failed else t("wall.failed_none", lang), className="wall-sub"),
            html.Ul(
                [
                    html.Li(
                        t(
                            "wall.failed_run",
                            lang,
                            run=r["run_id"],
                            when=local(r.get("started_at"), screen, snap, "%H:%M %d/%m"),
                            status=t(f"wall.run_{r['status']}", lang),
                        ),
                        className="wall-failed-row",
                        **data_attrs(run=str(r["run_id"])),
                    )
                    for r in failed[: panel.rows]
                ],
                className="wall-failed-list",
            ),
        ],
        className="wall-col",
        id="wall-red-failed",
        **data_attrs(count=str(len(failed))),
    )
    return html.Div([units_col, missing_col, failed_col], className="wall-red")


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
    term = (snap.get("period") or "/").split("/")[1]
    caption = html.Div(
        [
            snap["places"][key(scheme, code)]["unit"]["name"],
            " · ",
            t(f"term.{term}", lang) if term else "",
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
            id="wall-completeness-total",
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


# -- header and ticker -------------------------------------------------------------------


def as_of(screen: Screen, snap: dict[str, Any], lang: str) -> list[Any]:
    return [
        html.Span(t("wall.data_as_of", lang) + " ", className="wall-label"),
        html.Span(local(snap.get("data_as_of"), screen, snap), id="wall-asof-time"),
        html.Span(" · " + t("wall.period", lang) + " ", className="wall-label"),
        html.Span(period_label(snap.get("period"), lang), id="wall-period"),
    ]


def events(screen: Screen, snap: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """(time, text) of recent ingests, new returns, failures and report runs, newest first."""
    found: list[tuple[str, str]] = []
    for r in snap.get("runs") or []:
        when = local(r.get("finished_at") or r.get("started_at"), screen, snap, "%H:%M %d/%m")
        if r["status"] in FAILED:
            text = t(
                "wall.event_failed",
                lang,
                when=when,
                run=r["run_id"],
                status=t(f"wall.run_{r['status']}", lang),
            )
        else:
            text = t(
                "wall.event_ingest",
                lang,
                when=when,
                run=r["run_id"],
                accepted=vn_number(r.get("rows_accepted")),
                replaced=vn_number(r.get("rows_replaced")),
                rejected=vn_number(r.get("rows_rejected")),
            )
        found.append((r.get("finished_at") or r.get("started_at") or "", text))
    for r in snap.get("report_runs") or []:  # the scheduled-reports hook (empty until it exists)
        when = local(r.get("finished_at"), screen, snap, "%H:%M %d/%m")
        text = t(
            "wall.event_report",
            lang,
            when=when,
            kind=r.get("kind", ""),
            unit=r.get("unit", ""),
            status=r.get("status", ""),
        )
        found.append((r.get("finished_at") or "", text))
    found.sort(key=lambda item: item[0], reverse=True)
    return found[: screen.events]


def ticker(screen: Screen, snap: dict[str, Any], lang: str) -> html.Div:
    items = events(screen, snap, lang)
    texts = [text for _, text in items] or [t("wall.events_none", lang)]
    length = sum(len(x) for x in texts)
    return html.Div(
        [html.Span(text, className="wall-event") for text in texts],
        className="wall-ticker-track",
        style={"animationDuration": f"{max(20, round(length / 9))}s"},  # ~9 characters a second
        **data_attrs(events=str(len(items))),
    )


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
        else:
            draw = {"map": map_panel, "trends": trends_panel, "completeness": completeness_panel}
            out.bodies[i], out.figures[i] = draw[panel.kind](screen, panel, snap, lang, scale)
    return out


GRAPH_KINDS = ("map", "trends", "completeness")
