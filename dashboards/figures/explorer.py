"""Indicator explorer figures, pure functions of the API's rows: distribution across child
units, ranking, trend over periods with the 1 July 2025 break, comparison of chosen units."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go

from dashboards.figures.map import BAND_COLOURS, band
from dashboards.formats import value_text
from dashboards.i18n import t
from ioc.domain.period import REFORM_DATE, Period, term_name

if TYPE_CHECKING:
    from dash import dcc

TERM_COLOURS = {"DN": "#0b5394", "CN": "#e69138"}
PALETTE = ("#0b5394", "#e69138", "#38761d", "#990000", "#674ea7", "#45818e", "#bf9000", "#a64d79")
FONT = "Segoe UI, Noto Sans, Roboto, Arial, sans-serif"


def _unit(meta: Mapping[str, Any], lang: str) -> str:
    return str(meta.get(f"unit_{lang}") or meta.get("unit_vi") or "")


def _base(fig: go.Figure, lang: str, height: int) -> go.Figure:
    fig.update_layout(
        height=height,
        margin={"l": 8, "r": 8, "t": 8, "b": 8},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        separators=",." if lang == "vi" else ".,",
        font={"family": FONT, "size": 13},
        hoverlabel={"bgcolor": "#ffffff"},
    )
    numbers = {"exponentformat": "none", "separatethousands": True}
    fig.update_xaxes(gridcolor="#e5e8ec", zerolinecolor="#c9ced6", automargin=True, **numbers)
    fig.update_yaxes(gridcolor="#e5e8ec", zerolinecolor="#c9ced6", automargin=True, **numbers)
    return fig


def with_values(rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [r for r in rows if r.get("value") is not None]


def distribution_figure(
    rows: Sequence[Mapping[str, Any]],
    meta: Mapping[str, Any],
    lang: str,
    reference: Mapping[str, Any] | None = None,
) -> go.Figure:
    """Child units' values: a box with every unit as a point; the parent's value and its
    norm as vertical lines."""
    shown = with_values(rows)
    unit = _unit(meta, lang)
    jitter = [((i * 7919) % 13 - 6) / 20 for i in range(len(shown))]
    fig = go.Figure(
        [
            go.Box(
                x=[r["value"] for r in shown],
                y0=0,
                boxpoints=False,
                line={"color": "#5d6675"},
                fillcolor="rgba(11,83,148,0.08)",
                width=0.8,
                hoverinfo="skip",
                name="",
                orientation="h",
            ),
            go.Scatter(
                x=[r["value"] for r in shown],
                y=jitter,
                mode="markers",
                marker={
                    "color": [BAND_COLOURS[band(r)] for r in shown],
                    "size": 9,
                    "opacity": 0.9,
                    "line": {"color": "#ffffff", "width": 1},
                },
                text=[
                    f"<b>{r.get('unit_name') or r['unit_code']}</b><br>"
                    f"{value_text(r['value'], unit)}"
                    for r in shown
                ],
                customdata=[r["unit_code"] for r in shown],
                hovertemplate="%{text}<extra></extra>",
                name="",
            ),
        ]
    )
    fig.update_layout(showlegend=False)
    if reference and reference.get("value") is not None:
        name = str(reference.get("unit_name") or "")
        fig.add_vline(x=reference["value"], line={"color": "#1d2430", "width": 2})
        fig.add_annotation(
            x=reference["value"],
            y=1,
            yref="paper",
            text=f"{name}: {value_text(reference['value'], unit)}",
            showarrow=False,
            yanchor="bottom",
            font={"size": 12},
        )
    if reference and reference.get("norm_value") is not None:
        fig.add_vline(
            x=reference["norm_value"], line={"color": BAND_COLOURS["fails"], "dash": "dash"}
        )
        fig.add_annotation(
            x=reference["norm_value"],
            y=1,
            yref="paper",
            text=f"{t('explorer.norm_line', lang)}: {value_text(reference['norm_value'], unit)}",
            showarrow=False,
            xanchor="right",
            yanchor="bottom",
            font={"size": 12, "color": BAND_COLOURS["fails"]},
        )
    fig.update_yaxes(showticklabels=False, range=[-0.6, 0.6], showgrid=False)
    fig.update_xaxes(title={"text": unit, "font": {"size": 12}})
    fig = _base(fig, lang, 260)
    fig.update_layout(margin={"t": 28, "b": 36})
    return fig


def ranking_figure(
    rows: Sequence[Mapping[str, Any]], meta: Mapping[str, Any], lang: str
) -> go.Figure:
    """Child units sorted best first (by the indicator's direction), coloured by norm band."""
    shown = with_values(rows)
    descending = meta.get("direction") != "down"
    ordered = sorted(shown, key=lambda r: r["value"], reverse=descending)
    unit = _unit(meta, lang)
    names = [str(r.get("unit_name") or r["unit_code"]) for r in ordered]
    fig = go.Figure(
        go.Bar(
            x=[r["value"] for r in ordered],
            y=names,
            orientation="h",
            marker={"color": [BAND_COLOURS[band(r)] for r in ordered]},
            text=[value_text(r["value"], unit) for r in ordered],
            textposition="auto",
            customdata=[r["unit_code"] for r in ordered],
            hovertemplate="<b>%{y}</b><br>%{text}<extra></extra>",
            name="",
        )
    )
    fig.update_yaxes(autorange="reversed", tickfont={"size": 12})
    return _base(fig, lang, max(220, 22 * len(ordered) + 40))


def _break_line(fig: go.Figure, lang: str) -> None:
    fig.add_shape(
        type="line",
        x0=REFORM_DATE,
        x1=REFORM_DATE,
        y0=0,
        y1=1,
        yref="paper",
        line={"color": "#b3261e", "dash": "dot", "width": 2},
    )
    fig.add_annotation(
        x=REFORM_DATE,
        y=1,
        yref="paper",
        text=t("common.break_2025", lang),
        showarrow=False,
        xanchor="right",
        yanchor="top",
        font={"size": 12, "color": "#b3261e"},
        bgcolor="rgba(255,255,255,0.85)",
    )


def _series_points(rows: Sequence[Mapping[str, Any]]) -> list[tuple[date, Mapping[str, Any]]]:
    points = [(Period.of(r["school_year"], r["term"]).date, r) for r in rows]
    return sorted(points, key=lambda p: p[0])


def trend_figure(
    rows: Sequence[Mapping[str, Any]], meta: Mapping[str, Any], lang: str, scheme: str
) -> go.Figure:
    """One line per term (start / end of year); the 1 July 2025 reorganisation as a vertical
    line; on the 2025 units, the years before it drawn dashed as restated history."""
    unit = _unit(meta, lang)
    fig = go.Figure()
    for term in ("DN", "CN"):
        points = [(d, r) for d, r in _series_points(rows) if r["term"] == term]
        if not points:
            continue
        parts = [("", points)]
        if scheme == "2025":
            before = [(d, r) for d, r in points if d < REFORM_DATE]
            after = [(d, r) for d, r in points if d >= REFORM_DATE]
            bridge = before[-1:] + after
            parts = [("restated", before), ("", bridge)]
        for kind, part in parts:
            if not part:
                continue
            label = term_name(term, lang)
            if kind:
                label = f"{label} · {t('explorer.restated', lang)}"
            fig.add_trace(
                go.Scatter(
                    x=[d for d, _ in part],
                    y=[r.get("value") for _, r in part],
                    mode="lines+markers",
                    name=label,
                    line={"color": TERM_COLOURS[term], "dash": "dash" if kind else "solid"},
                    marker={"size": 8, "symbol": "circle-open" if kind else "circle"},
                    text=[
                        f"{Period.of(r['school_year'], r['term'])}: "
                        f"{value_text(r.get('value'), unit)}"
                        for _, r in part
                    ],
                    hovertemplate="%{text}<extra></extra>",
                    showlegend=not (kind == "" and scheme == "2025" and len(part) <= 1),
                )
            )
    _break_line(fig, lang)
    fig.update_yaxes(title={"text": unit, "font": {"size": 12}})
    fig.update_xaxes(tickformat="%m/%Y")
    fig = _base(fig, lang, 320)
    fig.update_layout(legend={"orientation": "h", "y": -0.18}, margin={"t": 20})
    return fig


def compare_figure(
    series: Mapping[str, Sequence[Mapping[str, Any]]],
    meta: Mapping[str, Any],
    lang: str,
    term: str,
) -> go.Figure:
    """Chosen units' series (one term) on one chart, with the 2025 break."""
    unit = _unit(meta, lang)
    fig = go.Figure()
    for index, (name, rows) in enumerate(series.items()):
        points = [(d, r) for d, r in _series_points(rows) if r["term"] == term]
        fig.add_trace(
            go.Scatter(
                x=[d for d, _ in points],
                y=[r.get("value") for _, r in points],
                mode="lines+markers",
                name=name,
                line={"color": PALETTE[index % len(PALETTE)]},
                text=[
                    f"{name} · {Period.of(r['school_year'], r['term'])}: "
                    f"{value_text(r.get('value'), unit)}"
                    for _, r in points
                ],
                hovertemplate="%{text}<extra></extra>",
            )
        )
    _break_line(fig, lang)
    fig.update_yaxes(title={"text": unit, "font": {"size": 12}})
    fig.update_xaxes(tickformat="%m/%Y")
    fig = _base(fig, lang, 340)
    fig.update_layout(legend={"orientation": "h", "y": -0.18}, margin={"t": 20})
    return fig


def graph_config() -> dcc.Graph.Config:
    return {
        "displaylogo": False,
        "responsive": True,
        "modeBarButtonsToRemove": ["select2d", "lasso2d"],
    }
