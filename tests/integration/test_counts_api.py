"""The teacher shortfall the API gives for an old district equals the one computed by hand
from its public schools' returns (as the API gives them): each school's teachers by the
norm rounded to whole people (0,5 up), minus its teachers, never below zero, then summed."""

from __future__ import annotations

import math
from typing import Any

import httpx
import pytest

from tests.security.conftest import signed_in

PERIOD = "2024-2025/DN"  # TT 20/2023 in force
LEVEL_FOR_NORMS = {"TH_THCS": "THCS", "THCS_THPT": "THPT", "TH_THCS_THPT": "THPT"}


def norm(level: str, school_type: str | None, full_day: bool) -> float:
    """TT 20/2023 (phổ thông) and TT 19/2023 (mầm non), teachers per class."""
    level = LEVEL_FOR_NORMS.get(level, level)
    if level == "MN":
        return 2.2
    if level == "TH":
        return 1.5 if full_day else 1.2
    if level == "THCS":
        return 2.2 if school_type in ("boarding", "semi_boarding") else 1.9
    return {"specialised": 3.1, "boarding": 2.4}.get(school_type or "", 2.25)


def by_hand(school: dict[str, Any]) -> int:
    classes, teachers = school["classes"], school["teachers"]
    full_day = classes > 0 and school.get("classes_two_sessions") == classes
    need = norm(school["level"], school.get("school_type"), full_day) * classes
    whole = math.floor(round(need, 6) + 0.5)
    return max(0, whole - teachers)


@pytest.fixture(scope="module")
def leader(api_server: Any) -> httpx.Client:
    return signed_in(api_server.base, "demo-leader")


def test_district_shortfall_is_the_sum_of_rounded_schools(leader: httpx.Client) -> None:
    listed = leader.get(
        "/api/v1/schools",
        params={
            "unit": "945",
            "scheme": "legacy",
            "period": PERIOD,
            "indicator": "STF_TEACHER_SHORTFALL",
            "ownership": "cong_lap",
            "size": 1000,
        },
    ).json()["items"]
    assert listed
    total, fractional = 0, 0
    for item in listed:
        returns = leader.get(f"/api/v1/schools/{item['school_code']}/returns").json()
        school = next(r for r in returns if f"{r['school_year']}/{r['term']}" == PERIOD)
        if school["classes"] is None or school["teachers"] is None:
            continue
        expected = by_hand(school)
        assert item["value"] == expected, item["school_code"]  # the school's own value
        total += expected
        need = norm(school["level"], school.get("school_type"), False) * school["classes"]
        fractional += not float(need).is_integer()
    assert fractional  # the district has schools whose norm × classes is not whole
    rows = leader.get(
        "/api/v1/indicators/values",
        params={
            "unit": "945",
            "scheme": "legacy",
            "period": PERIOD,
            "indicator": "STF_TEACHER_SHORTFALL",
        },
    ).json()
    assert len(rows) == 1 and rows[0]["is_count"] is True
    assert rows[0]["value"] == total
