"""The wall's charts as pure functions: snapshot rows in, a dark Plotly Figure out.

Built to be read across a room: few marks, large labels (``scale`` = screen height / 1080
lines, so a 3840×2160 wall gets twice the type), Vietnamese number formats, no hover.
"""

from __future__ import annotations

import math
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboards.components.tiles import status_of
from dashboards.formats import counts, value_text, vn_number

INK = "#eef2f8"
MUTED = "#9fb0c6"
GRID = "#24324a"
OK = "#35d07f"
WARN = "#ffb020"
BAD = "#ff5b4f"
NONE = "#7d8ba1"
LINE = "#4fb3ff"
STATUS_COLOUR = {"meets": OK, "below": BAD, "above": BAD}


def _base(scale: float, **layout: Any) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"color": INK, "size": round(22 * scale), "family": "Noto Sans, Segoe UI, Arial"},
        margin={"l": round(20 * scale), "r": round(20 * scale), "t": round(10 * scale), "b": 0},
        showlegend=False,
        separators=",.",
        hovermode=False,
        **layout,
    )
    return fig


def unit_text(row: dict[str, Any], lang: str) -> str:
    return str(row.get("unit_vi") if lang == "vi" else row.get("unit_en") or "")


def status_colour(row: dict[str, Any]) -> str:
    if row.get("value") is None:
        return NONE
    return STATUS_COLOUR.get(status_of(row), LINE)


def bubble_map(
    children: list[dict[str, Any]],
    values: list[dict[str, Any]],
    pupils: dict[str, float],
    lang: str,
    scale: float = 1.0,
) -> go.Figure:
    """Bubbles at the child units' centres: size by pupils, colour by the indicator's status
    against its target (or norm), label with the unit and the value."""
    by_code = {v["unit_code"]: v for v in values}
    placed = [c for c in children if c.get("latitude") is not None and c.get("longitude")]
    fig = _base(scale)
    if not placed:
        return fig
    biggest = max((pupils.get(c["code"]) or 0 for c in placed), default=0) or 1
    sizes, colours, labels = [], [], []
    for c in placed:
        row = by_code.get(c["code"], {})
        share = math.sqrt((pupils.get(c["code"]) or 0) / biggest)
        sizes.append(round((26 + 80 * share) * scale))
        colours.append(status_colour(row))
        value = (
            value_text(row.get("value"), unit_text(row, lang), count=counts(row)) if row else "—"
        )
        labels.append(f"<b>{c.get('short_name') or c['name']}</b><br>{value}")
    lats = [c["latitude"] for c in placed]
    lons = [c["longitude"] for c in placed]
    fig.add_trace(
        go.Scatter(
            x=lons,
            y=lats,
            mode="markers+text",
            text=labels,
            textposition="bottom center",
            textfont={"size": round(22 * scale), "color": INK},
            marker={
                "size": sizes,
                "color": colours,
                "opacity": 0.85,
                "line": {"color": "#0b1220", "width": max(1, round(2 * scale))},
            },
            cliponaxis=False,
        )
    )
    middle = math.radians(sum(lats) / len(lats))
    pad_x = max(0.05, (max(lons) - min(lons)) * 0.12)
    pad_y = max(0.05, (max(lats) - min(lats)) * 0.12)
    hidden = {"visible": False, "showgrid": False, "zeroline": False, "fixedrange": True}
    fig.update_layout(
        xaxis={**hidden, "range": [min(lons) - pad_x, max(lons) + pad_x]},
        yaxis={
            **hidden,
            "range": [min(lats) - pad_y * 1.6, max(lats) + pad_y],
            "scaleanchor": "x",
            "scaleratio": 1
            / math.cos(middle),  # a degree of latitude is longer than one of longitude
        },
    )
    return fig


def completeness_race(rows: list[dict[str, Any]], limit: int, scale: float = 1.0) -> go.Figure:
    """Completeness by unit as sorted bars, best at the top; beyond ``limit`` units, the
    lowest ``limit`` (the ones to chase)."""
    known = [r for r in rows if r.get("schools_expected") and r.get("completeness_pct") is not None]
    by_name = sorted(known, key=lambda r: r.get("unit_name") or "", reverse=True)
    ordered = sorted(by_name, key=lambda r: r["completeness_pct"])  # ties: A at the top
    shown = ordered[:limit]  # lowest first: plotly draws the first category at the bottom
    fig = _base(scale)
    if not shown:
        return fig
    pct = [r["completeness_pct"] for r in shown]
    fig.add_trace(
        go.Bar(
            x=pct,
            y=[r.get("unit_name") or r["unit_code"] for r in shown],
            orientation="h",
            marker={"color": [OK if p >= 100 else WARN if p >= 90 else BAD for p in pct]},
            text=[
                f"{vn_number(r['completeness_pct'], 1)} % · "
                f"{vn_number(r.get('schools_reported'))}/{vn_number(r.get('schools_expected'))}"
                for r in shown
            ],
            textposition="inside",
            insidetextanchor="end",
            textfont={"size": round(22 * scale), "color": "#06101d"},
            cliponaxis=False,
        )
    )
    fig.update_layout(
        xaxis={
            "range": [0, 100],
            "showgrid": True,
            "gridcolor": GRID,
            "ticksuffix": " %",
            "fixedrange": True,
        },
        yaxis={"automargin": True, "fixedrange": True, "tickfont": {"size": round(22 * scale)}},
        bargap=0.25,
        margin={"l": round(10 * scale), "r": round(30 * scale), "t": round(10 * scale), "b": 0},
    )
    return fig


def trends(
    series: dict[str, list[dict[str, Any]]],
    meta: dict[str, dict[str, Any]],
    lang: str,
    scale: float = 1.0,
) -> go.Figure:
    """Small multiples: each indicator over the school years (same term), its norm dashed,
    the 2025 reorganisation marked."""
    names = [i for i in series if series[i]]
    if not names:
        return _base(scale)
    cols = 1 if len(names) == 1 else 2
    rows = math.ceil(len(names) / cols)
    titles = []
    for indicator in names:
        info = meta.get(indicator, {})
        name = info.get("name_vi" if lang == "vi" else "name_en") or indicator
        unit = unit_text(info, lang)
        titles.append(f"{name} ({unit})" if unit else name)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=titles,
        vertical_spacing=0.16 if rows > 1 else 0.1,
        horizontal_spacing=0.08,
    )
    template = _base(scale)
    fig.update_layout(template.layout)
    for n, indicator in enumerate(names):
        row, col = n // cols + 1, n % cols + 1
        points = series[indicator]
        years = [p["school_year"] for p in points]
        values = [p["value"] for p in points]
        unit = unit_text(meta.get(indicator, {}), lang)
        fig.add_trace(
            go.Scatter(
                x=years,
                y=values,
                mode="lines+markers+text",
                line={"color": LINE, "width": max(2, round(4 * scale))},
                marker={"size": round(11 * scale), "color": LINE},
                text=[
                    value_text(v, unit) if i == len(values) - 1 else ""
                    for i, v in enumerate(values)
                ],
                textposition="top left",
                textfont={"size": round(24 * scale), "color": INK},
                cliponaxis=False,
            ),
            row=row,
            col=col,
        )
        norms = [p.get("target_value") or p.get("norm_value") for p in points]
        if any(v is not None for v in norms):
            fig.add_trace(
                go.Scatter(
                    x=years,
                    y=norms,
                    mode="lines",
                    line={"color": WARN, "width": max(1, round(2 * scale)), "dash": "dash"},
                ),
                row=row,
                col=col,
            )
        breaks = [p["school_year"] for p in points if p.get("is_break")]
        if breaks:
            fig.add_vline(
                x=years.index(breaks[0]) - 0.5,
                line={"color": MUTED, "width": max(1, round(2 * scale)), "dash": "dot"},
                row=row,
                col=col,
            )
    fig.update_xaxes(
        type="category", showgrid=False, tickfont={"size": round(19 * scale)}, fixedrange=True
    )
    fig.update_yaxes(
        gridcolor=GRID,
        zeroline=False,
        fixedrange=True,
        tickformat=",~f",  # 256.400, 82,5: Vietnamese separators, no "k"
        tickfont={"size": round(19 * scale)},
    )
    fig.update_annotations(font={"size": round(24 * scale), "color": INK})
    fig.update_layout(
        margin={
            "l": round(70 * scale),
            "r": round(30 * scale),
            "t": round(50 * scale),
            "b": round(30 * scale),
        }
    )
    return fig
