"""Who may take which review step on which school: the steps per unit scheme from
``ioc/catalog/approval.yaml`` and the approver's unit scopes (docs/approval.md). Pure."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from ioc.domain.units import level_in
from ioc.reviews.states import LOCK, UNLOCK, Action

APPROVAL_FILE = Path(__file__).resolve().parent.parent / "catalog" / "approval.yaml"
#: a school's place: {(scheme, level): unit code}, e.g. {("legacy", "district"): "945"}
Place = Mapping[tuple[str, str], str | None]
Scope = tuple[str, str]  # (scheme, unit code)


@dataclass(frozen=True)
class Steps:
    """The review steps of one unit scheme."""

    check_level: str
    check_required: bool
    approve_level: str


@functools.cache
def steps(scheme: str) -> Steps:
    """The steps of ``scheme`` ('legacy' or '2025'), as the catalog says."""
    data = yaml.safe_load(APPROVAL_FILE.read_text(encoding="utf-8"))["schemes"][scheme]
    return Steps(
        check_level=data["check"]["level"],
        check_required=bool(data["check"].get("required", False)),
        approve_level=data["approve"]["level"],
    )


def _levels_for(action: str, s: Steps) -> frozenset[str]:
    if action == Action.CHECK:
        return frozenset({s.check_level})
    if action == Action.RETURN:
        return frozenset({s.check_level, s.approve_level})
    if action in (Action.APPROVE, Action.REOPEN, LOCK, UNLOCK):
        return frozenset({s.approve_level})
    raise ValueError(f"unknown review action {action!r}")


def may(action: str, scheme: str, scopes: Iterable[Scope], place: Place) -> bool:
    """May an approver with ``scopes`` take ``action`` on a school at ``place`` in a period
    of ``scheme``? One of the scopes must be at the step's level and contain the school (its
    place in the scope's own scheme)."""
    levels = _levels_for(action, steps(scheme))
    for scope_scheme, code in scopes:
        level = level_in(code, scope_scheme)
        if level in levels and place.get((scope_scheme, level)) == code:
            return True
    return False
