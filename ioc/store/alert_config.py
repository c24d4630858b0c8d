"""What people set about alerts (docs/alerts.md): user rules, silences and webhooks.

Whether a unit is within the caller's scopes needs the unit hierarchy of the snapshot: the
API checks it before it calls these; they check what the store alone knows (a catalog key,
the per-account limit, a silence's span, a webhook's secret)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import Session

from ioc.alerts.rules import RuleSpec, catalog_rules
from ioc.config import Settings
from ioc.sources.secrets import SecretError, load_secret
from ioc.store.alert_models import (
    ACTIVE_STATES,
    Alert,
    AlertRule,
    AlertSilence,
    AlertUnit,
    AlertWebhook,
)
from ioc.store.alerts import AlertError
from ioc.store.types import as_utc, clock

# -- rules ----------------------------------------------------------------------------------


def list_rules(session: Session) -> list[dict[str, Any]]:
    """The catalog's rules (``source: catalog``), then the stored ones."""
    out: list[dict[str, Any]] = [r.model_dump() | {"source": "catalog"} for r in catalog_rules()]
    for row in session.scalars(select(AlertRule).order_by(AlertRule.key)):
        out.append(
            {name: getattr(row, name) for name in RuleSpec.model_fields}
            | {
                "source": "store",
                "created_by": row.created_by,
                "created_at": row.created_at,
                "updated_at": row.updated_at,
            }
        )
    return out


def get_rule(session: Session, key: str) -> AlertRule:
    if key in {r.key for r in catalog_rules()}:
        raise AlertError("alert_rule_catalog", 409, key=key)
    row = session.get(AlertRule, key)
    if row is None:
        raise AlertError("unknown_alert_rule", 404, key=key)
    return row


def add_rule(
    session: Session, spec: RuleSpec, actor: str, settings: Settings, now: datetime | None = None
) -> AlertRule:
    """Store a user rule (409 for a catalog key or a key taken; the account's limit)."""
    if spec.key in {r.key for r in catalog_rules()}:
        raise AlertError("alert_rule_catalog", 409, key=spec.key)
    if session.get(AlertRule, spec.key) is not None:
        raise AlertError("alert_rule_exists", 409, key=spec.key)
    mine = session.scalar(select(func.count()).where(AlertRule.created_by == actor)) or 0
    if mine >= settings.alerts_max_rules_per_account:
        raise AlertError("alert_rule_limit", 409, limit=settings.alerts_max_rules_per_account)
    at = clock(now)
    row = AlertRule(**spec.model_dump(), created_by=actor, created_at=at, updated_at=at)
    session.add(row)
    session.commit()
    return row


def change_rule(
    session: Session, row: AlertRule, spec: RuleSpec, now: datetime | None = None
) -> AlertRule:
    for name, value in spec.model_dump().items():
        setattr(row, name, value)
    row.updated_at = clock(now)
    session.commit()
    return row


def delete_rule(session: Session, row: AlertRule) -> None:
    session.delete(row)
    session.commit()


def rule_spec(row: AlertRule) -> dict[str, Any]:
    return {name: getattr(row, name) for name in RuleSpec.model_fields}


# -- silences -------------------------------------------------------------------------------


def _in_force(now: datetime) -> Any:
    return and_(
        AlertSilence.ended_at.is_(None),
        AlertSilence.starts_at <= now,
        AlertSilence.ends_at > now,
    )


def silence_out(silence: AlertSilence, now: datetime, alerts: int = 0) -> dict[str, Any]:
    active = silence.ended_at is None and as_utc(silence.starts_at) <= now < as_utc(silence.ends_at)
    fields = ("id", "rule_key", "scheme", "unit_code", "reason", "starts_at", "ends_at")
    fields += ("created_by", "created_at", "ended_at", "ended_by")
    return {f: getattr(silence, f) for f in fields} | {"active": active, "alerts": alerts}


def list_silences(
    session: Session, *, current: bool = True, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Every silence (in force only, unless ``current`` is False), the latest ending first;
    the API keeps those on the caller's units."""
    at = clock(now)
    stmt = select(AlertSilence).order_by(AlertSilence.ends_at.desc(), AlertSilence.id.desc())
    if current:
        stmt = stmt.where(_in_force(at))
    return [silence_out(s, at) for s in session.scalars(stmt)]


def get_silence(session: Session, silence_id: int) -> AlertSilence:
    silence = session.get(AlertSilence, silence_id)
    if silence is None:
        raise AlertError("unknown_alert_silence", 404, id=silence_id)
    return silence


def _matching(silence: AlertSilence) -> Any:
    """Active alerts a silence covers: its rule (or any), its unit among theirs."""
    covered = exists().where(
        AlertUnit.alert_id == Alert.id,
        AlertUnit.scheme == silence.scheme,
        AlertUnit.unit_code == silence.unit_code,
    )
    rule = Alert.rule_key == silence.rule_key if silence.rule_key != "*" else None
    return and_(Alert.state.in_(ACTIVE_STATES), covered, *([rule] if rule is not None else []))


def _resilence(session: Session, silence: AlertSilence, now: datetime) -> int:
    """Set ``silenced_until`` of the alerts ``silence`` covers from every silence in force."""
    longest = (
        select(func.max(AlertSilence.ends_at))
        .join(
            AlertUnit,
            and_(
                AlertUnit.scheme == AlertSilence.scheme,
                AlertUnit.unit_code == AlertSilence.unit_code,
            ),
        )
        .where(
            AlertUnit.alert_id == Alert.id,
            or_(AlertSilence.rule_key == "*", AlertSilence.rule_key == Alert.rule_key),
            _in_force(now),
        )
        .scalar_subquery()
    )
    result = session.execute(
        update(Alert)
        .where(_matching(silence))
        .values(silenced_until=longest)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def add_silence(
    session: Session,
    *,
    rule_key: str,
    scheme: str,
    unit_code: str,
    reason: str,
    ends_at: datetime,
    actor: str,
    settings: Settings,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A silence from now until ``ends_at`` (in the future, within the longest allowed)."""
    at = clock(now)
    ends = as_utc(ends_at)
    if ends <= at or ends - at > timedelta(days=settings.alerts_max_silence_days):
        raise AlertError("alert_silence_ends", 422, days=settings.alerts_max_silence_days)
    catalog = {r.key for r in catalog_rules()}
    if rule_key not in {"*", *catalog} and session.get(AlertRule, rule_key) is None:
        raise AlertError("unknown_alert_rule", 422, key=rule_key)
    silence = AlertSilence(
        rule_key=rule_key,
        scheme=scheme,
        unit_code=unit_code,
        reason=reason,
        starts_at=at,
        ends_at=ends,
        created_by=actor,
        created_at=at,
    )
    session.add(silence)
    session.flush()
    alerts = _resilence(session, silence, at)
    session.commit()
    return silence_out(silence, at, alerts)


def end_silence(
    session: Session, silence: AlertSilence, actor: str, now: datetime | None = None
) -> dict[str, Any]:
    """End a silence early (recorded); its alerts keep only the other silences' time."""
    at = clock(now)
    if silence.ended_at is not None or as_utc(silence.ends_at) <= at:
        raise AlertError("alert_silence_ended", 409, id=silence.id)
    silence.ended_at, silence.ended_by = at, actor
    session.flush()
    alerts = _resilence(session, silence, at)
    session.commit()
    return silence_out(silence, at, alerts)


# -- webhooks -------------------------------------------------------------------------------


def webhook_out(hook: AlertWebhook) -> dict[str, Any]:
    fields = ["name", "url", "min_severity", "units", "enabled", "created_by", "created_at"]
    return {f: getattr(hook, f) for f in fields}


def list_webhooks(session: Session) -> list[dict[str, Any]]:
    return [webhook_out(h) for h in session.scalars(select(AlertWebhook).order_by("name"))]


def add_webhook(
    session: Session,
    settings: Settings,
    *,
    name: str,
    url: str,
    secret: str,
    min_severity: str,
    units: list[dict[str, str]],
    enabled: bool,
    actor: str,
) -> dict[str, Any]:
    """A webhook whose ``secret`` names an entry of the secrets file with a ``secret`` key."""
    if session.scalar(select(AlertWebhook).where(AlertWebhook.name == name)) is not None:
        raise AlertError("alert_webhook_exists", 409, name=name)
    try:
        found = "secret" in load_secret(settings, secret)
    except SecretError:
        found = False
    if not found:
        raise AlertError("alert_webhook_secret", 422, entry=secret)
    hook = AlertWebhook(
        name=name,
        url=url,
        secret=secret,
        min_severity=min_severity,
        units=units,
        enabled=enabled,
        created_by=actor,
    )
    session.add(hook)
    session.commit()
    return webhook_out(hook)


def delete_webhook(session: Session, name: str) -> None:
    hook = session.scalar(select(AlertWebhook).where(AlertWebhook.name == name))
    if hook is None:
        raise AlertError("unknown_alert_webhook", 404, name=name)
    session.delete(hook)
    session.commit()
