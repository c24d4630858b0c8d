"""Check a sheet's "Tổng cộng" row against the sum of its rows (a mismatch is a warning)."""

from __future__ import annotations

import json

import polars as pl

from ioc.catalog import Contract
from ioc.returns.headers import Table
from ioc.returns.parse import cast_to_contract

WARNING_COLUMNS = {
    "_sheet": pl.String,
    "_row": pl.Int32,
    "school_code": pl.String,
    "field": pl.String,
    "rule": pl.String,
    "value": pl.String,
    "params": pl.String,
}


def total_row_warnings(
    tables: list[Table], typed: pl.DataFrame, contract: Contract
) -> pl.DataFrame:
    """Compare each sheet's total rows with the sums of its parsed rows."""
    found = [pl.DataFrame(schema=WARNING_COLUMNS)]
    counts = set(contract.names_of("count"))
    for table in tables:
        if table.totals.is_empty():
            continue
        fields = [n for n in table.columns if n in counts]
        sheet = typed.filter(pl.col("_sheet").eq_missing(pl.lit(table.sheet, pl.String)))
        sums = sheet.select(pl.col(fields).sum()).row(0, named=True)
        stated = cast_to_contract(table.totals.select([*fields, "_row"]), contract)
        for row in stated.select([*fields, "_row"]).iter_rows(named=True):
            for name in fields:
                if row[name] is not None and row[name] != sums[name]:
                    found.append(
                        pl.DataFrame(
                            [
                                {
                                    "_sheet": table.sheet,
                                    "_row": row["_row"],
                                    "school_code": None,
                                    "field": name,
                                    "rule": "total_row_mismatch",
                                    "value": f"{row[name]} ≠ {sums[name]}",
                                    "params": json.dumps({"stated": row[name], "sum": sums[name]}),
                                }
                            ],
                            schema=WARNING_COLUMNS,
                        )
                    )
    return pl.concat(found)
