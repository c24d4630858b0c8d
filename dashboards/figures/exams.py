"""Figures of the exam page (thi tốt nghiệp THPT): pure functions, rows in, Figure out.

A spectrum is a list of ``{"bin_from", "papers"}`` (the API's bins of 0.25, empty bins
left out); it is drawn as shares of the unit's papers so that provinces of any size
compare. Numbers use Vietnamese separators (``separators=",."``: 6,25; 12.345).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from dashboards.figures.unit import BAD, BRAND, MUTED, styled
from dashboards.formats import vn_count, vn_number
from dashboards.i18n import t
from ioc.exams.catalog import load_exam_catalog

#: the other provinces' lines, in turn (muted, so the unit's bars stay in front)
OTHERS = ("#8a6d3b", "#2e7d7a", "#7b5ea7", "#b05f82", "#5d6675", "#9a8b2f")


def subject_name(code: str, lang: str) -> str:
    """A subject's or a combination's name in ``lang`` (a combination is its code)."""
    catalog = load_exam_catalog()
    found = next((s for s in catalog.subjects if s.code == code), None)
    if found is None:
        return code
    return found.vi if lang == "vi" else found.en


def bin_edges() -> list[float]:
    """Every bin's lower edge, 0 to 10 (10 is a bin of its own)."""
    step = float(load_exam_catalog().spectrum_step)
    return [round(i * step, 2) for i in range(round(10 / step) + 1)]


def shares(bins: Sequence[Mapping[str, Any]]) -> dict[float, float]:
    """Per bin (lower edge) the share of the papers in it, in %; {} without papers."""
    total = sum(int(b.get("papers") or 0) for b in bins)
    if not total:
        return {}
    out: dict[float, float] = {}
    for b in bins:
        edge = round(float(b["bin_from"]), 2)
        out[edge] = out.get(edge, 0.0) + 100.0 * int(b.get("papers") or 0) / total
    return out


def spectrum(
    own: Mapping[str, Any],
    others: Sequence[Mapping[str, Any]],
    *,
    subject: str,
    lang: str,
    height: int = 360,
) -> go.Figure:
    """The subject's score spectrum of a unit (bars) against the other provinces loaded
    (lines): each the share of its papers per bin. ``own`` and each of ``others``:
    ``{"name", "bins"}``; the failing zone (≤ 1,0) is shaded."""
    edges = bin_edges()
    step = edges[1] - edges[0]
    centres = [e + step / 2 if e < 10 else 10.0 for e in edges]
    fig = go.Figure()
    fig.add_vrect(x0=-0.05, x1=1.0 + step / 2, fillcolor=BAD, opacity=0.08, line_width=0)
    mine = shares(own.get("bins") or [])
    fig.add_trace(
        go.Bar(
            x=centres,
            y=[mine.get(e, 0.0) for e in edges],
            width=step * 0.92,
            name=str(own.get("name") or ""),
            marker={"color": BRAND},
            customdata=[_bin_label(e, step) for e in edges],
            hovertemplate="%{customdata}: <b>%{y:.2f} %</b><extra>%{fullData.name}</extra>",
        )
    )
    for i, other in enumerate(others):
        theirs = shares(other.get("bins") or [])
        fig.add_trace(
            go.Scatter(
                x=centres,
                y=[theirs.get(e, 0.0) for e in edges],
                name=str(other.get("name") or ""),
                mode="lines",
                line={"color": OTHERS[i % len(OTHERS)], "width": 2, "shape": "linear"},
                customdata=[_bin_label(e, step) for e in edges],
                hovertemplate="%{customdata}: %{y:.2f} %<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_layout(
        bargap=0,
        hovermode="closest",
        title={
            "text": subject_name(subject, lang),
            "x": 0,
            "y": 0.99,
            "yanchor": "top",
            "font": {"size": 14},
        },
    )
    fig.update_xaxes(
        range=[-0.05, 10.3],
        dtick=1,
        title_text=t("exams.score", lang),
        automargin=True,
    )
    fig.update_yaxes(ticksuffix=" %", rangemode="tozero", automargin=True)
    styled(fig, height)
    fig.update_layout(margin={"t": 64})  # the subject's name above the legend
    return fig


def _bin_label(edge: float, step: float) -> str:
    if edge >= 10:
        return "10"
    return f"{vn_number(edge, 2)}–{vn_number(edge + step, 2)}"


def failing(subjects: Sequence[Mapping[str, Any]], *, lang: str) -> go.Figure:
    """Failing papers (điểm liệt, ≤ 1,0) per subject, most at the top; the share of the
    subject's papers in the hover."""
    rows = sorted(
        (s for s in subjects if s.get("candidates")),
        key=lambda s: (int(s.get("failing") or 0), str(s["subject"])),
    )
    names = [subject_name(str(s["subject"]), lang) for s in rows]
    counts = [int(s.get("failing") or 0) for s in rows]
    texts = [
        f"{vn_count(n)} / {vn_count(s['candidates'])} "
        f"({vn_number(100.0 * n / int(s['candidates']), 2)} %)"
        for n, s in zip(counts, rows, strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            y=names,
            x=counts,
            orientation="h",
            marker={"color": [BAD if n else MUTED for n in counts]},
            text=[vn_count(n) for n in counts],
            textposition="outside",
            cliponaxis=False,
            customdata=texts,
            hovertemplate="%{y}: <b>%{customdata}</b><extra></extra>",
        )
    )
    fig.update_xaxes(title_text=t("exams.failing_papers", lang), rangemode="tozero")
    fig.update_yaxes(type="category", automargin=True)
    return styled(fig, max(220, 60 + 26 * len(rows)))
