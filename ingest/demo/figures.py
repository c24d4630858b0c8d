"""The demo's figures: every field of every return, drawn per school from seeded generators.

A return is the school's identity and place (in the period's unit scheme), its headline figures
(``headline.py``: 2021-2022 DN reproduces each old province's totals exactly, Sóc Trăng's
being the published ones; the other periods drift from it) and every other field
(``fields.py``), for each period the school reports in.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from typing import Any

import polars as pl

from ingest.demo.fields import blank_some, other_fields
from ingest.demo.headline import headline, year_index
from ingest.demo.population import DemoPlan, School, geo_of, population
from ingest.demo.provinces import ALL, PERIODS, PROVINCE_2025
from ioc.catalog import load_contract
from ioc.domain.period import Period

NEW_SCHOOL_PERIOD = ("2023-2024", "DN")
CLOSED_AFTER = ("2022-2023", "CN")


def _identity(school: School, year: str, term: str) -> dict[str, Any]:
    row = {
        "school_code": school.code,
        "school_name": school.name,
        "level": school.level,
        "ownership": school.ownership,
        "province_code": school.province,
        "district_code": school.district,
        "commune_code": school.commune,
        "area": school.area,
        "latitude": school.latitude,
        "longitude": school.longitude,
        "school_year": year,
        "term": term,
        "school_type": school.school_type,
    }
    if Period.of(year, term).scheme == "2025":
        row |= {
            "province_code": PROVINCE_2025,
            "district_code": None,
            "commune_code": _commune_2025(school),
        }
    return row


def _commune_2025(school: School) -> str:
    """The 2025 commune: the only one, or for a split commune the nearest by the school's point."""
    options = geo_of(school.province).crosswalk[school.commune]
    if len(options) == 1:
        return options[0][0]
    if school.latitude is None or school.longitude is None:
        return next(code for code, default in options if default)
    lat, lon = school.latitude, school.longitude

    def distance(code: str) -> float:
        clat, clon = geo_of(school.province).centroids_2025[code]
        return (clat - lat) ** 2 + ((clon - lon) * math.cos(math.radians(lat))) ** 2

    return min((code for code, _ in options), key=distance)


def _return_row(seed: int, school: School, year: str, term: str) -> dict[str, Any]:
    head = headline(seed, school, year, term)
    t = year_index(year) + (0.5 if term == "CN" else 0.0)
    row = _identity(school, year, term)
    row |= {"classes": head["classes"], "students": head["students"]}
    row |= {k: head[k] for k in ("managers", "teachers", "employees")}
    row |= other_fields(school, head, t)
    blank_some(row, seed)
    return row


def _reports_in(school: School, plan: DemoPlan, year: str, term: str) -> bool:
    index = PERIODS.index((year, term))
    if school.code == plan.opened and index < PERIODS.index(NEW_SCHOOL_PERIOD):
        return False
    if school.code == plan.closed and index > PERIODS.index(CLOSED_AFTER):
        return False
    return school.code not in plan.missing.get(str(Period.of(year, term)), [])


def _schema() -> dict[str, pl.DataType]:
    types = {"count": pl.Int64(), "decimal": pl.Float64(), "flag": pl.Boolean()}
    return {f.name: types.get(f.type, pl.String()) for f in load_contract().fields}


@functools.cache
def _generate(seed: int, province: str) -> pl.DataFrame:
    schools, plan = population(seed, province)
    rows = []
    for year, term in PERIODS:
        for school in schools:
            if not _reports_in(school, plan, year, term):
                continue
            row = _return_row(seed, school, year, term)
            if school.code == plan.jump and (year, term) == ("2024-2025", "DN"):
                row["students"] = round(row["students"] * 2.5)
            rows.append(row)
    return pl.DataFrame(rows, schema=_schema())


def generate_returns(seed: int = 94, provinces: Iterable[str] = ALL) -> pl.DataFrame:
    """Every return the demo store should hold after :func:`build_demo` (after corrections),
    for the old provinces given (by default the three that formed Cần Thơ in 2025).

    One row per school and period, contract columns (with ``school_year`` and ``term``), typed:
    Int64 counts, Float64 decimals, Boolean flags, None for unknown. Missing returns are
    absent; the implausible jump is present (it is a warning, not a reject). Rows come
    province by province, then period by period.
    """
    return pl.concat([_generate(seed, code) for code in sorted(provinces)])


def demo_plan(seed: int = 94) -> DemoPlan:
    """The planted data-quality problems of the demo for this seed (all in Sóc Trăng)."""
    return population(seed, "94")[1]
