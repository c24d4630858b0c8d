"""The exam catalog: every council maps to a distinct old province of the unit list, the
real results' councils are where the shared code list puts them, combinations are sound."""

from __future__ import annotations

import json

import polars as pl

from ioc.exams.catalog import load_exam_catalog
from ioc.geo import admin as geo
from tests.real_data import EXAMS, real


def test_every_council_is_an_old_province() -> None:
    catalog = load_exam_catalog()
    provinces = geo.units().filter((pl.col("scheme") == "legacy") & (pl.col("level") == "province"))
    codes = set(provinces["code"].to_list())
    assert len(catalog.councils) == 63
    assert {c.province for c in catalog.councils.values()} == codes


def test_the_shared_results_councils_are_their_named_provinces() -> None:
    catalog = load_exam_catalog()
    names = dict(
        geo.units()
        .filter((pl.col("scheme") == "legacy") & (pl.col("level") == "province"))
        .select("code", "name")
        .iter_rows()
    )
    # the results files name their council's province; the catalog must agree
    for path in sorted(real(EXAMS).glob("exam_results_*.json")):
        head = json.loads(path.read_text(encoding="utf-8"))
        province = catalog.province_of(head["province_code"])
        assert province is not None
        wanted = head["province_name"].replace("TỈNH ", "").title()
        assert names[province].endswith(wanted), (path.name, names[province], wanted)


def test_combinations_name_known_subjects_and_languages() -> None:
    catalog = load_exam_catalog()
    assert [c.code for c in catalog.combinations] == ["A00", "A01", "B00", "C00", "D01"]
    assert catalog.combinations[1].language == "N1" and catalog.province_of("99") is None
