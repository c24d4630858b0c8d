"""A DuckDB query streamed through ioc.exports.writer to files on disk, the way the API and
scheduled reports use it, and read back with real readers."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl

from ioc.exports.cells import neutralise
from ioc.exports.lists import columns_for
from ioc.exports.rows import TRUNCATION_MARK, arrow_frames
from ioc.exports.writer import csv_chunks, write_xlsx

QUERY = """
select
    lpad((94000 + i)::varchar, 8, '0') as school_code,
    case i % 4 when 0 then 'Trường THCS Lê Quý Đôn' when 1 then '=HYPERLINK("http://x","y")'
        when 2 then '-2+3' else null end as school_name,
    case when i % 5 = 0 then null else i - 100 end as students,
    sum(i) over () as total,
    round(i / 7.0, 2)::double as completeness_pct,
    date '2024-10-28' + (i % 30)::int as received_at
from range($n) t(i)
order by i
"""


def batches(conn: duckdb.DuckDBPyConnection, n: int, size: int) -> Iterator[pl.DataFrame]:
    return arrow_frames(conn.sql(QUERY, params={"n": n}).to_arrow_reader(size))


def expected(conn: duckdb.DuckDBPyConnection, n: int) -> pl.DataFrame:
    frame = conn.sql(QUERY, params={"n": n}).pl()
    return frame.with_columns(
        pl.col("school_name").map_elements(neutralise, return_dtype=pl.String),
        pl.col("total").cast(pl.Int64),
    )


def test_duckdb_query_to_csv_and_xlsx_files(tmp_path: Path) -> None:
    conn = duckdb.connect()
    want = expected(conn, 2_500)
    columns = columns_for(want)

    csv_path = tmp_path / "schools.csv"
    stream = csv_chunks(batches(conn, 2_500, 1_000), columns, "canonical", limit=None)
    with csv_path.open("wb") as out:
        for chunk in stream:
            out.write(chunk)
    assert stream.truncation is None and stream.rows == 2_500
    from_csv = pl.read_csv(csv_path, schema=want.schema)
    assert from_csv.equals(want)

    xlsx_path = tmp_path / "schools.xlsx"
    result = write_xlsx(batches(conn, 2_500, 1_000), xlsx_path, columns, "canonical")
    assert result.rows == 2_500 and result.truncation is None
    from_xlsx = pl.read_excel(xlsx_path, schema_overrides=dict(want.schema), drop_empty_rows=False)
    assert from_xlsx.equals(want)
    with zipfile.ZipFile(xlsx_path) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")


def test_duckdb_query_truncated_with_count(tmp_path: Path) -> None:
    conn = duckdb.connect()
    total = conn.execute("select count(*) from range(5000)").fetchall()[0][0]
    columns = columns_for(expected(conn, 1))
    stream = csv_chunks(batches(conn, 5_000, 512), columns, "vi", limit=1_200, total=total)
    assert stream.truncation is not None  # known before the first byte, for a header
    path = tmp_path / "cut.csv"
    path.write_bytes(b"".join(stream))
    lines = path.read_bytes().decode("utf-8-sig").split("\r\n")
    assert lines[-1] == ""
    assert lines[-2].startswith(f"{TRUNCATION_MARK}: 1200 of 5000 rows")
    assert len(lines) == 1 + 1_200 + 1 + 1

    result = write_xlsx(
        batches(conn, 5_000, 512), tmp_path / "cut.xlsx", columns, "vi", limit=1_200
    )
    assert (result.rows, result.truncation.total if result.truncation else None) == (1_200, 5_000)


def test_connection_is_free_after_a_cut_or_abandoned_export() -> None:
    conn = duckdb.connect()
    columns = columns_for(expected(conn, 1))
    cut = csv_chunks(batches(conn, 50_000, 1_000), columns, limit=10, total=50_000)
    assert b"".join(cut).count(b"\r\n") == 12
    assert conn.execute("select 42").fetchall() == [(42,)]

    abandoned = csv_chunks(batches(conn, 50_000, 1_000), columns, limit=None)
    next(abandoned), next(abandoned)
    abandoned.close()  # the client went away
    assert conn.execute("select 43").fetchall() == [(43,)]
