"""The bodies and answers of the alerts' API (docs/alerts.md), each field documented in the
OpenAPI schema. A rule's body is :class:`ioc.alerts.rules.RuleSpec` itself (its checks
across fields run in the route, so a 422 names the field)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ioc.alerts.rules import RuleSpec, RuleUnit
from ioc.api.params import UNIT_PATTERN, UNIT_TEXT

MAX_COMMENT = 2000  # characters of an acknowledgement's or a resolution's comment
MAX_REASON = 1000  # characters of a silence's reason
WEBHOOK_NAME = r"^[a-z0-9][a-z0-9_-]{1,39}$"
SECRET_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$"
StateFilter = Literal["pending", "open", "acknowledged", "resolved", "recovered", "all"]
SeverityName = Literal["info", "warning", "critical"]
SchemeName = Literal["legacy", "2025"]
Comment = Annotated[str, Field(min_length=1, max_length=MAX_COMMENT)]


class AlertOut(BaseModel):
    """One alert as a list shows it."""

    id: int
    rule_key: str
    rule_vi: str = Field(description="The rule's name in Vietnamese ('' if it was deleted)")
    rule_en: str = Field(description="The rule's name in English")
    kind: str = Field(description="The rule's kind, e.g. indicator_norm, source_stale")
    severity: str = Field(description="info | warning | critical")
    state: str = Field(description="pending | open | acknowledged | resolved | recovered")
    subject_kind: str = Field(description="unit | school | source | schedule | job")
    subject_code: str
    subject_name: str
    scheme: str | None = Field(description="The scheme of the unit the alert is about")
    unit_code: str | None = Field(description="The unit the alert is about")
    item: str | None = Field(description="The indicator id, for indicator kinds")
    school_year: str | None
    term: str | None
    value: float | None
    threshold: float | None
    message_vi: str = Field(description="What the condition says, in Vietnamese")
    message_en: str = Field(description="What the condition says, in English")
    opened_at: datetime | None
    last_seen_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    recovered_at: datetime | None
    escalated_at: datetime | None
    silenced_until: datetime | None = Field(description="Silenced until then (not delivered)")
    reopened_from: int | None = Field(description="The resolved alert this one reopens")


class AlertCounts(BaseModel):
    state: dict[str, int] = Field(description="Alerts of the filtered set by state")
    severity: dict[str, int] = Field(description="Alerts of the filtered set by severity")


class AlertPage(BaseModel):
    total: int
    page: int
    size: int
    counts: AlertCounts
    items: list[AlertOut]


class AlertUnitOut(BaseModel):
    scheme: str
    code: str
    name: str | None = Field(default=None, description="The unit's name in the snapshot")


class AlertEventOut(BaseModel):
    id: int
    at: datetime
    actor: str = Field(description="The account, or 'system' for an evaluation")
    action: str = Field(description="open | acknowledge | resolve | recover | escalate")
    comment: str | None
    detail: dict[str, Any] | None


class DeliveryOut(BaseModel):
    id: int
    event_id: int
    channel: str = Field(description="email | webhook")
    recipient: str = Field(description="The account's username, or the webhook's name")
    address: str | None = Field(description="The e-mail address or URL: for admins only")
    status: str = Field(description="pending | sent | failed")
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    error: str | None


class AlertDetail(AlertOut):
    """One alert with its units, its timeline and its deliveries."""

    detail: dict[str, Any] | None = Field(description="The condition's figures")
    first_seen_at: datetime
    seen: int = Field(description="Consecutive evaluations the condition held")
    acknowledge_comment: str | None
    resolve_comment: str | None
    resolved_build_id: str | None = Field(description="The build the alert was resolved on")
    units: list[AlertUnitOut] = Field(description="Every unit containing the subject")
    events: list[AlertEventOut] = Field(description="The timeline, oldest first")
    deliveries: list[DeliveryOut]


class AcknowledgeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: Comment | None = None


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: Comment


class SummaryOut(BaseModel):
    """Open alerts (not silenced) the wall and the overview show."""

    total: int
    severity: dict[str, int] = Field(description="Open alerts by severity")
    silenced: int = Field(description="Open alerts left out: silenced")
    top: list[AlertOut] = Field(description="The most severe, then the oldest")


class RuleIn(RuleSpec):
    """A user rule: :class:`RuleSpec`'s fields (the route checks them across fields)."""

    @model_validator(mode="after")
    def _consistent(self) -> RuleIn:  # checked by the route, which names the field
        return self


class RuleOut(RuleSpec):
    source: Literal["catalog", "store"] = Field(description="catalog rules are read-only")
    created_by: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @model_validator(mode="after")
    def _consistent(self) -> RuleOut:  # an answer: already checked
        return self


class SilenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule_key: str = Field(
        default="*", pattern=r"^(\*|[a-z0-9_]{3,60})$", description="A rule key, or '*': every rule"
    )
    scheme: SchemeName
    unit: str = Field(pattern=UNIT_PATTERN, max_length=5, description=UNIT_TEXT)
    reason: str = Field(min_length=1, max_length=MAX_REASON)
    ends_at: datetime = Field(description="In the future, within IOC_ALERTS_MAX_SILENCE_DAYS")


class SilenceOut(BaseModel):
    id: int
    rule_key: str
    scheme: str
    unit_code: str
    reason: str
    starts_at: datetime
    ends_at: datetime
    created_by: str
    created_at: datetime
    ended_at: datetime | None
    ended_by: str | None
    active: bool = Field(description="In force now")
    alerts: int = Field(default=0, description="Active alerts it silences now")


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=WEBHOOK_NAME)
    url: str = Field(pattern=r"^https?://[^\s]+$", max_length=2000, description="An http(s) URL")
    secret: str = Field(
        pattern=SECRET_NAME,
        description="The NAME of an entry of the secrets file with a 'secret' key",
    )
    min_severity: SeverityName = "warning"
    units: list[RuleUnit] = Field(default_factory=list, max_length=200)
    enabled: bool = True


class WebhookOut(BaseModel):
    name: str
    url: str
    min_severity: str
    units: list[RuleUnit]
    enabled: bool
    created_by: str
    created_at: datetime


class EvaluateOut(BaseModel):
    job_id: int
    job: str = Field(description="The job's link")


class EventRow(BaseModel):
    """One row of the history export (``GET /alerts/events``)."""

    id: int
    alert_id: int
    at: datetime
    actor: str
    action: str
    comment: str | None
    rule_key: str
    severity: str
    subject_kind: str
    subject_code: str
    subject_name: str
    scheme: str | None
    unit_code: str | None
    item: str | None
