"""``GET /units/{scheme}/{code}`` answered from what the API keeps of every unit per build:
each unit's row, children and counterparts (the provinces of the other scheme it shares
communes with) against the snapshot's units and crosswalks, counted here in Python."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest

from ioc import db
from ioc.config import Settings
from tests.integration.test_api import client

ROW = ("scheme", "level", "code", "name", "short_name", "unit_type", "parent_code")


@pytest.fixture(scope="module")
def snapshot(api_server: Any) -> dict[str, Any]:
    """The served snapshot's units and crosswalk rows (an old district without communes
    counts as one commune, its commune code empty)."""
    conn = db.connect_published(Settings(data_dir=api_server.data_dir))
    try:
        units = conn.sql("select * from core_geo__units").pl().to_dicts()
        links = conn.execute(
            """select legacy_province_code, legacy_district_code, legacy_commune_code,
                      province_code_2025, commune_code_2025
               from core_geo__commune_crosswalk
               union all
               select legacy_province_code, legacy_district_code, null, province_code_2025,
                      commune_code_2025
               from core_geo__district_crosswalk"""
        ).fetchall()
    finally:
        conn.close()
    return {"units": units, "links": links}


def expected_counterparts(unit: dict[str, Any], snapshot: dict[str, Any]) -> list[tuple]:
    """(scheme, code, name, shared) of the provinces of the other scheme, most shared first."""
    code = unit["code"]
    if unit["scheme"] == "legacy":
        other, shared = "2025", Counter(link[3] for link in snapshot["links"] if code in link[:3])
    else:
        other, shared = "legacy", Counter(link[0] for link in snapshot["links"] if code in link[3:])
    names = {
        u["code"]: u["name"]
        for u in snapshot["units"]
        if u["scheme"] == other and u["level"] == "province"
    }
    found = [(other, c, names[c], n) for c, n in shared.items() if c in names]
    return sorted(found, key=lambda row: (-row[3], row[1]))


def test_a_units_answer_is_its_row_children_and_counterparts(
    api_server: Any, snapshot: dict[str, Any]
) -> None:
    leader = client(api_server, "demo-leader")
    units = snapshot["units"]
    picked = [u for u in units if u["level"] == "province"]
    rest = [u for u in units if u["level"] != "province"]
    picked += random.Random(19).sample(rest, min(150, len(rest)))
    assert {u["scheme"] for u in picked} == {"legacy", "2025"}
    with_children = with_counterparts = 0
    for unit in picked:
        r = leader.get(f"/units/{unit['scheme']}/{unit['code']}")
        assert r.status_code == 200, r.text
        answer = r.json()
        assert {k: answer[k] for k in ROW} == {k: unit[k] for k in ROW}
        children = sorted(
            (u["level"], u["code"])
            for u in units
            if u["scheme"] == unit["scheme"] and u["parent_code"] == unit["code"]
        )
        assert [(c["level"], c["code"]) for c in answer["children"]] == children
        got = [(c["scheme"], c["code"], c["name"], c["shared"]) for c in answer["counterparts"]]
        assert got == expected_counterparts(unit, snapshot), unit
        assert all(c["level"] == "province" for c in answer["counterparts"])
        with_children += bool(children)
        with_counterparts += bool(got)
    # the check saw units with children and with counterparts, not only empty lists
    assert with_children > 20 and with_counterparts > 100


@pytest.mark.parametrize(
    ("path", "status"),
    [("/units/legacy/999", 404), ("/units/2025/99", 404), ("/units/legacy/9x", 422)],
)
def test_an_unknown_or_malformed_unit_is_not_found(api_server: Any, path: str, status: int) -> None:
    r = client(api_server, "demo-leader").get(path)
    assert r.status_code == status, r.text
    if status == 404:
        assert path.rsplit("/", 1)[1] in r.text
