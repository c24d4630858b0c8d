"""`ioc users` driven as a real subprocess, on SQLite and (when IOC_TEST_POSTGRES_URL is
set) PostgreSQL; results are read back through the store."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ioc import store
from ioc.config import Settings
from tests.conftest import REPO
from tests.integration.test_store import BACKENDS, database_url

# `ioc users` is mounted in ioc/cli/main.py; these tests run the sub-app on its own.
STANDALONE = [
    sys.executable,
    "-c",
    "from ioc.cli.users import users_app; users_app(prog_name='ioc users')",
]


@functools.cache
def users_command() -> tuple[str, ...]:
    mounted = subprocess.run(
        [sys.executable, "-m", "ioc", "users", "--help"], capture_output=True, cwd=REPO
    )
    return (sys.executable, "-m", "ioc", "users") if mounted.returncode == 0 else tuple(STANDALONE)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """SQLite: the CLI only calls the store, whose tests cover both databases."""
    return Settings(data_dir=tmp_path / "data", database_url=None)


@pytest.fixture(params=BACKENDS)
def any_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """SQLite, and PostgreSQL when IOC_TEST_POSTGRES_URL is set."""
    with database_url(request.param, tmp_path) as url:
        yield Settings(data_dir=tmp_path / "data", database_url=url)


def users(
    settings: Settings, *args: str, code: int = 0, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "IOC_DATA_DIR": str(settings.data_dir),
        "IOC_USER": "tester",
        "COLUMNS": "200",
    }
    env.pop("IOC_DATABASE_URL", None)
    if settings.database_url:
        env["IOC_DATABASE_URL"] = settings.database_url
    result = subprocess.run(
        [*users_command(), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        input=stdin,
        timeout=120,
        start_new_session=True,  # no controlling terminal: a password prompt reads stdin
    )
    assert result.returncode == code, (
        f"ioc users {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    )
    return result


def secret(result: subprocess.CompletedProcess[str]) -> str:
    (line,) = [ln for ln in result.stdout.splitlines() if "(shown once" in ln]
    return line.rsplit(" ", 1)[1]


def as_json(settings: Settings, *args: str) -> Any:
    return json.loads(users(settings, *args, "--json").stdout)


def login(settings: Settings, username: str, password: str) -> store.User | None:
    engine = store.make_engine(settings)
    try:
        with store.open_session(engine) as session:
            return store.authenticate(session, username, password, "127.0.0.1")
    finally:
        engine.dispose()


def test_add_prints_a_password_once_that_logs_in(settings: Settings) -> None:
    added = users(
        settings, "add", "Lan", "--role", "analyst", "--unit", "legacy:945", "--full-name", "Lê Lan"
    )
    password = secret(added)
    assert len(password) >= 16
    listed = users(settings, "list", "--json").stdout
    assert password not in listed
    (row,) = json.loads(listed)
    assert row | {"created_at": None} == {
        "username": "lan",
        "full_name": "Lê Lan",
        "role": "analyst",
        "units": ["legacy:945"],
        "active": True,
        "locked_until": None,
        "failed_logins": 0,
        "created_at": None,
    }
    user = login(settings, "lan", password)
    assert user is not None and user.units == [("legacy", "945")]


def test_add_with_a_typed_password(settings: Settings) -> None:
    typed = "typed at the prompt"
    result = users(
        settings, "add", "op", "--role", "operator", "--unit", "2025:92", "--prompt-password",
        stdin=f"{typed}\n{typed}\n",
    )  # fmt: skip
    assert typed not in result.stdout and "shown once" not in result.stdout
    assert login(settings, "op", typed) is not None


@pytest.mark.slow  # keeps `make test` under 15 minutes; CI runs it (make test-slow)
def test_refusals_exit_non_zero_and_change_nothing(settings: Settings) -> None:
    bad_unit = users(settings, "add", "x1", "--role", "analyst", "--unit", "legacy:999", code=2)
    assert "unknown unit legacy:999" in bad_unit.stderr
    assert (
        "SCHEME:CODE"
        in users(settings, "add", "x2", "--role", "analyst", "--unit", "945", code=2).stderr
    )
    assert (
        "needs at least one unit"
        in users(settings, "add", "x3", "--role", "analyst", code=1).stderr
    )
    assert "unknown role" in users(settings, "add", "x4", "--role", "boss", code=1).stderr
    users(settings, "add", "lead", "--role", "leader")
    assert "already exists" in users(settings, "add", "LEAD", "--role", "leader", code=1).stderr
    assert "no account" in users(settings, "disable", "ghost", code=1).stderr
    assert "no token 42" in users(settings, "token", "revoke", "42", code=1).stderr
    assert [u["username"] for u in as_json(settings, "list")] == ["lead"]


def test_role_units_password_and_disable(settings: Settings) -> None:
    first = secret(users(settings, "add", "an", "--role", "analyst", "--unit", "legacy:94"))
    users(settings, "set-units", "an", "--unit", "legacy:945", "--unit", "legacy:31615")
    users(settings, "set-role", "an", "operator")
    (row,) = as_json(settings, "list")
    assert (row["role"], row["units"]) == ("operator", ["legacy:945", "legacy:31615"])
    users(settings, "set-role", "an", "leader")
    (row,) = as_json(settings, "list")
    assert (row["role"], row["units"]) == ("leader", [])
    second = secret(users(settings, "reset-password", "an"))
    assert second != first
    assert login(settings, "an", first) is None
    assert login(settings, "an", second) is not None
    users(settings, "disable", "an")
    assert as_json(settings, "list")[0]["active"] is False
    assert login(settings, "an", second) is None


def test_email_added_changed_listed_and_checked(settings: Settings) -> None:
    users(settings, "add", "op", "--role", "operator", "--unit", "legacy:94", "--email", "op@so.vn")
    assert as_json(settings, "list")[0]["email"] == "op@so.vn"
    users(settings, "set-email", "op", "can-bo@so-gddt.example.vn")
    assert as_json(settings, "list")[0]["email"] == "can-bo@so-gddt.example.vn"
    for bad in ("not-an-address", "a@b", "x y@so.vn"):
        users(settings, "set-email", "op", bad, code=1)
    users(settings, "add", "op2", "--role", "leader", "--email", "nope", code=1)
    assert [r["username"] for r in as_json(settings, "list")] == ["op"]
    users(settings, "set-email", "op")  # no address: cleared
    assert "email" not in as_json(settings, "list")[0]
    assert "can-bo" not in users(settings, "list").stdout


def test_tokens_are_printed_once_verify_and_revoke(settings: Settings) -> None:
    users(settings, "add", "wall", "--role", "display")
    plaintext = secret(users(settings, "token", "create", "wall", "--name", "hall A"))
    assert plaintext.startswith("ioc_")
    (row,) = as_json(settings, "token", "list")
    assert plaintext not in json.dumps(row)
    assert (row["username"], row["name"], row["prefix"]) == ("wall", "hall A", plaintext[:12])
    engine = store.make_engine(settings)
    try:
        with store.open_session(engine) as session:
            assert store.verify_token(session, plaintext) is not None
        users(settings, "token", "revoke", str(row["id"]))
        with store.open_session(engine) as session:
            assert store.verify_token(session, plaintext) is None
    finally:
        engine.dispose()
    assert as_json(settings, "token", "list", "--active") == []
    assert as_json(settings, "token", "list", "--user", "wall")[0]["revoked_at"] is not None


def test_every_change_is_audited_with_who_ran_it(any_settings: Settings) -> None:
    settings = any_settings
    users(settings, "add", "an", "--role", "analyst", "--unit", "legacy:945")
    users(settings, "set-units", "an", "--unit", "legacy:94")
    users(settings, "reset-password", "an")
    users(settings, "token", "create", "an", "--name", "laptop", "--expires-days", "30")
    users(settings, "token", "revoke", "1")
    users(settings, "disable", "an")
    events = as_json(settings, "audit", "--user", "cli:tester")
    assert [e["action"] for e in reversed(events)] == [
        "user_created",
        "user_changed",
        "user_changed",
        "token_created",
        "token_revoked",
        "user_changed",
    ]
    assert all(json.loads(e["detail"])["user"] == "an" for e in events)
