"""After an ingest the core tables (registry, expected schools) are updated only for the
schools whose returns or registry records changed (ingest.runner.rebuild_core, from
finish_session), unless the periods each old province reported in change; this proves the
result, and the indicators computed from it, equal a full rebuild of the same snapshot, over
several periods, with schools changing, appearing, moving unit (district and province),
leaving, and a pulled registry opening and closing schools, on a real DuckDB file through
the real ingest."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ingest.core_tables import rebuild_core
from ingest.run_store import FileReport
from ingest.runner import finish_session, ingest
from ioc import db
from ioc.compute.out_tables import rebuild_indicators
from ioc.config import Settings
from ioc.geo import admin as geo
from tests.fixtures import VI, table_rows, write_csv
from tests.integration.test_approval_snapshot import approve

FIELDS = [
    "school_code",
    "school_name",
    "level",
    "ownership",
    "province_code",
    "district_code",
    "commune_code",
    "classes",
    "students",
    "students_female",
    "teachers",
    "classrooms",
]
# (district, commune) of every commune of old Sóc Trăng (94)
PLACES = [
    (unit["district_code"], unit["code"])
    for unit in geo.units()
    .filter(
        (pl.col("scheme") == "legacy")
        & (pl.col("level") == "commune")
        & (pl.col("province_code") == "94")
    )
    .sort("code")
    .to_dicts()
]
HAU_GIANG = ("93", "930", "31318")
# (district, commune) of the communes of old Bạc Liêu (95): another 2025 province (Cà Mau)
BAC_LIEU = [
    (unit["district_code"], unit["code"])
    for unit in geo.units()
    .filter(
        (pl.col("scheme") == "legacy")
        & (pl.col("level") == "commune")
        & (pl.col("province_code") == "95")
    )
    .sort("code")
    .to_dicts()
]
CORE = ("core_school__registry", "core_school__expected")
OUT = ("out_indicator__sums", "out_quality__findings")


def school(n: int, *, bump: int = 0, place: tuple[str, str, str] | None = None) -> dict[str, Any]:
    """School ``n`` (a primary school, every fourth a lower secondary one) with counts
    that vary by school; ``bump`` more pupils; ``place`` (province, district, commune)."""
    district, commune = PLACES[n % len(PLACES)]
    if n % 12 == 11:
        district, commune = HAU_GIANG[1:]
    province, district, commune = place or ("94" if n % 12 != 11 else "93", district, commune)
    classes = 5 + n % 7
    students = classes * (28 + n % 9) + bump
    return {
        "school_code": f"94{n:06d}",
        "school_name": f"Trường số {n}",
        "level": "THCS" if n % 4 == 0 else "TH",
        "ownership": "cong_lap",
        "province_code": province,
        "district_code": district,
        "commune_code": commune,
        "classes": classes,
        "students": students,
        "students_female": students // 2,
        "teachers": round(classes * 1.4) + n % 3,
        "classrooms": classes - n % 2,
    }


def elsewhere(n: int, *, bump: int = 0) -> dict[str, Any]:
    """School ``n`` of old Bạc Liêu: changes to Sóc Trăng's schools leave its units alone."""
    district, commune = BAC_LIEU[n % len(BAC_LIEU)]
    return school(n, bump=bump, place=("95", district, commune)) | {"school_code": f"95{n:06d}"}


def communes_of(province: str) -> list[tuple[str, str]]:
    """(district, commune) of every commune of a legacy province."""
    found = geo.units().filter(
        (pl.col("scheme") == "legacy")
        & (pl.col("level") == "commune")
        & (pl.col("province_code") == province)
    )
    return [(u["district_code"], u["code"]) for u in found.sort("code").to_dicts()]


def indicator_steps(settings: Settings) -> int:
    """How many indicator rebuilds recomputed some provinces only."""
    found = db.connect_published(settings)
    try:
        return int(
            db.scalar(
                found,
                "select count(*) from meta__build_steps "
                "where step = 'indicators' and mode = 'incremental'",
            )
        )
    finally:
        found.close()


def last_indicator_mode(settings: Settings) -> str:
    """How the last indicator rebuild went: 'full', 'incremental' (some provinces
    recomputed) or 'difference' (the stored sums took the changed schools' difference)."""
    found = db.connect_published(settings)
    try:
        return str(
            db.scalar(
                found,
                "select mode from meta__build_steps where step = 'indicators' "
                "order by finished_at desc limit 1",
            )
        )
    finally:
        found.close()


def load(tmp: Path, settings: Settings, name: str, period: str, schools: list[dict]) -> None:
    rows = table_rows(schools, fields=FIELDS)
    assert rows[0] == [VI[f] for f in FIELDS]
    path = write_csv(tmp / f"{name}.csv", rows)
    year = int(period[:4])
    received = date(year, 10, 1) if period.endswith("DN") else date(year + 1, 5, 1)
    (report,) = ingest([path], period=period, received=received, settings=settings)
    assert report.status == "loaded" and report.rejected == 0, report.message


def frame(conn: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
    found = conn.sql(f"select * from {table}").pl()
    return found.sort(found.columns, nulls_last=True)


def assert_same_as_full(settings: Settings, tmp: Path, *, incremental_steps: int) -> None:
    """The published snapshot's core and out_ tables equal a full rebuild's of a copy: the
    same rows, the same values (the sums of fractional parts, such as norm-weighted
    teachers, to the last bits a float sum in another order gives; a full rebuild is no
    closer to itself); and the core tables were updated, not rebuilt,
    ``incremental_steps`` times so far."""
    copy = tmp / "full.duckdb"
    shutil.copyfile(settings.published_db, copy)
    with duckdb.connect(str(copy)) as conn:
        steps = conn.execute(
            "select count(*) from meta__build_steps where step = 'core' and mode = 'incremental'"
        ).fetchall()
        assert steps == [(incremental_steps,)]
        updated = {t: frame(conn, t) for t in CORE + OUT}
        rebuild_core(conn, settings)
        rebuild_indicators(conn, settings)
        for table in CORE + OUT:
            assert_frame_equal(updated[table], frame(conn, table), rel_tol=1e-12, abs_tol=1e-9)
        assert updated["out_indicator__sums"].height > 0


@pytest.fixture(scope="module")
def tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("incremental")


def test_incremental_updates_equal_a_full_rebuild(tmp: Path) -> None:
    settings = Settings(data_dir=tmp / "data")
    # first build: 150 schools of 94 and 93, 30 of 95 in 2023-2024/DN (everything rebuilt)
    others = [elsewhere(n) for n in range(30)]
    load(tmp, settings, "p1", "2023-2024/DN", [school(n) for n in range(150)] + others)
    # a new period: 140 of them again, 3 new ones (the periods change: rebuilt in full)
    load(
        tmp,
        settings,
        "p2",
        "2024-2025/DN",
        [school(n) for n in range(140)] + [school(n) for n in (150, 151, 152)] + others,
    )
    assert_same_as_full(settings, tmp, incremental_steps=0)

    # replacements in the same period: values change, a school moves district, another
    # moves to old Hậu Giang, a school leaves nothing behind but appears new in this period
    changed = [school(n, bump=7) for n in (1, 2, 3)]
    changed.append(school(5, place=("94", "943", "31531")))
    changed.append(school(6, place=HAU_GIANG))
    changed.append(school(141))  # reported in 2023-2024 only: now back
    load(tmp, settings, "p2-fix", "2024-2025/DN", changed)
    assert_same_as_full(settings, tmp, incremental_steps=1)
    assert indicator_steps(settings) == 1  # Cần Thơ's units only: Cà Mau's stand

    # schools moving unit cannot take a difference: their provinces were recomputed
    assert last_indicator_mode(settings) == "incremental"

    # both provinces changed, values only: the stored sums took the two schools' difference
    load(
        tmp,
        settings,
        "p2-both",
        "2024-2025/DN",
        [school(9, bump=2), elsewhere(3, bump=5)],
    )
    assert last_indicator_mode(settings) == "difference"
    assert_same_as_full(settings, tmp, incremental_steps=2)

    # an earlier period corrected: a school's old return changes its place history
    load(tmp, settings, "p1-fix", "2023-2024/DN", [school(7, bump=-3), school(8, place=HAU_GIANG)])
    assert_same_as_full(settings, tmp, incremental_steps=3)


def test_registry_opens_and_closes_schools_incrementally(tmp: Path) -> None:
    settings = Settings(data_dir=tmp / "registry")
    load(tmp, settings, "r1", "2023-2024/DN", [school(n) for n in range(150)])
    load(tmp, settings, "r2", "2024-2025/DN", [school(n) for n in range(140)])
    # a pulled registry: a school closed in 2024-2025, one that never reported opens, one
    # listed in another commune than it reported
    listed = [
        (school(3)["school_code"], "legacy", "94", "941", "31498", "closed", None, "2024-2025"),
        ("94999999", "legacy", "94", "942", "31576", "open", "2023-2024", None),
        (school(4)["school_code"], "legacy", "94", "943", "31531", "open", None, None),
    ]
    with db.writer(settings) as conn:
        conn.executemany(
            "insert into raw_registry__schools (school_code, school_name, level, ownership, "
            "scheme, province_code, district_code, commune_code, status, opened_year, "
            "closed_year, source, version, run_id, pulled_at) values "
            "(?, 'Trường trong danh mục', 'TH', 'cong_lap', ?, ?, ?, ?, ?, ?, ?, 'registry', "
            "'1', 99, now())",
            listed,
        )
        report = FileReport("registry", 99, "loaded", school_codes=[s[0] for s in listed])
        assert rebuild_core(conn, settings, report.school_codes)  # the same province periods
        finish_session(conn, settings, [report])  # the same, and the indicators
    assert_same_as_full(settings, tmp / "registry", incremental_steps=2)


def test_a_school_moving_to_another_2025_province_leaves_nothing_in_the_old_one(
    tmp: Path,
) -> None:
    settings = Settings(data_dir=tmp / "moves")
    # four 2025 provinces (Cần Thơ, Cà Mau, An Giang, Đồng Tháp): moving one school between
    # two of them recomputes those two only, not everything
    others = [
        school(n, place=(legacy, *communes_of(legacy)[n % 5])) | {"school_code": f"{legacy}{n:06d}"}
        for legacy in ("95", "89", "87")
        for n in range(12)
    ]
    load(tmp, settings, "m1", "2024-2025/DN", [school(n) for n in range(40)] + others)
    before = indicator_steps(settings)
    moved = school(4, bump=3, place=("95", *BAC_LIEU[0]))  # from Sóc Trăng to Bạc Liêu
    load(tmp, settings, "m1-move", "2024-2025/DN", [moved])
    assert indicator_steps(settings) == before + 1  # incremental, not a full rebuild
    assert_same_as_full(settings, tmp / "moves", incremental_steps=1)


def test_the_difference_keeps_the_official_basis_to_approved_returns(tmp: Path) -> None:
    """With approval required, the stored sums take the difference of changed unapproved
    returns on both bases, after approvals published in between, and equal a full rebuild
    (whose official basis counts the approved returns only)."""
    settings = Settings(data_dir=tmp / "approved", approval="required")
    load(tmp, settings, "a1", "2021-2022/DN", [school(n) for n in range(150)])
    approve(settings, [school(n)["school_code"] for n in range(0, 40, 3)], period="2021-2022/DN")
    assert_same_as_full(settings, tmp / "approved", incremental_steps=0)
    # unapproved schools change (an approved one sent unchanged is no change)
    load(tmp, settings, "a2", "2021-2022/DN", [school(n, bump=4) for n in (1, 2, 4)] + [school(3)])
    assert last_indicator_mode(settings) == "difference"
    assert_same_as_full(settings, tmp / "approved", incremental_steps=1)
    # more approvals, then one of the newly changed returns changes once more
    approve(settings, [school(n)["school_code"] for n in (1, 5)], period="2021-2022/DN")
    load(tmp, settings, "a3", "2021-2022/DN", [school(n, bump=9) for n in (2, 7)])
    assert last_indicator_mode(settings) == "difference"
    assert_same_as_full(settings, tmp / "approved", incremental_steps=2)


def test_the_difference_redoes_the_findings_of_the_changed_schools_peers(tmp: Path) -> None:
    """A school's outlier finding depends on its peers (same level, old district, period):
    when a peer that had no class starts counting, an unchanged school becomes an outlier
    among five, and the difference path finds it as a full rebuild does."""
    settings = Settings(data_dir=tmp / "peers")
    district, commune = PLACES[0]

    def upper(n: int, classes: int, students: int) -> dict[str, Any]:
        return school(n, place=("94", district, commune)) | {
            "school_code": f"94{900000 + n}",
            "level": "THPT",
            "classes": classes,
            "students": students,
            "students_female": students // 2,
        }

    group = [upper(1, 10, 300), upper(2, 10, 310), upper(3, 10, 305), upper(4, 10, 450)]
    group.append(upper(5, 0, 0))  # no class yet: no ratio, not a peer
    load(tmp, settings, "g1", "2024-2025/DN", [school(n) for n in range(40)] + group)
    outlier = "select count(*) from out_quality__findings where school_code = ? and rule = ?"
    # four peers with a class: none is compared with the others
    assert snapshot_scalar(settings, outlier, "94900004", "outlier") == 0
    load(tmp, settings, "g2", "2024-2025/DN", [upper(5, 10, 308)])
    assert last_indicator_mode(settings) == "difference"
    # unchanged itself, an outlier among five now
    assert snapshot_scalar(settings, outlier, "94900004", "outlier") >= 1
    assert_same_as_full(settings, tmp / "peers", incremental_steps=1)


def snapshot_scalar(settings: Settings, sql: str, *values: Any) -> int:
    found = db.connect_published(settings)
    try:
        return int(found.execute(sql, list(values)).fetchone()[0])
    finally:
        found.close()
