"""Period rules of schedules and exports: ``latest``, ``previous`` or a fixed period."""

from __future__ import annotations

import duckdb

from ioc import db
from ioc.config import Settings
from ioc.returns.validate import parse_period

RULES = ("latest", "previous")


def check_rule(rule: str) -> str:
    """The rule as stored: 'latest', 'previous' or a normalised 'YYYY-YYYY/DN|CN'."""
    text = rule.strip()
    if text.lower() in RULES:
        return text.lower()
    school_year, term = parse_period(text)  # ValueError with an explanation
    return f"{school_year}/{term}"


def resolve_period(
    conn: duckdb.DuckDBPyConnection, settings: Settings, rule: str
) -> tuple[str, str]:
    """(school_year, term) of a rule on the published snapshot: ``latest`` is the newest
    period with returns, ``previous`` the one before it; a fixed period must have returns."""
    rule = check_rule(rule)
    periods = [(r[0], r[1]) for r in db.query(conn, "queries/periods", settings).iter_rows()]
    if rule in RULES:
        index = RULES.index(rule)
        if len(periods) <= index:
            raise db.NotFound(f"period rule {rule!r}: only {len(periods)} period(s) have returns")
        return periods[index]
    school_year, term = parse_period(rule)
    if (school_year, term) not in periods:
        raise db.NotFound(f"no returns for the period {rule}")
    return school_year, term
