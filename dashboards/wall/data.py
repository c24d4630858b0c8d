"""What a wall screen shows, fetched from the API: one snapshot per refresh.

A snapshot is plain JSON-able data (only the fields the panels draw), so two refreshes of
the same build give the same digest and the screen redraws only when something changed.
Everything comes through :class:`dashboards.api_client.Api` with the screen's credentials
(a display token, or a signed-in leader's session), so the API's role rules apply: the
display role gets aggregates only (counts of schools, never their names).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from dashboards.api_client import Api, ApiProblem
from dashboards.wall import exams
from dashboards.wall.screens import Screen
from ioc.domain.period import Period

VALUE_FIELDS = (
    "unit_code",
    "unit_name",
    "indicator_id",
    "family",
    "name_vi",
    "name_en",
    "unit_vi",
    "unit_en",
    "direction",
    "is_count",
    "value",
    "numerator",
    "denominator",
    "schools_contributing",
    "schools_in_scope",
    "norm_value",
    "norm_status",
    "target_value",
    "target_status",
    "previous_value",
    "change",
    "is_break",
)
SERIES_FIELDS = ("school_year", "term", "value", "norm_value", "target_value", "is_break")
QUALITY_FIELDS = (
    "unit_code",
    "unit_name",
    "schools_expected",
    "schools_reported",
    "schools_missing",
    "schools_late",
    "completeness_pct",
    "timeliness_pct",
)
RUN_FIELDS = (
    "run_id",
    "status",
    "started_at",
    "finished_at",
    "received_date",
    "rows_accepted",
    "rows_replaced",
    "rows_rejected",
    "warnings",
)
FAILED = ("failed", "rejected_strict")
SOURCE_FIELDS = ("name", "state", "last_success_at", "consecutive_failures")
ALERT_FIELDS = (
    "id",
    "severity",
    "rule_key",
    "rule_vi",
    "rule_en",
    "subject_name",
    "subject_code",
    "unit_code",
    "opened_at",
    "message_vi",
    "message_en",
)
TROUBLE = ("failing", "late")  # the states of a source the wall shows


def key(scheme: str, code: str) -> str:
    return f"{scheme}:{code}"


def _pick(row: Mapping[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: row.get(f) for f in fields}


def latest_period(api: Api) -> str | None:
    periods = api.periods()
    return periods[0]["period"] if periods else None


def report_runs(api: Api, screen: Screen) -> list[dict[str, Any]]:
    """The latest finished runs of the report schedules this wall's account may read (kind,
    units, status, finished_at), newest first, for the events ticker. The API's role rules
    decide: a display token reads no schedules (403), so its wall lists none."""
    if not screen.events:
        return []
    try:
        schedules = api.schedules()
    except ApiProblem as problem:
        if problem.status == 403:
            return []
        raise
    found = [
        {
            "kind": schedule["kind"],
            "unit": ", ".join(schedule["units"]),
            "status": run["status"],
            "finished_at": run["finished_at"],
        }
        for schedule in schedules
        for run in api.schedule_runs(schedule["id"], limit=screen.events)["items"]
        if run.get("finished_at")
    ]
    found.sort(key=lambda run: _when(run["finished_at"]), reverse=True)
    return found[: screen.events]


def troubled_sources(api: Api, screen: Screen) -> list[dict[str, Any]]:
    """The pulled sources that are failing or late (name, state, last success, failures in
    a row), for the "red now" panel and the ticker; none for an account that may not read
    them (403) or an API without sources (404)."""
    if not screen.events and not any(p.kind == "red_now" for p in screen.panels):
        return []
    try:
        rows = api.sources_status()
    except ApiProblem as problem:
        if problem.status in (403, 404):
            return []
        raise
    return [_pick(r, SOURCE_FIELDS) for r in rows if r.get("state") in TROUBLE]


def open_alerts(api: Api, screen: Screen) -> dict[str, Any] | None:
    """The open alerts (not silenced) of the screen's unit for "red now": ``total``, by
    ``severity`` and the ``top`` ones; None when no panel shows them or the API has none
    for this account (403, 404)."""
    if not any(p.kind == "red_now" for p in screen.panels):
        return None
    try:
        summary = api.alerts_summary(screen.scheme, screen.unit)
    except ApiProblem as problem:
        if problem.status in (403, 404):
            return None
        raise
    return {
        "total": int(summary.get("total") or 0),
        "severity": dict(summary.get("severity") or {}),
        "top": [_pick(a, ALERT_FIELDS) for a in summary.get("top") or []],
    }


def collect(api: Api, screen: Screen, now: datetime | None = None) -> dict[str, Any]:
    """Everything the screen's panels draw, from the API. Raises ApiProblem."""
    now = now or datetime.now(UTC)
    health = api.health()
    period = latest_period(api) if screen.period == "latest" else screen.period
    snapshot: dict[str, Any] = {
        "build_id": health.get("build_id"),
        "last_run_id": health.get("last_run_id"),
        "data_as_of": health.get("data_as_of"),
        "display_timezone": health.get("display_timezone"),
        "period": period,
        "places": {},
        "series": {},
        "runs": [],
        "failed_runs": [],
        "report_runs": [],
        "sources": [],
        "alerts": None,
        "exams": {},
    }
    for panel in screen.panels:  # the exam's figures do not depend on the period
        if panel.kind == "exams":
            scheme, code = screen.place(panel)
            snapshot["exams"][key(scheme, code)] = exams.collect(api, scheme, code)
    if period is None:
        return snapshot
    kinds_at: dict[tuple[str, str], set[str]] = {(screen.scheme, screen.unit): set()}
    for panel in screen.panels:
        kinds_at.setdefault(screen.place(panel), set()).add(panel.kind)
    for (scheme, code), kinds in kinds_at.items():
        snapshot["places"][key(scheme, code)] = _place(api, scheme, code, period, kinds)
    for panel in screen.panels:
        if panel.kind == "trends":
            scheme, code = screen.place(panel)
            series = snapshot["series"].setdefault(key(scheme, code), {})
            term = Period.parse(period).term
            for indicator in panel.shown_indicators():
                if indicator not in series:
                    series[indicator] = _series(api, indicator, scheme, code, term)
    if screen.events or any(p.kind == "red_now" for p in screen.panels):
        runs = [_pick(r, RUN_FIELDS) for r in api.runs()]
        since = now - timedelta(days=screen.failed_days)
        snapshot["failed_runs"] = [
            r for r in runs if r["status"] in FAILED and _when(r["started_at"]) >= since
        ]
        snapshot["runs"] = runs[: screen.events]
    snapshot["report_runs"] = report_runs(api, screen)
    snapshot["sources"] = troubled_sources(api, screen)
    snapshot["alerts"] = open_alerts(api, screen)
    return snapshot


def _place(api: Api, scheme: Any, code: str, period: str, kinds: set[str]) -> dict[str, Any]:
    """A unit with what the panels over it need: its own values (key figures), its
    children's values (red now, map) and its reporting completeness (red now, race)."""
    unit = api.unit(scheme, code)
    place: dict[str, Any] = {
        "unit": {
            "code": unit["code"],
            "name": unit["name"],
            "scheme": unit["scheme"],
            "level": unit["level"],
            "latitude": unit.get("latitude"),
            "longitude": unit.get("longitude"),
        },
        "children": [
            _pick(c, ("code", "name", "short_name", "latitude", "longitude"))
            for c in unit.get("children", [])
        ],
    }
    if "kpis" in kinds:
        place["own"] = [_pick(r, VALUE_FIELDS) for r in api.values(code, scheme, period)]
    if kinds & {"red_now", "map"} and unit.get("children"):
        rows = api.values(code, scheme, period, children=True)
        place["child_values"] = [_pick(r, VALUE_FIELDS) for r in rows]
    if kinds & {"red_now", "completeness"}:
        report = api.quality(code, scheme, period)
        place["quality"] = {
            "total": _pick(report.get("total") or {}, QUALITY_FIELDS),
            "by_unit": [_pick(r, QUALITY_FIELDS) for r in report.get("by_unit", [])],
        }
    return place


def _series(api: Api, indicator: str, scheme: Any, code: str, term: str) -> list[dict[str, Any]]:
    try:
        rows = api.series(indicator, code, scheme, term=term)
    except ApiProblem as problem:
        if problem.status != 404:  # an unknown indicator in the screen's config: no line
            raise
        return []
    return [_pick(r, SERIES_FIELDS) for r in rows]


def _when(value: str | None) -> datetime:
    if not value:
        return datetime.min.replace(tzinfo=UTC)
    stamp = datetime.fromisoformat(value)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def digest(snapshot: dict[str, Any]) -> str:
    text = json.dumps(snapshot, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
