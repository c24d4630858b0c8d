"""``ioc users``: accounts, roles, unit scopes and API tokens of the operational store.

Mounted in ``ioc/cli/main.py`` with ``app.add_typer(users_app, name="users")``. Every change is
audited with the person running the command (``IOC_USER`` or the OS user) as ``cli:NAME``.
Passwords and tokens are printed once and cannot be shown again.
"""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from ioc.cli.options import JsonOption
from ioc.cli.output import console, err, local_iso, print_rows
from ioc.cli.store_session import store_session
from ioc.config import get_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ioc.store.models import ApiToken, AuditEvent, User
    from ioc.store.scopes import Unit

# ioc.store (SQLAlchemy, Alembic) is imported inside the commands, so that mounting this
# sub-app does not slow down every other ``ioc`` command.

users_app = typer.Typer(
    help="Accounts, roles, unit scopes and API tokens.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
token_app = typer.Typer(
    help="Bearer tokens for API clients and wall screens.", no_args_is_help=True
)
users_app.add_typer(token_app, name="token")

ROLES_HELP = "admin | leader | analyst | operator | display | sync | approver"
UnitsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--unit",
        help="SCHEME:CODE, repeatable: legacy:94 (province), legacy:945 (old district), "
        "legacy:NNNNN or 2025:NNNNN (commune), 2025:NN (2025 province)",
    ),
]
PromptOption = Annotated[
    bool, typer.Option("--prompt-password", help="Type the password instead of generating one")
]


def _actor() -> str:
    return f"cli:{get_settings().user or getpass.getuser()}"


def _units(texts: list[str] | None) -> list[Unit]:
    """Parse ``--unit`` values and check that each unit exists in its scheme."""
    from ioc import store

    try:
        units = [store.parse_unit(text) for text in texts or []]
    except store.StoreError as exc:
        raise typer.BadParameter(str(exc), param_hint="--unit") from None
    if units:
        from ioc.geo import admin as geo

        known = set(geo.units().select("scheme", "code").iter_rows())
        missing = [f"{s}:{c}" for s, c in units if (s, c) not in known]
        if missing:
            raise typer.BadParameter(f"unknown unit {', '.join(missing)}", param_hint="--unit")
    return units


def _password(prompt: bool) -> tuple[str, bool]:
    """``(password, generated)``."""
    if prompt:
        return typer.prompt("Password", hide_input=True, confirmation_prompt=True), False
    from ioc.store.passwords import generate_password

    return generate_password(), True


def _show_secret(label: str, secret: str) -> None:
    typer.echo(f"{label} (shown once, store it now): {secret}")


def _user_row(session: Session, user: User) -> dict[str, Any]:
    from ioc.store import Limits, throttle

    now = datetime.now(UTC)
    window = Limits.of(get_settings()).window
    failures, slowed_until = throttle.account_state(session, user.username, now, window)
    return {
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "units": [f"{s}:{c}" for s, c in user.units],
        "email": user.email,
        "active": user.is_active,
        "locked_until": local_iso(slowed_until),
        "failed_logins": failures,
        "created_at": local_iso(user.created_at),
    }


def _token_row(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.id,
        "username": token.user.username,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": local_iso(token.created_at),
        "last_used_at": local_iso(token.last_used_at),
        "expires_at": local_iso(token.expires_at),
        "revoked_at": local_iso(token.revoked_at),
    }


@users_app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="Login name (a-z 0-9 . _ @ -)")],
    role: Annotated[str, typer.Option(help=ROLES_HELP)],
    unit: UnitsOption = None,
    full_name: Annotated[str, typer.Option(help="Name shown in the dashboard")] = "",
    email: Annotated[str | None, typer.Option(help="E-mail address, where alerts go")] = None,
    prompt_password: PromptOption = False,
) -> None:
    """Create an account; prints a generated password once."""
    from ioc import store

    units = _units(unit)
    with store_session() as session:
        password, generated = _password(prompt_password)
        user = store.create_user(
            session,
            username,
            password,
            role,
            full_name=full_name,
            units=units,
            email=email,
            actor=_actor(),
        )
        console.print(f"created {escape(user.username)} ({user.role})")
        if generated:
            _show_secret("Password", password)


@users_app.command("list")
def list_(as_json: JsonOption = False) -> None:
    """List accounts."""
    from ioc import store

    with store_session() as session:
        rows = [_user_row(session, u) for u in store.list_users(session)]
    if as_json:  # an address only for the accounts that have one
        rows = [{k: v for k, v in r.items() if k != "email" or v} for r in rows]
    print_rows(rows, as_json, "accounts")


@users_app.command("set-role")
def set_role(
    username: str,
    role: Annotated[str, typer.Argument(help=ROLES_HELP)],
    unit: UnitsOption = None,
) -> None:
    """Change an account's role (and, with --unit, its units)."""
    from ioc import store

    units = _units(unit) if unit else None
    with store_session() as session:
        user = store.set_role(session, username, role, units=units, actor=_actor())
        console.print(f"{escape(user.username)} is now {user.role}")


@users_app.command("set-units")
def set_units(username: str, unit: UnitsOption = None) -> None:
    """Replace an account's units (no --unit clears them, for a display account)."""
    from ioc import store

    units = _units(unit)
    with store_session() as session:
        user = store.set_scopes(session, username, units, actor=_actor())
        shown = ", ".join(f"{s}:{c}" for s, c in user.units) or "every unit"
        console.print(f"{escape(user.username)}: {shown}")


@users_app.command("set-email")
def set_email(
    username: str,
    email: Annotated[str | None, typer.Argument(help="The address; none clears it")] = None,
) -> None:
    """Set (or clear) an account's e-mail address, where its alerts are sent."""
    from ioc import store

    with store_session() as session:
        user = store.set_email(session, username, email, actor=_actor())
        console.print(f"{escape(user.username)}: {escape(user.email or 'no e-mail address')}")


@users_app.command("reset-password")
def reset_password(username: str, prompt_password: PromptOption = False) -> None:
    """New password (a generated one is printed once); unlocks, ends web sessions."""
    from ioc import store

    with store_session() as session:
        user = store.get_user(session, username)
        if user is None:
            raise store.UnknownUser(username)
        password, generated = _password(prompt_password)
        store.set_password(session, user, password, actor=_actor())
        console.print(f"password of {escape(user.username)} changed")
        if generated:
            _show_secret("Password", password)


@users_app.command("disable")
def disable(username: str) -> None:
    """Refuse the account's logins, sessions and tokens."""
    from ioc import store

    with store_session() as session:
        user = store.disable_user(session, username, actor=_actor())
        console.print(f"{escape(user.username)} disabled")


@users_app.command("enable")
def enable(username: str) -> None:
    """Let a disabled account sign in again."""
    from ioc import store

    with store_session() as session:
        user = store.enable_user(session, username, actor=_actor())
        console.print(f"{escape(user.username)} enabled")


@users_app.command("audit")
def audit_log(
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    action: Annotated[str | None, typer.Option(help="e.g. login_failed")] = None,
    user: Annotated[str | None, typer.Option(help="Who acted")] = None,
    as_json: JsonOption = False,
) -> None:
    """Show the newest audit events."""
    from ioc import store

    with store_session() as session:
        events = store.list_audit(session, limit=limit, action=action, username=user)
        rows = [_event_row(e) for e in events]
    print_rows(rows, as_json, "audit events")


def _event_row(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": local_iso(event.at),
        "username": event.username,
        "action": event.action,
        "detail": json.dumps(event.detail, ensure_ascii=False) if event.detail else None,
        "ip": event.ip,
    }


@token_app.command("create")
def token_create(
    username: str,
    name: Annotated[str, typer.Option(help="What the token is for, e.g. 'wall screen hall A'")],
    expires_days: Annotated[
        int | None, typer.Option(min=1, help="Expire after this many days (default never)")
    ] = None,
) -> None:
    """Create an API token; prints it once."""
    from ioc import store

    expires_at = datetime.now(UTC) + timedelta(days=expires_days) if expires_days else None
    with store_session() as session:
        plaintext, token = store.create_token(session, username, name, expires_at, actor=_actor())
        console.print(f"token {token.id} for {escape(token.user.username)}: {escape(token.name)}")
        _show_secret("Token", plaintext)


@token_app.command("list")
def token_list(
    user: Annotated[str | None, typer.Option(help="Only this account's tokens")] = None,
    active: Annotated[bool, typer.Option("--active", help="Hide revoked tokens")] = False,
    as_json: JsonOption = False,
) -> None:
    """List tokens (never their secret: only the prefix)."""
    from ioc import store

    with store_session() as session:
        tokens = store.list_tokens(session, user, include_revoked=not active)
        rows = [_token_row(t) for t in tokens]
    print_rows(rows, as_json, "tokens")


@token_app.command("revoke")
def token_revoke(token_id: Annotated[int, typer.Argument(help="Id from 'token list'")]) -> None:
    """Revoke a token at once."""
    from ioc import store

    with store_session() as session:
        token = store.revoke_token(session, token_id, actor=_actor())
        if token is None:
            err.print(f"[red]error:[/red] no token {token_id}")
            raise typer.Exit(1)
        console.print(f"token {token.id} ({escape(token.name)}) revoked")
