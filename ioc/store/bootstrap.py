"""First start: an ``admin`` account with a random password, once."""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from ioc.config import Settings
from ioc.store import passwords
from ioc.store.accounts import create_user
from ioc.store.engine import make_engine, open_session
from ioc.store.errors import UserExists
from ioc.store.models import Role, User

FIRST_ADMIN = "admin"
#: The audit ``username`` of changes made by the application itself.
SYSTEM_ACTOR = "system"


def ensure_admin(settings_or_engine: Settings | Engine) -> str | None:
    """If the store has no account, create ``admin`` with a random password and return the
    password (for the caller to print once); otherwise ``None``. Call after ``migrate``."""
    if isinstance(settings_or_engine, Engine):
        engine, owned = settings_or_engine, False
    else:
        engine, owned = make_engine(settings_or_engine), True
    try:
        with open_session(engine) as session:
            if session.scalar(select(func.count()).select_from(User)):
                return None
            password = passwords.generate_password()
            try:
                create_user(
                    session,
                    FIRST_ADMIN,
                    password,
                    Role.ADMIN,
                    full_name="Quản trị hệ thống",
                    actor=SYSTEM_ACTOR,
                )
            except (IntegrityError, UserExists):  # another process created it first
                return None
            return password
    finally:
        if owned:
            engine.dispose()
