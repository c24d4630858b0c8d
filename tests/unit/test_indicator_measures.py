"""A measure several indicators share is summed once (ioc.compute.indicators.measures): the
stored ``s`` of each indicator is still the count of its schools in scope, and ``dn`` and
``wc`` are still the sum of the schools' ``d`` where ``w`` is known and the count of ``w``
(for a norm that applies to every school they are summed as ``d`` and ``c``), as if each
indicator were summed on its own; each such sum is stored once
(ioc.compute.indicators.stored_measures) and read back under every indicator's name
(with_every_measure)."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ioc.compute import indicators
from ioc.compute.indicators import (
    measures,
    prepare_schools,
    school_stages,
    stored_measures,
    sums_columns,
    unit_sums,
    with_every_measure,
    with_school_measures,
)
from tests.unit.test_indicators import CATALOG, frames

KEYS = ["province_code_legacy", "school_year", "term"]


@pytest.mark.parametrize("rows_at_once", [1, indicators.ROWS_AT_ONCE])
def test_shared_measures_equal_each_indicators_own_sums(
    rows_at_once: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Also when each school year is summed on its own: every period's sums, once."""
    monkeypatch.setattr(indicators, "ROWS_AT_ONCE", rows_at_once)
    returns, registry, expected, _ = frames()
    assert expected.select(pl.col("school_year").n_unique()).collect().item() > 1
    schools = prepare_schools(returns, registry, expected, CATALOG.norms)
    wide = with_school_measures(schools, school_stages(CATALOG))
    scopes = measures(CATALOG)
    own: list[pl.Expr] = []
    for ind in CATALOG.indicators:
        scope = pl.col(scopes[f"{ind.id}__s"][0])
        own.append(scope.cast(pl.UInt32).sum().alias(f"{ind.id}__s"))
        if ind.norm:
            d, w = pl.col(f"{ind.id}__d"), pl.col(f"{ind.id}__w")
            own.append(pl.when(w.is_not_null()).then(d).sum().alias(f"{ind.id}__dn"))
            own.append(w.count().cast(pl.UInt32).alias(f"{ind.id}__wc"))
    want = wide.group_by(KEYS).agg(own).collect()
    stored = unit_sums(schools, CATALOG)
    assert stored.columns == sums_columns(CATALOG)
    held = stored_measures(CATALOG)
    assert len(set(held.values())) < len(held)  # shared sums are stored once
    got = (
        with_every_measure(stored, CATALOG)
        .filter((pl.col("scheme") == "legacy") & (pl.col("level") == "province"))
        .rename({"unit_code": "province_code_legacy"})
        .select(want.columns)
    )
    assert want.height > 0 and any(c.endswith("__dn") for c in want.columns)
    assert_frame_equal(got.sort(KEYS), want.sort(KEYS))
