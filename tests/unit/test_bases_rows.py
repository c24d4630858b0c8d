"""The all-returns basis is stored only where it differs from the official one
(ioc.compute.bases.differing), and a reader of either basis gets every unit-period back
(ioc.compute.bases.on_basis)."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from ioc.compute.bases import differing, on_basis, with_basis

KEY = {"scheme": "2025", "level": "commune", "province_code": "92", "term": "DN"}


def sums(rows: list[tuple[str, str, float, int]]) -> pl.DataFrame:
    """(unit, school year, X__n, X__c) rows in the stored table's shape."""
    return pl.DataFrame(
        [{**KEY, "unit_code": u, "school_year": y, "X__n": n, "X__c": c} for u, y, n, c in rows],
        schema_overrides={"X__c": pl.UInt32},
    ).select("scheme", "level", "unit_code", "province_code", "school_year", "term", "X__n", "X__c")


OFFICIAL = sums(
    [("1", "2024-2025", 10.0, 2), ("2", "2024-2025", 0.1 + 0.2, 3), ("3", "2024-2025", 5.0, 1)]
)
EVERY = sums(
    [
        ("1", "2024-2025", 12.0, 3),  # a return waits: differs
        ("2", "2024-2025", 0.3, 3),  # the same sum, added in another order
        ("3", "2024-2025", 5.0, 2),  # the same sum, one more school counted
        ("4", "2024-2025", 7.0, 1),  # no official row at all
    ]
)


def test_only_the_differing_rows_of_all_returns_are_stored() -> None:
    kept = differing(OFFICIAL, EVERY)
    assert sorted(kept["unit_code"].to_list()) == ["1", "3", "4"]
    assert differing(EVERY, EVERY).is_empty()  # the same computation: nothing


def test_a_reader_of_either_basis_gets_every_unit_back() -> None:
    stored = with_basis(OFFICIAL, differing(OFFICIAL, EVERY))
    order = ["unit_code", "school_year"]
    assert_frame_equal(on_basis(stored, "official").sort(order), OFFICIAL.sort(order))
    read = on_basis(stored, "all").sort(order)
    # unit 2 reads the official row: the same within the last bits of a float sum
    assert_frame_equal(read, EVERY.sort(order), rel_tol=1e-12)
    assert read.filter(pl.col("unit_code") == "2")["X__n"].item() == 0.1 + 0.2
