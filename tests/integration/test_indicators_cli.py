"""`ioc indicators`, `ioc quality` and `ioc targets` on the demo province, checked against
figures computed independently from the generated returns."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from ingest.demo import demo_plan, generate_returns
from ioc.config import Settings
from tests.conftest import run_ioc


def indicators(settings: Settings, *args: str) -> dict[tuple[str, str], dict[str, Any]]:
    rows = json.loads(run_ioc(settings, "indicators", *args, "--json").stdout)
    return {(r["unit_code"], r["indicator_id"]): r for r in rows}


@pytest.fixture(scope="module")
def returns() -> pl.DataFrame:
    return generate_returns()


def test_class_size_by_district_matches_the_returns(
    demo_settings: Settings, returns: pl.DataFrame
) -> None:
    got = indicators(demo_settings, "--unit", "94", "--period", "2023-2024/CN", "--children")
    period = returns.filter(
        (pl.col("school_year") == "2023-2024") & (pl.col("term") == "CN"),
        pl.col("province_code") == "94",
    )
    known = period.filter(pl.col("students").is_not_null() & pl.col("classes").is_not_null())
    by_district = known.group_by("district_code").agg(
        pl.col("students").sum(), pl.col("classes").sum()
    )
    assert by_district.height == 11
    for d in by_district.iter_rows(named=True):
        r = got[(d["district_code"], "NET_CLASS_SIZE")]
        assert (r["numerator"], r["denominator"]) == (d["students"], d["classes"])
        assert r["value"] == pytest.approx(d["students"] / d["classes"])
        assert r["unit_name"].startswith(("Huyện", "Thị xã", "Thành phố"))


def test_province_published_totals_and_norm_status(demo_settings: Settings) -> None:
    got = indicators(demo_settings, "--unit", "94", "--period", "2021-2022/DN")
    assert got[("94", "NET_STUDENTS")]["value"] == 256347
    assert got[("94", "NET_SCHOOLS")]["value"] == 481
    size = got[("94", "NET_CLASS_SIZE")]
    assert size["value"] == pytest.approx(256347 / 8259)
    assert size["norm_status"] == "meets" and size["norm_sources"]
    assert got[("94", "FAC_SOLID_CLASSROOM_PCT")]["norm_status"] == "below"


def test_history_across_the_2025_reorganisation(demo_settings: Settings) -> None:
    old = indicators(
        demo_settings, "--unit", "94", "--period", "2024-2025/DN", "--scheme", "legacy"
    )
    new = indicators(demo_settings, "--unit", "92", "--period", "2024-2025/DN", "--scheme", "2025")
    # Cần Thơ (92) restated before the merger from its schools: old Cần Thơ's, Hậu Giang's and
    # Sóc Trăng's
    others = [
        indicators(demo_settings, "--unit", p, "--period", "2024-2025/DN", "--scheme", "legacy")
        for p in ("92", "93")
    ]
    parts = [old[("94", "NET_STUDENTS")]] + [
        o[(p, "NET_STUDENTS")] for o, p in zip(others, ("92", "93"), strict=True)
    ]
    assert new[("92", "NET_STUDENTS")]["value"] == sum(r["value"] for r in parts)
    after = indicators(demo_settings, "--unit", "92", "--period", "2025-2026/DN")
    row = after[("92", "NET_STUDENTS")]
    assert row["is_break"] and row["previous_value"] == new[("92", "NET_STUDENTS")]["value"]
    # the old district (huyện cũ) continues after 1 July 2025 through its schools
    district = indicators(
        demo_settings, "--unit", "945", "--period", "2025-2026/DN", "--scheme", "legacy"
    )
    assert district[("945", "NET_SCHOOLS")]["value"] > 0


def test_family_filter_and_unknown_unit(demo_settings: Settings) -> None:
    got = indicators(demo_settings, "--unit", "94", "--period", "2021-2022/DN", "--family", "wash")
    assert {k[1] for k in got} == {
        "WSH_CLEAN_WATER_PCT",
        "WSH_PUPILS_PER_TOILET",
        "WSH_TOILET_STANDARD_PCT",
        "WSH_ACCESSIBLE_TOILET_PCT",
        "WSH_PUPILS_PER_TAP",
    }
    bad = run_ioc(
        demo_settings, "indicators", "--unit", "99", "--period", "2021-2022/DN", check=False
    )
    assert bad.returncode == 2 and "does not exist" in bad.stderr


def test_quality_finds_the_planted_problems(demo_settings: Settings) -> None:
    plan = demo_plan()
    report = json.loads(
        run_ioc(
            demo_settings, "quality", "--unit", "94", "--period", "2022-2023/CN", "--json"
        ).stdout
    )
    missing = {c["school_code"] for c in report["chase_list"] if c["status"] == "missing"}
    assert missing == {"94422015", "94442006", "94452006"}
    assert plan.jump == "94422017"
    total = report["total"]
    assert total["schools_missing"] == 3
    assert total["completeness_pct"] == pytest.approx(
        round(100 * (total["schools_expected"] - 3) / total["schools_expected"], 1)
    )
    late = json.loads(
        run_ioc(
            demo_settings,
            "quality",
            "--unit",
            "945",
            "--period",
            "2022-2023/DN",
            "--scheme",
            "legacy",
            "--json",
        ).stdout
    )
    assert late["total"]["schools_late"] == late["total"]["schools_expected"] > 0
    jumps = json.loads(
        run_ioc(
            demo_settings, "quality", "--unit", "94", "--period", "2024-2025/DN", "--json"
        ).stdout
    )
    flagged = {(f["school_code"], f["rule"]) for f in jumps["findings"]}
    assert ("94422017", "jump") in flagged
    assert ("94422017", "warning:class_size_over_norm") in flagged
    ambiguous = {f["school_code"] for f in jumps["findings"] if f["rule"] == "ambiguous_place"}
    assert ambiguous <= set(plan.unlocated)  # only schools the crosswalk cannot place


def test_targets_import_sets_status(demo_settings: Settings, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    shutil.copytree(demo_settings.data_dir, settings.data_dir)
    path = tmp_path / "targets.csv"
    path.write_text(
        "Mã chỉ tiêu,Mã đơn vị,Năm học,Mục tiêu\n"
        'FAC_SOLID_CLASSROOM_PCT,94,2024-2025,"60,5"\n'
        "FAC_SOLID_CLASSROOM_PCT,950,2024-2025,99\n",
        encoding="utf-8",
    )
    assert "2 target(s) set" in run_ioc(settings, "targets", "import", str(path)).stdout
    got = indicators(settings, "--unit", "94", "--period", "2024-2025/CN", "--children")
    district = got[("950", "FAC_SOLID_CLASSROOM_PCT")]
    assert district["target_value"] == 99 and district["target_status"] == "below"
    province = indicators(settings, "--unit", "94", "--period", "2024-2025/DN")
    row = province[("94", "FAC_SOLID_CLASSROOM_PCT")]
    assert row["target_value"] == 60.5
    assert row["target_status"] == ("meets" if row["value"] >= 60.5 else "below")
    listed = json.loads(run_ioc(settings, "targets", "list", "--json").stdout)
    assert {(t["unit_code"], t["target_value"]) for t in listed} == {("94", 60.5), ("950", 99.0)}


def test_bad_targets_file_changes_nothing(demo_settings: Settings, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    shutil.copytree(demo_settings.data_dir, settings.data_dir)
    before = settings.published_db.read_bytes()
    path = tmp_path / "targets.csv"
    path.write_text(
        "Mã chỉ tiêu,Mã đơn vị,Năm học,Mục tiêu\n"
        "FAC_SOLID_CLASSROOM_PCT,94,2024-2025,80\n"
        "NOPE,94,2024-2025,80\n"
        "FAC_SOLID_CLASSROOM_PCT,999,2024,abc\n",
        encoding="utf-8",
    )
    result = run_ioc(settings, "targets", "import", str(path), check=False)
    assert result.returncode == 1
    said = " ".join(result.stderr.split())  # as one line, whatever the console's width
    # in Vietnamese, naming the file, the row, the column as written and its number, and why
    assert "targets.csv: tệp chỉ tiêu có dòng không hợp lệ" in said
    assert "dòng 3, cột Mã chỉ tiêu [1]: không có chỉ tiêu mã 'NOPE' trong danh mục" in said
    assert "dòng 4, cột Năm học [3]: '2024' không phải năm học dạng 2026-2027" in said
    assert "dòng 4, cột Mục tiêu [4]: 'abc' không phải là số" in said
    assert "row " not in said and "column" not in said and "unknown" not in said
    assert settings.published_db.read_bytes() == before
