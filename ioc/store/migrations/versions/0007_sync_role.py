"""The sync role: a machine account of another IOC-EDU instance that reads /sync/* only.

The users' role check gains 'sync'. On SQLite the table is not recreated (that would delete
the accounts' scopes, tokens and sessions through their ON DELETE CASCADE keys, since the
store runs with foreign keys on): the constraint is only widened, so SQLite's documented
procedure for changing a CHECK constraint in place applies (the stored CREATE TABLE text is
rewritten and the schema version bumped, in the migration's transaction).

Revision ID: 0007
Revises: 0004 (0006 once the sources migrations are merged before it)
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from ioc.store.migrations.role_check import replace_role_check

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = "role IN ('admin', 'analyst', 'display', 'leader', 'operator')"
AFTER = "role IN ('admin', 'analyst', 'display', 'leader', 'operator', 'sync')"


def upgrade() -> None:
    replace_role_check(BEFORE, AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM users WHERE role = 'sync'")
    replace_role_check(AFTER, BEFORE)
