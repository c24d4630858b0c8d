"""Alerts that somebody owns (issue 18, docs/alerts.md): user rules, alerts and the units
that contain their subject, their timelines, silences, webhooks, deliveries, evaluations;
and an e-mail address per account.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 01:26:26.005861
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alert_evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=8), nullable=False),
        sa.Column("build_id", sa.String(length=64), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration_seconds", sa.Float(), nullable=True),
        sa.Column("rules", sa.Integer(), nullable=False),
        sa.Column("conditions", sa.Integer(), nullable=False),
        sa.Column("opened", sa.Integer(), nullable=False),
        sa.Column("recovered", sa.Integer(), nullable=False),
        sa.Column("escalated", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_evaluations")),
    )
    with op.batch_alter_table("alert_evaluations", schema=None) as batch_op:
        batch_op.create_index("ix_alert_evaluations_build_id", ["build_id"], unique=False)

    op.create_table(
        "alert_rules",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("vi", sa.String(length=200), nullable=False),
        sa.Column("en", sa.String(length=200), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("scheme", sa.String(length=8), nullable=False),
        sa.Column("indicators", sa.JSON(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=True),
        sa.Column("hold_builds", sa.Integer(), nullable=False),
        sa.Column("hold_hours", sa.Float(), nullable=False),
        sa.Column("escalate_after_hours", sa.Float(), nullable=True),
        sa.Column("route_to", sa.JSON(), nullable=False),
        sa.Column("units", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("scheme IN ('2025', 'legacy')", name=op.f("ck_alert_rules_scheme")),
        sa.CheckConstraint(
            "severity IN ('critical', 'info', 'warning')", name=op.f("ck_alert_rules_severity")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_alert_rules")),
    )
    op.create_table(
        "alert_silences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_key", sa.String(length=60), nullable=False),
        sa.Column("scheme", sa.String(length=8), nullable=False),
        sa.Column("unit_code", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.String(length=64), nullable=True),
        sa.CheckConstraint("scheme IN ('2025', 'legacy')", name=op.f("ck_alert_silences_scheme")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_silences")),
    )
    with op.batch_alter_table("alert_silences", schema=None) as batch_op:
        batch_op.create_index("ix_alert_silences_ends_at", ["ends_at"], unique=False)

    op.create_table(
        "alert_webhooks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("min_severity", sa.String(length=16), nullable=False),
        sa.Column("units", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "min_severity IN ('critical', 'info', 'warning')",
            name=op.f("ck_alert_webhooks_min_severity"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_webhooks")),
        sa.UniqueConstraint("name", name=op.f("uq_alert_webhooks_name")),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("open_key", sa.String(length=200), nullable=True),
        sa.Column("rule_key", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("subject_kind", sa.String(length=16), nullable=False),
        sa.Column("subject_code", sa.String(length=64), nullable=False),
        sa.Column("subject_name", sa.String(length=200), nullable=False),
        sa.Column("scheme", sa.String(length=8), nullable=True),
        sa.Column("unit_code", sa.String(length=8), nullable=True),
        sa.Column("item", sa.String(length=64), nullable=True),
        sa.Column("school_year", sa.String(length=9), nullable=True),
        sa.Column("term", sa.String(length=4), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("threshold", sa.Float(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("seen", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_build_id", sa.String(length=64), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        sa.Column("acknowledge_comment", sa.Text(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.Column("resolve_comment", sa.Text(), nullable=True),
        sa.Column("resolved_build_id", sa.String(length=64), nullable=True),
        sa.Column("recovered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("silenced_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reopened_from", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "severity IN ('critical', 'info', 'warning')", name=op.f("ck_alerts_severity")
        ),
        sa.CheckConstraint(
            "state IN ('acknowledged', 'open', 'pending', 'recovered', 'resolved')",
            name=op.f("ck_alerts_state"),
        ),
        sa.CheckConstraint(
            "subject_kind IN ('job', 'schedule', 'school', 'source', 'unit')",
            name=op.f("ck_alerts_subject_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("open_key", name=op.f("uq_alerts_open_key")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index("ix_alerts_opened_at", ["opened_at"], unique=False)
        batch_op.create_index("ix_alerts_key_id", ["key", "id"], unique=False)
        batch_op.create_index("ix_alerts_rule_key_state", ["rule_key", "state"], unique=False)
        batch_op.create_index("ix_alerts_state_severity", ["state", "severity"], unique=False)

    op.create_table(
        "alert_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "action IN ('acknowledge', 'escalate', 'open', 'recover', 'resolve')",
            name=op.f("ck_alert_events_action"),
        ),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alerts.id"],
            name=op.f("fk_alert_events_alert_id_alerts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_events")),
    )
    with op.batch_alter_table("alert_events", schema=None) as batch_op:
        batch_op.create_index("ix_alert_events_alert_id", ["alert_id", "id"], unique=False)
        batch_op.create_index("ix_alert_events_at", ["at"], unique=False)

    op.create_table(
        "alert_units",
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=8), nullable=False),
        sa.Column("unit_code", sa.String(length=8), nullable=False),
        sa.CheckConstraint("scheme IN ('2025', 'legacy')", name=op.f("ck_alert_units_scheme")),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alerts.id"],
            name=op.f("fk_alert_units_alert_id_alerts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("alert_id", "scheme", "unit_code", name=op.f("pk_alert_units")),
    )
    with op.batch_alter_table("alert_units", schema=None) as batch_op:
        batch_op.create_index(
            "ix_alert_units_unit", ["scheme", "unit_code", "alert_id"], unique=False
        )

    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("recipient", sa.String(length=64), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "channel IN ('email', 'webhook')", name=op.f("ck_alert_deliveries_channel")
        ),
        sa.CheckConstraint(
            "status IN ('failed', 'pending', 'sent')", name=op.f("ck_alert_deliveries_status")
        ),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alerts.id"],
            name=op.f("fk_alert_deliveries_alert_id_alerts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["alert_events.id"],
            name=op.f("fk_alert_deliveries_event_id_alert_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_deliveries")),
    )
    with op.batch_alter_table("alert_deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_alert_deliveries_alert_id", ["alert_id"], unique=False)
        batch_op.create_index(
            "ix_alert_deliveries_status_due", ["status", "next_attempt_at"], unique=False
        )

    # a plain ADD COLUMN: a batch (table copy) would drop the accounts' scopes, tokens and
    # sessions through their ON DELETE CASCADE keys on SQLite
    op.add_column("users", sa.Column("email", sa.String(length=254), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "email")  # SQLite 3.35+ drops a column in place

    with op.batch_alter_table("alert_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_deliveries_status_due")
        batch_op.drop_index("ix_alert_deliveries_alert_id")

    op.drop_table("alert_deliveries")
    with op.batch_alter_table("alert_units", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_units_unit")

    op.drop_table("alert_units")
    with op.batch_alter_table("alert_events", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_events_at")
        batch_op.drop_index("ix_alert_events_alert_id")

    op.drop_table("alert_events")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_alerts_state_severity")
        batch_op.drop_index("ix_alerts_rule_key_state")
        batch_op.drop_index("ix_alerts_opened_at")
        batch_op.drop_index("ix_alerts_key_id")

    op.drop_table("alerts")
    op.drop_table("alert_webhooks")
    with op.batch_alter_table("alert_silences", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_silences_ends_at")

    op.drop_table("alert_silences")
    op.drop_table("alert_rules")
    with op.batch_alter_table("alert_evaluations", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_evaluations_build_id")

    op.drop_table("alert_evaluations")
