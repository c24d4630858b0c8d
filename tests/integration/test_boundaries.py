"""Boundaries with the real files of ../shared/data/real/geo (skipped when absent), and the
API's /boundaries and /indicators/provinces over a real server with a hand-written file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from ioc.config import Settings
from ioc.geo import admin as geo
from ioc.geo import boundaries, geojson, geometry
from tests.conftest import REPO, serve
from tests.unit.test_boundaries import DISTRICTS

GEO = REPO.parent / "shared" / "data" / "real" / "geo"
PASSWORD = "demo-2025!"


def real(name: str) -> Path:
    path = GEO / name
    if not path.exists():
        pytest.skip(f"{path} is not here (the shared real-data folder)")
    return path


@pytest.fixture(scope="module")
def units() -> Any:
    return geo.units()


def test_can_tho_2025_communes_match_by_code(units: Any) -> None:
    features = geojson.read_features(real("vn_communes_2025_p92_can_tho.geojson"))
    found = boundaries.match_features(features, units)
    assert len(found) == len(features) == 103
    assert {(x.scheme, x.level, x.parent_code) for x in found} == {("2025", "commune", "92")}
    codes = {str(f["properties"]["code"]) for f in features}
    assert {x.code for x in found} == codes


def test_gadm_districts_match_by_name_and_place(units: Any) -> None:
    """The GADM file has only Vietnamese names (no codes, no province): Sóc Trăng's
    districts that existed in its vintage are found, each centroid inside its shape."""
    features = geojson.read_features(real("vn_districts_gadm_adm3.topo.json"))
    found = boundaries.match_features(features, units)
    assert {(x.scheme, x.level) for x in found} == {("legacy", "district")}
    assert len(found) > 600
    soc_trang = {x.code: x for x in found if x.parent_code == "94"}
    # 941 is mislabelled in the file, 951 (Trần Đề, 2009) is younger than it
    assert set(soc_trang) >= {"942", "943", "944", "945", "946", "947", "948", "949", "950"}
    centres = units.filter(units["scheme"] == "legacy").select("code", "latitude", "longitude")
    where = {r[0]: (r[2], r[1]) for r in centres.iter_rows()}
    for code, shape in soc_trang.items():
        assert geometry.contains(shape.raw, *where[code]), code


def test_the_2025_provinces_hold_hoang_sa_and_truong_sa(units: Any) -> None:
    features = geojson.read_features(real("vn_provinces_34_2025.geojson"))
    found = {x.code: x for x in boundaries.match_features(features, units)}
    assert len(found) == 34
    assert {x.scheme for x in found.values()} == {"2025"}
    da_nang = geometry.bbox(found["48"].geometry(0.002))  # type: ignore[arg-type]
    khanh_hoa = geometry.bbox(found["56"].geometry(0.002))  # type: ignore[arg-type]
    assert da_nang is not None and da_nang[2] > 112.0  # Hoàng Sa, 111.2-112.7 E
    assert khanh_hoa is not None and khanh_hoa[2] > 114.0 and khanh_hoa[1] < 9.0  # Trường Sa


def test_legacy_province_topojson_matches_by_name(units: Any) -> None:
    features = geojson.read_features(real("vn_provinces_63_pre2025.topo.json"))
    found = boundaries.match_features(features, units)
    assert {(x.scheme, x.level) for x in found} == {("legacy", "province")}
    assert len(found) >= 60
    assert "94" in {x.code for x in found}


# ---------------------------------------------------------------------------------------------
# Through the API


@pytest.fixture(scope="module")
def geo_server(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Any:
    where = tmp_path_factory.mktemp("geo")
    path = where / "districts.geojson"
    path.write_text(json.dumps(DISTRICTS), encoding="utf-8")
    yield from serve(demo_settings, where, {"IOC_BOUNDARIES": str(path)})


def login(server: Any, username: str) -> httpx.Client:
    c = httpx.Client(base_url=f"{server.base}/api/v1", timeout=60)
    r = c.post("/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return c


def test_boundaries_of_a_provinces_children(geo_server: Any) -> None:
    leader = login(geo_server, "demo-leader")
    r = leader.get("/boundaries", params={"scheme": "legacy", "parent": "94"})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["type"] == "FeatureCollection"
    assert [f["properties"]["code"] for f in doc["features"]] == ["942", "943", "945"]
    assert doc["features"][1]["properties"] == {
        "scheme": "legacy",
        "level": "district",
        "code": "943",
        "name": "Huyện Kế Sách",
    }
    children = leader.get("/units/legacy/94").json()["children"]
    assert sorted(doc["missing"]) == sorted(
        c["code"] for c in children if c["code"] not in ("942", "943", "945")
    )
    ring = doc["features"][0]["geometry"]["coordinates"][0]
    assert geometry._signed_area(ring) > 0  # RFC 7946 by default
    assert all(round(v, 5) == v for p in ring for v in p)
    turned = leader.get(
        "/boundaries", params={"scheme": "legacy", "parent": "94", "winding": "clockwise"}
    ).json()
    assert geometry._signed_area(turned["features"][0]["geometry"]["coordinates"][0]) < 0


def test_boundaries_are_scoped_and_explain_when_missing(geo_server: Any) -> None:
    one = login(geo_server, "demo-analyst-945")
    r = one.get("/boundaries", params={"scheme": "legacy", "parent": "94"})
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("application/problem+json")
    province = login(geo_server, "demo-analyst")
    assert province.get("/boundaries", params={"scheme": "legacy", "parent": "94"}).is_success
    leader = login(geo_server, "demo-leader")
    r = leader.get("/boundaries", params={"scheme": "2025", "parent": "92"})
    assert r.status_code == 404
    assert r.json()["code"] == "no_boundaries" and r.json()["message"]["vi"]
    r = leader.get("/boundaries", params={"scheme": "legacy", "parent": "94301"})
    assert r.status_code in (404, 422)


def test_every_province_for_the_country_map(geo_server: Any) -> None:
    leader = login(geo_server, "demo-leader")
    params = {"scheme": "legacy", "period": "2024-2025/CN", "indicator": "NET_CLASS_SIZE"}
    rows = leader.get("/indicators/provinces", params=params).json()
    by_code = {r["unit_code"]: r for r in rows}
    # the demo has returns in the three old provinces of 2025 Cần Thơ; the others have no rows
    # (the map greys them)
    assert set(by_code) == {"92", "93", "94"}
    own = leader.get(
        "/indicators/values",
        params={"unit": "94", "scheme": "legacy", "period": "2024-2025/CN"},
    ).json()
    expected = next(r for r in own if r["indicator_id"] == "NET_CLASS_SIZE")
    assert by_code["94"]["value"] == expected["value"]
    analyst = login(geo_server, "demo-analyst")
    assert [r["unit_code"] for r in analyst.get("/indicators/provinces", params=params).json()] == [
        "94"
    ]
    csv = leader.get("/indicators/provinces.csv", params=params)
    assert csv.status_code == 200 and csv.text.lstrip("\ufeff").startswith("scheme")
    assert (
        leader.get("/indicators/provinces", params={**params, "period": "2031-2032/DN"}).status_code
        == 404
    )


def test_catalog_names_the_fields_of_formulas(geo_server: Any) -> None:
    catalog = login(geo_server, "demo-leader").get("/catalog/indicators").json()
    fields = {f["name"]: f for f in catalog["fields"]}
    assert fields["students"]["vi"] == "Số học sinh" and fields["classes"]["en"] == "Classes"
