"""Stored unit sums brought up to date by the difference a few schools made, not recomputed.

Every stored measure (:func:`ioc.compute.indicators.measures`) is a sum or a count over a
unit's schools, so a unit's new sums are its stored sums plus what the changed schools add
now minus what they added before. A writer session keeps a :class:`Baseline`: before a run
replaces schools' returns, what those schools added is taken (:meth:`Baseline.capture`).
The difference holds only while the changed schools sit in the same cells as before (their
places and expected periods): then no unit gains or loses a row, and every other school's
share is untouched. :func:`updated` says when it does not hold, and the caller recomputes
instead (:mod:`ioc.compute.out_tables`).
"""

from __future__ import annotations

from collections.abc import Collection

import duckdb
import polars as pl

from ioc import db
from ioc.compute.bases import SUMS_KEY, Contribution, contribution, stored_usable
from ioc.config import Settings

BEFORE, DIFF = "__before", "__diff"
# up to this share of the schools of their provinces changed in a session, the stored sums
# take the difference; beyond it, recomputing those provinces costs less than taking the
# schools' sums twice (before and after)
DIFFERENCE_SHARE = 0.25


class Baseline:
    """What the schools a writer session changes added to the stored sums before it
    changed them. Off (nothing is taken) when the stored sums cannot be updated in part,
    or once more than :data:`DIFFERENCE_SHARE` of the schools of their provinces are
    changed."""

    def __init__(self, conn: duckdb.DuckDBPyConnection, settings: Settings) -> None:
        self.settings = settings
        self.schools: set[str] = set()
        self._parts: list[Contribution] = []
        self.on = stored_usable(conn, settings)

    def capture(self, conn: duckdb.DuckDBPyConnection, schools: Collection[str]) -> None:
        """Take what ``schools`` add now, before the session changes them (each school once:
        the first time is before any change)."""
        new = set(schools) - self.schools
        if not self.on or not new:
            return
        taken = sorted(self.schools | new)
        around = db.query(
            conn, "indicators/schools_of_their_provinces", self.settings, school_codes=taken
        ).item()
        if len(taken) > DIFFERENCE_SHARE * around:
            self.on, self._parts = False, []
            return
        self._parts.append(contribution(conn, self.settings, new))
        self.schools |= new

    def taken(self, changed: Collection[str]) -> Contribution | None:
        """What the schools taken added before, when every ``changed`` school was taken."""
        if not self.on or not self._parts or not set(changed) <= self.schools:
            return None
        sums = pl.concat([p.sums for p in self._parts])
        values = [c for c in sums.columns if c not in SUMS_KEY]
        if len(self._parts) > 1:  # units several parts add to
            sums = sums.group_by(SUMS_KEY).agg(pl.col(c).sum() for c in values)
        cells = pl.concat([p.cells for p in self._parts])
        return Contribution(sums, cells.sort(cells.columns, nulls_last=True))


def updated(stored: pl.DataFrame, before: Contribution, after: Contribution) -> pl.DataFrame | None:
    """The stored rows of the units the schools are in (``stored``: those rows, or more)
    with the schools' difference added, only the rows it changes; None when the difference cannot
    be added: the schools changed cells, or a unit's stored row is missing."""
    if not before.cells.equals(after.cells):
        return None
    keys = after.sums.select(SUMS_KEY).sort(SUMS_KEY)
    stored = stored.join(keys, on=SUMS_KEY, how="semi", nulls_equal=True)
    if not all(f.select(SUMS_KEY).sort(SUMS_KEY).equals(keys) for f in (before.sums, stored)):
        return None  # a unit the schools were counted in, or its stored row, is missing
    values = [c for c in after.sums.columns if c not in SUMS_KEY]
    paired = after.sums.join(before.sums, on=SUMS_KEY, how="inner", suffix=BEFORE, nulls_equal=True)
    kinds = after.sums.schema  # once: each lookup builds it anew
    diffs = paired.select(*SUMS_KEY, *(_difference(c, kinds[c]).alias(c + DIFF) for c in values))
    moved = pl.any_horizontal(pl.col(c + DIFF) != 0 for c in values)
    merged = stored.join(diffs.filter(moved), on=SUMS_KEY, how="inner", nulls_equal=True)
    schema = stored.schema
    return merged.select(
        *(_added(c, schema[c]).alias(c) if c in values else pl.col(c) for c in stored.columns)
    )


def _difference(column: str, dtype: pl.DataType) -> pl.Expr:
    """Now minus before (a count in signed integers: a school may count less now)."""
    now, then = pl.col(column), pl.col(column + BEFORE)
    if dtype.is_integer():
        return now.cast(pl.Int64) - then.cast(pl.Int64)
    return now - then


def _added(column: str, dtype: pl.DataType) -> pl.Expr:
    """The stored value plus the difference, in the stored type."""
    if dtype.is_integer():
        return (pl.col(column).cast(pl.Int64) + pl.col(column + DIFF)).cast(dtype)
    return pl.col(column) + pl.col(column + DIFF)
