"""The conditions a published build holds (docs/alerts.md): indicators against their norm or
target and their change since last year (read from the stored values, never recomputed),
returns missing after the due date, and data older than a number of days. One query per
kind and level, not per unit."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

import duckdb
import polars as pl

from ioc import db
from ioc.alerts.condition import Condition
from ioc.alerts.conditions_found import Found, day_text, period_words, sentences
from ioc.alerts.rules import INDICATOR_KINDS, RuleSpec
from ioc.catalog.messages import LANGS, Lang
from ioc.config import Settings
from ioc.domain.period import Period
from ioc.views.indicators import level_values

#: the statuses of a value that misses its norm or target
MISSES = ("below", "above")


class Build:
    """One evaluation's reading of the build: the latest period with returns, and each
    (scheme, level)'s indicator values read once for all the rules that use them, with only
    the indicators they name (every one when a rule names none)."""

    def __init__(
        self,
        conn: duckdb.DuckDBPyConnection,
        settings: Settings,
        today: date,
        rules: Sequence[RuleSpec],
    ) -> None:
        self.conn, self.settings, self.today = conn, settings, today
        periods = db.query(conn, "queries/periods", settings)
        self.period = (
            None if periods.is_empty() else Period.of(periods["school_year"][0], periods["term"][0])
        )
        self._wanted: dict[tuple[str, str], set[str] | None] = {}
        for rule in (r for r in rules if r.kind in INDICATOR_KINDS):
            key = (rule.scheme, rule.level)
            if key in self._wanted and self._wanted[key] is None:
                continue  # a rule of this level takes every indicator
            named = set(rule.indicators)
            self._wanted[key] = {*(self._wanted.get(key) or ()), *named} if named else None
        self._values: dict[tuple[str, str], pl.DataFrame] = {}

    def values(self, scheme: str, level: str) -> pl.DataFrame:
        """The indicators of every unit of a level in the latest period (official basis)."""
        assert self.period is not None
        key = (scheme, level)
        if key not in self._values:
            self._values[key] = level_values(
                self.conn,
                self.settings,
                scheme=scheme,
                level=level,
                province=None,
                school_year=self.period.school_year,
                term=self.period.term,
                indicators=self._wanted.get(key),
            )
        return self._values[key]

    def query(self, name: str, **params: object) -> pl.DataFrame:
        return db.query(self.conn, f"alerts/{name}", self.settings, **params)


def relative_gap(value: pl.Expr, reference: pl.Expr) -> pl.Expr:
    """|value - reference| / |reference|, as the overview ranks by it; a reference of 0 that
    is missed counts as an infinite gap (any teacher short of a shortfall norm of 0 is)."""
    return (
        pl.when(reference != 0)
        .then((value - reference).abs() / reference.abs())
        .otherwise(pl.lit(math.inf))
    )


def indicator_found(build: Build, rule: RuleSpec) -> list[Found]:
    """``indicator_norm``, ``indicator_target`` and ``change`` at a unit level: a value that
    misses its reference by at least the rule's relative gap, or changed since the same term
    a year before by more than its share. A unit without a value is no condition."""
    if build.period is None:
        return []
    rows = build.values(rule.scheme, rule.level).filter(pl.col("value").is_not_null())
    if rule.indicators:
        rows = rows.filter(pl.col("indicator_id").is_in(rule.indicators))
    else:
        rows = rows.filter(
            pl.col("norm_value").is_not_null() | pl.col("target_value").is_not_null()
        )
    limit = rule.limit
    if rule.kind == "change":
        reference = pl.col("previous_value")
        measure = (pl.col("value") - reference).abs() / reference.abs()
        rows = rows.filter(reference.is_not_null() & (reference != 0)).with_columns(
            reference.alias("reference"), measure.alias("gap")
        )
        rows = rows.filter(pl.col("gap") > limit)
    else:
        base = "norm" if rule.kind == "indicator_norm" else "target"
        reference = pl.col(f"{base}_value")
        rows = rows.filter(pl.col(f"{base}_status").is_in(MISSES) & reference.is_not_null())
        rows = rows.with_columns(
            reference.alias("reference"), relative_gap(pl.col("value"), reference).alias("gap")
        ).filter(pl.col("gap") >= limit)
    words = period_words(build.period)
    found = []
    for row in rows.iter_rows(named=True):
        gap = row["gap"] if math.isfinite(row["gap"]) else None
        code = "change" if rule.kind == "change" else rule.kind
        values = {
            "place": row["unit_name"],
            "value": row["value"],
            "reference": row["reference"],
            "previous": row["reference"],
            "share": None if gap is None else round(100 * gap, 1),
        }
        per_lang: dict[Lang, dict[str, str]] = {
            lang: {"indicator": row[f"name_{lang}"], "unit": row[f"unit_{lang}"], **words[lang]}
            for lang in LANGS
        }
        figures = {
            "indicator_id": row["indicator_id"],
            "value": row["value"],
            "reference": row["reference"],
            "gap": gap,
            "is_break": bool(row["is_break"]),
        }
        condition = Condition(
            rule_key=rule.key,
            subject_kind="unit",
            subject_code=row["unit_code"],
            subject_name=row["unit_name"],
            item=row["indicator_id"],
            scheme=rule.scheme,
            unit_code=row["unit_code"],
            school_year=build.period.school_year,
            term=build.period.term,
            value=row["value"],
            # what the value is held against: the norm or target (a change: the rule's share)
            threshold=limit if rule.kind == "change" else row["reference"],
            detail={**sentences(code, values, per_lang), "figures": figures | {"limit": limit}},
        )
        found.append(Found(condition, places=((rule.scheme, row["unit_code"]),)))
    return found


def missing_found(build: Build, rule: RuleSpec) -> list[Found]:
    """``missing_returns``: after the latest period's due date, the units of the rule's level
    whose share of expected schools without a return exceeds the threshold (value: how many
    are missing), or each such school (level ``school``)."""
    period = build.period
    if period is None:
        return []
    where = {"school_year": period.school_year, "term": period.term, "today": build.today}
    words = period_words(period)
    if rule.level == "school":
        schools = build.query("missing_schools", **where)
        return [
            Found(
                Condition(
                    rule_key=rule.key,
                    subject_kind="school",
                    subject_code=row["school_code"],
                    subject_name=row["school_name"],
                    scheme=rule.scheme,
                    school_year=period.school_year,
                    term=period.term,
                    value=1.0,
                    threshold=rule.limit,
                    detail={
                        **sentences(
                            "missing_return_school",
                            {"place": row["school_name"], "due": day_text(row["due_date"])},
                            words,
                        ),
                        "figures": {"due_date": row["due_date"].isoformat()},
                    },
                ),
                school=row["school_code"],
            )
            for row in schools.iter_rows(named=True)
        ]
    units = build.query("missing_by_unit", scheme=rule.scheme, level=rule.level, **where)
    units = units.filter(pl.col("missing") / pl.col("expected") > rule.limit)
    found = []
    for row in units.iter_rows(named=True):
        values = {
            "place": row["unit_name"],
            "missing": row["missing"],
            "expected": row["expected"],
            "due": day_text(row["due_date"]),
        }
        figures = {
            "missing": row["missing"],
            "expected": row["expected"],
            "share": row["missing"] / row["expected"],
            "due_date": row["due_date"].isoformat(),
        }
        condition = Condition(
            rule_key=rule.key,
            subject_kind="unit",
            subject_code=row["unit_code"],
            subject_name=row["unit_name"],
            scheme=rule.scheme,
            unit_code=row["unit_code"],
            school_year=period.school_year,
            term=period.term,
            value=float(row["missing"]),
            threshold=rule.limit,
            detail={**sentences("missing_returns", values, words), "figures": figures},
        )
        found.append(Found(condition, places=((rule.scheme, row["unit_code"]),)))
    return found


def age_found(build: Build, rule: RuleSpec) -> list[Found]:
    """``data_age``: the units of the rule's level (or schools) whose newest return was
    received more than ``threshold`` days ago (value: its age in days)."""
    rows = build.query("newest_receipt", scheme=rule.scheme, level=rule.level)
    found = []
    for row in rows.iter_rows(named=True):
        days = (build.today - row["newest"]).days
        if days <= rule.limit:
            continue
        school = rule.level == "school"
        values = {
            "place": row["subject_name"],
            "received": day_text(row["newest"]),
            "days": days,
            "limit": rule.limit,
        }
        condition = Condition(
            rule_key=rule.key,
            subject_kind="school" if school else "unit",
            subject_code=row["subject_code"],
            subject_name=row["subject_name"],
            scheme=rule.scheme,
            unit_code=None if school else row["subject_code"],
            value=float(days),
            threshold=rule.limit,
            detail={
                **sentences("data_age", values),
                "figures": {"newest_received": row["newest"].isoformat(), "days": days},
            },
        )
        places = () if school else ((rule.scheme, row["subject_code"]),)
        found.append(
            Found(condition, places=places, school=row["subject_code"] if school else None)
        )
    return found
