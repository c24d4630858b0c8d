"""The approval of each school's return in the school list (docs/approval.md): its state in
the catalog's words (approved, or waiting: the snapshot knows approvals only), the local day
and the approver; blank where the instance does not review (``approval: off``)."""

from __future__ import annotations

import duckdb
import polars as pl

from ioc import db
from ioc.catalog.review_messages import review_text
from ioc.config import Settings
from ioc.exports.cells import Column

#: the school list's approval columns: (name, catalog label, kind)
_COLUMNS = (
    ("review_state", "export_review_state", "text"),
    ("approved_on", "export_approved_on", "date"),
    ("approved_by", "export_approved_by", "text"),
)


def _label(code: str) -> tuple[str, str]:
    return review_text(code, "vi"), review_text(code, "en")


def _state(code: str) -> str:
    word = review_text(code, "vi")
    return word[:1].upper() + word[1:]


def review_columns() -> list[Column]:
    """The approval columns of the school list, labelled 'vi\\nen' like its others."""
    return [
        Column(name, "\n".join(_label(code)), _label(code)[1], kind)  # type: ignore[arg-type]
        for name, code, kind in _COLUMNS
    ]


def with_approvals(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    schools: pl.DataFrame,
    params: dict[str, str | None],
) -> pl.DataFrame:
    """``schools`` (one row per school with a return) with its approval columns."""
    if settings.approval == "off":
        blank = pl.lit(None, pl.String)
        return schools.with_columns(
            blank.alias("review_state"),
            pl.lit(None, pl.Date).alias("approved_on"),
            blank.alias("approved_by"),
        )
    found = db.query(
        conn, "reports/school_approvals", settings, **params, timezone=settings.display_timezone
    )
    approved = pl.col("approved_on").is_not_null()
    return schools.join(found, on="school_code", how="left").with_columns(
        pl.when(approved)
        .then(pl.lit(_state("state_approved")))
        .otherwise(pl.lit(_state("state_received")))
        .alias("review_state")
    )
