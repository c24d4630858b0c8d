"""The review desk's reads (docs/approval.md, "API"): the returns of a period with their
review state, the queue, the summary per child unit, and one return's detail (its figures
beside the previous period's and the version it replaced, its findings, its effect on its
units' totals).

The snapshot gives the returns and their content hashes; the store's reviews come in as
:class:`~ioc.reviews.states.Stored` per school code, and :func:`current_state` decides the
state now (a review holds only for the content it was taken on)."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import Any

import duckdb
import polars as pl

from ioc import db
from ioc.catalog import load_contract
from ioc.catalog.messages import describe
from ioc.config import Settings
from ioc.db import NotFound
from ioc.domain.period import Period
from ioc.domain.units import PLACE_COLUMN, Unit, child_level
from ioc.reviews.states import State, Stored, current_state
from ioc.views.units import UnitIndex

#: the states of a return still waiting for someone (the queue's default)
WAITING = (State.RECEIVED, State.CHECKED, State.RETURNED)
#: the columns of a return that are not its figures
NOT_FIGURES = frozenset({"run_id", "sheet", "source_row", "content_hash"})
#: the queue's columns, in order
QUEUE_COLUMNS = (
    "school_code",
    "school_name",
    "level",
    "province_code",
    "district_code",
    "commune_code",
    "state",
    "received_at",
    "age_days",
    "findings",
    "content_hash",
    "reason",
    "updated_at",
    "updated_by",
)
#: the place columns of a period's scheme: (province, district, commune)
_SCHEME_PLACES = {
    "legacy": ("province_code_legacy", "district_code_legacy", "commune_code_legacy"),
    "2025": ("province_code_2025", None, "commune_code_2025"),
}


def period_returns(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    period: Period,
    school_code: str | None = None,
) -> pl.DataFrame:
    """Every return of the period (or ``school_code``'s alone; ``queries/review_returns``),
    with its units in the period's scheme as ``province_code``, ``district_code``,
    ``commune_code``."""
    rows = db.query(
        conn,
        "queries/review_returns",
        settings,
        school_year=period.school_year,
        term=period.term,
        school_code=school_code,
    )
    province, district, commune = _SCHEME_PLACES[period.scheme]
    return rows.with_columns(
        pl.col(province).alias("province_code"),
        (pl.col(district) if district else pl.lit(None, pl.String)).alias("district_code"),
        pl.col(commune).alias("commune_code"),
    )


def in_unit(frame: pl.DataFrame, unit: Unit) -> pl.DataFrame:
    """The returns of schools placed in ``unit`` (its place column in its own scheme)."""
    return frame.filter(pl.col(PLACE_COLUMN[(unit.scheme, unit.level)]) == unit.code)  # type: ignore[index]


def in_schools(frame: pl.DataFrame, schools: Collection[str] | None) -> pl.DataFrame:
    """The returns of ``schools`` (None: every one)."""
    if schools is None:
        return frame
    return frame.filter(pl.col("school_code").is_in(list(schools)))


def with_states(
    frame: pl.DataFrame,
    stored: Mapping[str, Stored],
    detail: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    now: datetime | None = None,
) -> pl.DataFrame:
    """``frame`` with each return's ``state`` now, its age in days since it was received,
    and (from ``detail``: the store's review per school) the reason and who last acted."""
    now = now or datetime.now(UTC)
    detail = detail or {}
    codes = frame["school_code"].to_list()
    hashes = frame["content_hash"].to_list()
    states = [str(current_state(stored.get(c), h)) for c, h in zip(codes, hashes, strict=True)]
    same = [c in stored and stored[c].content_hash == h for c, h in zip(codes, hashes, strict=True)]

    def of(key: str) -> list[Any]:
        return [detail.get(c, {}).get(key) if k else None for c, k in zip(codes, same, strict=True)]

    return frame.with_columns(
        pl.Series("state", states, pl.String),
        ((pl.lit(now) - pl.col("received_at").dt.convert_time_zone("UTC")).dt.total_days())
        .cast(pl.Int32)
        .alias("age_days"),
        pl.Series("reason", of("reason"), pl.String),
        pl.Series("updated_at", of("updated_at"), pl.Datetime("us", "UTC")),
        pl.Series("updated_by", of("updated_by"), pl.String),
    )


def queue(frame: pl.DataFrame, states: Collection[str] = WAITING) -> pl.DataFrame:
    """The returns (of :func:`with_states`) in ``states``, oldest first."""
    rows = frame.filter(pl.col("state").is_in([str(s) for s in states]))
    return rows.sort("received_at", "school_code", nulls_last=True).select(QUEUE_COLUMNS)


def summary(
    frame: pl.DataFrame, unit: Unit, index: UnitIndex, locked: Collection[tuple[str, str]]
) -> pl.DataFrame:
    """Per child unit of ``unit`` (the unit itself at the bottom level): its returns by
    state, ``pending`` (not approved) and ``locked`` (its province's period is locked;
    ``locked``: the (scheme, province code) locks of the period)."""
    level = child_level(unit.scheme, unit.level) or unit.level
    column = PLACE_COLUMN[(unit.scheme, level)]  # type: ignore[index]
    province = PLACE_COLUMN[(unit.scheme, "province")]  # type: ignore[index]
    rows = frame.with_columns(
        (
            pl.col("province_code_legacy").is_in([c for s, c in locked if s == "legacy"])
            | pl.col("province_code_2025").is_in([c for s, c in locked if s == "2025"])
        ).alias("_locked")
    )
    counts = rows.group_by(pl.col(column).alias("unit_code")).agg(
        *((pl.col("state") == str(s)).sum().cast(pl.Int64).alias(str(s)) for s in State),
        pl.len().cast(pl.Int64).alias("returns"),
        (pl.col("state") != str(State.APPROVED)).sum().cast(pl.Int64).alias("pending"),
        pl.col("_locked").any().alias("locked"),
        pl.col(province).first().alias("province_code"),
    )
    names = [index.get((unit.scheme, c)) for c in counts["unit_code"].to_list()]
    return (
        counts.with_columns(
            pl.lit(unit.scheme).alias("scheme"),
            pl.lit(level).alias("level"),
            pl.Series("unit_name", [n.name if n else None for n in names], pl.String),
            pl.col("locked").fill_null(False),
        )
        .select(
            "scheme",
            "level",
            "unit_code",
            "unit_name",
            "returns",
            *(str(s) for s in State),
            "pending",
            "locked",
        )
        .sort("unit_code", nulls_last=True)
    )


def figures(
    conn: duckdb.DuckDBPyConnection, settings: Settings, school_code: str, period: Period
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The return's row and its figures: per contract field its labels, its value now, the
    same term a year before (``previous``) and in the version this return replaced
    (``replaced``); NotFound when the school sent no return for the period."""
    before = period.previous_same_term
    rows = db.query(
        conn,
        "queries/review_return_rows",
        settings,
        school_code=school_code,
        school_year=period.school_year,
        previous_year=before.school_year,
        term=period.term,
    )
    now = rows.filter(pl.col("school_year") == period.school_year)
    if now.is_empty():
        raise NotFound(f"school {school_code} sent no return for {period}")
    row = now.row(0, named=True)
    earlier = rows.filter(pl.col("school_year") == before.school_year)
    previous = earlier.row(0, named=True) if not earlier.is_empty() else {}
    replaced_rows = db.query(
        conn,
        "queries/review_replaced",
        settings,
        school_code=school_code,
        school_year=period.school_year,
        term=period.term,
        run_id=row["run_id"],
    )
    replaced: dict[str, Any] = (
        json.loads(replaced_rows["previous_values"][0]) if not replaced_rows.is_empty() else {}
    )
    contract = load_contract()
    out = []
    for field in contract.fields:
        if field.name not in row or field.name in NOT_FIGURES:
            continue
        value = row[field.name]
        out.append(
            {
                "field": field.name,
                "group": field.group,
                "type": field.type,
                "label_vi": field.vi,
                "label_en": field.en,
                "value": value,
                "previous": previous.get(field.name),
                "replaced": replaced.get(field.name),
                "changed": bool(replaced) and replaced.get(field.name) != value,
            }
        )
    return row, out


def findings_of(
    conn: duckdb.DuckDBPyConnection, settings: Settings, school_code: str, period: Period
) -> list[dict[str, Any]]:
    """The return's findings and ingest warnings, with their texts in both languages."""
    rows = db.query(conn, "queries/school_findings", settings, school_codes=[school_code])
    rows = rows.drop("school_code").filter(
        (pl.col("school_year") == period.school_year) & (pl.col("term") == period.term)
    )
    return describe(rows).to_dicts()


def effect(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    row: Mapping[str, Any],
    period: Period,
    counted: Collection[str],
    index: UnitIndex,
) -> list[dict[str, Any]]:
    """The return's effect on the totals of its units (period's scheme) for the count
    fields: ``official`` (the approved returns, ``counted``) and ``with_return`` (those and
    this one)."""
    rows = db.query(
        conn,
        "queries/review_unit_rows",
        settings,
        school_year=period.school_year,
        term=period.term,
        province_code=row["province_code"],
    )
    fields = [f for f in load_contract().fields if f.type == "count" and f.name in rows.columns]
    official = rows.filter(pl.col("school_code").is_in(list(counted)))
    this_counts = row["school_code"] in counted
    out = []
    for level, column in (
        ("province", "province_code"),
        ("district", "district_code"),
        ("commune", "commune_code"),
    ):
        code = row.get(column)
        if not code:
            continue
        unit = index.get((period.scheme, code))
        mine = official.filter(pl.col(column) == code)
        for field in fields:
            base = int(mine[field.name].sum() or 0)
            value = row[field.name]
            added = 0 if this_counts or value is None else int(value)
            out.append(
                {
                    "scheme": period.scheme,
                    "level": level,
                    "unit_code": code,
                    "unit_name": unit.name if unit else None,
                    "field": field.name,
                    "label_vi": field.vi,
                    "label_en": field.en,
                    "official": base,
                    "with_return": base + added,
                    "change": added,
                }
            )
    return out


def counted_schools(frame: pl.DataFrame) -> list[str]:
    """The schools of :func:`with_states` whose returns count in official figures."""
    return frame.filter(pl.col("state") == str(State.APPROVED))["school_code"].to_list()
