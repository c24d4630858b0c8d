"""The stored sums take a difference (ioc.compute.sums_delta.updated): a unit's new row is
its stored row plus what the changed schools add now minus what they added before, counts
kept unsigned even when a school counts less; rows the difference leaves alone are not
written; and no difference is taken when a school changed cells or a unit's stored row is
missing (the caller recomputes instead)."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from ioc.compute.bases import CELL, SUMS_KEY, Contribution
from ioc.compute.sums_delta import updated

KEY = {
    "scheme": "legacy",
    "level": "province",
    "province_code": "94",
    "school_year": "2024-2025",
    "term": "DN",
    "basis": "all",
}
SCHEMA = {
    **dict.fromkeys(SUMS_KEY, pl.String),
    "X__n": pl.Float64,
    "X__d": pl.Float64,
    "X__c": pl.UInt32,
}


def sums(*rows: tuple[str, float, float, int]) -> pl.DataFrame:
    """(unit, n, d, c) rows of one period and basis, in the stored table's shape."""
    data = [KEY | {"unit_code": u, "X__n": n, "X__d": d, "X__c": c} for u, n, d, c in rows]
    return pl.DataFrame(data, schema=SCHEMA).select(*SUMS_KEY[:-1], "X__n", "X__d", "X__c", "basis")


def cells(*schools: tuple[str, str]) -> pl.DataFrame:
    """(school, old district) cells of the period."""
    data = [
        dict.fromkeys(CELL) | {"school_code": s, CELL[1]: district} | KEY for s, district in schools
    ]
    frame = pl.DataFrame(data).select(CELL).cast(pl.String)
    return frame.sort(CELL, nulls_last=True)


def test_the_difference_is_added_to_the_stored_rows_it_changes() -> None:
    stored = sums(("94", 1000.5, 40.0, 40), ("95", 700.0, 30.0, 30))
    here = cells(("94000001", "941"))
    before = Contribution(sums(("94", 20.25, 1.0, 1)), here)
    # the school's pupils change; it no longer counts in the denominator's count
    after = Contribution(sums(("94", 27.0, 1.0, 0)), here)
    got = updated(stored, before, after)
    assert got is not None
    assert_frame_equal(got, sums(("94", 1007.25, 40.0, 39)))
    assert got.schema == stored.schema  # the count stays unsigned


def test_a_school_that_changed_nothing_writes_no_row() -> None:
    stored = sums(("94", 1000.0, 40.0, 40))
    same = Contribution(sums(("94", 20.0, 1.0, 1)), cells(("94000001", "941")))
    got = updated(stored, same, same)
    assert got is not None and got.is_empty()


def test_no_difference_when_a_school_moved_or_a_stored_row_is_missing() -> None:
    stored = sums(("94", 1000.0, 40.0, 40))
    before = Contribution(sums(("94", 20.0, 1.0, 1)), cells(("94000001", "941")))
    moved = Contribution(sums(("94", 20.0, 1.0, 1)), cells(("94000001", "942")))
    assert updated(stored, before, moved) is None
    elsewhere = Contribution(sums(("95", 20.0, 1.0, 1)), before.cells)
    assert updated(stored, elsewhere, elsewhere) is None  # no stored row of 95
