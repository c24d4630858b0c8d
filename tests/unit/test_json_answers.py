"""Dash's answers written by :mod:`dashboards.json_answers`: the same text plotly's writer
gives (components, figures, numpy arrays, dates, NaN, characters escaped for HTML), and the
writer Dash uses once the dashboard is made."""

from __future__ import annotations

import datetime
import decimal
from typing import Any

import dash._callback
import numpy as np
import plotly.graph_objects as go
import pytest
from dash import dcc, html
from plotly.io.json import to_json_plotly

from dashboards import json_answers

WILDCARDS: dict[str, Any] = {"aria-label": "Tải xuống", "data-kind": "xlsx"}
DATA: dict[str, Any] = {"data-value": "0.5"}


class SelfWritten(html.Span):
    """A component that writes its own JSON: its way is kept."""

    def to_plotly_json(self) -> dict[str, object]:
        return {"props": {"children": "written by itself"}, "type": "Span", "namespace": "x"}


def answer() -> dict[Any, object]:
    """A callback's answer as the dashboard makes them: a page of components with a figure,
    and values orjson cannot write by itself."""
    figure = go.Figure(
        go.Bar(x=np.arange(6)[::2], y=[1.5, float("nan"), float("inf")], name="</script><b>x")
    )
    page = html.Div(
        [
            html.H2("Tỷ lệ trường đạt chuẩn", title="a\u2028b / c"),
            html.A([html.Span("12,3 %"), " · ", html.Span(None)], href="/unit?unit=945&x=1"),
            dcc.Graph(figure=figure, config={"displayModeBar": False}),
            dcc.Dropdown(options=[{"label": "Xã <1>", "value": "1"}], value="1", id="d"),
            html.Button("Tải", n_clicks=0, **WILDCARDS),
            SelfWritten("own"),
        ],
        id="page",
        **DATA,
    )
    return {
        "multi": True,
        "response": {"_pages_content": {"children": page}},
        "when": datetime.datetime(2026, 12, 5, 7, 30, tzinfo=datetime.UTC),
        "day": datetime.date(2026, 12, 5),
        "share": decimal.Decimal("0.25"),
        "column": np.array([[1, 2], [3, 4]])[:, 0],
        1: "a number as a key",
    }


def test_the_same_text_as_plotlys_writer() -> None:
    ours = json_answers.to_json(answer())
    assert ours == to_json_plotly(answer(), engine="orjson")
    assert "</" not in ours and "\u2028" not in ours and "NaN" not in ours
    assert "Tỷ lệ trường đạt chuẩn" in ours  # Vietnamese kept as it is, not escaped
    assert '"aria-label":"Tải xuống"' in ours and '"data-kind":"xlsx"' in ours
    assert "written by itself" in ours


def test_what_cannot_be_written_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        json_answers.to_json({"x": object()})


def test_dash_writes_its_answers_with_it() -> None:
    from dashboards.app import create_dash

    create_dash("http://127.0.0.1:1/api/v1")
    assert dash._callback.to_json is json_answers.to_json
    assert dash.dash.to_json is json_answers.to_json
