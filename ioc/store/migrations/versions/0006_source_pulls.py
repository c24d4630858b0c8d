"""The ledger of pulls (issue 16): one row per pull of a source, from its PullReport.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "source_pulls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("started_by", sa.String(length=64), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration_seconds", sa.Float(), nullable=True),
        *(
            sa.Column(name, sa.Integer(), nullable=False)
            for name in (
                "pages",
                "fetched",
                "inserted",
                "replaced",
                "unchanged",
                "rejected",
                "tombstones",
                "retries",
            )
        ),
        sa.Column("watermarks", sa.JSON(), nullable=False),
        sa.Column("reject_reasons", sa.JSON(), nullable=False),
        sa.Column("run_ids", sa.JSON(), nullable=False),
        sa.Column("drift", sa.JSON(), nullable=True),
        sa.Column("error", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "status IN ('failed', 'interrupted', 'running', 'succeeded')",
            name=op.f("ck_source_pulls_status"),
        ),
        sa.CheckConstraint("mode IN ('delta', 'full')", name=op.f("ck_source_pulls_mode")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_pulls")),
    )
    op.create_index("ix_source_pulls_source_id", "source_pulls", ["source", "id"])
    op.create_index("ix_source_pulls_status", "source_pulls", ["status"])


def downgrade() -> None:
    op.drop_table("source_pulls")
