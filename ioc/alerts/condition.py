"""What a rule finds at one subject in one evaluation (docs/alerts.md): the contract between
``ioc.alerts.conditions`` (which finds them) and ``ioc.alerts.engine`` (which reconciles
them with the stored alerts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def open_key(rule_key: str, subject_kind: str, subject_code: str, item: str | None) -> str:
    """The identity of an alert while it is active: ``rule|kind:code|item``."""
    return f"{rule_key}|{subject_kind}:{subject_code}|{item or ''}"


@dataclass(frozen=True)
class Condition:
    """A rule's condition holding at one subject (and item) now.

    ``units`` are every ``(scheme, code)`` that contains the subject, in both schemes (who
    may see the alert); ``scheme``/``unit_code`` the unit the alert is about (a school's:
    its place at the rule's level). ``detail`` holds ``vi``/``en`` sentences and figures."""

    rule_key: str
    subject_kind: str  # ioc.store.alert_models.SubjectKind
    subject_code: str
    subject_name: str
    item: str | None = None
    scheme: str | None = None
    unit_code: str | None = None
    units: tuple[tuple[str, str], ...] = ()
    school_year: str | None = None
    term: str | None = None
    value: float | None = None
    threshold: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return open_key(self.rule_key, self.subject_kind, self.subject_code, self.item)
