"""The boundaries shipped with the package (ioc/geo_data): without ``IOC_BOUNDARIES`` and
without ../shared, the API serves the 34 provinces of 2025 and the communes of Cần Thơ
(2025 province 92: old Cần Thơ, Hậu Giang, Sóc Trăng) as polygons; the files carry their
MIT licence and origin, and no GADM-derived layer is shipped."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ioc.config import PACKAGED_BOUNDARIES, Settings
from ioc.geo import admin as geo
from tests.conftest import REPO, serve

PASSWORD = "demo-2025!"
MAX_BYTES = 3 * 1024 * 1024  # the repository stays reasonable


def without_boundaries_env() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("IOC_BOUNDARIES", raising=False)
        yield


@pytest.fixture(scope="module")
def packaged_server(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Any:
    for _ in without_boundaries_env():
        yield from serve(demo_settings, tmp_path_factory.mktemp("packaged-geo"))


def test_the_default_is_the_packaged_files_with_their_licence() -> None:
    for _ in without_boundaries_env():
        files = Settings().boundaries
    assert [f.name for f in files] == [
        "vn_communes_2025_p92_can_tho.geojson",
        "vn_provinces_34_2025.geojson",
    ]
    assert all(f.parent == PACKAGED_BOUNDARIES and f.is_file() for f in files)
    assert not any(REPO.parent / "shared" in f.parents for f in files)
    shipped = {p.name for p in PACKAGED_BOUNDARIES.iterdir()}
    assert {"LICENSE", "ATTRIBUTION.md"} <= shipped
    assert not [n for n in shipped if "gadm" in n.lower()]  # non-commercial licence: never
    licence = (PACKAGED_BOUNDARIES / "LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in licence and "Thang Le Quoc" in licence
    assert "thanglequoc/vietnamese-provinces-database" in (
        PACKAGED_BOUNDARIES / "ATTRIBUTION.md"
    ).read_text(encoding="utf-8")
    assert sum(f.stat().st_size for f in PACKAGED_BOUNDARIES.iterdir()) < MAX_BYTES
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "geo_data/*" in project["tool"]["setuptools"]["package-data"]["ioc"]


def test_an_explicit_setting_still_wins(tmp_path: Any) -> None:
    own = tmp_path / "own.geojson"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IOC_BOUNDARIES", str(own))
        assert Settings().boundaries == [own]
        patch.setenv("IOC_BOUNDARIES", "")  # none at all: points at unit centres
        assert Settings().boundaries == []


def test_the_api_serves_the_packaged_polygons(packaged_server: Any) -> None:
    assert "IOC_BOUNDARIES" not in os.environ
    client = httpx.Client(base_url=f"{packaged_server.base}/api/v1", timeout=60)
    r = client.post("/auth/login", json={"username": "demo-leader", "password": PASSWORD})
    assert r.status_code == 200, r.text
    provinces = client.get("/boundaries", params={"scheme": "2025"}).json()
    assert len(provinces["features"]) == 34 and provinces["missing"] == []
    communes = client.get("/boundaries", params={"scheme": "2025", "parent": "92"}).json()
    units = geo.units()
    expected = units.filter(
        (units["scheme"] == "2025") & (units["level"] == "commune") & (units["parent_code"] == "92")
    )
    assert communes["missing"] == []
    assert {f["id"] for f in communes["features"]} == set(expected["code"].to_list())
    for doc in (provinces, communes):
        kinds = {f["geometry"]["type"] for f in doc["features"]}
        assert kinds <= {"Polygon", "MultiPolygon"}
    # the old districts have no packaged layer: the API says so, and the map shows points
    legacy = client.get("/boundaries", params={"scheme": "legacy", "parent": "94"})
    assert legacy.status_code == 404 and legacy.json()["code"] == "no_boundaries"
