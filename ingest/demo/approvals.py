"""The demo's reviews (docs/approval.md): with ``IOC_APPROVAL=required`` a demo whose returns
nobody approved would show no official figures, so the demo accounts take the steps the scheme
asks. Legacy periods: the district offices check (``demo-phong-gd``, a system actor with every
old district's scope), then the Department approves (``demo-approver``); 2025 periods: the
Department approves. Every past period is approved in full; in the latest period the returns
with findings and about 5 % more (chosen by the school code's CRC, so always the same) are
left waiting, so the review desk has a queue. Then the approvals are copied into the snapshot
and the indicators recomputed, published as one build (:func:`ingest.approvals.publish_reviews`).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from ingest.approvals import publish_reviews
from ioc import db, store
from ioc.config import Settings
from ioc.domain.period import Period
from ioc.domain.units import PLACE_COLUMN
from ioc.reviews.states import Action
from ioc.store.review_values import Item
from ioc.store.reviews import ReturnKey, act_many

CHECKER = "demo-phong-gd"  # the old district offices (Phòng GD&ĐT), as one system actor
APPROVER = "demo-approver"  # the Department (store.demo.DEMO_ACCOUNTS)
DEPARTMENT = (("2025", "92"),)
#: in the latest period, one clean return in this many is left waiting
LEFT_ONE_IN = 20


@dataclass(frozen=True)
class DemoReviews:
    approved: int
    pending: int  # returns of the latest period left waiting


def left_waiting(school_code: str) -> bool:
    """The deterministic ~5 % of the latest period's clean returns left for the desk."""
    return zlib.crc32(school_code.encode("utf-8")) % LEFT_ONE_IN == 0


def _returns(settings: Settings) -> dict[Period, pl.DataFrame]:
    """Each period's returns as the review desk lists them (place, findings, content hash)."""
    conn = db.connect_published(settings)
    try:
        periods = conn.execute(
            "select distinct school_year, term from core_school__period_returns"
        ).fetchall()
        return {
            Period.parse(f"{year}/{term}"): db.query(
                conn,
                "queries/review_returns",
                settings,
                school_year=year,
                term=term,
                school_code=None,
            )
            for year, term in periods
        }
    finally:
        conn.close()


def _items(at: Period, rows: pl.DataFrame) -> list[Item]:
    return [
        Item(
            ReturnKey(row["school_code"], at.school_year, at.term),
            row["content_hash"],
            row["content_hash"],
            {key: row[column] for key, column in PLACE_COLUMN.items()},
        )
        for row in rows.iter_rows(named=True)
    ]


def _districts(rows: pl.DataFrame) -> Sequence[tuple[str, str]]:
    codes = rows.get_column("district_code_legacy").drop_nulls().unique().sort()
    return [("legacy", code) for code in codes]


def approve_demo(settings: Settings) -> DemoReviews | None:
    """Review the built demo as above; ``None`` when approval is off (nothing to do)."""
    if settings.approval != "required":
        return None
    returns = _returns(settings)
    if not returns:
        return DemoReviews(0, 0)
    latest = max(returns)
    approved, pending = 0, 0
    engine = store.make_engine(settings)
    try:
        store.migrate(engine)
        with store.open_session(engine) as session:
            for at, rows in sorted(returns.items()):
                chosen = rows
                if at == latest:
                    keep = pl.col("school_code").map_elements(left_waiting, return_dtype=pl.Boolean)
                    chosen = rows.filter((pl.col("findings") == 0) & ~keep)
                items = _items(at, chosen)
                if at.scheme == "legacy":
                    act_many(
                        session,
                        actor=CHECKER,
                        action=Action.CHECK,
                        items=items,
                        reason=None,
                        scheme=at.scheme,
                        scopes=_districts(chosen),
                    )
                done = act_many(
                    session,
                    actor=APPROVER,
                    action=Action.APPROVE,
                    items=items,
                    reason=None,
                    scheme=at.scheme,
                    scopes=DEPARTMENT,
                )
                approved += len(done.done)
                if at == latest:
                    pending = rows.height - len(done.done)
    finally:
        engine.dispose()
    schools = {code for rows in returns.values() for code in rows.get_column("school_code")}
    publish_reviews(settings, schools)
    return DemoReviews(approved, pending)
