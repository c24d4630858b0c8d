"""Figures made in one go (dashboards/figures/build.py) are the figures plotly would make
with validation, add_trace and update_layout, at a fraction of the CPU."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from dashboards.figures.build import figure
from dashboards.figures.unit import shared_layout, trend


def _rows() -> list[dict[str, Any]]:
    return [
        {
            "school_year": f"{y}-{y + 1}",
            "term": "CN",
            "value": 30.0 + y % 3,
            "norm_value": 35.0,
            "target_value": 33.0 if y > 2022 else None,
            "schools_contributing": 9,
            "schools_in_scope": 10,
        }
        for y in range(2019, 2026)
    ]


def test_a_named_template_is_resolved_as_plotly_resolves_it() -> None:
    trace = go.Scatter(x=["a", "b"], y=[1, 2], name="v")
    layout = {**shared_layout(300), "hovermode": "x unified", "yaxis": {"title": {"text": "%"}}}
    assert figure([trace], layout).to_plotly_json() == go.Figure([trace], layout).to_plotly_json()


def test_without_a_template_plotly_s_default_applies() -> None:
    trace = go.Scattergeo(lon=[105.8], lat=[21.0], mode="markers")
    layout = {"geo": {"visible": False, "fitbounds": "locations"}, "dragmode": "pan"}
    assert figure([trace], layout).to_plotly_json() == go.Figure([trace], layout).to_plotly_json()


def test_the_trend_is_the_figure_plotly_builds_step_by_step() -> None:
    rows = _rows()
    fig = trend(rows, lang="vi", unit="HS/lớp", break_before="2025-2026/CN")
    made = go.Figure(fig.data)  # the same traces, the layout built the incremental way
    made.add_shape(fig.layout.shapes[0])
    made.add_annotation(fig.layout.annotations[0])
    made.update_layout(hovermode="x unified")
    made.update_xaxes(fig.layout.xaxis)
    made.update_yaxes(fig.layout.yaxis)
    made.update_layout(**shared_layout(340))
    assert fig.to_plotly_json() == made.to_plotly_json()
    assert fig.layout.template.layout.paper_bgcolor == "white"  # plotly_white, resolved
