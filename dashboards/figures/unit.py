"""Figures of the unit, school and data-quality pages: pure functions, data in, Figure out.

Numbers use Vietnamese separators (``separators=",."``: decimal comma, thousands dot).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from dashboards.figures.build import figure
from dashboards.formats import value_text, vn_number
from dashboards.i18n import t
from ioc.domain.period import Period

BRAND, OK, BAD, MUTED = "#0b5394", "#1e7b34", "#b3261e", "#5d6675"


def year_ticks(rows: Sequence[Mapping[str, Any]], lang: str) -> tuple[list[str], list[str]]:
    """One tick per school year ('2024-25', at its first period): fits a phone's axis."""
    values, texts = [], []
    for period in (Period.of(r["school_year"], r["term"]) for r in rows):
        if period.short_year not in texts:
            values.append(period.short_label(lang))
            texts.append(period.short_year)
    return values, texts


def shared_layout(height: int) -> dict[str, Any]:
    """The layout every figure of these pages shares: white, Vietnamese separators."""
    return {
        "template": "plotly_white",
        "separators": ",.",
        "height": height,
        "margin": {"l": 8, "r": 8, "t": 36, "b": 8},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        "hoverlabel": {"namelength": -1},
        "font": {"family": "Segoe UI, Noto Sans, Roboto, Arial, sans-serif", "size": 12},
    }


def styled(fig: go.Figure, height: int) -> go.Figure:
    """``fig`` with :func:`shared_layout`."""
    fig.update_layout(**shared_layout(height))
    return fig


def trend(
    rows: Sequence[Mapping[str, Any]],
    *,
    lang: str,
    unit: str,
    break_before: str | None,
) -> go.Figure:
    """One indicator for one unit across periods: the value, its norm and target, and a
    vertical line where the 2025 reorganisation falls (before period ``break_before``).

    Made in one go (:func:`~dashboards.figures.build.figure`): about 1 ms of CPU instead
    of 17 ms with ``add_trace``/``update_layout``."""
    points = [Period.of(r["school_year"], r["term"]) for r in rows]
    labels = [p.short_label(lang) for p in points]
    periods = [str(p) for p in points]
    traces: list[go.Scatter] = [
        go.Scatter(
            x=labels,
            y=[r.get("value") for r in rows],
            name=t("common.value", lang),
            mode="lines+markers",
            line={"color": BRAND, "width": 3},
            marker={"size": 8},
            customdata=[
                [
                    value_text(r.get("value"), unit),
                    f"{vn_number(r.get('schools_contributing'))}/"
                    f"{vn_number(r.get('schools_in_scope'))}",
                ]
                for r in rows
            ],
            hovertemplate="<b>%{customdata[0]}</b><br>"
            + t("unit.coverage", lang)
            + ": %{customdata[1]}<extra></extra>",
        )
    ]
    for key, label, color in (
        ("norm_value", t("unit.norm", lang), MUTED),
        ("target_value", t("unit.target", lang), OK),
    ):
        ys = [r.get(key) for r in rows]
        if any(y is not None for y in ys):
            traces.append(
                go.Scatter(
                    x=labels,
                    y=ys,
                    name=label,
                    mode="lines",
                    line={"color": color, "dash": "dash", "width": 2},
                    customdata=[value_text(y, unit) for y in ys],
                    hovertemplate="%{customdata}<extra>" + label + "</extra>",
                )
            )
    layout: dict[str, Any] = {}
    if break_before in periods and periods.index(break_before) > 0:
        at = periods.index(break_before) - 0.5
        layout["shapes"] = [
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": at,
                "x1": at,
                "y0": 0,
                "y1": 1,
                "line": {"color": BAD, "width": 2, "dash": "dot"},
            }
        ]
        layout["annotations"] = [
            {
                "x": at,
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "text": t("common.break_2025", lang),
                "showarrow": False,
                "xanchor": "right",
                "yanchor": "top",
                "font": {"color": BAD, "size": 11},
                "bgcolor": "rgba(255,255,255,.85)",
            }
        ]
    tickvals, ticktext = year_ticks(rows, lang)
    layout |= {
        "hovermode": "x unified",
        "xaxis": {
            "type": "category",
            "tickangle": 0,
            "automargin": True,
            "tickvals": tickvals,
            "ticktext": ticktext,
        },
        "yaxis": {"title": {"text": unit or None}, "rangemode": "tozero", "automargin": True},
        **shared_layout(340),
    }
    return figure(traces, layout)


def quality_bars(rows: list[dict[str, Any]], *, lang: str) -> go.Figure:
    """Completeness and timeliness (%) per child unit, worst completeness at the top."""
    ordered = sorted(
        rows, key=lambda r: (r.get("completeness_pct") or 0, r.get("timeliness_pct") or 0)
    )
    # plotly draws the first category at the bottom: reverse so the worst is on top
    ordered.reverse()
    names = [r.get("unit_name") or r["unit_code"] for r in ordered]
    fig = go.Figure()
    for key, label, color in (
        ("completeness_pct", t("quality.completeness", lang), BRAND),
        ("timeliness_pct", t("quality.timeliness", lang), OK),
    ):
        values = [r.get(key) for r in ordered]
        fig.add_trace(
            go.Bar(
                y=names,
                x=values,
                name=label,
                orientation="h",
                marker={"color": color},
                customdata=[value_text(v, "%") for v in values],
                hovertemplate="%{y}: <b>%{customdata}</b><extra>" + label + "</extra>",
            )
        )
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_xaxes(range=[0, 100], ticksuffix=" %")
    fig.update_yaxes(automargin=True, type="category")
    return styled(fig, max(220, 60 + 34 * len(ordered)))
