"""An alert rule (docs/alerts.md): its shape, checked against the indicator catalog and the
unit schemes, and the catalog's rules (``ioc/catalog/alerts.yaml``). A rule an account adds
through the API is the same :class:`RuleSpec`, stored in ``alert_rules``."""

from __future__ import annotations

import functools
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.catalog import _load_yaml
from ioc.catalog.definitions import load_catalog
from ioc.domain.units import LEVELS
from ioc.store.alert_models import AlertRule

Kind = Literal[
    "indicator_norm",
    "indicator_target",
    "change",
    "missing_returns",
    "source_stale",
    "run_failed",
    "data_age",
]
#: kinds whose condition depends on the clock, evaluated again on every tick
TIME_KINDS: frozenset[str] = frozenset({"source_stale", "run_failed", "data_age"})
#: kinds about indicators (their ``indicators`` must be catalog ids)
INDICATOR_KINDS: frozenset[str] = frozenset({"indicator_norm", "indicator_target", "change"})
#: the level of kinds whose subject is not a unit or school (the level is then ignored)
SUBJECT_LEVEL: dict[str, str] = {"source_stale": "province", "run_failed": "province"}
#: threshold when a rule gives none
DEFAULT_THRESHOLD: dict[str, float] = {
    "indicator_norm": 0.0,
    "indicator_target": 0.0,
    "change": 0.2,
    "missing_returns": 0.0,
    "source_stale": 3.0,
    "run_failed": 24.0,
    "data_age": 400.0,
}
Severity = Literal["info", "warning", "critical"]
RuleLevel = Literal["school", "commune", "district", "province"]
RouteRole = Literal["operator", "analyst", "approver", "leader", "admin"]
ROUTE_DEFAULT: tuple[RouteRole, ...] = ("operator", "analyst", "approver")
KEY = re.compile(r"^[a-z0-9_]{3,60}$")
Number = StrictFloat | StrictInt


class RuleUnit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scheme: Literal["legacy", "2025"]
    code: Annotated[str, Field(pattern=r"^[0-9]{2,5}$")]


class RuleSpec(BaseModel):
    """One rule; unknown fields, a non-numeric threshold, an unknown indicator or a level
    the scheme does not have are refused with the field named."""

    model_config = ConfigDict(extra="forbid")

    key: Annotated[str, Field(pattern=KEY.pattern)]
    kind: Kind
    vi: Annotated[str, Field(min_length=1, max_length=200)]
    en: Annotated[str, Field(min_length=1, max_length=200)]
    severity: Severity = "warning"
    level: RuleLevel = "province"
    scheme: Literal["legacy", "2025"] = "2025"
    indicators: list[str] = Field(default_factory=list, max_length=100)
    threshold: Annotated[Number, Field(ge=0, le=1_000_000)] | None = None
    hold_builds: Annotated[int, Field(ge=1, le=100)] = 1
    hold_hours: Annotated[Number, Field(ge=0, le=24 * 365)] = 0.0
    escalate_after_hours: Annotated[Number, Field(gt=0, le=24 * 365)] | None = None
    route_to: list[RouteRole] = Field(default_factory=lambda: list(ROUTE_DEFAULT), min_length=1)
    units: list[RuleUnit] = Field(default_factory=list, max_length=200)
    enabled: bool = True

    @model_validator(mode="after")
    def _consistent(self) -> RuleSpec:
        if self.level == "district" and self.scheme != "legacy":
            raise ValueError("level: 'district' exists only in the legacy scheme")
        if self.level not in ("school", *LEVELS[self.scheme]):
            raise ValueError(f"level: {self.level!r} is not a level of scheme {self.scheme}")
        if self.level == "school" and self.kind in INDICATOR_KINDS:
            raise ValueError("level: indicator values are not stored per school")
        if self.indicators and self.kind not in INDICATOR_KINDS:
            raise ValueError(f"indicators: a {self.kind} rule takes no indicators")
        known = {i.id for i in load_catalog().indicators}
        unknown = [i for i in self.indicators if i not in known]
        if unknown:
            raise ValueError(f"indicators: unknown indicator {', '.join(unknown)}")
        return self

    @property
    def limit(self) -> float:
        """The threshold in force (the rule's, or its kind's default)."""
        return float(DEFAULT_THRESHOLD[self.kind] if self.threshold is None else self.threshold)

    @property
    def time_based(self) -> bool:
        return self.kind in TIME_KINDS


class RuleCatalog(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: list[RuleSpec]

    @model_validator(mode="after")
    def _unique(self) -> RuleCatalog:
        keys = [r.key for r in self.rules]
        if len(keys) != len(set(keys)):
            raise ValueError("alerts.yaml: duplicated rule key")
        return self


@functools.cache
def catalog_rules() -> tuple[RuleSpec, ...]:
    """The catalog's rules (read-only; a stored rule may not take one of their keys)."""
    return tuple(RuleCatalog.model_validate(_load_yaml("alerts.yaml")).rules)


def rules_in_force(session: Session) -> list[RuleSpec]:
    """The catalog's rules, then the stored ones (enabled or not), as specs."""
    stored = session.scalars(select(AlertRule).order_by(AlertRule.key)).all()
    fields = RuleSpec.model_fields
    return [
        *catalog_rules(),
        *(RuleSpec.model_validate({name: getattr(row, name) for name in fields}) for row in stored),
    ]
