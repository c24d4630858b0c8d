"""A cached frame's index: a key's rows are exactly those a filter would give, in order."""

from __future__ import annotations

import random

import polars as pl

from ioc.api.slices import Indexed, as_text, compact


def _frame() -> pl.DataFrame:
    pick = random.Random(7)
    n = 500
    return pl.DataFrame(
        {
            "row": range(n),
            "unit": [pick.choice(["u1", "u2", "u3", None]) for _ in range(n)],
            "indicator": [pick.choice(["A", "B"]) for _ in range(n)],
            "value": [pick.random() for _ in range(n)],
        }
    )


def test_rows_of_a_key_equal_the_filter_in_the_frames_order() -> None:
    frame = _frame()
    indexed = Indexed(frame, [("unit",), ("unit", "indicator")])
    for unit in ("u1", "u2", "u3"):
        expected = frame.filter(pl.col("unit") == unit)
        assert indexed.rows(("unit",), unit).equals(expected)
        for ind in ("A", "B"):
            both = frame.filter((pl.col("unit") == unit) & (pl.col("indicator") == ind))
            assert indexed.rows(("unit", "indicator"), (unit, ind)).equals(both)
    assert indexed.rows(("unit",), None).equals(frame.filter(pl.col("unit").is_null()))
    total = sum(indexed.rows(("unit",), u).height for u in ("u1", "u2", "u3", None))
    assert total == frame.height


def test_an_unknown_key_has_no_rows_but_the_columns() -> None:
    frame = _frame()
    rows = Indexed(frame, [("unit",)]).rows(("unit",), "nowhere")
    assert rows.height == 0 and rows.schema == frame.schema


def test_its_size_counts_the_frame_and_the_index() -> None:
    frame = _frame()
    assert Indexed(frame, [("unit",)]).estimated_size() > frame.estimated_size()


def test_repeated_texts_are_kept_as_enums_and_distinct_ones_as_text() -> None:
    frame = _frame().with_columns(pl.format("school-{}", "row").alias("code"))
    kept = compact(frame)
    assert isinstance(kept.schema["unit"], pl.Enum) and kept.schema["code"] == pl.String
    assert as_text(kept).equals(frame)
