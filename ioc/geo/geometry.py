"""Planar geometry of boundary shapes (in degrees: fine at the scale of a province): rings and
polygons, bounding boxes, point in polygon, rounding, thinning and ring orientation.

Shapes are kept in RFC 7946 orientation (exterior rings counter-clockwise) with coordinates
rounded to 5 decimals (about a metre); :func:`oriented` gives the clockwise rings that d3-geo
(Plotly's ``geo`` maps) expects.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

Geometry = dict[str, Any]
BBox = tuple[float, float, float, float]  # west, south, east, north

DIGITS = 5


def polygons(geometry: Geometry) -> Iterator[list[list[list[float]]]]:
    """Each polygon (a list of rings) of a Polygon, MultiPolygon or GeometryCollection."""
    kind = geometry.get("type")
    if kind == "Polygon":
        yield geometry["coordinates"]
    elif kind == "MultiPolygon":
        yield from geometry["coordinates"]
    elif kind == "GeometryCollection":
        for part in geometry.get("geometries", []):
            yield from polygons(part)


def bbox(geometry: Geometry) -> BBox | None:
    west = south = float("inf")
    east = north = float("-inf")
    for polygon in polygons(geometry):
        if not polygon or not polygon[0]:
            continue
        xs = [p[0] for p in polygon[0]]
        ys = [p[1] for p in polygon[0]]
        west, east = min(west, *xs), max(east, *xs)
        south, north = min(south, *ys), max(north, *ys)
    return None if west == float("inf") else (west, south, east, north)


def _ring_contains(ring: list[list[float]], x: float, y: float) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def contains(geometry: Geometry, x: float, y: float) -> bool:
    """Whether the point (longitude, latitude) lies inside the (multi)polygon."""
    for polygon in polygons(geometry):
        if (
            polygon
            and _ring_contains(polygon[0], x, y)
            and not any(_ring_contains(hole, x, y) for hole in polygon[1:])
        ):
            return True
    return False


def _signed_area(ring: list[list[float]]) -> float:
    return sum(
        ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1] for i in range(len(ring) - 1)
    )


def _thin(points: list[list[float]], tolerance: float) -> list[list[float]]:
    """Douglas-Peucker on a closed ring (planar, in degrees); the ends stay."""
    if tolerance <= 0 or len(points) <= 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    squared = tolerance * tolerance
    while stack:
        first, last = stack.pop()
        ax, ay = points[first]
        bx, by = points[last]
        dx, dy = bx - ax, by - ay
        norm = dx * dx + dy * dy
        worst, index = -1.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            if norm == 0:
                dist = (px - ax) ** 2 + (py - ay) ** 2
            else:
                cross = (px - ax) * dy - (py - ay) * dx
                dist = cross * cross / norm
            if dist > worst:
                worst, index = dist, i
        if index > 0 and worst > squared:
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    thinned = [p for p, k in zip(points, keep, strict=True) if k]
    return thinned if len(thinned) >= 4 else points  # a small island keeps its shape


def _clean_ring(
    ring: list[list[float]], digits: int, ccw: bool, tolerance: float = 0.0
) -> list[list[float]] | None:
    points: list[list[float]] = []
    for position in ring:
        p = [round(position[0], digits), round(position[1], digits)]
        if not points or p != points[-1]:
            points.append(p)
    if points and points[0] != points[-1]:
        points.append(points[0])
    if len(points) < 4:
        return None
    points = _thin(points, tolerance)
    area = _signed_area(points)
    if area == 0:
        return None
    return points if (area > 0) == ccw else points[::-1]


def simplified(geometry: Geometry, digits: int = DIGITS, tolerance: float = 0.0) -> Geometry | None:
    """A (Multi)Polygon with coordinates rounded, repeated points and degenerate rings
    dropped, exterior rings counter-clockwise and holes clockwise (RFC 7946); with a
    ``tolerance`` (degrees), each ring thinned by Douglas-Peucker (a ring too small to
    thin is kept whole, so small islands stay on the map)."""
    parts = []
    for polygon in polygons(geometry):
        rings = []
        for index, ring in enumerate(polygon):
            cleaned = _clean_ring(ring, digits, ccw=index == 0, tolerance=tolerance)
            if cleaned is None and index == 0:
                break
            if cleaned is not None:
                rings.append(cleaned)
        if rings:
            parts.append(rings)
    if not parts:
        return None
    if len(parts) == 1:
        return {"type": "Polygon", "coordinates": parts[0]}
    return {"type": "MultiPolygon", "coordinates": parts}


def oriented(geometry: Geometry, clockwise: bool) -> Geometry:
    """The geometry with exterior rings clockwise (d3-geo, Plotly ``geo``) or
    counter-clockwise (RFC 7946); holes the other way."""
    if not clockwise:
        return geometry

    def flip(polygon: list[list[list[float]]]) -> list[list[list[float]]]:
        return [ring[::-1] for ring in polygon]

    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": flip(geometry["coordinates"])}
    return {"type": "MultiPolygon", "coordinates": [flip(p) for p in geometry["coordinates"]]}


def merged(first: Geometry, second: Geometry) -> Geometry:
    parts = [*polygons(first), *polygons(second)]
    return {"type": "MultiPolygon", "coordinates": parts}
