"""Unit boundaries for the maps: GeoJSON or TopoJSON files a deployment supplies
(``IOC_BOUNDARIES``), or else the MIT-licensed 2025 provinces and Cần Thơ communes shipped in
``ioc/geo_data`` (see its ATTRIBUTION.md); each feature matched to one of our units.

Files are read by :mod:`ioc.geo.geojson`, their features matched to units by
:mod:`ioc.geo.matching` (one (scheme, level) per file); features matching the same unit are
merged into the unit's :class:`Boundary`, whose shape is cleaned by :mod:`ioc.geo.geometry`
when first served. :func:`load` keeps a set of files matched for the life of the process.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from ioc.geo.geojson import read_features
from ioc.geo.geometry import Geometry, merged, oriented, simplified
from ioc.geo.matching import Candidate, UnitIndex, best_level


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


def match_features(
    features: list[dict[str, Any]], units: pl.DataFrame | UnitIndex, source: str = ""
) -> list[Boundary]:
    """The features matched to units of the one (scheme, level) that fits them best.
    ``units`` are ``core_geo__units`` rows (``search_key`` is used when present)."""
    index = units if isinstance(units, UnitIndex) else UnitIndex(units)
    best = best_level(features, index)
    if best is None:
        return []
    (scheme, level), found = best
    shapes: dict[str, tuple[Candidate, Geometry]] = {}
    for feature, m in found:
        shape = feature["geometry"]
        if m.unit.code in shapes:
            shape = merged(shapes[m.unit.code][1], shape)
        shapes[m.unit.code] = (m.unit, shape)
    return [
        Boundary(scheme, level, u.code, u.name, u.parent_code, shape, source)
        for u, shape in sorted(shapes.values(), key=lambda item: item[0].code)
    ]


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
        index = UnitIndex(units)
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
