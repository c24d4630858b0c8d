"""Unit boundaries for the maps: GeoJSON or TopoJSON files a deployment supplies
(``IOC_BOUNDARIES``), or else the MIT-licensed 2025 provinces and Cần Thơ communes shipped in
``ioc/geo_data`` (see its ATTRIBUTION.md); each feature matched to one of our units.

A file holds one kind of unit (2025 communes, old districts, provinces...). Each feature is
matched, for every (scheme, level), by

1. a code property (``code``, ``ma``, ``ma_tinh``..., or the feature id) equal to a unit code
   of that level (2 digits province, 3 district, 5 commune); a code whose unit has the same
   name scores higher than a bare code;
2. otherwise by name, without diacritics or type words ("Huyện", "Thành phố", "Township"),
   among the units whose centroid lies in the feature's bounding box; several candidates are
   told apart by point-in-polygon, then by distance to the box centre.

The (scheme, level) that matches the most features is the file's. Codes are shared across
schemes (a 2025 commune often keeps the code of one of the communes it merged), which is why a
whole file, not a feature, picks its scheme. Features matching the same unit are merged.

Geometry is kept in RFC 7946 orientation (exterior rings counter-clockwise) with coordinates
rounded to 5 decimals (about a metre); :func:`oriented` gives the clockwise rings that d3-geo
(Plotly's ``geo`` maps) expects. TopoJSON is decoded here (arcs, quantisation, delta coding):
it is a few lines, and the PyPI packages that do it bring shapely and friends for no gain.
"""

from __future__ import annotations

import json
import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from unidecode import unidecode

__all__ = [
    "Boundary",
    "BoundarySet",
    "load",
    "match_features",
    "normalise_name",
    "oriented",
    "read_features",
]

Geometry = dict[str, Any]
BBox = tuple[float, float, float, float]  # west, south, east, north

LEVELS: tuple[tuple[str, str], ...] = (
    ("2025", "province"),
    ("2025", "commune"),
    ("legacy", "province"),
    ("legacy", "district"),
    ("legacy", "commune"),
)
CODE_WIDTH = {"province": 2, "district": 3, "commune": 5}
NAME_KEYS = (
    "name",
    "name_vi",
    "ten",
    "ten_tinh",
    "ten_huyen",
    "ten_xa",
    "NAME_3",
    "NAME_2",
    "NAME_1",
    "name_en",
    "VARNAME_3",
    "VARNAME_2",
    "VARNAME_1",
)
CODE_KEYS = ("code", "ma", "ma_tinh", "ma_huyen", "ma_xa", "ma_dvhc", "CODE")
DIGITS = 5
BOX_MARGIN = 0.02  # degrees (~2 km): a centroid on the edge of a coarse boundary still counts

_TYPE_WORDS = (
    "thanh pho",
    "thi tran",
    "thi xa",
    "dac khu",
    "phuong",
    "quan",
    "huyen",
    "tinh",
    "xa",
    "tp",
    "tx",
    "tt",
)
_SUFFIXES = ("township", "city", "district", "town", "province", "commune", "ward")


# ---------------------------------------------------------------------------------------------
# Names


def _plain(text: str) -> list[str]:
    words = re.sub(r"[^a-z0-9]+", " ", unidecode(text).lower()).split()
    return [w.lstrip("0") or "0" if w.isdigit() else w for w in words]


def name_keys(text: str) -> set[str]:
    """Keys a name matches on: without diacritics, and without a leading type word
    ("Huyện Kế Sách", "Kế Sách" and "Ke Sach District" share the key "ke sach")."""
    words = _plain(text)
    keys = {" ".join(words)} if words else set()
    while words and words[-1] in _SUFFIXES and len(words) > 1:
        words = words[:-1]
        keys.add(" ".join(words))
    joined = " ".join(words)
    for prefix in _TYPE_WORDS:
        if joined.startswith(prefix + " ") and len(joined) > len(prefix) + 1:
            keys.add(joined[len(prefix) + 1 :])
            break
    return keys


def normalise_name(text: str) -> str:
    """The shortest key of a name: lower case, no diacritics, no type word."""
    return min(name_keys(text), key=len, default="")


# ---------------------------------------------------------------------------------------------
# Reading GeoJSON and TopoJSON


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


# ---------------------------------------------------------------------------------------------
# Geometry helpers (planar, in degrees: fine at the scale of a province)


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


# ---------------------------------------------------------------------------------------------
# Matching features to units


@dataclass(eq=False)
class Boundary:
    """A unit's shape. The geometry as read is rounded and oriented (RFC 7946) when first
    asked for: a large file is matched quickly and only the shapes served are cleaned."""

    scheme: str
    level: str
    code: str
    name: str
    parent_code: str | None
    raw: Geometry = field(repr=False)
    source: str = ""
    _shapes: dict[float, Geometry | None] = field(default_factory=dict, repr=False)

    def geometry(self, tolerance: float = 0.0) -> Geometry | None:
        if tolerance not in self._shapes:
            self._shapes[tolerance] = simplified(self.raw, tolerance=tolerance)
        return self._shapes[tolerance]

    def feature(self, clockwise: bool = False, tolerance: float = 0.0) -> dict[str, Any] | None:
        shape = self.geometry(tolerance)
        if shape is None:
            return None
        return {
            "type": "Feature",
            "id": self.code,
            "properties": {
                "scheme": self.scheme,
                "level": self.level,
                "code": self.code,
                "name": self.name,
            },
            "geometry": oriented(shape, clockwise),
        }


@dataclass(frozen=True)
class _Unit:
    code: str
    name: str
    parent_code: str | None
    latitude: float | None
    longitude: float | None


class _Index:
    """Units of each (scheme, level) by code, and by name key (built when first asked)."""

    def __init__(self, units: pl.DataFrame) -> None:
        names = "search_key" if "search_key" in units.columns else "name"
        self.by_code: dict[tuple[str, str], dict[str, _Unit]] = defaultdict(dict)
        self._names: dict[tuple[str, str], list[tuple[_Unit, str]]] = defaultdict(list)
        self._by_name: dict[tuple[str, str], dict[str, list[_Unit]]] = {}
        columns = ("scheme", "level", "code", "name", "parent_code", "latitude", "longitude")
        for row in units.select(*columns, pl.col(names).alias("_key")).iter_rows(named=True):
            unit = _Unit(
                row["code"], row["name"], row["parent_code"], row["latitude"], row["longitude"]
            )
            key = (row["scheme"], row["level"])
            self.by_code[key][unit.code] = unit
            self._names[key].append((unit, row["_key"]))

    def by_name(self, key: tuple[str, str]) -> dict[str, list[_Unit]]:
        if key not in self._by_name:
            found: dict[str, list[_Unit]] = defaultdict(list)
            for unit, text in self._names.get(key, ()):
                for name_key in name_keys(text):
                    found[name_key].append(unit)
            self._by_name[key] = found
        return self._by_name[key]


@dataclass(frozen=True)
class _Match:
    unit: _Unit
    score: int  # 3: code and name, 2: code and centroid in the box, 1: name in the box


def _codes_of(feature: dict[str, Any], width: int) -> list[str]:
    """Codes of the level's width in the code properties (an integer is zero-padded), or a
    feature id spelt with exactly that many digits (ids are often plain row numbers)."""
    props = feature.get("properties") or {}
    found = []
    for raw in (props.get(k) for k in CODE_KEYS):
        if isinstance(raw, bool) or raw is None:
            continue
        text = str(raw).strip()
        if isinstance(raw, int) or (text.isdigit() and len(text) < width):
            text = text.zfill(width)
        if text.isdigit() and len(text) == width:
            found.append(text)
    ident = feature.get("id")
    if isinstance(ident, str) and ident.isdigit() and len(ident) == width:
        found.append(ident)
    return found


def _names_of(feature: dict[str, Any]) -> set[str]:
    props = feature.get("properties") or {}
    keys: set[str] = set()
    for name in NAME_KEYS:
        value = props.get(name)
        if isinstance(value, str) and value.strip():
            keys |= name_keys(value)
    return keys


def _in_box(unit: _Unit, box: BBox) -> bool:
    if unit.latitude is None or unit.longitude is None:
        return False
    west, south, east, north = box
    return (
        west - BOX_MARGIN <= unit.longitude <= east + BOX_MARGIN
        and south - BOX_MARGIN <= unit.latitude <= north + BOX_MARGIN
    )


def _match_one(
    feature: dict[str, Any], names: set[str], box: BBox | None, index: _Index, key: tuple[str, str]
) -> _Match | None:
    units = index.by_code.get(key, {})
    for code in _codes_of(feature, CODE_WIDTH[key[1]]):
        unit = units.get(code)
        if unit is None:
            continue
        if names & name_keys(unit.name):
            return _Match(unit, 3)
        if box is None or _in_box(unit, box):
            return _Match(unit, 2)
    if box is None:
        return None
    by_name = index.by_name(key)
    candidates = {u.code: u for n in names for u in by_name.get(n, ()) if _in_box(u, box)}
    if not candidates:
        return None
    if len(candidates) == 1:
        return _Match(next(iter(candidates.values())), 1)
    pool = list(candidates.values())
    inside = [u for u in pool if contains(feature["geometry"], u.longitude, u.latitude)]  # type: ignore[arg-type]  # _in_box: has both
    pool = inside or pool
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    best = min(pool, key=lambda u: (u.longitude - cx) ** 2 + (u.latitude - cy) ** 2)  # type: ignore[operator]  # _in_box: has both
    return _Match(best, 1)


def match_features(
    features: list[dict[str, Any]], units: pl.DataFrame | _Index, source: str = ""
) -> list[Boundary]:
    """The features matched to units of the one (scheme, level) that fits them best.
    ``units`` are ``core_geo__units`` rows (``search_key`` is used when present)."""
    index = units if isinstance(units, _Index) else _Index(units)
    prepared = [(f, _names_of(f), bbox(f["geometry"])) for f in features if f.get("geometry")]
    best: tuple[int, tuple[str, str], list[tuple[dict[str, Any], _Match]]] | None = None
    for key in LEVELS:
        if key not in index.by_code:
            continue
        found = [
            (f, m) for f, names, box in prepared if (m := _match_one(f, names, box, index, key))
        ]
        score = sum(m.score for _, m in found)
        if score and (best is None or score > best[0]):
            best = (score, key, found)
    if best is None:
        return []
    _, (scheme, level), found = best
    shapes: dict[str, tuple[_Unit, Geometry]] = {}
    for feature, m in found:
        shape = feature["geometry"]
        if m.unit.code in shapes:
            shape = merged(shapes[m.unit.code][1], shape)
        shapes[m.unit.code] = (m.unit, shape)
    return [
        Boundary(scheme, level, u.code, u.name, u.parent_code, shape, source)
        for u, shape in sorted(shapes.values(), key=lambda item: item[0].code)
    ]


# ---------------------------------------------------------------------------------------------
# A set of files


@dataclass
class BoundarySet:
    """Every configured file's boundaries, by (scheme, level, code); the first file to
    cover a unit wins."""

    boundaries: dict[tuple[str, str, str], Boundary] = field(default_factory=dict)
    # (file name, scheme, level, features matched, features read)
    files: list[tuple[str, str, str, int, int]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def add(self, found: list[Boundary]) -> None:
        for b in found:
            self.boundaries.setdefault((b.scheme, b.level, b.code), b)

    def get(self, scheme: str, level: str, code: str) -> Boundary | None:
        return self.boundaries.get((scheme, level, code))

    def __len__(self) -> int:
        return len(self.boundaries)


def _identity(path: Path) -> tuple[str, int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (str(path), -1, -1)
    return (str(path), stat.st_mtime_ns, stat.st_size)


_cache: dict[tuple[Any, ...], BoundarySet] = {}
_lock = threading.Lock()


def units_digest(units: pl.DataFrame) -> int:
    """A fingerprint of the units a set was matched against."""
    cols = units.select("scheme", "level", "code", "name", "latitude", "longitude")
    return int(cols.hash_rows().sum()) if cols.height else 0


def load(paths: Sequence[Path], units: pl.DataFrame) -> BoundarySet:
    """The boundaries of the files, matched to ``units`` (the ``core_geo__units`` rows).
    Kept for the life of the process until a file or the units change. A file that
    cannot be read is reported in ``errors`` and skipped."""
    key = (tuple(_identity(Path(p)) for p in paths), units_digest(units))
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            return hit
        result = BoundarySet()
        index = _Index(units)
        for path in paths:
            path = Path(path)
            try:
                features = read_features(path)
                found = match_features(features, index, source=path.name)
            except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
                result.errors.append(f"{path}: {type(exc).__name__}: {exc}")
                continue
            result.add(found)
            if found:
                scheme, level = found[0].scheme, found[0].level
                result.files.append((path.name, scheme, level, len(found), len(features)))
        _cache.clear()  # one configuration at a time
        _cache[key] = result
        return result
