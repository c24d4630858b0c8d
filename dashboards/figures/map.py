"""Map figures, pure functions of the data: a choropleth of child units coloured by norm band
(or by value on a sequential scale when the indicator has no norm), points at the unit
centres where no boundary covers a unit, and Hoàng Sa and Trường Sa on any whole-country map.

The map is Plotly's ``geo`` subplot (SVG, d3-geo): it needs no tiles, no glyph server and no
WebGL, so it draws offline and in headless browsers. Its rings must be clockwise (the API's
``?winding=clockwise``), and the base-layer topojson it asks for is an empty file served from
``assets/world_110m.json`` (:data:`TOPOJSON_URL`), never a CDN.

A figure's traces are fixed once drawn: the choropleth (if any boundary), the points (if
any unit lacks a boundary), the islands (whole country). Changing the indicator only
restyles them (:func:`restyle`), so the page can send a ``Patch`` without the GeoJSON.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from dashboards.figures.build import figure
from dashboards.formats import counts, value_text, vn_number
from dashboards.i18n import t

if TYPE_CHECKING:
    from dash import dcc

TOPOJSON_URL = "/assets/"
BAND_COLOURS = {
    "fails": "#c0392b",
    "meets": "#2e8b57",
    "no_norm": "#5b8cc0",
    "no_value": "#d9dde3",
}
BANDS = ("meets", "fails", "no_norm", "no_value")
# band -> position on a [0, 1] colour scale made of steps
BAND_Z = {"no_value": 0.0, "fails": 1 / 3, "meets": 2 / 3, "no_norm": 1.0}
BAND_SCALE = [
    [0.0, BAND_COLOURS["no_value"]],
    [1 / 6, BAND_COLOURS["no_value"]],
    [1 / 6, BAND_COLOURS["fails"]],
    [1 / 2, BAND_COLOURS["fails"]],
    [1 / 2, BAND_COLOURS["meets"]],
    [5 / 6, BAND_COLOURS["meets"]],
    [5 / 6, BAND_COLOURS["no_norm"]],
    [1.0, BAND_COLOURS["no_norm"]],
]
SEQUENTIAL = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]
SCALE_FLOOR = 0.12  # values map to [SCALE_FLOOR, 1]; below it is the grey of "no data"
VALUE_SCALE = [
    [0.0, BAND_COLOURS["no_value"]],
    [SCALE_FLOOR - 0.02, BAND_COLOURS["no_value"]],
    *[
        [SCALE_FLOOR - 0.02 + (1 - SCALE_FLOOR + 0.02) * i / (len(SEQUENTIAL) - 1), c]
        for i, c in enumerate(SEQUENTIAL)
    ],
]
# label positions of the archipelagos (on the 2025 province file they are parts of
# Đà Nẵng, 48, and Khánh Hòa, 56)
ISLANDS = (
    ("map.hoang_sa", "map.hoang_sa_hover", 112.05, 16.45, "bottom center"),
    ("map.truong_sa", "map.truong_sa_hover", 114.2, 9.95, "bottom center"),
)
ISLAND_UNITS = {"hoang sa": (112.05, 16.45), "truong sa": (114.2, 9.95)}


def band(row: Mapping[str, Any] | None) -> str:
    """meets / fails / no_norm / no_value: the norm band a unit's value falls in."""
    if row is None or row.get("value") is None:
        return "no_value"
    status = row.get("norm_status")
    if status == "meets":
        return "meets"
    if status in ("below", "above"):
        return "fails"
    return "no_norm"


@dataclass(frozen=True)
class Colouring:
    """How one indicator colours the units: by norm band, or by value when no unit has
    a norm (then ``low``/``high`` bound the sequential scale)."""

    mode: str  # 'bands' | 'scale'
    low: float | None = None
    high: float | None = None
    counts: dict[str, int] = field(default_factory=dict)

    def position(self, row: Mapping[str, Any] | None) -> float:
        """Where the unit sits on the trace's [0, 1] colour scale."""
        kind = band(row)
        if self.mode == "bands" or kind == "no_value":
            return BAND_Z[kind]
        assert row is not None and self.low is not None and self.high is not None
        span = self.high - self.low
        share = 0.5 if span <= 0 else (row["value"] - self.low) / span
        return SCALE_FLOOR + (1 - SCALE_FLOOR) * min(1.0, max(0.0, share))

    def colour(self, row: Mapping[str, Any] | None) -> str:
        kind = band(row)
        if self.mode == "bands" or kind == "no_value":
            return BAND_COLOURS[kind]
        share = (self.position(row) - SCALE_FLOOR) / (1 - SCALE_FLOOR)
        return str(sample_colorscale(SEQUENTIAL, [share])[0])

    @property
    def colorscale(self) -> list[list[Any]]:
        return BAND_SCALE if self.mode == "bands" else VALUE_SCALE


def colouring(rows: Sequence[Mapping[str, Any]]) -> Colouring:
    counts = dict.fromkeys(BANDS, 0)
    for row in rows:
        counts[band(row)] += 1
    if counts["meets"] or counts["fails"]:
        return Colouring("bands", counts=counts)
    values = [r["value"] for r in rows if r.get("value") is not None]
    if not values:
        return Colouring("bands", counts=counts)
    return Colouring("scale", min(values), max(values), counts)


def hover_text(
    name: str, row: Mapping[str, Any] | None, indicator: Mapping[str, Any], lang: str
) -> str:
    """Unit, value, norm band and coverage (schools contributing / in scope)."""
    unit = str(indicator.get(f"unit_{lang}") or indicator.get("unit_vi") or "")
    title = str(indicator.get(f"name_{lang}") or indicator.get("name_vi") or "")
    lines = [f"<b>{name}</b>"]
    if row is None or row.get("value") is None:
        lines.append(f"{title}: {t('map.no_value', lang)}")
    else:
        lines.append(f"{title}: <b>{value_text(row['value'], unit, count=counts(row))}</b>")
        lines.append(t(f"map.{band(row)}", lang))
        if row.get("norm_value") is not None:
            lines.append(t("map.norm", lang, norm=value_text(row["norm_value"], unit)))
    if row is not None and row.get("schools_in_scope") is not None:
        lines.append(
            t(
                "map.coverage",
                lang,
                n=vn_number(row.get("schools_contributing") or 0),
                of=vn_number(row.get("schools_in_scope") or 0),
            )
        )
    return "<br>".join(lines)


@dataclass(frozen=True)
class MapUnit:
    """A unit on the map: code, name, and centre (for its point if it has no boundary)."""

    code: str
    name: str
    lat: float | None = None
    lon: float | None = None


def point_of(unit: Mapping[str, Any]) -> MapUnit:
    """A unit's point; the island districts and đặc khu sit on their archipelago (the
    unit tables put the old districts' centres on the mainland)."""
    name = str(unit.get("short_name") or unit.get("name") or "")
    key = " ".join(
        "".join(
            c for c in unicodedata.normalize("NFD", name.lower()) if unicodedata.category(c) != "Mn"
        )
        .replace("đ", "d")
        .split()
    )
    lon, lat = unit.get("longitude"), unit.get("latitude")
    for island, (ilon, ilat) in ISLAND_UNITS.items():
        if key.endswith(island):
            lon, lat = ilon, ilat
    return MapUnit(str(unit["code"]), str(unit.get("name") or unit["code"]), lat, lon)


@dataclass(frozen=True)
class Layers:
    """Which trace holds what, so that a later restyle finds them."""

    shapes: list[str]  # codes, in the choropleth's order
    points: list[str]  # codes of the units drawn as points, in order
    shape_trace: int | None
    point_trace: int | None
    island_trace: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "shapes": self.shapes,
            "points": self.points,
            "shape_trace": self.shape_trace,
            "point_trace": self.point_trace,
            "island_trace": self.island_trace,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Layers:
        return cls(
            list(data.get("shapes") or []),
            list(data.get("points") or []),
            data.get("shape_trace"),
            data.get("point_trace"),
            data.get("island_trace"),
        )


def layers_for(
    units: Sequence[MapUnit], geojson: Mapping[str, Any] | None, country: bool
) -> Layers:
    covered = {
        str(f.get("properties", {}).get("code")) for f in (geojson or {}).get("features", [])
    }
    shapes = [u.code for u in units if u.code in covered]
    points = [u.code for u in units if u.code not in covered and u.lat is not None]
    index = 0
    shape_trace = point_trace = island_trace = None
    if shapes:
        shape_trace, index = index, index + 1
    if points:
        point_trace, index = index, index + 1
    if country:
        island_trace = index
    return Layers(shapes, points, shape_trace, point_trace, island_trace)


def point_sizes(rows: Sequence[Mapping[str, Any] | None]) -> list[float]:
    """Point areas grow with the schools in scope (so a big district reads as big)."""
    schools = [float((r or {}).get("schools_in_scope") or 0) for r in rows]
    top = max(schools, default=0) or 1
    return [9 + 17 * math.sqrt(s / top) for s in schools]


def restyle(
    layers: Layers,
    names: Mapping[str, str],
    rows: Mapping[str, Mapping[str, Any]],
    indicator: Mapping[str, Any],
    lang: str,
) -> dict[int, dict[str, Any]]:
    """What changes in each trace when the indicator (or its values) changes:
    trace index -> {property path: value}. Never the geometry."""
    paint = colouring([rows.get(code) or {} for code in [*layers.shapes, *layers.points]])

    def texts(codes: list[str]) -> list[str]:
        return [hover_text(names.get(c, c), rows.get(c), indicator, lang) for c in codes]

    updates: dict[int, dict[str, Any]] = {}
    if layers.shape_trace is not None:
        updates[layers.shape_trace] = {
            "z": [paint.position(rows.get(c)) for c in layers.shapes],
            "text": texts(layers.shapes),
            "colorscale": paint.colorscale,
        }
    if layers.point_trace is not None:
        point_rows = [rows.get(c) for c in layers.points]
        updates[layers.point_trace] = {
            "marker.color": [paint.colour(r) for r in point_rows],
            "marker.size": point_sizes(point_rows),
            "text": texts(layers.points),
        }
    return updates


def map_figure(
    units: Sequence[MapUnit],
    geojson: Mapping[str, Any] | None,
    rows: Mapping[str, Mapping[str, Any]],
    indicator: Mapping[str, Any],
    lang: str,
    *,
    country: bool = False,
    revision: str = "map",
) -> tuple[go.Figure, Layers]:
    """The map of ``units`` coloured by ``rows`` (values by unit code) of ``indicator``."""
    layers = layers_for(units, geojson, country)
    names = {u.code: u.name for u in units}
    by_code = {u.code: u for u in units}
    updates = restyle(layers, names, rows, indicator, lang)
    traces: list[Any] = []
    if layers.shape_trace is not None:
        style = updates[layers.shape_trace]
        traces.append(
            go.Choropleth(
                geojson=geojson,
                locations=layers.shapes,
                featureidkey="properties.code",
                z=style["z"],
                zmin=0,
                zmax=1,
                zauto=False,
                colorscale=style["colorscale"],
                showscale=False,
                marker={"line": {"color": "#ffffff", "width": 0.7}},
                text=style["text"],
                customdata=layers.shapes,
                hovertemplate="%{text}<extra></extra>",
                name="",
            )
        )
    if layers.point_trace is not None:
        style = updates[layers.point_trace]
        traces.append(
            go.Scattergeo(
                lon=[by_code[c].lon for c in layers.points],
                lat=[by_code[c].lat for c in layers.points],
                mode="markers",
                marker={
                    "size": style["marker.size"],
                    "color": style["marker.color"],
                    "line": {"color": "#ffffff", "width": 1},
                    "opacity": 0.95,
                },
                text=style["text"],
                customdata=layers.points,
                hovertemplate="%{text}<extra></extra>",
                name="",
            )
        )
    if layers.island_trace is not None:
        traces.append(islands_trace(lang))
    layout = {
        "geo": {
            "visible": False,
            "projection": {"type": "mercator"},
            "fitbounds": "locations",
            "bgcolor": "rgba(0,0,0,0)",
        },
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "showlegend": False,
        "hoverlabel": {"bgcolor": "#ffffff", "font": {"size": 13}},
        "uirevision": revision,
        "dragmode": "pan",
    }
    fig = figure(traces, layout)  # in one go: a tenth of update_layout's CPU
    return fig, layers


def islands_trace(lang: str) -> go.Scattergeo:
    """Hoàng Sa and Trường Sa, labelled: drawn on every whole-country map."""
    return go.Scattergeo(
        lon=[i[2] for i in ISLANDS],
        lat=[i[3] for i in ISLANDS],
        mode="markers+text",
        text=[t(i[0], lang) for i in ISLANDS],
        textposition=[i[4] for i in ISLANDS],
        textfont={"size": 12, "color": "#1d2430"},
        marker={"size": 6, "color": "#1d2430", "symbol": "circle"},
        hovertext=[t(i[1], lang) for i in ISLANDS],
        hovertemplate="%{hovertext}<extra></extra>",
        name="",
    )


def graph_config() -> dcc.Graph.Config:
    return {
        "topojsonURL": TOPOJSON_URL,
        "displaylogo": False,
        "scrollZoom": True,
        "responsive": True,
        "modeBarButtonsToRemove": ["select2d", "lasso2d"],
    }
