"""Exam results (docs/exams.md): the years loaded, a unit's summary, a subject's spectrum
against the other provinces, the admission combinations, the ranking of a unit's linked
schools, the provinces' ranks and the data quality per council.

Scoped as the indicators are: a unit named must lie in the caller's units (403), figures of
other units (the provinces compared, ranked, the councils' quality) are cut to the units the
caller may see, and a display account sees no school."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import polars as pl
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ioc.api.cache import cached
from ioc.api.deps import CursorDep, PrincipalDep, SettingsDep
from ioc.api.errors import ApiError
from ioc.api.listing import Format, respond
from ioc.api.params import MAX_PAGE, UNIT_TEXT, UnitQuery
from ioc.api.scope import allowed_units, filter_units, require_in_scope, require_schools
from ioc.api.views import units
from ioc.catalog.definitions import load_messages
from ioc.catalog.messages import FORMATTERS
from ioc.domain.units import Unit, code_pattern
from ioc.exams.summary import default_scheme
from ioc.exams.summary import summary as exam_summary
from ioc.views import exams
from ioc.views.units import find_in

router = APIRouter(prefix="/exams", tags=["exams"])

SUBJECTS = exams.subject_codes()
COMBINATIONS = exams.combination_codes()
SCHOOL_SORTABLE = ("rank", "school_code", "school_name", "papers", "mean", "failing",
                   "students_per_class", "teachers_per_class")  # fmt: skip

YearQuery = Annotated[
    int,
    Query(
        ge=2000, le=2100, description="Exam year (the national graduation exam's)", examples=[2025]
    ),
]
ExamSchemeQuery = Annotated[
    Literal["legacy", "2025"] | None,
    Query(
        description="Unit scheme; default: 2025 from the 2025 exam on (its results came out "
        "after the reorganisation of 1 July 2025), legacy before"
    ),
]
SubjectQuery = Annotated[
    str | None,
    Query(pattern=f"^({'|'.join(SUBJECTS)})$", max_length=32, description="Subject code"),
]
PaperQuery = Annotated[
    str,
    Query(
        pattern=f"^({'|'.join(SUBJECTS + COMBINATIONS)})$",
        max_length=32,
        description="Subject code, or a combination's code (its totals)",
    ),
]
RankedSubjectQuery = Annotated[
    str,
    Query(
        pattern=rf"^(\*|{'|'.join(SUBJECTS)})$",
        max_length=32,
        description="Subject code; * = the mean of all papers",
    ),
]
ProvinceQuery = Annotated[
    str | None,
    Query(
        pattern=code_pattern(),
        max_length=5,
        description=f"Only the councils of this province. {UNIT_TEXT}",
    ),
]


def _problem(status: int, code: str, **params: Any) -> ApiError:
    """A problem whose texts are the catalog's (messages.yaml ``exam_api``)."""
    vi, en = (
        FORMATTERS[lang].vformat(getattr(load_messages().exam_api[code], lang), (), params)
        for lang in ("vi", "en")
    )
    return ApiError(status, code, vi, en, **params)


def _loaded(request: Request, cur: Any, settings: Any, year: int) -> None:
    """404 unless exam results of the year are loaded."""
    known = cached(request, ("exam-years",), lambda: exams.years(cur, settings)["year"].to_list())
    if year not in known:
        raise _problem(404, "unknown_exam_year", year=year)


def _unit(
    request: Request, cur: Any, settings: Any, who: Any, code: str, scheme: str | None, year: int
) -> Unit:
    """The unit (422 malformed, 404 unknown, 403 out of scope) of a loaded year (404), in the
    scheme asked for or the year's own."""
    found = find_in(cached(request, *units(cur, settings)), code, scheme or default_scheme(year))
    require_in_scope(cur, settings, who, found.scheme, found.code, request)
    _loaded(request, cur, settings, year)
    return found


@router.get("/years", summary="The exam years loaded, their councils, whether schools are linked")
def years(request: Request, cur: CursorDep, settings: SettingsDep, who: PrincipalDep) -> Any:
    frame = cached(request, ("exam-year-rows",), lambda: exams.years(cur, settings))
    return Response(frame.write_json(), media_type="application/json")


@router.get(
    "/summary",
    summary="A unit's exam figures: councils present, per subject the statistics and spectrum, "
    "the combinations, its ranks",
)
def summary(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: PrincipalDep,
    unit: UnitQuery,
    year: YearQuery,
    scheme: ExamSchemeQuery = None,
    subject: SubjectQuery = None,
) -> dict[str, Any]:
    found = _unit(request, cur, settings, who, unit, scheme, year)
    return exam_summary(
        cur, settings, unit=found.code, year=year, scheme=found.scheme, subject=subject
    )


@router.get(
    "/spectrum",
    summary="A subject's score spectrum (shares of papers per 0.25 bin) for a unit, and for "
    "a province every other province loaded; for a smaller unit its province",
)
def spectrum(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: PrincipalDep,
    unit: UnitQuery,
    year: YearQuery,
    subject: PaperQuery,
    scheme: ExamSchemeQuery = None,
    format: Format = "json",
) -> Any:
    found = _unit(request, cur, settings, who, unit, scheme, year)

    def bins(level: str, codes: list[str] | None) -> pl.DataFrame:
        return exams.spectrum(
            cur, settings, year=year, scheme=found.scheme, level=level, units=codes, subject=subject
        )

    own = bins(found.level, [found.code])
    compared = None if found.level == "province" else [found.province_code]
    others = bins("province", compared).filter(pl.col("unit_code") != found.code)
    others = filter_units(
        others.with_columns(pl.lit(found.scheme).alias("scheme")),
        allowed_units(cur, settings, who, request),
    ).drop("scheme")
    rows = pl.concat(
        [
            own.with_columns(pl.lit(True).alias("asked")),
            others.with_columns(pl.lit(False).alias("asked")),
        ]
    )
    return respond(
        request, rows, f"exam_spectrum_{found.code}_{year}_{subject}", format, exams.LABELS
    )


@router.get("/combinations", summary="A unit's admission combinations: candidates and totals")
def combinations(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: PrincipalDep,
    unit: UnitQuery,
    year: YearQuery,
    scheme: ExamSchemeQuery = None,
    format: Format = "json",
) -> Any:
    found = _unit(request, cur, settings, who, unit, scheme, year)
    rows = exams.combinations(cur, settings, year=year, unit=found)
    return respond(request, rows, f"exam_combinations_{found.code}_{year}", format, exams.LABELS)


@router.get(
    "/schools",
    summary="A unit's linked schools ranked by mean, with their students and teachers per class",
)
def schools(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: PrincipalDep,
    unit: UnitQuery,
    year: YearQuery,
    scheme: ExamSchemeQuery = None,
    subject: RankedSubjectQuery = exams.ALL_PAPERS,
    sort: Annotated[
        str,
        Query(
            pattern=f"^-?({'|'.join(SCHOOL_SORTABLE)})$",
            max_length=24,
            description="Column to sort by; prefix - for descending",
        ),
    ] = "rank",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    size: Annotated[int, Query(ge=1, le=1000)] = 50,
    format: Format = "json",
) -> Any:
    require_schools(who)
    found = _unit(request, cur, settings, who, unit, scheme, year)
    rows = exams.schools(cur, settings, year=year, unit=found, subject=subject)
    by, descending = sort.lstrip("-"), sort.startswith("-")
    rows = rows.sort([by, "school_code"], descending=[descending, False], nulls_last=True)
    name = f"exam_schools_{found.code}_{year}_{'all' if subject == '*' else subject}"
    if format != "json":
        return respond(request, rows, name, format, exams.LABELS)
    items = rows.slice((page - 1) * size, size).write_json()
    head = f'{{"total":{rows.height},"page":{page},"size":{size},"items":'
    return Response(f"{head}{items}}}", media_type="application/json")


@router.get("/provinces", summary="The provinces loaded ranked by mean in a subject")
def provinces(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: PrincipalDep,
    year: YearQuery,
    scheme: ExamSchemeQuery = None,
    subject: RankedSubjectQuery = exams.ALL_PAPERS,
    format: Format = "json",
) -> Any:
    _loaded(request, cur, settings, year)
    shown = scheme or default_scheme(year)
    rows = exams.provinces(cur, settings, year=year, scheme=shown, subject=subject)
    rows = filter_units(rows, allowed_units(cur, settings, who, request)).drop("scheme")
    name = f"exam_provinces_{shown}_{year}_{'all' if subject == '*' else subject}"
    return respond(request, rows, name, format, exams.LABELS)


@router.get(
    "/quality",
    summary="Data quality per exam council: number range covered, candidates linked to a "
    "school, outlier schools",
)
def quality(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: PrincipalDep,
    year: YearQuery,
    unit: ProvinceQuery = None,
    scheme: Annotated[
        Literal["legacy", "2025"], Query(description="The scheme of `unit`")
    ] = "legacy",
    format: Format = "json",
) -> Any:
    if unit is not None:
        found = _unit(request, cur, settings, who, unit, scheme, year)
        if found.level != "province":
            raise _problem(422, "exam_unit_not_province", unit=unit)
    _loaded(request, cur, settings, year)
    rows = exams.quality(cur, settings, year=year)
    if unit is not None:
        column = "province_code_legacy" if scheme == "legacy" else "province_code_2025"
        rows = rows.filter(pl.col(column) == unit)
    allowed = allowed_units(cur, settings, who, request)
    if allowed is not None:
        inside = filter_units(
            rows.with_columns(pl.lit("legacy").alias("scheme")),
            allowed,
            code_col="province_code_legacy",
        )
        successors = filter_units(
            rows.with_columns(pl.lit("2025").alias("scheme")),
            allowed,
            code_col="province_code_2025",
        )
        keep = pl.concat([inside, successors])["council_code"]
        rows = rows.filter(pl.col("council_code").is_in(keep.implode()))
    return respond(request, rows, f"exam_quality_{year}", format, exams.LABELS)
