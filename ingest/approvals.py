"""The store's approvals and period locks, copied into the snapshot (docs/approval.md).

Official figures count a return when its content hash equals the hash the store approved;
the ingest runner refuses a changed approved return, or a change in a locked period. Both
read the DuckDB tables ``core_return__approvals`` and ``core_period__locks``, which every
writer session that builds replaces from the store (:func:`sync_approvals`), once.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import duckdb
import polars as pl

from ioc import db, store
from ioc.compute.bases import approval_mode
from ioc.compute.out_tables import rebuild_indicators
from ioc.config import Settings
from ioc.returns.validate import Checked
from ioc.store import reviews

APPROVALS: dict[str, pl.DataType] = {
    "school_code": pl.String(),
    "school_year": pl.String(),
    "term": pl.String(),
    "content_hash": pl.String(),
    "approved_at": pl.Datetime("us", "UTC"),
    "approved_by": pl.String(),
}
LOCKS: dict[str, pl.DataType] = {
    "scheme": pl.String(),
    "province_code": pl.String(),
    "school_year": pl.String(),
    "term": pl.String(),
    "locked_at": pl.Datetime("us", "UTC"),
    "locked_by": pl.String(),
}


def read_store(settings: Settings) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every approved review and every lock of the store (``ioc.store.reviews.frozen``); none
    when approval is off (every return counts on receipt and nothing is frozen)."""
    if settings.approval == "off":
        return pl.DataFrame(schema=APPROVALS), pl.DataFrame(schema=LOCKS)
    engine = store.make_engine(settings)
    try:
        store.migrate(engine)
        with store.open_session(engine) as session:
            now = reviews.frozen(session)
    finally:
        engine.dispose()
    approved = [
        (k.school_code, k.school_year, k.term, r.content_hash, r.approved_at, r.approved_by)
        for k, r in now.approved.items()
    ]
    locked = [
        (k.unit_scheme, k.unit_code, k.school_year, k.term, k.locked_at, k.locked_by)
        for k in now.locks
    ]
    return (
        pl.DataFrame(approved, schema=APPROVALS, orient="row"),
        pl.DataFrame(locked, schema=LOCKS, orient="row"),
    )


def sync_approvals(conn: duckdb.DuckDBPyConnection, settings: Settings) -> bool:
    """Replace the snapshot's approvals and locks with the store's: an approval copied as it
    was keeps its ``sync_version``; a new or changed one takes the session's next run id
    (the change version of ``/sync/returns``, the sequence of the runs). Whether the
    approved returns changed (the official sums of their schools then differ from them)."""
    approved, locked = read_store(settings)
    returns = ["school_code", "school_year", "term", "content_hash"]
    had = db.query(conn, "ingest/approved_returns", settings)
    version = db.scalar(conn, db.sql("ingest/next_run_id", settings.sql_dir))
    kept = db.query(conn, "ingest/approval_versions", settings).with_columns(
        pl.col("approved_at").dt.convert_time_zone("UTC")
    )
    approved = approved.join(kept, on=list(APPROVALS), how="left", nulls_equal=True)
    approved = approved.with_columns(pl.col("sync_version").fill_null(version))
    conn.execute("delete from core_return__approvals")
    conn.execute("delete from core_period__locks")
    db.insert_frame(conn, "core_return__approvals", approved)
    db.insert_frame(conn, "core_period__locks", locked)
    return not had.sort(returns).equals(approved.select(returns).sort(returns))


def frozen_rejects(
    conn: duckdb.DuckDBPyConnection, checked: Checked, settings: Settings
) -> Checked:
    """Move to the rejects the accepted rows that would change a frozen return: an approved
    one (``approved_return``) or one of a locked province-period (``locked_period``), unless
    their content is the same (``sql/ingest/frozen_rows.sql``)."""
    frozen = db.scalar(
        conn,
        "select (select count(*) from core_return__approvals)"
        " + (select count(*) from core_period__locks)",
    )
    if not frozen or checked.accepted.is_empty():
        return checked
    if not db.scalar(conn, db.sql("ingest/has_registry", settings.sql_dir)):
        return checked  # nothing stored yet: nothing to change
    conn.execute(
        "create or replace temp table hash_stage as "
        "select * from core_school__period_returns limit 0"
    )
    conn.register("incoming", checked.accepted)
    try:
        conn.execute(
            "insert into hash_stage by name select * exclude (_sheet, _row), "
            "_sheet as sheet, _row as source_row, 0 as run_id from incoming"
        )
    finally:
        conn.unregister("incoming")
    refused = db.query(conn, "ingest/frozen_rows", settings, timezone=settings.display_timezone)
    conn.execute("drop table hash_stage")
    if refused.is_empty():
        return checked
    keys = ["_sheet", "_row"]
    refused = refused.cast({"_row": checked.accepted.schema["_row"]})
    accepted = checked.accepted.join(refused.select(keys), on=keys, how="anti", nulls_equal=True)
    rejects = pl.concat([checked.rejects, refused], how="vertical_relaxed")
    return Checked(accepted, rejects, checked.warnings)


def publish_reviews(settings: Settings, school_codes: Collection[str]) -> dict[str, Any]:
    """After review actions: one writer session that copies the approvals and recomputes the
    indicators of the schools acted on, published as a new build: ``{build_id, schools}``."""
    schools = sorted(set(school_codes))
    with db.writer(settings) as conn:
        sync_approvals(conn, settings)
        if db.scalar(conn, "select count(*) from core_school__period_returns"):
            rebuild_indicators(conn, settings, changed_schools=schools)
    conn = db.connect_published(settings)
    try:
        build = db.current_build(conn)
    finally:
        conn.close()
    return {"build_id": build and build[0], "schools": len(schools)}


def approval_mode_changed(settings: Settings) -> bool:
    """Were the published official figures computed under another ``IOC_APPROVAL`` than
    this one (the setting changed since)? Nothing published: no."""
    try:
        conn = db.connect_published(settings)
    except db.NoData:
        return False
    try:
        has = db.scalar(conn, "select count(*) from core_school__period_returns")
        return bool(has) and approval_mode(conn) != settings.approval
    finally:
        conn.close()
