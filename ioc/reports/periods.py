"""Period rules of schedules and exports: ``latest``, ``previous`` or a fixed period."""

from __future__ import annotations

import duckdb

from ioc import db
from ioc.config import Settings
from ioc.domain.period import Period

RULES = ("latest", "previous")


def check_rule(rule: str) -> str:
    """The rule as stored: 'latest', 'previous' or a normalised 'YYYY-YYYY/DN|CN'."""
    text = rule.strip()
    if text.lower() in RULES:
        return text.lower()
    return str(Period.parse(text))  # InvalidPeriod (a ValueError) with an explanation


def resolve_period(conn: duckdb.DuckDBPyConnection, settings: Settings, rule: str) -> Period:
    """The period of a rule on the published snapshot: ``latest`` is the newest period with
    returns, ``previous`` the one before it; a fixed period must have returns."""
    rule = check_rule(rule)
    periods = [
        Period.of(r[0], r[1]) for r in db.query(conn, "queries/periods", settings).iter_rows()
    ]
    if rule in RULES:
        index = RULES.index(rule)
        if len(periods) <= index:
            raise db.NotFound(f"period rule {rule!r}: only {len(periods)} period(s) have returns")
        return periods[index]
    period = Period.parse(rule)
    if period not in periods:
        raise db.NotFound(f"no returns for the period {rule}")
    return period
