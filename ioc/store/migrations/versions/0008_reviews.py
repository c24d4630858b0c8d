"""Review and approval (issue 17, docs/approval.md): the approver role, each return's review
state, the hash-chained review events and the locked periods.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ioc.store.migrations.role_check import replace_role_check

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = "role IN ('admin', 'analyst', 'display', 'leader', 'operator', 'sync')"
AFTER = "role IN ('admin', 'analyst', 'approver', 'display', 'leader', 'operator', 'sync')"
STATES = "state IN ('approved', 'checked', 'received', 'returned')"


def upgrade() -> None:
    replace_role_check(BEFORE, AFTER)
    op.create_table(
        "return_reviews",
        sa.Column("school_code", sa.String(length=16), nullable=False),
        sa.Column("school_year", sa.String(length=9), nullable=False),
        sa.Column("term", sa.String(length=4), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.String(length=64), nullable=True),
        sa.CheckConstraint(STATES, name=op.f("ck_return_reviews_state")),
        sa.PrimaryKeyConstraint(
            "school_code", "school_year", "term", name=op.f("pk_return_reviews")
        ),
    )
    op.create_index(
        "ix_return_reviews_period_state", "return_reviews", ["school_year", "term", "state"]
    )
    op.create_table(
        "review_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("school_code", sa.String(length=16), nullable=True),
        sa.Column("school_year", sa.String(length=9), nullable=False),
        sa.Column("term", sa.String(length=4), nullable=False),
        sa.Column("unit_scheme", sa.String(length=8), nullable=True),
        sa.Column("unit_code", sa.String(length=8), nullable=True),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_events")),
        sa.UniqueConstraint("hash", name=op.f("uq_review_events_hash")),
        # one successor per event: concurrent appends cannot fork the chain
        sa.UniqueConstraint("prev_hash", name=op.f("uq_review_events_prev_hash")),
    )
    op.create_index(
        "ix_review_events_return", "review_events", ["school_code", "school_year", "term"]
    )
    op.create_table(
        "period_locks",
        sa.Column("unit_scheme", sa.String(length=8), nullable=False),
        sa.Column("unit_code", sa.String(length=8), nullable=False),
        sa.Column("school_year", sa.String(length=9), nullable=False),
        sa.Column("term", sa.String(length=4), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_by", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "unit_scheme IN ('2025', 'legacy')", name=op.f("ck_period_locks_unit_scheme")
        ),
        sa.PrimaryKeyConstraint(
            "unit_scheme", "unit_code", "school_year", "term", name=op.f("pk_period_locks")
        ),
    )


def downgrade() -> None:
    op.drop_table("period_locks")
    op.drop_index("ix_review_events_return", table_name="review_events")
    op.drop_table("review_events")
    op.drop_index("ix_return_reviews_period_state", table_name="return_reviews")
    op.drop_table("return_reviews")
    op.execute("DELETE FROM users WHERE role = 'approver'")
    replace_role_check(AFTER, BEFORE)
