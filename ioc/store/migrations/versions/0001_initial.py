"""Initial store: accounts, unit scopes, API tokens, web sessions, audit events.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _user_fk() -> sa.Column[object]:
    return sa.Column("user_id", sa.Integer(), nullable=False)


def _user_fk_constraint(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        _timestamp("created_at"),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        _timestamp("locked_until", nullable=True),
        sa.CheckConstraint(
            "role IN ('admin', 'analyst', 'display', 'leader', 'operator')",
            name=op.f("ck_users_role"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "user_scopes",
        sa.Column("id", sa.Integer(), nullable=False),
        _user_fk(),
        sa.Column("scheme", sa.String(length=8), nullable=False),
        sa.Column("unit_code", sa.String(length=8), nullable=False),
        sa.CheckConstraint("scheme IN ('2025', 'legacy')", name=op.f("ck_user_scopes_scheme")),
        _user_fk_constraint("user_scopes"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_scopes")),
        sa.UniqueConstraint(
            "user_id",
            "scheme",
            "unit_code",
            name=op.f("uq_user_scopes_user_id_scheme_unit_code"),
        ),
    )
    op.create_index(op.f("ix_user_scopes_user_id"), "user_scopes", ["user_id"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        _user_fk(),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        _timestamp("created_at"),
        _timestamp("last_used_at", nullable=True),
        _timestamp("expires_at", nullable=True),
        _timestamp("revoked_at", nullable=True),
        _user_fk_constraint("api_tokens"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"])
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        _user_fk(),
        _timestamp("created_at"),
        _timestamp("expires_at"),
        _timestamp("revoked_at", nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        _user_fk_constraint("web_sessions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
    )
    op.create_index(op.f("ix_web_sessions_user_id"), "web_sessions", ["user_id"])
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        _timestamp("at"),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    op.create_index("ix_audit_events_action_at", "audit_events", ["action", "at"])
    op.create_index("ix_audit_events_username_at", "audit_events", ["username", "at"])


def downgrade() -> None:
    for table in ("audit_events", "web_sessions", "api_tokens", "user_scopes", "users"):
        op.drop_table(table)
