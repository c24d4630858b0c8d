"""The vendored plotly.js bundle matches plotly.py and holds every trace the dashboard draws."""

from __future__ import annotations

import re
from pathlib import Path

from plotly.offline import get_plotlyjs_version

from dashboards import plotly_js

DASHBOARDS = Path(plotly_js.__file__).parent
VENDOR = plotly_js.BUNDLE.parent
# go.Figure and friends are not trace types
NOT_TRACES = {"Figure", "FigureWidget", "Layout", "Frame"}


def _registered() -> set[str]:
    entry = (VENDOR / "entry.js").read_text(encoding="utf-8")
    return {"scatter", *re.findall(r"require\('plotly\.js/lib/(\w+)'\)", entry)} - {"core"}


def _drawn() -> set[str]:
    used: set[str] = set()
    for source in DASHBOARDS.rglob("*.py"):
        used |= set(re.findall(r"\bgo\.([A-Z]\w*)\(", source.read_text(encoding="utf-8")))
    return {name.lower() for name in used - NOT_TRACES}


def test_bundle_is_plotly_py_s_version() -> None:
    head = plotly_js.BUNDLE.read_bytes()[:400].decode("utf-8")
    assert f"plotly.js v{get_plotlyjs_version()} " in head, "rebuild: make plotly-js"
    assert f'version="{get_plotlyjs_version()}"' in plotly_js.BUNDLE.read_text(encoding="utf-8")


def test_bundle_holds_every_trace_type_the_dashboard_draws() -> None:
    drawn = _drawn()
    assert {"choropleth", "scattergeo", "bar", "scatter"} <= drawn  # the scan finds them
    missing = drawn - _registered()
    assert not missing, f"add {sorted(missing)} to dashboards/vendor/plotly/entry.js"


def test_bundle_is_much_smaller_than_the_full_plotly_js() -> None:
    import plotly

    full = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert plotly_js.BUNDLE.stat().st_size < full.stat().st_size / 2
