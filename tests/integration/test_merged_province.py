"""A merged province shown whole (issue 15 item 8): 2025 Cần Thơ (92) is old Cần Thơ (92),
Hậu Giang (93) and Sóc Trăng (94); with a predecessor that never reported it does not claim
100 % and names it; with all three, its figures and coverage are over all three.

Expected figures are computed here from the generated returns, independently of the store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pytest

from ingest.demo import generate_returns, write_demo_files
from ioc import db
from ioc.config import Settings
from tests.conftest import run_ioc, serve, summary_totals


def quality(settings: Settings, unit: str, period: str, scheme: str) -> dict[str, Any]:
    args = ["quality", "--unit", unit, "--period", period, "--scheme", scheme, "--json"]
    return json.loads(run_ioc(settings, *args).stdout)


def of_period(frame: pl.DataFrame, period: str) -> pl.DataFrame:
    year, term = period.split("/")
    return frame.filter(pl.col("school_year") == year, pl.col("term") == term)


@pytest.fixture(scope="module")
def returns() -> pl.DataFrame:
    return generate_returns()


@pytest.fixture(scope="module")
def soc_trang_only(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Only Sóc Trăng's files of 2024-2025 CN and 2025-2026 DN, loaded with `ioc ingest`."""
    where = tmp_path_factory.mktemp("partial")
    settings = Settings(data_dir=where / "data")
    batches = write_demo_files(where / "files", provinces=["94"])
    for period in ("2024-2025/CN", "2025-2026/DN"):
        year, term = period.split("/")
        picked = [b for b in batches if any(p.name.startswith(f"{year}_{term}") for p in b.paths)]
        for batch in picked:
            args = ["ingest", *map(str, batch.paths), "--received", batch.received.isoformat()]
            run_ioc(settings, *args, *(["--period", batch.period] if batch.period else []))
    return settings


def test_three_old_provinces_under_2025_can_tho(
    demo_settings: Settings, returns: pl.DataFrame
) -> None:
    before = of_period(returns, "2024-2025/DN")
    whole = summary_totals(demo_settings, "92", "2024-2025/DN", scheme="2025")
    assert whole["schools"] == before.height
    assert whole["totals"]["students"]["total"] == before["students"].sum()
    for old in ("92", "93", "94"):
        mine = before.filter(pl.col("province_code") == old)
        part = summary_totals(demo_settings, old, "2024-2025/DN", scheme="legacy")
        assert part["schools"] == mine.height > 250
        assert part["totals"]["teachers"]["total"] == mine["teachers"].sum()
    after = summary_totals(demo_settings, "92", "2025-2026/DN")
    assert after["schools"] == of_period(returns, "2025-2026/DN").height


def test_coverage_over_all_three_registries(demo_settings: Settings, returns: pl.DataFrame) -> None:
    report = quality(demo_settings, "92", "2025-2026/DN", "2025")
    assert report["predecessors_without_returns"] == []
    # expected: reported now, or in the previous period (every old province reported then)
    now = set(of_period(returns, "2025-2026/DN")["school_code"])
    previous = set(of_period(returns, "2024-2025/CN")["school_code"])
    total = report["total"]
    assert {c[:2] for c in now} == {"92", "93", "94"}
    assert total["schools_expected"] == len(now | previous)
    assert total["schools_reported"] == len(now)
    assert total["completeness_pct"] == pytest.approx(
        round(100 * len(now) / len(now | previous), 1)
    )


def test_a_predecessor_without_returns_is_named_not_counted_as_complete(
    soc_trang_only: Settings, returns: pl.DataFrame
) -> None:
    report = quality(soc_trang_only, "92", "2025-2026/DN", "2025")
    missing = report["predecessors_without_returns"]
    assert [(p["code"], p["short_name"]) for p in missing] == [
        ("92", "Cần Thơ"),
        ("93", "Hậu Giang"),
    ]
    total = report["total"]
    soc_trang = of_period(returns, "2025-2026/DN").filter(
        pl.col("school_code").str.starts_with("94")
    )
    assert total["schools_reported"] == soc_trang.height
    assert total["completeness_pct"] is None and total["quality_score"] is None
    # Sóc Trăng itself, in the old scheme, is whole: nothing missing, its own completeness
    own = quality(soc_trang_only, "94", "2024-2025/CN", "legacy")
    assert own["predecessors_without_returns"] == [] and own["total"]["completeness_pct"] == 100
    summary = summary_totals(soc_trang_only, "92", "2025-2026/DN")
    assert summary["totals"]["students"]["total"] == soc_trang["students"].sum()


def test_files_of_one_province_name_only_it(tmp_path: Path) -> None:
    batches = write_demo_files(tmp_path, provinces=["94"])
    assert not (tmp_path / "can_tho").exists() and not (tmp_path / "hau_giang").exists()
    assert len({p for b in batches for p in b.paths}) == sum(len(b.paths) for b in batches)


def test_the_api_names_the_predecessors_of_each_2025_unit(
    soc_trang_only: Settings, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Through ``GET /units``: 2025 Cần Thơ and each of its communes formed from old Cần Thơ
    or Hậu Giang name that old province; the communes of old Sóc Trăng and every old unit
    name none."""
    run_ioc(soc_trang_only, "users", "add", "chief", "--role", "leader")
    created = run_ioc(soc_trang_only, "users", "token", "create", "chief", "--name", "t")
    (line,) = [ln for ln in created.stdout.splitlines() if "(shown once" in ln]
    headers = {"Authorization": f"Bearer {line.rsplit(' ', 1)[1]}"}
    conn = db.connect_published(soc_trang_only)
    try:
        communes = conn.execute(
            """select distinct commune_code_2025, legacy_province_code
               from core_geo__commune_crosswalk where province_code_2025 = '92'"""
        ).fetchall()
    finally:
        conn.close()
    formed_from: dict[str, set[str]] = {}
    for commune, old in communes:
        formed_from.setdefault(commune, set()).add(old)
    assert {o for olds in formed_from.values() for o in olds} == {"92", "93", "94"}
    for server in serve(soc_trang_only, tmp_path_factory.mktemp("units")):
        with httpx.Client(base_url=f"{server.base}/api/v1", headers=headers) as api:

            def missing(scheme: str, code: str) -> list[str]:
                r = api.get(f"/units/{scheme}/{code}")
                assert r.status_code == 200, r.text
                return [p["code"] for p in r.json()["predecessors_without_returns"]]

            assert missing("2025", "92") == ["92", "93"]
            named = [missing("2025", commune) for commune in sorted(formed_from)]
            assert named == [sorted(formed_from[c] - {"94"}) for c in sorted(formed_from)]
            assert [] in named and ["92"] in named and ["93"] in named
            assert missing("legacy", "92") == missing("legacy", "94") == []
