"""The school profile's additions for the dashboard: place names in both schemes, indicator
names, each part as a list (JSON, CSV, XLSX) and the field labels of the return."""

from __future__ import annotations

import io
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import polars as pl
import pytest

from ioc.catalog import load_contract
from ioc.domain.units import LEVELS
from tests.integration.test_api import client

SCHOOL = "94414003"  # Trường THPT Tư thục Văn Lang, Thành phố Sóc Trăng (941)


@pytest.fixture(scope="module")
def leader(api_server: Any) -> httpx.Client:
    return client(api_server, "demo-leader")


def test_field_labels_cover_the_return_contract(leader: httpx.Client) -> None:
    body = leader.get("/catalog/fields").json()
    contract = load_contract()
    assert [f["name"] for f in body["fields"]] == [f.name for f in contract.fields]
    by_name = {f["name"]: f for f in body["fields"]}
    assert by_name["students"]["vi"] == "Số học sinh" and by_name["students"]["en"] == "Pupils"
    assert {g["id"] for g in body["groups"]} == set(contract.groups)
    assert all(f["group"] in contract.groups for f in body["fields"])


def test_profile_names_the_places_in_both_schemes(leader: httpx.Client) -> None:
    body = leader.get(f"/schools/{SCHOOL}").json()
    school = body["school"]
    places = {(p["scheme"], p["level"]): p for p in body["places"]}
    assert places[("legacy", "province")]["code"] == school["province_code_legacy"] == "94"
    assert places[("legacy", "district")]["code"] == school["district_code_legacy"] == "941"
    assert places[("legacy", "commune")]["code"] == school["commune_code_legacy"]
    assert places[("2025", "province")]["code"] == school["province_code_2025"] == "92"
    assert places[("2025", "commune")]["code"] == school["commune_code_2025"]
    order = [(p["scheme"], p["level"]) for p in body["places"]]  # old scheme first, then down
    assert order == [(s, lv) for s in ("legacy", "2025") for lv in LEVELS[s]]
    for (scheme, _), place in places.items():
        unit = leader.get(f"/units/{scheme}/{place['code']}").json()
        assert place["name"] == unit["name"]
    # every indicator row carries its name and unit
    assert all(r["name_vi"] and r["unit_vi"] for r in body["indicators"])


def test_profile_parts_are_lists_in_every_format(leader: httpx.Client) -> None:
    body = leader.get(f"/schools/{SCHOOL}").json()
    for part in ("returns", "indicators", "findings"):
        assert leader.get(f"/schools/{SCHOOL}/{part}").json() == body[part]
    files = leader.get(f"/schools/{SCHOOL}/files").json()
    assert {(f["school_year"], f["term"], f["run_id"], f["file_name"]) for f in files} == {
        (r["school_year"], r["term"], r["run_id"], r["file_name"]) for r in body["returns"]
    }
    one = leader.get(f"/schools/{SCHOOL}/indicators", params={"period": "2024-2025/CN"}).json()
    expected = [
        r for r in body["indicators"] if (r["school_year"], r["term"]) == ("2024-2025", "CN")
    ]
    assert one == expected and len(one) > 20

    xlsx = leader.get(f"/schools/{SCHOOL}/indicators.xlsx", params={"period": "2024-2025/CN"})
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["content-disposition"]
    frame = pl.read_excel(io.BytesIO(xlsx.content))
    got = dict(zip(frame["indicator_id"], frame["value"], strict=True))
    for row in one:
        assert got[row["indicator_id"]] == pytest.approx(row["value"])
    csv = leader.get(f"/schools/{SCHOOL}/returns.csv")
    from_csv = pl.read_csv(io.BytesIO(csv.content[3:]), infer_schema_length=None)
    assert from_csv["students"].to_list() == [r["students"] for r in body["returns"]]
    assert leader.get(f"/schools/{SCHOOL}/nope").status_code == 422
    assert leader.get("/schools/NOSUCH/returns").status_code == 404


def test_profile_parts_keep_the_scope(api_server: Any) -> None:
    district_945 = client(api_server, "demo-analyst-945")
    school_945 = district_945.get(
        "/schools", params={"unit": "945", "scheme": "legacy", "period": "2024-2025/CN"}
    ).json()["items"][0]["school_code"]
    assert district_945.get(f"/schools/{school_945}/files").status_code == 200
    for part in ("returns", "indicators", "findings", "files"):
        refused = district_945.get(f"/schools/{SCHOOL}/{part}")
        assert refused.status_code == 403 and refused.json()["code"] == "school_out_of_scope"
    assert client(api_server, "display").get(f"/schools/{SCHOOL}/files").status_code == 403


def test_profiles_asked_at_once_are_each_schools_own(api_server: Any) -> None:
    """School pages asked at the same time share one computation of their values
    (``ioc.api.combine``): each answer is still the one its school gets alone, twice asked
    schools included. Each request has a query of its own, so none is answered from the
    response cache."""
    listed = client(api_server, "demo-leader").get(
        "/schools", params={"unit": "941", "period": "2024-2025/CN", "size": 12}
    )
    codes = [row["school_code"] for row in listed.json()["items"]]
    assert len(codes) == 12
    asked = [*codes, *codes[:4]]
    clients = [client(api_server, "demo-leader") for _ in asked]
    start = threading.Barrier(len(asked))

    def profile(pair: tuple[httpx.Client, str]) -> dict[str, Any]:
        start.wait()
        answer = pair[0].get(f"/schools/{pair[1]}", params={"nocache": uuid.uuid4().hex})
        return dict(answer.json())

    with ThreadPoolExecutor(len(asked)) as pool:
        together = list(pool.map(profile, zip(clients, asked, strict=True)))
    alone = client(api_server, "demo-leader")
    for code, answer in zip(asked, together, strict=True):
        own = alone.get(f"/schools/{code}", params={"nocache": uuid.uuid4().hex}).json()
        assert answer == own, code
        assert {r["school_code"] for r in answer["indicators"]} == {code}


def test_a_profile_for_one_period_has_that_periods_indicators_only(leader: httpx.Client) -> None:
    whole = leader.get(f"/schools/{SCHOOL}").json()
    periods = {(r["school_year"], r["term"]) for r in whole["indicators"]}
    assert len(periods) > 1
    year, term = sorted(periods)[0]
    one = leader.get(f"/schools/{SCHOOL}", params={"period": f"{year}/{term}"}).json()
    expected = [r for r in whole["indicators"] if (r["school_year"], r["term"]) == (year, term)]
    assert one["indicators"] == expected and expected
    assert {k: v for k, v in one.items() if k != "indicators"} == {
        k: v for k, v in whole.items() if k != "indicators"
    }
    assert leader.get(f"/schools/{SCHOOL}", params={"period": "2024/CN"}).status_code == 422
