"""The conditions holding now for some rules (docs/alerts.md, "Kinds"): what each rule finds
in the published build (:mod:`ioc.alerts.conditions_build`) and in the operational store
(:mod:`ioc.alerts.conditions_store`), each with every unit that may see it.

A condition's ``units`` are, for a unit, the unit and its ancestors in its scheme and every
unit of either scheme that contains all its schools (``sql/alerts/unit_reach.sql``, one
query for every subject of the evaluation); for a school, its place in both schemes; for a
source, a schedule or a job, the reach of the units it serves. A rule limited to ``units``
keeps the conditions whose units meet them."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime

import duckdb
from sqlalchemy.orm import Session

from ioc import db
from ioc.alerts import conditions_build as build_kinds
from ioc.alerts.condition import Condition
from ioc.alerts.conditions_found import Found, Place
from ioc.alerts.conditions_store import run_found, source_found
from ioc.alerts.rules import INDICATOR_KINDS, RuleSpec
from ioc.config import Settings
from ioc.domain.formats import as_local
from ioc.domain.units import PLACE_COLUMN
from ioc.store.types import as_utc

#: kinds read from the build (skipped without a published one)
BUILD_KINDS = frozenset({*INDICATOR_KINDS, "missing_returns", "data_age"})


def find(
    conn: duckdb.DuckDBPyConnection | None,
    session: Session,
    settings: Settings,
    rules: Sequence[RuleSpec],
    now: datetime,
) -> list[Condition]:
    """The conditions holding at ``now`` for the enabled rules given, in the rules' order
    (``conn`` None: no published build, the build kinds are skipped)."""
    now = as_utc(now)
    zone = settings.display_timezone
    build = None
    if conn is not None:
        build = build_kinds.Build(conn, settings, as_local(now, zone).date())
    found: list[Found] = []
    for rule in rules:
        if not rule.enabled:
            continue
        if rule.kind in BUILD_KINDS:
            if build is not None:
                found += _build_found(build, rule)
        elif rule.kind == "source_stale":
            found += source_found(session, rule, now, zone)
        else:
            found += run_found(session, rule, now, zone)
    conditions = _with_units(conn, settings, found)
    limits = {r.key: {(u.scheme, u.code) for u in r.units} for r in rules if r.units}
    return [c for c in conditions if c.rule_key not in limits or limits[c.rule_key] & set(c.units)]


def _build_found(build: build_kinds.Build, rule: RuleSpec) -> list[Found]:
    if rule.kind in INDICATOR_KINDS:
        return build_kinds.indicator_found(build, rule)
    if rule.kind == "missing_returns":
        return build_kinds.missing_found(build, rule)
    return build_kinds.age_found(build, rule)


def _with_units(
    conn: duckdb.DuckDBPyConnection | None, settings: Settings, found: list[Found]
) -> list[Condition]:
    """Each condition with its units: one query for the reach of every unit named, one for
    the places of every school."""
    places = sorted({place for f in found for place in f.places})
    schools = sorted({f.school for f in found if f.school is not None})
    reach: dict[Place, set[Place]] = {place: {place} for place in places}
    where: dict[str, dict[str, str]] = {}
    if conn is not None and places:
        rows = db.query(
            conn,
            "alerts/unit_reach",
            settings,
            schemes=[p[0] for p in places],
            codes=[p[1] for p in places],
        )
        for scheme, code, unit_scheme, unit_code in rows.iter_rows():
            reach[(scheme, code)].add((unit_scheme, unit_code))
    if conn is not None and schools:
        rows = db.query(conn, "alerts/school_places", settings, school_codes=schools)
        where = {row["school_code"]: row for row in rows.iter_rows(named=True)}
    out = []
    for item in found:
        condition = item.condition
        units: set[Place] = set()
        for place in item.places:
            units |= reach[place]
        if item.school is not None:
            row = where.get(item.school, {})
            mine = {
                scheme: row.get(column) for (scheme, level), column in PLACE_COLUMN.items()
                if level == "commune"
            }
            units |= {
                (scheme, row[column])
                for (scheme, _), column in PLACE_COLUMN.items()
                if row.get(column)
            }
            if condition.unit_code is None:
                commune = mine.get(condition.scheme or "2025")
                condition = dataclasses.replace(condition, unit_code=commune)
        out.append(dataclasses.replace(condition, units=tuple(sorted(units))))
    return out

