"""Rebuild the ``out_`` tables of a snapshot from its ``core_`` tables (inside a writer).

After an ingest the stored sums take the changed schools' difference when they can
(:mod:`ioc.compute.sums_delta`); otherwise only the provinces whose schools changed are
recomputed: every unit lies in one province of its scheme, and old provinces nest in new
ones, so recomputing the whole 2025 province(s) of the changed schools is exact for every
unit it touches.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from datetime import UTC, datetime

import duckdb
import polars as pl

from ioc import db
from ioc.catalog import load_rules
from ioc.catalog.definitions import load_catalog
from ioc.compute.bases import (
    OTHER,
    SUMS_KEY,
    UNIT_PERIOD,
    Contribution,
    bases,
    contribution,
    differing,
    inputs,
    params,
    received,
    same_value,
    stored_usable,
    with_basis,
)
from ioc.compute.findings import findings, peer_unit
from ioc.compute.sums_delta import Baseline, updated
from ioc.config import Settings

FULL_REBUILD_SHARE = 0.5  # above this share of schools changed, recompute everything
STORED = "__stored"  # marks the stored rows while stored and new sums are compared


def rebuild_indicators(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    changed_schools: Collection[str] | None = None,
    moved_from: pl.DataFrame | None = None,
    baseline: Baseline | None = None,
) -> int:
    """Recompute indicator sums and findings: everything, or the provinces of the changed
    schools, where they are now and where they were (``moved_from``: :func:`provinces_of`
    them before the core was rebuilt, so a school that left a province leaves nothing in
    it). When ``baseline`` took what the changed schools added to the stored sums before
    the session changed them, the stored sums take the difference instead
    (:mod:`ioc.compute.sums_delta`) unless the schools changed cells. Returns the number
    of (unit, period) rows written."""
    started = time.perf_counter()
    catalog = load_catalog()
    # after an ingest, stored sums made by this catalog and approval mode are updated in part
    usable = changed_schools is not None and stored_usable(conn, settings)
    before = baseline.taken(changed_schools or ()) if usable and baseline else None
    rows = None
    if baseline is not None and before is not None:
        rows = _add_difference(conn, settings, before, baseline.schools)
    scope, peers = None, None
    sums: tuple[pl.DataFrame, pl.DataFrame] | None = None
    if baseline is not None and rows is not None:
        # a school's findings follow its own returns and its peers' (findings.peer_unit):
        # those of the changed schools' peers are redone, where they are (no one moved)
        peers = _peers(conn, settings, baseline.schools)
        read = inputs(conn, settings, params(None, peers))
    else:
        if usable and changed_schools is not None:
            scope = _affected(conn, settings, changed_schools, moved_from)
        read = inputs(conn, settings, params(scope))
        official, every, _ = bases(read, settings, catalog)
        sums = official, every
        del official, every
    registry, _ = read
    found = findings(received(read), registry, load_rules().quality)  # of every return
    schools = registry.select("school_code").collect()
    del read, registry  # the returns read are freed before the sums are written
    if sums is not None:
        rows = _write_sums(conn, settings, *sums, scope, anew=not usable)
        sums = None
    assert rows is not None  # the difference was added, or the sums written
    if scope is None and peers is None:
        db.execute(conn, "out/out_quality__findings", settings)
    else:
        conn.register("schools", schools)
        conn.execute(
            "delete from out_quality__findings as f using schools as s "
            "where f.school_code = s.school_code"
        )
        conn.unregister("schools")
    db.insert_frame(conn, "out_quality__findings", found)
    conn.execute("delete from meta__approval")
    conn.execute("insert into meta__approval values (?)", [settings.approval])
    detail = None if peers is None else f"{len(changed_schools or ())} schools, {len(peers)} peers"
    _record(conn, started, rows, scope, detail)
    return rows


def _write_sums(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    official: pl.DataFrame,
    every: pl.DataFrame,
    scope: pl.DataFrame | None,
    *,
    anew: bool,
) -> int:
    """Store the recomputed sums: the whole table ``anew``, or the rows of the provinces in
    ``scope`` (None: every province) that changed. The ``all`` basis is stored only where
    it differs from the official one (:func:`ioc.compute.bases.differing`)."""
    every = differing(official, every)
    if anew:
        # the wide table's columns follow the catalog (indicator_id__part), so it is created
        # from the frames themselves, each basis read where it is (no copy of the two joined);
        # the findings table's shape is in sql/out
        conn.register("official_sums", official)
        conn.register("every_sums", every)
        # rows in any order: the table is written on every thread, not one (1.2 s, not 2.1 s,
        # for the national build); readers filter and sort
        conn.execute("set preserve_insertion_order = false")
        try:
            conn.execute(
                "create or replace table out_indicator__sums as "
                "select *, 'official' as basis from official_sums "
                "union all by name select *, 'all' as basis from every_sums"
            )
        finally:
            conn.execute("reset preserve_insertion_order")
            conn.unregister("official_sums")
            conn.unregister("every_sums")
        return official.height + every.height
    # after an ingest: most units' sums are what they were; only the others are written
    sums = with_basis(official, every)
    _replace_changed(conn, settings, sums, scope)
    return sums.height


def _peers(conn: duckdb.DuckDBPyConnection, settings: Settings, schools: set[str]) -> list[str]:
    """Every school in the peer units of ``schools`` (``schools`` among them)."""
    places = db.query(conn, "indicators/peer_places", settings)
    theirs = places.filter(pl.col("school_code").is_in(sorted(schools))).select(peer_unit())
    peers = places.filter(peer_unit().is_in(theirs.to_series().drop_nulls().implode()))
    return sorted(set(peers["school_code"].to_list()) | schools)


def _add_difference(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    before: Contribution,
    schools: Collection[str],
) -> int | None:
    """Add to the stored sums what ``schools`` add now minus what they added ``before``;
    the rows written, or None when the difference cannot be taken."""
    after = contribution(conn, settings, schools)
    conn.register("units", after.sums.select(SUMS_KEY))
    try:
        stored = db.query(conn, "out/sums_of_units", settings)
    finally:
        conn.unregister("units")
    changed = updated(stored, before, after)
    if changed is None:
        return None
    # both bases of every unit-period changed, as they are now, the all row stored only
    # where it differs from the official one (its absence reads as the official row)
    touched = changed.select(UNIT_PERIOD).unique()
    rows = pl.concat([changed, stored.join(changed, on=SUMS_KEY, how="anti", nulls_equal=True)])
    rows = rows.join(touched, on=UNIT_PERIOD, how="semi", nulls_equal=True)
    official, every = (rows.filter(pl.col("basis") == b).drop("basis") for b in ("official", "all"))
    written = with_basis(official, differing(official, every))
    _replace_rows(conn, settings, rows.select(SUMS_KEY), written)
    return written.height


def provinces_of(
    conn: duckdb.DuckDBPyConnection, settings: Settings, schools: Collection[str]
) -> pl.DataFrame | None:
    """The provinces (scheme, code) the schools are in by the snapshot's registry as it
    stands (None before the first build)."""
    tables = {t for (t,) in conn.execute("select table_name from duckdb_tables()").fetchall()}
    if "core_school__registry" not in tables:
        return None
    return db.query(conn, "indicators/affected_provinces", settings, school_codes=sorted(schools))


def _affected(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    changed: Collection[str],
    moved_from: pl.DataFrame | None,
) -> pl.DataFrame | None:
    """The provinces (scheme, code) of the changed schools, now and before, or None when
    they are most."""
    provinces = provinces_of(conn, settings, changed)
    if provinces is None:
        return None
    if moved_from is not None:
        provinces = pl.concat([provinces, moved_from]).unique()
    total = db.scalar(conn, "select count(distinct province_code_2025) from core_school__registry")
    if provinces.filter(pl.col("scheme") == "2025").height > FULL_REBUILD_SHARE * total:
        return None
    return provinces


def _replace_changed(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    sums: pl.DataFrame,
    scope: pl.DataFrame | None,
) -> None:
    """Make the stored sums of the provinces in ``scope`` (all: None) those of ``sums``,
    rewriting only the rows whose values differ, or that are new or gone: writing the
    table's few hundred columns is most of a rebuild's cost, and most units are unchanged.
    A sum within :data:`ioc.compute.bases.SAME_WITHIN` of the stored one is the same: the
    sums of fractional parts come out in the last bits as the order of the additions falls,
    so a rebuild is no closer to itself than that. An ``all`` row now the official one is
    gone: deleted."""
    given = {k: v for k, v in params(scope).items() if k != "schools"}
    stored = db.query(conn, "out/sums_of_provinces", settings, **given)
    values = [c for c in sums.columns if c not in SUMS_KEY]
    compared = sums.join(
        stored.with_columns(pl.lit(True).alias(STORED)),
        on=SUMS_KEY,
        how="left",
        suffix=OTHER,
        nulls_equal=True,
    )
    schema = sums.schema  # once: each lookup builds it anew
    same = pl.col(STORED).fill_null(False) & pl.all_horizontal(
        same_value(c, schema[c]) for c in values
    )
    fresh = compared.filter(~same).select(sums.columns)
    gone = stored.select(SUMS_KEY).join(sums.select(SUMS_KEY), on=SUMS_KEY, how="anti")
    _replace_rows(conn, settings, pl.concat([fresh.select(SUMS_KEY), gone]), fresh)


def _replace_rows(
    conn: duckdb.DuckDBPyConnection, settings: Settings, keys: pl.DataFrame, rows: pl.DataFrame
) -> None:
    """Delete the stored sums of ``keys``, then insert ``rows``."""
    conn.register("replaced", keys)
    db.execute(conn, "out/delete_sums_rows", settings)
    conn.unregister("replaced")
    db.insert_frame(conn, "out_indicator__sums", rows)


def _record(
    conn: duckdb.DuckDBPyConnection,
    started: float,
    rows: int,
    provinces: pl.DataFrame | None,
    difference: str | None,
) -> None:
    """The step's row: 'difference' (the sums took the changed schools' difference, their
    peers' findings were redone: ``difference`` says how many), 'incremental' (the
    ``provinces`` recomputed) or 'full'."""
    mode, detail = "full", None
    if difference is not None:
        mode, detail = "difference", difference
    elif provinces is not None:
        mode = "incremental"
        detail = ", ".join(f"{s}:{p}" for s, p in provinces.sort(pl.all()).iter_rows())
    conn.execute(
        "insert into meta__build_steps values (?, 'indicators', ?, ?, ?, ?)",
        [datetime.now(UTC), mode, detail, time.perf_counter() - started, rows],
    )
