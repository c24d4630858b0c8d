"""A unit's exam figures for a year, JSON-ready: what ``ioc exams summary`` prints and
``GET /api/v1/exams/summary`` answers (docs/exams.md "Statistics")."""

from __future__ import annotations

from typing import Any

import duckdb

from ioc import db
from ioc.config import Settings
from ioc.domain.units import SCHEMES, UnitCodeError, level_of
from ioc.exams.catalog import load_exam_catalog
from ioc.views.units import find_unit

SCHOOL = "school"
FIRST_2025_YEAR = 2025  # results published in mid-July 2025, after the reorganisation


def default_scheme(year: int) -> str:
    """The scheme a year's figures are shown in when none is asked for: the 2025 scheme from
    the first results published after the reorganisation of 1 July 2025 (the 2025 exam's
    councils were still the old provinces'), legacy before it."""
    return "2025" if year >= FIRST_2025_YEAR else "legacy"


def years(conn: duckdb.DuckDBPyConnection, settings: Settings) -> list[int]:
    """The years loaded, latest first."""
    return [int(y) for y in db.query(conn, "exams/years", settings)["year"]]


def summary(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    *,
    unit: str,
    year: int,
    scheme: str,
    subject: str | None = None,
) -> dict[str, Any]:
    """The unit (a province, an old district, a 2025 commune, or a school by its code), the
    councils of its province's figures, per subject the statistics, shares and spectrum,
    the combinations, and a province's rank. Unknown unit, scheme, subject or year:
    :class:`~ioc.db.DataError` (:class:`~ioc.db.NotFound` for what does not exist)."""
    catalog = load_exam_catalog()
    if scheme not in SCHEMES:
        raise db.DataError(f"unknown unit scheme {scheme!r}: use 'legacy' or '2025'")
    codes = [s.code for s in catalog.subjects]
    if subject is not None and subject not in codes:
        raise db.DataError(f"unknown exam subject {subject!r}: one of {', '.join(codes)}")
    if year not in years(conn, settings):
        raise db.NotFound(f"no exam results loaded for {year}")
    about = _unit(conn, settings, unit, scheme)
    key = {"year": year, "scheme": scheme, "level": about["level"], "unit": about["code"]}
    asked = [subject] if subject else codes
    combinations = [c for c in catalog.combinations if subject is None or subject in c.subjects]
    spectra: dict[str, list[dict[str, Any]]] = {}
    for row in db.query(conn, "exams/summary_spectrum", settings, **key).iter_rows(named=True):
        spectra.setdefault(row["subject"], []).append(
            {"bin_from": row["bin_from"], "papers": row["papers"]}
        )
    found = db.query(conn, "exams/summary_subjects", settings, **key, subjects=asked)
    by_subject = {r["subject"]: r for r in found.iter_rows(named=True)}
    subjects = [
        {
            "subject": code,
            "vi": catalog.subject(code).vi,
            "en": catalog.subject(code).en,
            **_shares(by_subject[code]),
            "spectrum": spectra.get(code, []),
        }
        for code in asked
        if code in by_subject
    ]
    found = db.query(
        conn, "exams/summary_combinations", settings, **key,
        combinations=[c.code for c in combinations],
    )  # fmt: skip
    by_combination = {r["combination"]: r for r in found.iter_rows(named=True)}
    rank = None
    if about["level"] == "province":
        ranked = db.query(
            conn, "exams/summary_rank", settings, year=year, scheme=scheme, unit=about["code"]
        )
        rank = ranked.row(0, named=True) if ranked.height else None
    return {
        "year": year,
        "unit": about,
        "councils": _councils(conn, settings, year, scheme, about["province_code"]),
        "rank": rank,
        "subjects": subjects,
        "combinations": [
            {
                **by_combination[c.code],
                "subjects": c.subjects,
                "language": c.language,
                "spectrum": spectra.get(c.code, []),
            }
            for c in combinations
            if c.code in by_combination
        ],
    }


def _shares(row: dict[str, Any]) -> dict[str, Any]:
    """A subject's row with the shares of its papers (%) at each threshold."""
    n = row["candidates"]
    shares = {
        f"{column}_pct": 100 * row[column] / n if n else None
        for column in ("ge5", "ge8", "eq10", "failing")
    }
    return {**row, **shares}


def _unit(
    conn: duckdb.DuckDBPyConnection, settings: Settings, code: str, scheme: str
) -> dict[str, Any]:
    """The unit a code names: an administrative unit of the scheme, else a linked school."""
    try:
        level_of(code)
    except UnitCodeError:
        schools = db.query(conn, "exams/school_unit", settings, code=code)
        if not schools.height:
            raise db.NotFound(
                f"{code} is neither a unit code nor a school of the registry"
            ) from None
        school = schools.row(0, named=True)
        return {
            "code": code,
            "scheme": scheme,
            "level": SCHOOL,
            "name": school["school_name"],
            "province_code": school[f"province_code_{scheme}"],
        }
    found = find_unit(conn, settings, code, scheme)
    return {
        "code": found.code,
        "scheme": found.scheme,
        "level": found.level,
        "name": found.name,
        "province_code": found.province_code,
    }


def _councils(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    year: int,
    scheme: str,
    province: str | None,
) -> list[dict[str, Any]]:
    """The councils of the province's figures, each with its name (none loaded: empty)."""
    councils = load_exam_catalog().councils
    rows = db.query(
        conn, "exams/summary_councils", settings, year=year, scheme=scheme, province=province
    )
    return [{**r, "name": councils[r["council_code"]].name} for r in rows.iter_rows(named=True)]
