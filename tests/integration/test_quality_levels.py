"""The API's quality report is computed for every unit of a level at once
(:func:`ioc.views.quality.level_figures`, kept indexed by :func:`ioc.api.views.quality`);
each unit's figures must be what the report of that
unit alone says (:func:`ioc.views.quality.quality_report`, its own queries per unit), on the
demo data, in every period, at every level of both schemes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from ingest.runner import ingest
from ioc import db
from ioc.api.cache import uncached
from ioc.api.views import quality
from ioc.config import Settings
from ioc.domain.period import Period
from ioc.domain.units import Unit
from ioc.views.quality import quality_report, unit_figures
from ioc.views.units import unit_index
from tests.fixtures import SCHOOLS, table_rows, write_csv


def counted(report: dict[str, Any]) -> dict[str, Any]:
    chase, findings = report.pop("chase_list"), report.pop("findings")
    return report | {"chase_count": len(chase), "findings_count": len(findings)}


def compare(settings: Settings, per_level: int) -> dict[str, int]:
    """Compares, in every period, ``per_level`` units of each level with figures and two
    without; returns how many units had schools to chase, findings, or a part that never
    reported."""
    conn = db.connect_published(settings)
    seen = {"units": 0, "chase": 0, "findings": 0, "partial": 0}
    try:
        units = list(unit_index(conn, settings).values())
        chosen_periods = [
            Period.of(y, t) for y, t, *_ in db.query(conn, "queries/periods", settings).rows()
        ]
        for scheme in ("legacy", "2025"):
            for period in [p for p in chosen_periods if p.scheme == scheme]:
                year, term = period.school_year, period.term
                for level in ("province", "district", "commune"):
                    chosen = [u for u in units if u.scheme == scheme and u.level == level]
                    if not chosen:
                        continue
                    whole = Unit(scheme, level, "", "")
                    figures = uncached(*quality(conn, settings, whole, year, term))
                    codes = set(figures.whole.frame["parent_code"].cast(pl.String))
                    codes |= set(figures.children.frame["parent_code"].cast(pl.String))
                    some = [u for u in chosen if u.code in codes][:per_level]
                    for unit in some + [u for u in chosen if u.code not in codes][:2]:
                        expected = counted(quality_report(conn, settings, unit, year, term))
                        missing = expected["predecessors_without_returns"]
                        got = unit_figures(*figures.of(unit.code), unit, year, term, missing)
                        assert got == expected, (unit, period)
                        seen["units"] += 1
                        seen["chase"] += got["chase_count"] > 0
                        seen["findings"] += got["findings_count"] > 0
                        seen["partial"] += bool(missing)
    finally:
        conn.close()
    return seen


def test_each_units_figures_equal_its_own_report(demo_settings: Settings) -> None:
    seen = compare(demo_settings, per_level=6)
    assert seen["units"] > 200 and seen["findings"] > 50
    assert seen["chase"] >= 5 and seen["partial"] >= 4


def test_schools_to_chase_counted_per_unit(tmp_path: Path) -> None:
    """Returns received years after their due date (late), and two schools of district 941
    and 942 that stop reporting (missing): each unit's count is its chase list's length."""
    settings = Settings(data_dir=tmp_path / "data")
    rows = [write_csv(tmp_path / "all.csv", table_rows())]
    ingest(rows, period="2021-2022/DN", settings=settings)
    some = [s for s in SCHOOLS if s["school_code"] not in ("94100002", "94200002")]
    ingest(
        [write_csv(tmp_path / "some.csv", table_rows(some))],
        period="2021-2022/CN",
        settings=settings,
    )
    seen = compare(settings, per_level=20)
    assert seen["units"] >= 6 and seen["chase"] >= 6
