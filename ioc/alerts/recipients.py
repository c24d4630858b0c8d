"""Who an alert's event is delivered to (docs/alerts.md, "Delivery"): the accounts its rule
routes to whose unit scope covers the alert, the Department's leadership on escalation, and
the webhooks that cover it. A silenced alert goes to nobody."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.domain.units import is_code, level_of
from ioc.store.alert_models import (
    SEVERITY_ORDER,
    Alert,
    AlertUnit,
    AlertWebhook,
    EventAction,
    Severity,
)
from ioc.store.models import Role, User
from ioc.store.types import as_utc

Channel = Literal["email", "webhook"]
Unit = tuple[str, str]  # (scheme, unit_code)
#: roles that see every alert (no unit scope): a rule routing to them reaches them all
UNSCOPED = frozenset({Role.ADMIN, Role.LEADER})
CHUNK = 500  # ids per IN list


@dataclass(frozen=True)
class Recipient:
    """An account (by e-mail) or a webhook, as a delivery row names it."""

    channel: Channel
    name: str  # username, or the webhook's name
    address: str  # e-mail address, or URL


def silenced(alert: Alert, now: datetime) -> bool:
    return alert.silenced_until is not None and as_utc(alert.silenced_until) > now


def alert_units(session: Session, alert_ids: Collection[int]) -> dict[int, set[Unit]]:
    """The units of each alert (those it has none of are left out)."""
    found: dict[int, set[Unit]] = {}
    ids = sorted(alert_ids)
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(AlertUnit.alert_id, AlertUnit.scheme, AlertUnit.unit_code).where(
                AlertUnit.alert_id.in_(ids[start : start + CHUNK])
            )
        )
        for alert_id, scheme, code in rows:
            found.setdefault(alert_id, set()).add((scheme, code))
    return found


@dataclass(frozen=True)
class Account:
    username: str
    email: str
    role: str
    units: frozenset[Unit]


@dataclass(frozen=True)
class Directory:
    """The accounts that can be mailed and the enabled webhooks, read once per enqueue."""

    accounts: tuple[Account, ...]
    webhooks: tuple[AlertWebhook, ...]

    @classmethod
    def load(cls, session: Session) -> Directory:
        users = session.scalars(
            select(User)
            .where(User.is_active.is_(True), User.email.is_not(None))
            .order_by(User.username)
        )
        accounts = tuple(
            Account(user.username, (user.email or "").strip(), user.role, frozenset(user.units))
            for user in users
            if (user.email or "").strip()
        )
        hooks = session.scalars(
            select(AlertWebhook).where(AlertWebhook.enabled.is_(True)).order_by(AlertWebhook.name)
        )
        return cls(accounts, tuple(hooks))

    def recipients(
        self,
        alert: Alert,
        units: set[Unit],
        action: str,
        route_to: Collection[str],
        now: datetime,
    ) -> list[Recipient]:
        """Every recipient of ``alert``'s event ``action`` (open, escalate, recover), accounts
        first, each once; none for a silenced alert."""
        if silenced(alert, now):
            return []
        return [*self._accounts(units, action, route_to), *self._webhooks(alert, units)]

    def _accounts(
        self, units: set[Unit], action: str, route_to: Collection[str]
    ) -> list[Recipient]:
        if action == EventAction.ESCALATE:
            # the Department's leadership: every leader, and route_to accounts of the province
            covered = {unit for unit in units if _province(unit[1])}
            wanted = {*route_to, Role.LEADER}
        else:
            covered, wanted = units, set(route_to)
        return [
            Recipient("email", account.username, account.email)
            for account in self.accounts
            if account.role in wanted
            and (account.role in UNSCOPED or not covered.isdisjoint(account.units))
        ]

    def _webhooks(self, alert: Alert, units: set[Unit]) -> list[Recipient]:
        rank = SEVERITY_ORDER.index(Severity(alert.severity))
        return [
            Recipient("webhook", hook.name, hook.url)
            for hook in self.webhooks
            if rank >= SEVERITY_ORDER.index(Severity(hook.min_severity))
            and (not hook.units or not units.isdisjoint(_units(hook.units)))
        ]


def _province(code: str) -> bool:
    return is_code(code) and level_of(code) == "province"


def _units(listed: Iterable[dict[str, str]]) -> set[Unit]:
    return {(u["scheme"], u["code"]) for u in listed}
