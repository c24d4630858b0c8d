"""The operational store on real databases: SQLite always, PostgreSQL when
``IOC_TEST_POSTGRES_URL`` is set (each test then works in a schema of its own)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from argon2 import PasswordHasher
from sqlalchemy import Engine, create_engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from ioc import store
from ioc.config import Settings
from ioc.store import passwords, schedules
from ioc.store.engine import alembic_config, head_revisions
from ioc.store.models import ApiToken, Base, ReportRun, ThrottleKind, User, WebSession

POSTGRES_URL = os.environ.get("IOC_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", "postgresql"]
PASSWORD = "correct horse battery"
TABLES = {
    "instances",
    "leases",
    "users",
    "user_scopes",
    "api_tokens",
    "web_sessions",
    "audit_events",
    "report_schedules",
    "report_runs",
}
PRODUCTION_HASHER = passwords.HASHER
#: argon2id still, with light parameters: hashing at production cost (~0.2-0.4 s here)
#: would make this module take a minute. The production parameters have their own tests.
LIGHT_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def light_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "HASHER", LIGHT_HASHER)


@contextmanager
def database_url(backend: str, tmp_path: Path) -> Iterator[str | None]:
    """``None`` (the default SQLite file in the data directory) or a PostgreSQL URL whose
    connections use a fresh schema, dropped afterwards."""
    if backend == "sqlite":
        yield None
        return
    if not POSTGRES_URL:
        pytest.skip("IOC_TEST_POSTGRES_URL is not set")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    with database_url(request.param, tmp_path) as url:
        yield Settings(data_dir=tmp_path / "data", database_url=url)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    store.migrate(settings)
    engine = store.make_engine(settings)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with store.open_session(engine) as session:
        yield session


def fresh(engine: Engine) -> Session:
    """A second session, to read back what the first committed."""
    return store.session_factory(engine)()


def analyst(session: Session, username: str = "an", units: list[tuple[str, str]] | None = None):
    return store.create_user(
        session, username, PASSWORD, "analyst", units=units or [("legacy", "945")]
    )


def actions(session: Session, username: str | None = None) -> list[tuple[str, str | None]]:
    events = store.list_audit(session, limit=1000, username=username)
    return [(e.action, e.ip) for e in reversed(events)]


# --- schema ------------------------------------------------------------------------------


def test_store_url_defaults_to_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "new" / "dir", database_url=None)
    assert store.store_url(settings) == f"sqlite:///{tmp_path}/new/dir/store.sqlite"
    assert (tmp_path / "new" / "dir").is_dir()
    given = Settings(data_dir=tmp_path, database_url="postgresql+psycopg://u@h/db")
    assert store.store_url(given) == "postgresql+psycopg://u@h/db"


def test_migrations_apply_twice_and_match_the_models(settings: Settings) -> None:
    store.migrate(settings)
    store.migrate(settings)
    engine = store.make_engine(settings)
    try:
        assert set(inspect(engine).get_table_names()) >= TABLES
        with engine.connect() as connection:
            version = connection.execute(text("SELECT version_num FROM alembic_version")).all()
            assert version == [("0010",)]
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_the_heads_read_from_the_revision_files_are_alembics() -> None:
    from alembic.script import ScriptDirectory

    assert head_revisions() == set(ScriptDirectory.from_config(alembic_config()).get_heads())


def test_a_store_at_head_is_migrated_without_alembic(settings: Settings) -> None:
    """A command's start (``migrate`` of a store already up to date) imports no Alembic; a
    store behind it is still upgraded."""
    store.migrate(settings)
    probe = (
        "import sys; from ioc import store; from ioc.config import Settings; "
        "store.migrate(Settings()); print('alembic' in sys.modules)"
    )
    env = os.environ | {"IOC_DATA_DIR": str(settings.data_dir)}
    env |= {"IOC_DATABASE_URL": settings.database_url} if settings.database_url else {}
    found = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "False"
    engine = store.make_engine(settings)
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "0009")
        assert "leases" not in inspect(engine).get_table_names()
        store.migrate(engine)
        assert "leases" in inspect(engine).get_table_names()
        with engine.connect() as connection:
            version = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        assert version == [("0010",)]
    finally:
        engine.dispose()


def test_timestamps_are_utc_aware_on_the_way_back(engine: Engine, session: Session) -> None:
    hanoi = datetime(2026, 3, 1, 16, 0, tzinfo=timezone(timedelta(hours=7)))
    user = analyst(session)
    store.create_token(session, user, "t", expires_at=hanoi)
    with fresh(engine) as other:
        token = other.scalars(select(ApiToken)).one()
        assert token.expires_at == hanoi
        assert token.expires_at.utcoffset() == timedelta(0)
        assert token.created_at.tzinfo is not None


# --- passwords and login -------------------------------------------------------------------


def test_password_hash_is_argon2id_and_never_the_plaintext(
    engine: Engine, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(passwords, "HASHER", PRODUCTION_HASHER)
    analyst(session)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT password_hash FROM users")).scalar_one()
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PASSWORD not in stored
    assert store.authenticate(session, "an", PASSWORD) is not None
    with pytest.raises(store.InvalidInput):
        store.create_user(session, "short", "2short", "leader")
    with pytest.raises(store.UserExists):
        store.create_user(session, " AN ", PASSWORD, "leader")


def test_login_right_wrong_and_unknown_are_audited_with_ip(
    engine: Engine, session: Session
) -> None:
    analyst(session)
    assert store.authenticate(session, "an", "wrong password", "10.0.0.1") is None
    assert store.authenticate(session, "nobody", PASSWORD, "10.0.0.2") is None
    user = store.authenticate(session, " AN ", PASSWORD, "10.0.0.3")
    assert user is not None and user.username == "an"
    with fresh(engine) as other:
        events = store.list_audit(other, limit=10)
        got = [(e.action, e.username, e.ip, (e.detail or {}).get("reason")) for e in events]
    assert got[:3] == [
        ("login", "an", "10.0.0.3", None),
        ("login_failed", "nobody", "10.0.0.2", "unknown_user"),
        ("login_failed", "an", "10.0.0.1", "bad_password"),
    ]


def test_five_failures_make_that_address_wait_not_the_owner_elsewhere(session: Session) -> None:
    analyst(session)
    limits = store.Limits.of(Settings())
    free = limits.rules[ThrottleKind.PAIR].free
    t0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
    for i in range(free - 1):
        assert store.authenticate(session, "an", "bad", "ip", now=t0 + timedelta(seconds=i)) is None
    user = store.authenticate(session, "an", PASSWORD, "ip", now=t0 + timedelta(seconds=5))
    assert user is not None  # a success resets the count
    for _ in range(free):
        assert store.authenticate(session, "an", "bad", "ip", now=t0 + timedelta(minutes=1)) is None
    during = t0 + timedelta(minutes=1, seconds=10)
    with pytest.raises(store.Throttled) as refused:
        store.authenticate(session, "an", PASSWORD, "ip", now=during)
    assert refused.value.retry_after == 20
    last = store.list_audit(session, limit=1, action="login_throttled")[0]
    assert last.detail is not None and last.detail["refused"] == 1
    # the owner, from another address, is not affected
    assert store.authenticate(session, "an", PASSWORD, "other ip", now=during) is not None
    after = t0 + timedelta(minutes=1) + timedelta(seconds=31)
    assert store.authenticate(session, "an", PASSWORD, "ip", now=after) is not None


def test_password_reset_unlocks(session: Session) -> None:
    analyst(session)
    for _ in range(store.Limits.of(Settings()).rules[ThrottleKind.PAIR].free):
        store.authenticate(session, "an", "bad")
    with pytest.raises(store.Throttled):
        store.authenticate(session, "an", PASSWORD)
    store.set_password(session, "an", "a brand new password", actor="boss")
    assert store.authenticate(session, "an", "a brand new password") is not None


def test_old_hash_parameters_are_rehashed_at_login(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = analyst(session)  # hashed with LIGHT_HASHER
    old_hash = user.password_hash
    assert "$argon2id$v=19$m=1024,t=1,p=1$" in old_hash
    monkeypatch.setattr(passwords, "HASHER", PRODUCTION_HASHER)
    assert store.authenticate(session, "an", "wrong password") is None
    assert user.password_hash == old_hash  # only a correct password is rehashed
    assert store.authenticate(session, "an", PASSWORD) is not None
    assert user.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert store.authenticate(session, "an", PASSWORD) is not None


def test_disabled_account_loses_login_sessions_and_tokens(session: Session) -> None:
    user = analyst(session)
    plaintext, _ = store.create_token(session, user, "laptop")
    cookie = store.create_session(session, user, "10.1.1.1")
    store.disable_user(session, user, actor="boss", ip="10.9.9.9")
    assert store.authenticate(session, "an", PASSWORD) is None
    assert store.verify_token(session, plaintext) is None
    assert store.verify_session(session, cookie) is None
    store.enable_user(session, user, actor="boss")
    assert store.verify_token(session, plaintext) is not None
    assert store.verify_session(session, cookie) is None  # disabling ended the session
    assert store.authenticate(session, "an", PASSWORD) is not None


# --- tokens and sessions -------------------------------------------------------------------


def test_token_is_shown_once_and_only_its_hash_is_stored(engine: Engine, session: Session) -> None:
    user = analyst(session)
    plaintext, token = store.create_token(session, user, "wall", actor="boss", ip="10.0.0.5")
    assert plaintext.startswith("ioc_") and len(plaintext) >= 40
    assert token.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert token.prefix == plaintext[:12]
    with engine.connect() as connection:
        row = connection.execute(text("SELECT * FROM api_tokens")).mappings().one()
    assert plaintext not in {str(v) for v in row.values()}
    assert plaintext[12:] not in " ".join(str(v) for v in row.values())
    second, _ = store.create_token(session, user, "wall")
    assert second != plaintext
    assert ("token_created", "10.0.0.5") in actions(session, "boss")


def test_token_verifies_records_use_and_revokes(engine: Engine, session: Session) -> None:
    user = analyst(session)
    plaintext, token = store.create_token(session, user, "wall")
    assert token.last_used_at is None
    assert store.verify_token(session, plaintext) == user
    with fresh(engine) as other:
        used = other.get(ApiToken, token.id)
        assert used is not None and used.last_used_at is not None
    assert store.verify_token(session, plaintext + "x") is None
    assert store.verify_token(session, "Bearer nonsense") is None
    revoked = store.revoke_token(session, token.id, actor="boss", ip="10.0.0.6")
    assert revoked is not None and revoked.revoked_at is not None
    assert store.verify_token(session, plaintext) is None
    assert store.revoke_token(session, 999_999) is None
    assert [a for a, _ in actions(session, "boss")] == ["token_revoked"]
    assert [t.id for t in store.list_tokens(session, "an", include_revoked=False)] == []


def test_token_expires(session: Session) -> None:
    user = analyst(session)
    expiry = datetime(2027, 1, 1, tzinfo=UTC)
    plaintext, _ = store.create_token(session, user, "temp", expires_at=expiry)
    assert store.verify_token(session, plaintext, now=expiry - timedelta(seconds=1)) == user
    assert store.verify_token(session, plaintext, now=expiry) is None


def test_sessions_verify_expire_and_end(engine: Engine, session: Session) -> None:
    user = analyst(session)
    t0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
    cookie = store.create_session(session, user, "10.2.2.2", timedelta(hours=1), now=t0)
    with fresh(engine) as other:
        row = other.scalars(select(WebSession)).one()
        assert row.id == hashlib.sha256(cookie.encode()).hexdigest() and row.ip == "10.2.2.2"
    assert store.verify_session(session, cookie, now=t0 + timedelta(minutes=59)) == user
    assert store.verify_session(session, cookie, now=t0 + timedelta(hours=1)) is None
    live = store.create_session(session, user, "10.2.2.2")
    assert store.verify_session(session, live) == user
    assert store.end_session(session, live, ip="10.2.2.2") is True
    assert store.verify_session(session, live) is None
    assert store.end_session(session, live) is False
    assert store.verify_session(session, "") is None
    assert ("logout", "10.2.2.2") in actions(session, "an")
    assert store.purge_sessions(session) == 2


# --- scopes, roles, audit -----------------------------------------------------------------


def test_scopes_are_stored_and_read_back(engine: Engine, session: Session) -> None:
    analyst(session, "district", [("legacy", "945"), ("legacy", "31615")])
    store.create_user(session, "op", PASSWORD, "operator", units=[("2025", "92")])
    store.create_user(session, "wall", PASSWORD, "display")
    with fresh(engine) as other:
        got = {u.username: u.units for u in store.list_users(other)}
        assert got == {
            "district": [("legacy", "945"), ("legacy", "31615")],
            "op": [("2025", "92")],
            "wall": [],
        }
        assert [s.level for s in store.get_user(other, "district").scopes] == [  # type: ignore[union-attr]
            "district",
            "commune",
        ]
    store.set_scopes(session, "district", [("legacy", "945"), ("legacy", "94")], actor="boss")
    assert store.get_user(session, "district").units == [  # type: ignore[union-attr]
        ("legacy", "94"),
        ("legacy", "945"),
    ]
    store.set_scopes(session, "district", [("legacy", "94")], actor="boss")
    store.set_role(session, "wall", "analyst", units=[("legacy", "94")], actor="boss")
    store.set_role(session, "op", "leader", actor="boss")  # a leader takes no unit
    with fresh(engine) as other:
        got = {u.username: (u.role, u.units) for u in store.list_users(other)}
    assert got == {
        "district": ("analyst", [("legacy", "94")]),
        "op": ("leader", []),
        "wall": ("analyst", [("legacy", "94")]),
    }
    assert [a for a, _ in actions(session, "boss")] == ["user_changed"] * 4


@pytest.mark.parametrize(
    ("role", "units"),
    [
        ("analyst", []),
        ("operator", []),
        ("leader", [("legacy", "94")]),
        ("analyst", [("legacy", "9")]),
        ("analyst", [("2025", "945")]),
        ("analyst", [("1975", "94")]),
        ("janitor", []),
    ],
)
def test_bad_roles_and_scopes_are_refused(
    session: Session, role: str, units: list[tuple[str, str]]
) -> None:
    with pytest.raises(store.InvalidInput):
        store.create_user(session, "someone", PASSWORD, role, units=units)
    assert store.list_users(session) == []


def test_parse_unit() -> None:
    assert store.parse_unit("legacy:945") == ("legacy", "945")
    assert store.parse_unit(" 2025 : 92 ") == ("2025", "92")
    for bad in ("945", "legacy:94a", "2025:945", "new:92"):
        with pytest.raises(store.InvalidInput):
            store.parse_unit(bad)


def test_audit_rows_filter_and_page(engine: Engine, session: Session) -> None:
    store.audit(session, "export", "an", {"format": "xlsx", "rows": 12}, "10.3.3.3")
    store.audit(session, "ingest", "op", "file.xlsx", "10.3.3.4")
    store.audit(session, store.Action.TARGET_SET, "op", None, None)
    with fresh(engine) as other:
        assert store.count_audit(other) == 3
        newest = store.list_audit(other, limit=2)
        assert [e.action for e in newest] == ["target_set", "ingest"]
        assert [e.action for e in store.list_audit(other, limit=2, offset=2)] == ["export"]
        (export,) = store.list_audit(other, action="export")
        assert (export.username, export.ip, export.detail) == (
            "an",
            "10.3.3.3",
            {"format": "xlsx", "rows": 12},
        )
        assert export.at.tzinfo is not None
        assert store.list_audit(other, username="op", action="ingest")[0].detail == {
            "message": "file.xlsx"
        }
        assert store.count_audit(other, username="op") == 2


# --- first start and demo -------------------------------------------------------------------


def test_ensure_admin_creates_one_admin_once(settings: Settings, engine: Engine) -> None:
    password = store.ensure_admin(settings)
    assert password is not None and len(password) >= 16
    assert store.ensure_admin(settings) is None
    assert store.ensure_admin(engine) is None
    with fresh(engine) as session:
        admin = store.authenticate(session, "admin", password, "127.0.0.1")
        assert admin is not None and admin.role == "admin"
        assert [u.username for u in store.list_users(session)] == ["admin"]
        created = store.list_audit(session, action="user_created")
        assert [(e.username, e.detail) for e in created] == [
            ("system", {"user": "admin", "role": "admin", "units": []})
        ]


def test_demo_accounts_for_every_role(engine: Engine, session: Session) -> None:
    demo = store.create_demo_accounts(session)
    assert demo.password == store.DEMO_PASSWORD
    again = store.create_demo_accounts(session)  # idempotent, restores the documented state
    assert again.display_token == demo.display_token
    with fresh(engine) as other:
        users = {u.username: (u.role, u.units) for u in store.list_users(other)}
        assert users == {
            "demo-admin": ("admin", []),
            "demo-leader": ("leader", []),
            "demo-analyst": ("analyst", [("legacy", "94")]),
            "demo-analyst-945": ("analyst", [("legacy", "945")]),
            "demo-operator": ("operator", [("legacy", "94")]),
            "demo-display": ("display", []),
            "demo-sync": ("sync", []),
            "demo-approver": ("approver", [("2025", "92")]),
            "demo-checker-945": ("approver", [("legacy", "945")]),
        }
        mail = {u.username: u.email for u in store.list_users(other)}
        assert mail["demo-operator"] == "demo-operator@so-gddt.example.vn"
        assert mail["demo-display"] is None and mail["demo-sync"] is None
        assert {r for r, _ in users.values()} == {r.value for r in store.Role}
        for name in users:
            assert store.authenticate(other, name, demo.password) is not None
        wall = store.verify_token(other, demo.display_token)
        assert wall is not None and wall.username == "demo-display"
        assert len(store.list_tokens(other)) == 1


def test_user_objects_stay_readable_after_the_session_closes(engine: Engine) -> None:
    with store.open_session(engine) as session:
        analyst(session)
        user = store.authenticate(session, "an", PASSWORD)
    assert isinstance(user, User)
    assert user.units == [("legacy", "945")] and user.role == "analyst"


# --- report schedules ----------------------------------------------------------------------

SCHEDULE = {
    "name": "Báo cáo tháng",
    "cron": "0 7 1 * *",
    "kind": "standard",
    "scheme": "legacy",
    "unit_codes": ["94", "945"],
    "period": "latest",
    "formats": ["xlsx", "csv"],
    "folder": "thang",
    "email_to": ["so@example.vn"],
    "enabled": True,
}


def test_schedules_are_stored_changed_deleted_and_audited(engine: Engine, session: Session) -> None:
    made = schedules.create_schedule(session, SCHEDULE, owner="op", actor="op", ip="10.0.0.9")
    changed = {**SCHEDULE, "cron": "30 6 * * 1", "unit_codes": ["945"], "enabled": False}
    with fresh(engine) as other:
        found = schedules.get_schedule(other, made.id)
        assert found is not None
        assert {f: getattr(found, f) for f in schedules.FIELDS} == SCHEDULE
        assert found.owner == "op" and found.created_at.tzinfo is not None
        schedules.update_schedule(other, found, changed, actor="op")
    with fresh(engine) as other:
        assert schedules.list_schedules(other, enabled_only=True) == []
        (found,) = schedules.list_schedules(other)
        assert found.unit_codes == ["945"] and found.updated_at >= found.created_at
        schedules.delete_schedule(other, found, actor="admin")
    with fresh(engine) as other:
        assert schedules.list_schedules(other) == []
        events = [(a, i) for a, i in actions(other) if a.startswith("schedule_")]
        assert events == [
            ("schedule_created", "10.0.0.9"),
            ("schedule_changed", None),
            ("schedule_deleted", None),
        ]
        detail = store.list_audit(other, action="schedule_created")[0].detail
        assert detail is not None and detail["cron"] == "0 7 1 * *"


def test_runs_are_recorded_closed_and_deleted_with_their_schedule(
    engine: Engine, session: Session
) -> None:
    made = schedules.create_schedule(session, SCHEDULE, owner="op")
    due = datetime(2026, 2, 1, 0, 0, tzinfo=UTC)
    first = schedules.start_run(session, made.id, trigger="schedule", due_at=due)
    schedules.finish_run(
        session,
        first.id,
        status="failed",
        period="2025-2026/DN",
        files=[],
        delivered=[],
        error="94: no returns",
    )
    retry = schedules.start_run(session, made.id, trigger="retry", attempt=2, due_at=due)
    schedules.mark_due_done(session, made.id, due)
    schedules.mark_due_done(session, made.id, due - timedelta(days=31))  # never goes back
    with fresh(engine) as other:
        runs = schedules.list_runs(other, made.id)
        assert [(r.id, r.status, r.attempt) for r in runs] == [
            (retry.id, "running", 2),
            (first.id, "failed", 1),
        ]
        assert runs[1].due_at == due and runs[1].duration_s is not None
        assert runs[1].error == "94: no returns" and runs[1].files == []
        assert schedules.count_runs(other, made.id) == 2
        assert schedules.get_run(other, made.id, retry.id) is not None
        assert schedules.get_run(other, made.id + 1, retry.id) is None
        found = schedules.get_schedule(other, made.id)
        assert found is not None and found.last_due_at == due
        assert schedules.close_interrupted_runs(other) == 1
    with fresh(engine) as other:
        closed = schedules.get_run(other, made.id, retry.id)
        assert closed is not None and closed.status == "failed"
        assert closed.error == "interrupted by a restart"
        found = schedules.get_schedule(other, made.id)
        assert found is not None
        schedules.delete_schedule(other, found)
        assert other.scalars(select(ReportRun)).all() == []


def test_scheduler_runs_a_missed_due_time_once(
    settings: Settings, engine: Engine, session: Session, demo_settings: Settings
) -> None:
    """A yearly schedule whose due time passed 30 s ago while nothing ran: the first
    scheduler runs it once and records it; a second start finds nothing due. A schedule the
    store holds with an unreadable cron is skipped without stopping the start."""
    from ioc.reports.scheduler import ReportScheduler

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(demo_settings.published_db, settings.published_db)
    due = (datetime.now(UTC) - timedelta(seconds=30)).replace(microsecond=0)
    local = due.astimezone(ZoneInfo(settings.reports_timezone))
    cron = f"{local.second} {local.minute} {local.hour} {local.day} {local.month} *"
    values = {**SCHEDULE, "cron": cron, "kind": "quality", "formats": ["csv"], "folder": None}
    made = schedules.create_schedule(session, {**values, "email_to": []}, owner="op")
    made.created_at = made.updated_at = due - timedelta(minutes=1)
    broken = schedules.create_schedule(session, {**values, "cron": "not a cron"}, owner="op")
    session.commit()
    for attempt in (1, 2):
        scheduler = ReportScheduler(settings)
        scheduler.start()
        scheduler.lead()  # the process holding the scheduler lease plans the schedules
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with fresh(engine) as other:
                    runs = schedules.list_runs(other, made.id)
                if runs and all(r.status != "running" for r in runs):
                    break
                time.sleep(0.2)
            time.sleep(1)
        finally:
            scheduler.shutdown()
        with fresh(engine) as other:
            runs = schedules.list_runs(other, made.id)
            assert [(r.trigger, r.status, r.due_at) for r in runs] == [
                ("schedule", "succeeded", due)
            ], attempt
            assert len(runs[0].files) == 2  # a CSV for each unit
            found = schedules.get_schedule(other, made.id)
            assert found is not None and found.last_due_at == due
            assert schedules.list_runs(other, broken.id) == []  # skipped, nothing else stopped
