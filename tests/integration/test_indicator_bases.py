"""The two bases of the indicator sums (docs/approval.md) come from one read of the returns,
each flagged approved or not (sql/indicators/schools.sql): this proves the official basis
equals sums of the approved returns alone (read on their own, as before the flag) and the
``all`` basis sums of every return, in full and incremental rebuilds, on a real DuckDB file
through the real ingest; and that with IOC_APPROVAL=off both are the same computation."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl
from polars.testing import assert_frame_equal

from ingest.runner import ingest
from ioc import db
from ioc.catalog.definitions import load_catalog
from ioc.compute.indicators import prepare_schools, unit_sums
from ioc.compute.out_tables import rebuild_indicators
from ioc.config import Settings
from ioc.domain.units import PLACE_COLUMN
from ioc.views.indicators import stored_values
from tests.fixtures import SCHOOLS, table_rows, write_csv

PERIOD = "2021-2022/DN"
# the returns counted on a basis, read on their own: every one, or the approved ones only
ALL = "select * exclude (run_id, sheet, source_row, content_hash) from core_school__period_returns"
APPROVED = f"""{ALL} as r where exists (
    select 1 from core_return__approvals as a
    where a.school_code = r.school_code and a.school_year = r.school_year
        and a.term = r.term and a.content_hash = r.content_hash)"""


def by_hand(conn: duckdb.DuckDBPyConnection, returns_sql: str) -> pl.DataFrame:
    """The sums of the returns ``returns_sql`` reads, for every school expected."""
    catalog = load_catalog()
    registry = conn.sql("select * from core_school__registry").pl().lazy()
    expected = conn.sql(
        "select school_code, school_year, term, has_return, is_on_time from core_school__expected"
    ).pl()
    returns = conn.sql(returns_sql).pl().lazy()
    prepared = prepare_schools(returns, registry, expected.lazy(), catalog.norms)
    return ordered(unit_sums(prepared, catalog))


def ordered(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(["scheme", "level", "unit_code", "school_year", "term"])


def stored(conn: duckdb.DuckDBPyConnection, basis: str) -> pl.DataFrame:
    """The sums of a basis as a reader sees them: an ``all`` row not stored is the official
    one."""
    found = conn.sql(
        """select * from out_indicator__sums where basis = $basis or basis = 'official'
           qualify basis = $basis or count(*) over (
               partition by scheme, level, unit_code, province_code, school_year, term) = 1""",
        params={"basis": basis},
    ).pl()
    return ordered(found.drop("basis"))


def all_rows(conn: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The unit-periods that have an ``all`` row stored."""
    found = conn.sql("select * from out_indicator__sums where basis = 'all'").pl()
    return ordered(found.drop("basis")).select(
        "scheme", "level", "unit_code", "school_year", "term"
    )


def pending_units(conn: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The unit-periods with a return not counted officially, counted from the registry."""
    levels = conn.sql(
        f"""select r.* from ({ALL}) as r anti join ({APPROVED}) as a using (school_code)"""
    ).pl()
    registry = conn.sql("select * from core_school__registry").pl()
    pending = levels.select("school_code", "school_year", "term").join(registry, on="school_code")
    return ordered(
        pl.concat(
            pending.select(
                pl.lit(scheme).alias("scheme"),
                pl.lit(level).alias("level"),
                pl.col(column).alias("unit_code"),
                "school_year",
                "term",
            )
            for (scheme, level), column in PLACE_COLUMN.items()
        ).unique()
    )


def test_both_bases_equal_sums_of_their_own_returns(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", approval="required")
    (report,) = ingest(
        [write_csv(tmp_path / "returns.csv", table_rows())], period=PERIOD, settings=settings
    )
    assert report.status == "loaded"
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(settings.published_db, copy)
    with duckdb.connect(str(copy)) as conn:
        # half the schools approved, one of them since changed (its hash no longer approved)
        codes = sorted(s["school_code"] for s in SCHOOLS)[::2]
        conn.execute(
            "insert into core_return__approvals (school_code, school_year, term, content_hash) "
            "select school_code, school_year, term, "
            "case when school_code = $changed then 'other' else content_hash end "
            "from core_school__period_returns where school_code in (select unnest($codes))",
            {"codes": codes, "changed": codes[0]},
        )
        for changed in (None, codes[:3]):  # a full rebuild, then the provinces of 3 schools
            rebuild_indicators(conn, settings, changed)
            official, every = stored(conn, "official"), stored(conn, "all")
            assert_frame_equal(official, by_hand(conn, APPROVED), rel_tol=1e-12, abs_tol=1e-9)
            assert_frame_equal(every, by_hand(conn, ALL), rel_tol=1e-12, abs_tol=1e-9)
            assert not official.equals(every)  # the unapproved returns count in 'all' only
            # an all row is stored only for the units a return waits in
            assert_frame_equal(all_rows(conn), pending_units(conn))

        off = settings.model_copy(update={"approval": "off"})
        rebuild_indicators(conn, off)
        assert all_rows(conn).is_empty()  # the same computation: no all row stored
        assert_frame_equal(stored(conn, "official"), stored(conn, "all"))
        assert_frame_equal(stored(conn, "all"), by_hand(conn, ALL), rel_tol=1e-12, abs_tol=1e-9)
        assert db.scalar(conn, "select mode from meta__approval") == "off"


def test_each_indicator_read_alone_equals_its_rows_read_with_every_other(tmp_path: Path) -> None:
    """A sum several indicators share is stored once, under one indicator's name: an
    indicator read on its own still has its own (the reader takes the columns it needs)."""
    settings = Settings(data_dir=tmp_path / "data", approval="off")
    (report,) = ingest(
        [write_csv(tmp_path / "returns.csv", table_rows())], period=PERIOD, settings=settings
    )
    assert report.status == "loaded"
    conn = db.connect_published(settings)
    try:
        for scheme, level in PLACE_COLUMN:
            units = (
                conn.sql(
                    "select distinct unit_code from out_indicator__sums "
                    "where scheme = ? and level = ?",
                    params=[scheme, level],
                )
                .pl()["unit_code"]
                .to_list()
            )
            where = {"scheme": scheme, "level": level, "unit_codes": units}
            every = stored_values(conn, settings, **where, school_years=None, term=None)
            # every indicator but those scoped to the other term (CN)
            assert every["indicator_id"].n_unique() >= len(load_catalog().indicators) - 2
            keys = ["unit_code", "school_year", "term"]
            for indicator in every["indicator_id"].unique():
                alone = stored_values(
                    conn, settings, **where, school_years=None, term=None, indicators=[indicator]
                )
                mine = every.filter(pl.col("indicator_id") == indicator)
                assert_frame_equal(alone.sort(keys), mine.sort(keys))
    finally:
        conn.close()
