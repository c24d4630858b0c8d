"""Cron expressions of schedules: five fields (minute hour day month weekday), or six with
seconds first; read in the schedules' time zone (``IOC_REPORTS_TIMEZONE``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

FIELDS_5 = ("minute", "hour", "day", "month", "day_of_week")


def trigger_for(expression: str, timezone: str) -> CronTrigger:
    """The trigger of an expression; ValueError saying what is wrong."""
    parts = expression.split()
    if len(parts) not in (5, 6):
        raise ValueError(
            f"cron expression {expression!r} needs 5 fields (minute hour day month weekday) "
            "or 6 (second first)"
        )
    names = FIELDS_5 if len(parts) == 5 else ("second", *FIELDS_5)
    values = dict(zip(names, parts, strict=True))
    if len(parts) == 5:
        values["second"] = "0"
    try:
        return CronTrigger(**values, timezone=ZoneInfo(timezone))  # type: ignore[arg-type]
    except ValueError as exc:
        raise ValueError(f"cron expression {expression!r}: {exc}") from exc


def next_after(trigger: CronTrigger, moment: datetime) -> datetime | None:
    """The first fire time strictly after ``moment``."""
    return trigger.get_next_fire_time(moment, moment)  # type: ignore[no-any-return]


def latest_due(trigger: CronTrigger, since: datetime, now: datetime) -> datetime | None:
    """The last fire time in (since, now], if any (the due time of a coalesced run)."""
    due, fire = None, next_after(trigger, since)
    while fire is not None and fire <= now:
        due, fire = fire, next_after(trigger, fire)
    return due


def shortest_gap(
    trigger: CronTrigger, after: datetime, fires: int, below: timedelta | None = None
) -> tuple[timedelta, datetime] | None:
    """The shortest time between two consecutive fires among the first ``fires`` after
    ``after``, with the fire that ends it; None if it fires at most once. Stops at the
    first gap shorter than ``below``, if given."""
    shortest: tuple[timedelta, datetime] | None = None
    previous = next_after(trigger, after)
    for _ in range(fires - 1):
        fire = next_after(trigger, previous) if previous is not None else None
        if fire is None:
            break
        gap = fire.astimezone(UTC) - previous.astimezone(UTC)  # type: ignore[union-attr]
        if shortest is None or gap < shortest[0]:
            shortest = (gap, fire)
            if below is not None and gap < below:
                break
        previous = fire
    return shortest
