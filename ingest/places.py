"""Where a row says its school is, against where the registry already places it.

A scoped account (an operator of some units) may write a row only when both places lie in
its units: the place the row gives (its commune) and, for a school the registry knows, the
place the registry holds in either unit scheme (``queries/scope_schools``). So an operator
of one old district cannot overwrite another district's school by writing their own
district on its row. A row that places a known school somewhere else than the registry is
a move between units, a registry change: only an account whose units hold both places (or
an admin) makes it, and each one is recorded as a ``school_moved`` warning of its run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import polars as pl

from ioc import db
from ioc.catalog.messages import params
from ioc.config import Settings
from ioc.domain.units import SCHEMES, place_column
from ioc.returns.validate import Checked

PLACES = {  # the row's place columns, and the registry's, in each scheme
    scheme: (place_column(scheme, "province"), place_column(scheme, "commune"))
    for scheme in SCHEMES
}


# the registry's place of a school, as parameters of the messages (ioc/catalog/messages.yaml)
REGISTERED = {
    "legacy_province": pl.col("province_code_legacy"),
    "legacy_district": pl.col("district_code_legacy"),
    "legacy_commune": pl.col("commune_code_legacy"),
    "new_province": pl.col("province_code_2025"),
    "new_commune": pl.col("commune_code_2025"),
}


@dataclass(frozen=True)
class Scope:
    """What a scoped account may write: the places a row may name (communes, and the old
    districts without communes, whose rows name no commune), and the registry's schools
    placed in its units."""

    places: pl.DataFrame  # scheme, place (a commune's code, or such a district's)
    schools: pl.DataFrame  # school_code


def registry(
    conn: duckdb.DuckDBPyConnection, settings: Settings, schools: Sequence[str] | None = None
) -> pl.DataFrame:
    """Every registry school's place in both schemes (empty before the first load), or only
    the places of ``schools`` when given."""
    if not db.scalar(conn, db.sql("ingest/has_registry", settings.sql_dir)):
        columns = ["school_code", "district_code_legacy", *(c for p in PLACES.values() for c in p)]
        return pl.DataFrame(schema=dict.fromkeys(columns, pl.String))
    return db.query(conn, "queries/school_unit_codes", settings, school_codes=schools)


def scope_of(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    scope: Sequence[tuple[str, str]] | None,
    schools: Sequence[str] | None = None,
) -> Scope | None:
    """The scope units, expanded (``queries/scope_units``); None when unrestricted. Its
    registry schools are those of ``schools`` only when given."""
    if scope is None:
        return None
    units = db.query(
        conn,
        "queries/scope_units",
        settings,
        schemes=[s for s, _ in scope],
        codes=[c for _, c in scope],
    )
    places = units.filter(pl.col("level").is_in(["commune", "district"])).select(
        "scheme", pl.col("code").alias("place")
    )
    inside = pl.DataFrame(schema={"school_code": pl.String})
    if db.scalar(conn, db.sql("ingest/has_registry", settings.sql_dir)):
        inside = db.query(
            conn,
            "queries/scope_schools",
            settings,
            schemes=units["scheme"].to_list(),
            codes=units["code"].to_list(),
            school_codes=schools,
        )
    return Scope(places, inside)


def within(checked: Checked, scope: Scope, places: pl.DataFrame) -> Checked:
    """Move accepted rows a scoped account may not write to the rejects: a row placed (by
    the file) outside its units, or a school registered outside them."""
    # a row names a commune, or (validation allows no other blank) a district without any
    rows = checked.accepted.with_columns(
        pl.coalesce("commune_code", "district_code").alias("place")
    )
    outside = rows.join(scope.places, on=["scheme", "place"], how="anti")
    rows = rows.join(scope.places, on=["scheme", "place"], how="semi").drop("place")
    known = rows.join(places, on="school_code", how="inner")
    elsewhere = known.join(scope.schools, on="school_code", how="anti")
    rows = rows.join(elsewhere.select("school_code"), on="school_code", how="anti")
    rejects = [
        checked.rejects,
        outside.select(
            "_sheet",
            "_row",
            "school_code",
            pl.lit("commune_code").alias("field"),
            pl.lit("unit_out_of_scope").alias("rule"),
            pl.col("commune_code").alias("value"),
            pl.lit(None, dtype=pl.String).alias("params"),
        ),
        elsewhere.select(
            "_sheet",
            "_row",
            "school_code",
            pl.lit("school_code").alias("field"),
            pl.lit("school_registered_out_of_scope").alias("rule"),
            pl.col("school_code").alias("value"),
            params(**REGISTERED),
        ),
    ]
    return Checked(rows, pl.concat(rejects, how="vertical_relaxed"), checked.warnings)


def moves(accepted: pl.DataFrame, places: pl.DataFrame) -> pl.DataFrame:
    """A ``school_moved`` warning for each accepted row that places a registry school in
    another province or commune of its scheme than the registry does."""
    found = []
    for scheme, (province, commune) in PLACES.items():
        rows = accepted.filter(pl.col("scheme") == scheme).join(
            places, on="school_code", how="inner"
        )
        moved = (pl.col(commune).is_not_null() & (pl.col(commune) != pl.col("commune_code"))) | (
            pl.col(province).is_not_null() & (pl.col(province) != pl.col("province_code"))
        )
        found.append(
            rows.filter(moved).select(
                "_sheet",
                "_row",
                "school_code",
                pl.lit("commune_code").alias("field"),
                pl.lit("school_moved").alias("rule"),
                pl.format(
                    "{}/{} -> {}/{}",
                    pl.col(province),
                    pl.col(commune),
                    pl.col("province_code"),
                    pl.col("commune_code"),
                ).alias("value"),
                params(
                    scheme=scheme,
                    province=pl.col("province_code"),
                    commune=pl.col("commune_code"),
                    **REGISTERED,
                ),
            )
        )
    return pl.concat(found, how="vertical_relaxed").cast({"_row": pl.Int32})


def summary(rejects: pl.DataFrame, warnings: pl.DataFrame) -> tuple[str, dict[str, object]] | None:
    """The run's report on rows refused for the registry and on moves: the code of its
    message (``files`` of ioc/catalog/messages.yaml) and its parameters."""
    refused = rejects.filter(pl.col("rule") == "school_registered_out_of_scope")
    moved = warnings.filter(pl.col("rule") == "school_moved")

    def codes(frame: pl.DataFrame) -> str:
        return ", ".join(frame["school_code"].unique(maintain_order=True).head(10))

    if refused.height and moved.height:
        return "out_of_scope_moved", {
            "rows": refused.height,
            "codes": codes(refused),
            "moved_rows": moved.height,
            "moved_codes": codes(moved),
        }
    if refused.height:
        return "out_of_scope", {"rows": refused.height, "codes": codes(refused)}
    if moved.height:
        return "moved", {"rows": moved.height, "codes": codes(moved)}
    return None
