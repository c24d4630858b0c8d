"""The reconciliation summary and the data-quality report of a unit."""

from __future__ import annotations

from typing import Any

import polars as pl
from fastapi import APIRouter, Request

from ioc import db
from ioc.api import views
from ioc.api.cache import cached, getter
from ioc.api.deps import CursorDep, PrincipalDep, SettingsDep
from ioc.api.listing import Format, respond
from ioc.api.params import UnitPeriod, UnitPeriodDep
from ioc.api.scope import allowed_units, filter_units, require_schools
from ioc.catalog.messages import describe
from ioc.views.quality import unit_figures
from ioc.views.summary import summary as build_summary

router = APIRouter(tags=["reports"])


@router.get("/summary", summary="Totals of every count field, schools by level and ownership")
def summary(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: PrincipalDep,
    at: UnitPeriodDep,
) -> dict[str, Any]:
    found, school_year, term = at.unit, at.school_year, at.term
    return cached(
        request,
        ("summary", found.scheme, found.code, school_year, term),
        lambda: build_summary(
            cur,
            settings,
            code=found.code,
            school_year=school_year,
            term=term,
            scheme=found.scheme,
        ),
    )


@router.get("/quality", summary="Completeness, timeliness and score per child unit")
def quality(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: PrincipalDep,
    at: UnitPeriodDep,
    format: Format = "json",
) -> Any:
    found, school_year, term = at.unit, at.school_year, at.term

    # every unit of the level's figures, kept for the build; the caller's scope applies after
    get = getter(request)
    level: views.QualityBatch = get(*views.quality(cur, settings, found, school_year, term))
    children, whole, findings = level.of(found.code)
    missing = get(*views.predecessors(get, cur, settings, found))
    report = unit_figures(children, whole, findings, found, school_year, term, missing)
    rows = pl.DataFrame(report["by_unit"], infer_schema_length=None)
    if rows.height:
        rows = filter_units(
            rows.with_columns(pl.lit(found.scheme).alias("scheme")),
            allowed_units(cur, settings, who, request),
        ).drop("scheme")
    if format != "json":
        return respond(request, rows, f"quality_{found.code}_{school_year}_{term}", format)
    return {
        "unit": report["unit"],
        "period": report["period"],
        "total": report["total"],
        "predecessors_without_returns": report["predecessors_without_returns"],
        "by_unit": rows.to_dicts(),
        "chase_count": report["chase_count"],
        "findings_count": report["findings_count"],
    }


def _school_list(
    request: Request,
    cur: Any,
    settings: Any,
    who: Any,
    query: str,
    name: str,
    at: UnitPeriod,
    format: Format,
) -> Any:
    """A school-level list of one unit and period (no school detail for display accounts)."""
    require_schools(who)
    found, school_year, term = at.unit, at.school_year, at.term
    rows = db.query(
        cur,
        f"queries/{query}",
        settings,
        scheme=found.scheme,
        level=found.level,
        code=found.code,
        school_year=school_year,
        term=term,
    )
    if "rule" in rows.columns:  # findings: what a user reads, from the catalog
        rows = describe(rows)
    return respond(request, rows, f"{name}_{found.code}_{school_year}_{term}", format)


@router.get("/quality/chase", summary="Schools expected but not reported, or reported late")
def chase(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: PrincipalDep,
    at: UnitPeriodDep,
    format: Format = "json",
) -> Any:
    return _school_list(request, cur, settings, who, "chase_list", "chase", at, format)


@router.get("/quality/findings", summary="Findings and ingest warnings for the unit's schools")
def findings(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: PrincipalDep,
    at: UnitPeriodDep,
    format: Format = "json",
) -> Any:
    return _school_list(request, cur, settings, who, "unit_findings", "findings", at, format)
