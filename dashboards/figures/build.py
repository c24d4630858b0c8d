"""Figures made in one go: traces and layout given to the Figure at once, a named template
taken from a copy made once per process, and the layout not validated again.

``go.Figure()`` followed by ``add_trace``/``update_layout`` (or a ``template`` named in the
layout) re-validates and deep-copies the whole template on every figure: 10 to 17 ms of CPU
per figure, most of a callback's own CPU on the unit and map pages. :func:`figure` gives the
same figure (``to_plotly_json`` equal; tests/unit/test_dash_figure_build.py) for about 1 ms.
Each trace is still validated where it is made (``go.Scatter(...)``)."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
from plotly.basedatatypes import BaseTraceType


@functools.cache
def template(name: str) -> dict[str, Any]:
    """A registered template (e.g. ``plotly_white``) as plain JSON, made once."""
    return dict(pio.templates[name].to_plotly_json())


def figure(data: Sequence[BaseTraceType], layout: Mapping[str, Any]) -> go.Figure:
    """``go.Figure(data=data, layout=layout)`` without validating the layout again; a
    template named by a string is resolved as plotly would (no template: plotly's default)."""
    named = layout.get("template")
    plain = dict(layout)
    if isinstance(named, str):
        plain["template"] = template(named)
    return go.Figure(data=list(data), layout=plain, _validate=False)
