"""Reading boundary files: the features of a GeoJSON or TopoJSON document.

TopoJSON is decoded here (arcs, quantisation, delta coding): it is a few lines, and the PyPI
packages that do it bring shapely and friends for no gain.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ioc.geo.geometry import Geometry


def read_features(path: Path) -> list[dict[str, Any]]:
    """The features of a GeoJSON (FeatureCollection, Feature or geometry) or TopoJSON file."""
    with Path(path).open(encoding="utf-8-sig") as handle:
        doc = json.load(handle)
    return features_of(doc)


def features_of(doc: dict[str, Any]) -> list[dict[str, Any]]:
    kind = doc.get("type")
    if kind == "Topology":
        return topology_features(doc)
    if kind == "FeatureCollection":
        return [f for f in doc.get("features") or [] if f and f.get("geometry")]
    if kind == "Feature":
        return [doc] if doc.get("geometry") else []
    if kind in ("Polygon", "MultiPolygon", "GeometryCollection"):
        return [{"type": "Feature", "properties": {}, "geometry": doc}]
    raise ValueError(f"not GeoJSON or TopoJSON (type {kind!r})")


def topology_features(topo: dict[str, Any]) -> list[dict[str, Any]]:
    """Every geometry of every object of a TopoJSON topology, as GeoJSON features."""
    decoder = _Topology(topo)
    features = []
    for obj in topo.get("objects", {}).values():
        members = obj.get("geometries", []) if obj.get("type") == "GeometryCollection" else [obj]
        for member in members:
            shape = decoder.geometry(member)
            if shape is None:
                continue
            feature: dict[str, Any] = {
                "type": "Feature",
                "properties": member.get("properties") or {},
                "geometry": shape,
            }
            if "id" in member:
                feature["id"] = member["id"]
            features.append(feature)
    return features


class _Topology:
    """Arcs decoded once (quantised and delta-coded when the topology has a transform)."""

    def __init__(self, topo: dict[str, Any]) -> None:
        self.transform = topo.get("transform")
        scale, translate = (
            (self.transform["scale"], self.transform["translate"])
            if self.transform
            else ((1, 1), (0, 0))
        )
        self.scale, self.translate = scale, translate
        quantized = self.transform is not None
        self.arcs = [_decode_arc(arc, scale, translate, quantized) for arc in topo["arcs"]]

    def point(self, position: Sequence[float]) -> list[float]:
        if self.transform is None:
            return [float(position[0]), float(position[1])]
        return [
            position[0] * self.scale[0] + self.translate[0],
            position[1] * self.scale[1] + self.translate[1],
        ]

    def line(self, indices: Iterable[int]) -> list[list[float]]:
        coords: list[list[float]] = []
        for index in indices:
            points = self.arcs[index] if index >= 0 else self.arcs[~index][::-1]
            coords.extend(points[1:] if coords else points)
        return coords

    def geometry(self, obj: dict[str, Any]) -> Geometry | None:
        kind = obj.get("type")
        if kind == "Point":
            return {"type": kind, "coordinates": self.point(obj["coordinates"])}
        if kind == "MultiPoint":
            return {"type": kind, "coordinates": [self.point(p) for p in obj["coordinates"]]}
        if kind == "LineString":
            return {"type": kind, "coordinates": self.line(obj["arcs"])}
        if kind == "MultiLineString":
            return {"type": kind, "coordinates": [self.line(a) for a in obj["arcs"]]}
        if kind == "Polygon":
            return {"type": kind, "coordinates": [self.line(ring) for ring in obj["arcs"]]}
        if kind == "MultiPolygon":
            return {
                "type": kind,
                "coordinates": [[self.line(ring) for ring in poly] for poly in obj["arcs"]],
            }
        if kind == "GeometryCollection":
            parts = [g for g in (self.geometry(o) for o in obj.get("geometries", [])) if g]
            return {"type": kind, "geometries": parts}
        return None


def _decode_arc(
    arc: list[list[float]], scale: Sequence[float], translate: Sequence[float], quantized: bool
) -> list[list[float]]:
    if not quantized:
        return [[float(p[0]), float(p[1])] for p in arc]
    x = y = 0.0
    points = []
    for position in arc:
        x += position[0]
        y += position[1]
        points.append([x * scale[0] + translate[0], y * scale[1] + translate[1]])
    return points
