"""Changing the users' role check in place, shared by the migrations that add a role.

On SQLite the table is not recreated (that would delete the accounts' scopes, tokens and
sessions through their ON DELETE CASCADE keys, since the store runs with foreign keys on):
the constraint is only widened, so SQLite's documented procedure for changing a CHECK
constraint in place applies (the stored CREATE TABLE text is rewritten and the schema
version bumped, in the migration's transaction)."""

from __future__ import annotations

from alembic import op


def replace_role_check(old: str, new: str) -> None:
    """Replace the users' role check ``old`` by ``new`` (SQL text of the constraint)."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_users_role"), "users", type_="check")
        op.create_check_constraint(op.f("ck_users_role"), "users", new)
        return
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        bind.exec_driver_sql(
            "UPDATE sqlite_master SET sql = replace(sql, ?, ?) "
            "WHERE type = 'table' AND name = 'users'",
            (old, new),
        )
        bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    finally:  # off again, and this connection reads the new schema (pooled, it is reused)
        bind.exec_driver_sql("PRAGMA writable_schema = RESET")
    stored = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'users'"
    ).scalar_one()
    if new not in stored:
        raise RuntimeError(f"ck_users_role is not {new!r} in the store: {stored}")
    if bind.exec_driver_sql("PRAGMA quick_check").scalar_one() != "ok":
        raise RuntimeError("the store failed its integrity check after widening ck_users_role")
