"""Pulled sources in words, for the sources page, the quality page and the wall: a source's
state as a badge with text (never colour alone), "3 days ago", a schedule (cron) in words,
when it is pulled next, and a pull's error in the reader's language."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

from dash import html

from dashboards.api_client import problem_of
from dashboards.components.attrs import data_attrs
from dashboards.formats import vn_number
from dashboards.i18n import Lang, t
from ioc.domain.formats import WEEKDAYS, as_local, local_datetime
from ioc.reports.cron import WEEKDAY_NAMES, next_after, trigger_for

STATES = ("never", "ok", "failing", "late")
TROUBLE = ("failing", "late")  # the states the quality page and the wall show


def state_label(state: str | None, language: Lang) -> str:
    return t(f"sources.state_{state}", language) if state in STATES else str(state or "—")


def state_badge(state: str | None, language: Lang) -> html.Span:
    """The state as a coloured badge that says it in words."""
    known = state if state in STATES else "never"
    return html.Span(
        state_label(state, language),
        className=f"badge source-state source-{known}",
        **data_attrs(state=str(state)),
    )


def kind_label(kind: str | None, language: Lang) -> str:
    try:
        return t(f"sources.kind_{(kind or '').replace('-', '_')}", language)
    except KeyError:
        return str(kind or "—")


def _instant(value: datetime | str) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def ago_text(value: datetime | str | None, language: Lang, now: datetime | None = None) -> str:
    """How long ago an instant was: 'cách đây 3 ngày' / '3 days ago' ('—' for none)."""
    if value is None or value == "":
        return "—"
    seconds = max(0.0, ((now or datetime.now(UTC)) - _instant(value)).total_seconds())
    if seconds < 60:
        return t("sources.ago_now", language)
    if seconds < 3600:
        return t("sources.ago_minutes", language, n=int(seconds // 60))
    if seconds < 48 * 3600:
        return t("sources.ago_hours", language, n=int(seconds // 3600))
    return t("sources.ago_days", language, n=int(seconds // 86400))


def when_text(value: datetime | str | None, zone: str, language: Lang) -> str:
    """'cách đây 3 ngày (09:12 04/12/2026)': how long ago, and the local time."""
    if value is None or value == "":
        return t("sources.never_pulled", language)
    return f"{ago_text(value, language)} ({local_datetime(value, zone)})"


def _clock(minute: str, hour: str) -> str | None:
    if minute.isdigit() and hour.isdigit() and int(hour) < 24 and int(minute) < 60:
        return f"{int(hour):02d}:{int(minute):02d}"
    return None


def cron_words(cron: str | None, language: Lang) -> str:
    """A schedule in words ('hằng ngày lúc 02:00', 'Chủ Nhật hằng tuần lúc 02:00'); the
    expression as written when it is none of the common shapes; on demand without one."""
    if not cron or not cron.strip():
        return t("sources.cron_none", language)
    parts = cron.split()
    if len(parts) != 5:
        return cron
    minute, hour, day, month, weekday = parts
    at = _clock(minute, hour)
    if month != "*":
        return cron
    if at and day == "*" and weekday == "*":
        return t("sources.cron_daily", language, at=at)
    if at and day == "*" and (weekday.isdigit() or weekday.lower() in WEEKDAY_NAMES):
        number = int(weekday) if weekday.isdigit() else WEEKDAY_NAMES.index(weekday.lower())
        name = WEEKDAYS[language][(number - 1) % 7]  # cron: Sunday 0; WEEKDAYS: Monday 0
        return t("sources.cron_weekly", language, day=name, at=at)
    if at and day.isdigit() and weekday == "*":
        return t("sources.cron_monthly", language, day=int(day), at=at)
    if day == weekday == "*" and minute.isdigit() and hour.startswith("*/"):
        return t("sources.cron_hours", language, n=hour[2:], minute=f"{int(minute):02d}")
    if day == weekday == hour == "*" and minute.startswith("*/"):
        return t("sources.cron_minutes", language, n=minute[2:])
    if day == weekday == hour == "*" and minute.isdigit():
        return t("sources.cron_hourly", language, minute=f"{int(minute):02d}")
    return cron


def next_pull(cron: str | None, zone: str, now: datetime | None = None) -> str:
    """When the schedule fires next, in the display zone ('—' without one or if invalid)."""
    if not cron:
        return "—"
    with contextlib.suppress(ValueError):
        fire = next_after(trigger_for(cron, zone), (now or datetime.now(UTC)).astimezone(UTC))
        if fire is not None:
            return as_local(fire, zone).strftime("%H:%M %d/%m/%Y")
    return "—"


def error_text(error: dict[str, Any] | str | None, language: Lang) -> str:
    """A pull's error in the reader's language, with where it happened (resource, page,
    field) when the error says."""
    if not error:
        return ""
    if isinstance(error, str):
        return error
    text = str(error.get(language) or error.get("vi") or error.get("en") or error.get("code"))
    where = [
        t(f"sources.where_{k}", language, value=error[k])
        for k in ("resource", "page", "field")
        if error.get(k) not in (None, "")
    ]
    return f"{text} ({', '.join(where)})" if where else text


def trouble_text(row: dict[str, Any], language: Lang) -> str:
    """One line of a failing or late source (the quality page, the wall): 'Nguồn «a»: lần
    kéo thành công gần nhất cách đây 3 ngày; lỗi 4 lần liên tiếp: <error>'."""
    name = row.get("name") or "?"
    success = row.get("last_success_at")
    parts = [
        t("sources.trouble_success", language, ago=ago_text(success, language))
        if success
        else t("sources.trouble_never", language)
    ]
    failures = int(row.get("consecutive_failures") or 0)
    if failures:
        error = error_text(row.get("error"), language)
        parts.append(t("sources.trouble_failures", language, n=failures, error=error))
    return t("sources.trouble", language, name=name, what="; ".join(parts))


def _unit(unit: dict[str, Any] | str) -> str:
    return unit if isinstance(unit, str) else str(unit.get("code"))


def source_rows(rows: list[dict[str, Any]], language: Lang, zone: str) -> list[dict[str, Any]]:
    """The sources list's rows: name, kind, units, schedule and state in words, the last
    successful pull ('cách đây 3 ngày (09:12 04/12/2026)') and the next one. A source of
    ``GET /sources`` carries its state in ``status`` and its next fires in ``next_pulls``."""
    shown = []
    for r in rows:
        status = r.get("status") or {}
        planned = (r.get("next_pulls") or {}).get("cron")
        shown.append(
            {
                "id": r["name"],
                "name": r["name"],
                "kind": kind_label(r.get("kind"), language),
                "units": ", ".join(_unit(u) for u in r.get("units") or []),
                "schedule": cron_words(r.get("cron"), language),
                "state": state_label(status.get("state"), language),
                "state_code": status.get("state") or "never",
                "last_success": when_text(status.get("last_success_at"), zone, language),
                "next": local_datetime(planned, zone)
                if planned
                else next_pull(r.get("cron"), zone),
            }
        )
    return shown


def word(kind: str, value: Any, language: Lang) -> str:
    """A code of the ledger in words (``sources.<kind>_<value>``), or as it is."""
    try:
        return t(f"sources.{kind}_{value}", language)
    except KeyError:
        return str(value or "—")


def job_text(job: dict[str, Any], name: str, language: Lang) -> tuple[str, bool]:
    """A pull's job in words, and whether it went well: waiting, its progress while it
    runs, then the report's counts or its error in the reader's language."""
    status = job.get("status")
    if status == "queued":
        return t("sources.job_waiting", language, name=name), True
    if status == "running":
        progress = job.get("progress") or {}
        stage = word("stage", progress.get("stage") or "start", language)
        return t("sources.job_working", language, name=name, stage=stage,
                 done=vn_number(progress.get("done") or 0)), True  # fmt: skip
    result = job.get("result") or {}
    report = result.get("pull", result) if isinstance(result, dict) else {}
    if status != "succeeded" or report.get("status") == "failed":
        error = error_text(report.get("error"), language) if report.get("error") else ""
        error = error or problem_of(500, job.get("problem") or {}).text(language)
        return t("sources.job_failed", language, name=name, error=error), False
    mode = word("mode", report.get("mode"), language)
    if report.get("dry_run"):
        mode += f", {t('sources.dry_run', language)}"
    seconds = report.get("duration_seconds")
    figures = {
        k: vn_number(report.get(k)) if report.get(k) is not None else "—"
        for k in ("fetched", "inserted", "replaced", "unchanged", "rejected", "retries")
    }
    done = t(
        "sources.job_done",
        language,
        name=name,
        mode=mode,
        seconds=vn_number(seconds, 1) if seconds is not None else "—",
        **figures,
    )
    return done, True
