"""The school registry pulled from a source (resource ``schools``): each record validated
(the contract's codes, levels and ownerships, status open/closed, a place of the source's
units) and upserted into ``raw_registry__schools``; the records refused go to
``ingest_rejects`` of the run as a return's do (docs/pulls.md, "Tables")."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import polars as pl

from ingest.run_store import FileReport, Pulled, RunRecord, issue_frame, record_run
from ioc import db
from ioc.catalog import load_contract
from ioc.config import Settings
from ioc.domain.period import is_school_year_expr
from ioc.returns.parse import err_col, typing_exprs
from ioc.sources.spec import REGISTRY_FIELDS

TYPED = ("level", "ownership", "province_code", "district_code", "commune_code")
REQUIRED = ("school_code", "school_name", "level", "ownership", "province_code")
STATUSES = ("open", "closed")
STORED = [*REGISTRY_FIELDS, "scheme"]


def check_schools(
    rows: pl.DataFrame, units: pl.DataFrame, scope: pl.DataFrame | None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The records accepted (typed, with their ``scheme``) and the rejects (one per broken
    rule: ``_sheet``, ``_row``, school_code, field, rule, value, params). ``scope``: the
    places (scheme, place) the source may write; None: anywhere."""
    text = rows.with_columns(
        [pl.lit(None, dtype=pl.String).alias(f) for f in REGISTRY_FIELDS if f not in rows.columns]
    )
    typed = text.with_columns(pl.col(f).alias(f"_text_{f}") for f in TYPED)
    typed = typed.with_columns(typing_exprs(load_contract(), list(TYPED)))
    typed = typed.with_columns(
        pl.col("school_code").str.strip_chars(),
        pl.col("status").str.strip_chars().str.to_lowercase().fill_null("open"),
        pl.when(pl.col("district_code").is_not_null())
        .then(pl.lit("legacy"))
        .otherwise(pl.lit("2025"))
        .alias("scheme"),
    )
    checks: list[tuple[str, str, pl.Expr]] = [
        (f, "required_missing", pl.col(f).is_null() & pl.col(err_col(f)).is_null())
        if f in TYPED
        else (f, "required_missing", pl.col(f).is_null() | (pl.col(f) == ""))
        for f in REQUIRED
    ]
    checks += [(f, "", pl.col(err_col(f)).is_not_null()) for f in TYPED]
    checks.append(("status", "unknown_value", ~pl.col("status").is_in(STATUSES)))
    for year in ("opened_year", "closed_year"):
        bad = pl.col(year).is_not_null() & ~is_school_year_expr(year)
        checks.append((year, "invalid_school_year", bad))
    typed = _places(typed, units)
    checks.append(("province_code", "unknown_province", pl.col("_p_ok").is_null()))
    checks.append(("commune_code", "unknown_commune", pl.col("_c_ok").is_null()))
    if scope is not None:
        inside = typed.join(scope, on=["scheme", "place"], how="semi")["_row"].implode()
        checks.append(("commune_code", "unit_out_of_scope", ~pl.col("_row").is_in(inside)))
    found = [
        typed.filter(broken.fill_null(False)).select(
            pl.lit(None, dtype=pl.String).alias("_sheet"),
            "_row",
            "school_code",
            pl.lit(field).alias("field"),
            (pl.col(err_col(field)) if not rule else pl.lit(rule)).alias("rule"),
            _value(field),
            pl.lit(None, dtype=pl.String).alias("params"),
        )
        for field, rule, broken in checks
    ]
    rejects = pl.concat(found, how="vertical_relaxed")
    accepted = typed.join(rejects.select("_row"), on="_row", how="anti")
    return accepted.select(*STORED, "_row", "_version", "_hash"), rejects


def _value(field: str) -> pl.Expr:
    """A reject's value: the text the source gave."""
    if field in TYPED:
        return pl.coalesce(pl.col(f"_text_{field}"), pl.col(field)).alias("value")
    return pl.col(field).cast(pl.String).alias("value")


def _places(typed: pl.DataFrame, units: pl.DataFrame) -> pl.DataFrame:
    """Whether the record's province is a province of its scheme (``_p_ok``) and its commune
    (or, in a legacy district without communes, its district) one in that province
    (``_c_ok``); ``place`` is that commune or district."""
    provinces = units.filter(pl.col("level") == "province").select(
        "scheme", pl.col("code").alias("province_code"), pl.lit(True).alias("_p_ok")
    )
    below = units.filter(pl.col("level").is_in(["commune", "district"])).select(
        "scheme",
        pl.col("code").alias("place"),
        pl.col("province_code"),
        pl.lit(True).alias("_c_ok"),
    )
    with_place = typed.with_columns(pl.coalesce("commune_code", "district_code").alias("place"))
    return with_place.join(provinces, on=["scheme", "province_code"], how="left").join(
        below, on=["scheme", "place", "province_code"], how="left"
    )


def load_schools(
    conn: duckdb.DuckDBPyConnection,
    rows: pl.DataFrame,
    pulled: Pulled,
    *,
    source_file: str,
    sha256: str,
    units: pl.DataFrame,
    scope: pl.DataFrame | None,
    settings: Settings,
) -> FileReport:
    """One run of pulled registry records in the caller's writer session: raw rows, rejects,
    the accepted records upserted (a school's newer record replaces its older one)."""
    started = datetime.now(UTC)
    run_id = db.scalar(conn, db.sql("ingest/next_run_id", settings.sql_dir))
    report = FileReport(source_file, run_id, "loaded")
    accepted, rejects = check_schools(rows, units, scope)
    fields = [f for f in REGISTRY_FIELDS if f in rows.columns]
    columns = pl.DataFrame(
        {"_sheet": [None] * len(fields), "field": fields, "column_name": fields},
        schema={"_sheet": pl.String, "field": pl.String, "column_name": pl.String},
    )
    raw = rows.select(
        pl.lit(run_id).alias("run_id"),
        pl.lit(None, dtype=pl.String).alias("sheet"),
        pl.col("_row").alias("source_row"),
        pl.struct(fields).struct.json_encode().alias("cells"),
    )
    db.insert_frame(conn, "raw_file__rows", raw)
    db.insert_frame(conn, "ingest_rejects", issue_frame(rejects, columns, run_id))
    stage = accepted.select(
        *STORED,
        pl.lit(pulled.source).alias("source"),
        pl.col("_version").alias("version"),
        pl.lit(run_id).alias("run_id"),
        pl.lit(started).alias("pulled_at"),
    )
    conn.register("incoming", stage)
    try:
        report.replaced = db.scalar(
            conn,
            "select count(*) from raw_registry__schools semi join incoming using (school_code)",
        )
        conn.execute(
            "delete from raw_registry__schools where school_code in "
            "(select school_code from incoming)"
        )
        conn.execute("insert into raw_registry__schools by name select * from incoming")
    finally:
        conn.unregister("incoming")
    report.rows_read, report.accepted = rows.height, accepted.height
    report.school_codes = accepted["school_code"].to_list()
    report.rejected = rejects["_row"].n_unique()
    meta: dict[str, object] = {"sha256": sha256, "size_bytes": None, "file_format": "json"}
    record = RunRecord(pulled.label, meta, None, False, None, started, pulled)
    record_run(conn, report, record, settings)
    return report
