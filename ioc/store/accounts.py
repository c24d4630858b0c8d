"""Accounts: create, change, disable, list. Each change is audited and committed."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ioc.store import passwords, throttle
from ioc.store.audit import Action, record
from ioc.store.errors import InvalidInput, UnknownUser, UserExists
from ioc.store.models import SCOPABLE_ROLES, User, UserScope, WebSession
from ioc.store.scopes import Unit, check_role, check_units
from ioc.store.types import utcnow

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{1,63}")
EMAIL = re.compile(r"[^@\s<>,;]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


def normalise_username(username: str) -> str:
    name = username.strip().lower()
    if not _USERNAME.fullmatch(name):
        raise InvalidInput(
            f"bad username {username!r}: 2-64 characters among a-z 0-9 . _ @ -, "
            "starting with a letter or digit"
        )
    return name


def check_password(password: str) -> str:
    if not passwords.MIN_PASSWORD_LENGTH <= len(password) <= passwords.MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"a password needs at least {passwords.MIN_PASSWORD_LENGTH} characters")
    return password


def get_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username.strip().lower()))


def resolve_user(session: Session, user: User | str) -> User:
    """The account itself, given the object or its username."""
    if isinstance(user, User):
        return user
    found = get_user(session, user)
    if found is None:
        raise UnknownUser(user)
    return found


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def _replace_scopes(user: User, units: list[Unit]) -> None:
    """Keep the rows of units that stay (a new row for the same unit would collide with
    the old one before the ORM deletes it), drop the others, add the new ones."""
    kept = {(s.scheme, s.unit_code): s for s in user.scopes}
    user.scopes = [
        kept.get((scheme, code)) or UserScope(scheme=scheme, unit_code=code)
        for scheme, code in units
    ]


def _units_text(units: Iterable[Unit]) -> list[str]:
    return [f"{scheme}:{code}" for scheme, code in units]


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    *,
    full_name: str = "",
    units: Iterable[Unit] = (),
    email: str | None = None,
    actor: str | None = None,
    ip: str | None = None,
) -> User:
    """A new active account. Raises ``UserExists`` or ``InvalidInput``."""
    name = normalise_username(username)
    address = check_email(email)
    role = check_role(role)
    checked = check_units(role, units)
    check_password(password)
    if get_user(session, name) is not None:
        raise UserExists(name)
    user = User(
        username=name,
        full_name=full_name.strip(),
        password_hash=passwords.hash_password(password),
        role=role,
        email=address,
        is_active=True,
        created_at=utcnow(),
    )
    _replace_scopes(user, checked)
    session.add(user)
    detail: dict[str, object] = {"user": name, "role": role, "units": _units_text(checked)}
    if address:
        detail["email"] = address
    record(session, Action.USER_CREATED, actor, detail, ip)
    session.commit()
    return user


def end_user_sessions(session: Session, user: User) -> int:
    """Revoke every open web session of the account (in the caller's transaction)."""
    result = session.execute(
        update(WebSession)
        .where(WebSession.user_id == user.id, WebSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]  # DML returns a CursorResult


def _changed(
    session: Session, user: User, change: Mapping[str, object], actor: str | None, ip: str | None
) -> None:
    record(session, Action.USER_CHANGED, actor, {"user": user.username, **change}, ip)
    session.commit()


def check_email(email: str | None) -> str | None:
    """An e-mail address (alerts are sent to it), trimmed; None or blank: none."""
    if email is None or not email.strip():
        return None
    address = email.strip()
    if len(address) > 254 or not EMAIL.fullmatch(address):
        raise InvalidInput(f"bad e-mail address {address!r}: name@domain expected")
    return address


def set_email(
    session: Session,
    user: User | str,
    email: str | None,
    *,
    actor: str | None = None,
    ip: str | None = None,
) -> User:
    """The account's e-mail address (None or blank: none)."""
    account = resolve_user(session, user)
    account.email = check_email(email)
    _changed(session, account, {"email": account.email}, actor, ip)
    return account


def set_password(
    session: Session,
    user: User | str,
    password: str,
    *,
    actor: str | None = None,
    ip: str | None = None,
) -> User:
    """New password; also unlocks the account and ends its web sessions."""
    account = resolve_user(session, user)
    account.password_hash = passwords.hash_password(check_password(password))
    throttle.forget_account(session, account.username)
    end_user_sessions(session, account)
    _changed(session, account, {"password": "reset"}, actor, ip)
    return account


def set_role(
    session: Session,
    user: User | str,
    role: str,
    *,
    units: Iterable[Unit] | None = None,
    actor: str | None = None,
    ip: str | None = None,
) -> User:
    """New role; ``units`` replaces the scopes (``None`` keeps those that still apply)."""
    account = resolve_user(session, user)
    role = check_role(role)
    if units is None:
        units = account.units if role in SCOPABLE_ROLES else []
    checked = check_units(role, units)
    change = {"role": role, "from_role": account.role, "units": _units_text(checked)}
    account.role = role
    _replace_scopes(account, checked)
    _changed(session, account, change, actor, ip)
    return account


def set_scopes(
    session: Session,
    user: User | str,
    units: Iterable[Unit],
    *,
    actor: str | None = None,
    ip: str | None = None,
) -> User:
    """Replace the account's unit scopes."""
    account = resolve_user(session, user)
    checked = check_units(account.role, units)
    change = {"units": _units_text(checked), "from_units": _units_text(account.units)}
    _replace_scopes(account, checked)
    _changed(session, account, change, actor, ip)
    return account


def disable_user(
    session: Session, user: User | str, *, actor: str | None = None, ip: str | None = None
) -> User:
    """Refuse the account's logins, sessions and tokens from now on."""
    account = resolve_user(session, user)
    account.is_active = False
    end_user_sessions(session, account)
    _changed(session, account, {"active": False}, actor, ip)
    return account


def enable_user(
    session: Session, user: User | str, *, actor: str | None = None, ip: str | None = None
) -> User:
    account = resolve_user(session, user)
    account.is_active = True
    throttle.forget_account(session, account.username)
    _changed(session, account, {"active": True}, actor, ip)
    return account
