"""Documented demo accounts for the demo (2025 Cần Thơ; the scoped ones in Sóc Trăng, old 94).

Never run this against a production store: the password and the display token below are
published.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.store.accounts import create_user, get_user, set_email, set_password, set_role
from ioc.store.audit import Action, record
from ioc.store.bootstrap import SYSTEM_ACTOR
from ioc.store.models import ApiToken, Role
from ioc.store.scopes import Unit
from ioc.store.tokens import store_token, token_hash

DEMO_PASSWORD = "demo-2025!"
#: The wall-screen token of ``demo-display`` (a documented constant, like the password).
DEMO_DISPLAY_TOKEN = "ioc_demo-display-soc-trang-94"
DEMO_DISPLAY_TOKEN_NAME = "demo wall screen"
DEMO_MAIL_DOMAIN = "so-gddt.example.vn"  # the demo accounts' addresses (a made-up domain)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    full_name: str
    units: tuple[Unit, ...] = ()

    @property
    def email(self) -> str | None:
        """Where its alerts are sent (the screen and the sync account read, nobody reads
        their mail)."""
        if self.role in (Role.DISPLAY, Role.SYNC):
            return None
        return f"{self.username}@{DEMO_MAIL_DOMAIN}"


DEMO_ACCOUNTS = (
    DemoAccount("demo-admin", Role.ADMIN, "Quản trị (demo)"),
    DemoAccount("demo-leader", Role.LEADER, "Lãnh đạo Sở (demo)"),
    DemoAccount("demo-analyst", Role.ANALYST, "Chuyên viên tỉnh (demo)", (("legacy", "94"),)),
    DemoAccount(
        "demo-analyst-945", Role.ANALYST, "Chuyên viên huyện cũ 945 (demo)", (("legacy", "945"),)
    ),
    DemoAccount("demo-operator", Role.OPERATOR, "Cán bộ nhập liệu (demo)", (("legacy", "94"),)),
    DemoAccount("demo-display", Role.DISPLAY, "Màn hình trung tâm (demo)"),
    DemoAccount("demo-sync", Role.SYNC, "Đồng bộ với hệ thống cấp trên (demo)"),
    DemoAccount("demo-approver", Role.APPROVER, "Duyệt số liệu của Sở (demo)", (("2025", "92"),)),
    DemoAccount(
        "demo-checker-945", Role.APPROVER, "Phòng GD&ĐT huyện cũ 945 (demo)", (("legacy", "945"),)
    ),
)


@dataclass(frozen=True)
class DemoAccounts:
    password: str
    accounts: tuple[DemoAccount, ...]
    display_token: str


def _ensure_display_token(session: Session) -> None:
    digest = token_hash(DEMO_DISPLAY_TOKEN)
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if token is None:
        user = get_user(session, "demo-display")
        assert user is not None
        token = store_token(session, user, DEMO_DISPLAY_TOKEN_NAME, DEMO_DISPLAY_TOKEN, None)
        session.flush()
        detail = {"user": user.username, "token_id": token.id, "name": token.name}
        record(session, Action.TOKEN_CREATED, SYSTEM_ACTOR, detail)
    token.revoked_at = None
    token.expires_at = None
    session.commit()


def create_demo_accounts(session: Session) -> DemoAccounts:
    """Create the demo accounts, or put existing ones back in their documented state
    (role, units, password, active, unlocked), and the display token."""
    for account in DEMO_ACCOUNTS:
        user = get_user(session, account.username)
        if user is None:
            create_user(
                session,
                account.username,
                DEMO_PASSWORD,
                account.role,
                full_name=account.full_name,
                units=account.units,
                email=account.email,
                actor=SYSTEM_ACTOR,
            )
            continue
        if user.role != account.role or user.units != list(account.units):
            set_role(session, user, account.role, units=account.units, actor=SYSTEM_ACTOR)
        if user.email != account.email:
            set_email(session, user, account.email, actor=SYSTEM_ACTOR)
        user.is_active = True
        set_password(session, user, DEMO_PASSWORD, actor=SYSTEM_ACTOR)
    _ensure_display_token(session)
    return DemoAccounts(DEMO_PASSWORD, DEMO_ACCOUNTS, DEMO_DISPLAY_TOKEN)
