"""Boundary files matched to units (ioc/geo/: boundaries, geojson, geometry, matching), on small
hand-written GeoJSON and TopoJSON: codes, names within the bounding box, a file's scheme,
TopoJSON decoding, ring orientation, rounding and thinning, and the per-process cache."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from ioc.geo import boundaries as b
from ioc.geo import geojson, geometry, matching

UNITS = pl.DataFrame(
    [
        ("legacy", "province", "94", "Tỉnh Sóc Trăng", "Sóc Trăng", None, 9.617375, 105.876004),
        ("legacy", "province", "95", "Tỉnh Bạc Liêu", "Bạc Liêu", None, 9.289943, 105.500548),
        ("legacy", "district", "942", "Huyện Châu Thành", "Châu Thành", "94", 9.680973, 105.899),
        ("legacy", "district", "821", "Huyện Châu Thành", "Châu Thành", "82", 10.3985, 106.27575),
        ("legacy", "district", "943", "Huyện Kế Sách", "Kế Sách", "94", 9.831011, 105.92299),
        ("legacy", "district", "945", "Huyện Cù Lao Dung", "Cù Lao Dung", "94", 9.579152, 106.2287),
        ("legacy", "commune", "31120", "Phường An Hòa", "An Hòa", "916", 10.04545, 105.768861),
        ("legacy", "commune", "31135", "Phường Tân An", "Tân An", "916", 10.034262, 105.787005),
        ("2025", "commune", "31120", "Phường Cái Khế", "Cái Khế", "92", 10.0517, 105.781),
        ("2025", "commune", "31135", "Phường Ninh Kiều", "Ninh Kiều", "92", 10.0331, 105.777),
        ("2025", "province", "92", "Thành phố Cần Thơ", "Cần Thơ", None, 9.75, 105.8),
    ],
    schema=[
        "scheme",
        "level",
        "code",
        "name",
        "short_name",
        "parent_code",
        "latitude",
        "longitude",
    ],
    orient="row",
)


def square(lon: float, lat: float, half: float = 0.05) -> dict[str, Any]:
    """A square polygon around a point, exterior ring clockwise (as many files have it)."""
    ring = [
        [lon - half, lat - half],
        [lon - half, lat + half],
        [lon + half, lat + half],
        [lon + half, lat - half],
        [lon - half, lat - half],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(props: dict[str, Any], geometry: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "properties": props, "geometry": geometry}


DISTRICTS = {
    "type": "FeatureCollection",
    "features": [
        feature({"code": "943", "name": "Kế Sách"}, square(105.92, 9.83)),
        # no code; English spelling with a type word: matched by name in the box
        feature({"name_vi": "Cu Lao Dung District"}, square(106.23, 9.58)),
        # a name shared by two districts: the one whose centre is in the box
        feature({"name": "Châu Thành", "type_vi": "Huyện"}, square(105.90, 9.68, 0.04)),
        # nothing of ours here
        feature({"name": "Somewhere Else"}, square(100.0, 20.0)),
    ],
}


def test_name_keys_ignore_diacritics_type_words_and_leading_zeros() -> None:
    assert "ke sach" in matching.name_keys("Huyện Kế Sách")
    assert "ke sach" in matching.name_keys("Ke Sach District")
    assert matching.normalise_name("Long Xuyen Township") == "long xuyen"
    assert matching.normalise_name("Quận 01") == "1"
    assert matching.normalise_name("Thành phố Cần Thơ") == "can tho"
    # a name that starts like a type word keeps its full form too
    assert "xa xiem" in matching.name_keys("Xa Xiêm")


def test_features_match_by_code_then_by_name_inside_the_box() -> None:
    found = {x.code: x for x in b.match_features(DISTRICTS["features"], UNITS)}
    assert set(found) == {"942", "943", "945"}
    assert {x.scheme for x in found.values()} == {"legacy"}
    assert {x.level for x in found.values()} == {"district"}
    assert found["942"].parent_code == "94"  # not 821, the other Châu Thành
    assert found["945"].name == "Huyện Cù Lao Dung"


def test_a_file_takes_the_scheme_that_fits_most_of_its_features() -> None:
    # the codes exist in both schemes; the names are those of the 2025 communes
    communes = [
        feature({"code": "31120", "name": "Cái Khế"}, square(105.781, 10.0517, 0.01)),
        feature({"code": "31135", "name": "Ninh Kiều"}, square(105.777, 10.0331, 0.01)),
    ]
    found = b.match_features(communes, UNITS)
    assert [(x.scheme, x.level, x.code, x.name) for x in found] == [
        ("2025", "commune", "31120", "Phường Cái Khế"),
        ("2025", "commune", "31135", "Phường Ninh Kiều"),
    ]


def test_features_of_one_unit_are_merged() -> None:
    parts = [
        feature({"code": "943"}, square(105.90, 9.83, 0.02)),
        feature({"code": "943"}, square(105.95, 9.83, 0.02)),
    ]
    (found,) = b.match_features(parts, UNITS)
    shape = found.geometry()
    assert shape is not None and shape["type"] == "MultiPolygon"
    assert len(shape["coordinates"]) == 2


# Two provinces sharing one edge, quantised and delta-coded: arc 0 is the shared edge
# (105.7, 9.2) -> (105.7, 9.8); Sóc Trăng goes round east of it, Bạc Liêu west.
TOPOLOGY = {
    "type": "Topology",
    "transform": {"scale": [0.01, 0.01], "translate": [105.0, 9.0]},
    "objects": {
        "provinces": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "arcs": [[0, 1]], "properties": {"ten_tinh": "Sóc Trăng"}},
                {
                    "type": "Polygon",
                    "arcs": [[2, -1]],
                    "properties": {"ten_tinh": "Bạc Liêu", "code": "AD01"},
                },
            ],
        }
    },
    "arcs": [
        [[70, 20], [0, 60]],  # (105.7, 9.2) -> (105.7, 9.8)
        [[70, 80], [40, 0], [0, -60], [-40, 0]],  # -> (106.1, 9.8) -> (106.1, 9.2) -> back
        [[70, 20], [-40, 0], [0, 60], [40, 0]],  # -> (105.3, 9.2) -> (105.3, 9.8) -> (105.7, 9.8)
    ],
}


def test_topojson_arcs_are_decoded_and_matched() -> None:
    features = geojson.features_of(TOPOLOGY)
    assert len(features) == 2
    ring = features[0]["geometry"]["coordinates"][0]
    expected = [(105.7, 9.2), (105.7, 9.8), (106.1, 9.8), (106.1, 9.2), (105.7, 9.2)]
    assert [(round(x, 6), round(y, 6)) for x, y in ring] == expected
    # the shared arc, reversed (~0 = -1), closes Bạc Liêu's ring
    west = features[1]["geometry"]["coordinates"][0]
    assert [round(x, 6) for x, _ in west] == [105.7, 105.3, 105.3, 105.7, 105.7]
    found = {x.code: x for x in b.match_features(features, UNITS)}
    assert set(found) == {"94", "95"}
    assert geometry.contains(found["94"].raw, 105.876004, 9.617375)


def test_geometry_is_rounded_oriented_and_thinned() -> None:
    wiggly = [[105.0 + i / 100 + 1e-7, 9.0 + (i % 2) * 1e-6] for i in range(11)]
    ring = [*wiggly, [106.0, 10.0], [105.0, 10.0], wiggly[0]]
    shape = geometry.simplified({"type": "Polygon", "coordinates": [ring]})
    assert shape is not None
    exterior = shape["coordinates"][0]
    assert all(round(v, 5) == v for p in exterior for v in p)
    assert geometry._signed_area(exterior) > 0  # RFC 7946: counter-clockwise
    clockwise = geometry.oriented(shape, clockwise=True)["coordinates"][0]
    assert geometry._signed_area(clockwise) < 0
    thinned = geometry.simplified({"type": "Polygon", "coordinates": [ring]}, tolerance=0.001)
    assert thinned is not None and len(thinned["coordinates"][0]) == 4 + 1  # the corners
    # an island smaller than the tolerance keeps its shape rather than vanishing
    islet = square(112.0, 16.5, 0.0002)
    kept = geometry.simplified(islet, tolerance=0.01)
    assert kept is not None and len(kept["coordinates"][0]) == 5


def test_feature_properties_are_ours() -> None:
    (found,) = b.match_features([DISTRICTS["features"][0]], UNITS)
    out = found.feature(clockwise=False)
    assert out is not None
    assert out["properties"] == {
        "scheme": "legacy",
        "level": "district",
        "code": "943",
        "name": "Huyện Kế Sách",
    }
    assert out["id"] == "943"


def test_load_keeps_matches_until_a_file_changes(tmp_path: Path) -> None:
    good = tmp_path / "districts.geojson"
    good.write_text(json.dumps(DISTRICTS), encoding="utf-8")
    topo = tmp_path / "provinces.topo.json"
    topo.write_text(json.dumps(TOPOLOGY), encoding="utf-8")
    bad = tmp_path / "broken.geojson"
    bad.write_text("{not json", encoding="utf-8")
    found = b.load([good, topo, bad, tmp_path / "missing.json"], UNITS)
    assert len(found) == 5
    assert found.get("legacy", "province", "95") is not None
    assert [f[0] for f in found.files] == ["districts.geojson", "provinces.topo.json"]
    assert len(found.errors) == 2 and "broken.geojson" in found.errors[0]
    assert b.load([good, topo, bad, tmp_path / "missing.json"], UNITS) is found
    stat = good.stat()
    os.utime(good, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert b.load([good, topo, bad, tmp_path / "missing.json"], UNITS) is not found


def test_not_geojson_is_refused() -> None:
    with pytest.raises(ValueError, match="not GeoJSON"):
        geojson.features_of({"type": "Point", "coordinates": [0, 0]})
