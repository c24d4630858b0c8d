"""Cron expressions of schedules: five fields (minute hour day month weekday), or six with
seconds first; read in the display time zone (``IOC_DISPLAY_TIMEZONE``).

They mean what they mean in cron (Debian's cron, crontab(5)), not what APScheduler 3 makes of
the same text:

- weekdays are numbered from Sunday = 0 (7 is Sunday too), so ``1`` is Monday, ``1-5``
  Monday to Friday and ``*/2`` Sunday, Tuesday, Thursday, Saturday (APScheduler numbers
  them from Monday = 0); names ``sun``-``sat`` work as well. The weekday field is written
  out as APScheduler weekday names before it reaches the trigger;
- when both the day of the month and the weekday are restricted (neither starts with
  ``*``), a day matches if EITHER matches (``0 7 1 * 1``: the 1st of each month and every
  Monday); APScheduler would require both, so such an expression is two triggers, either
  of which fires.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger

FIELDS_5 = ("minute", "hour", "day", "month", "day_of_week")
WEEKDAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # cron's numbers 0-6
LAST_WEEKDAY = 7  # cron's other Sunday


def _weekday(text: str, *, end: bool = False) -> int:
    """A cron weekday number (0-7) from a number or a name; a range's end 'sun' is 7."""
    if text in WEEKDAY_NAMES:
        number = WEEKDAY_NAMES.index(text)
        return LAST_WEEKDAY if end and number == 0 else number
    if not text.isdigit() or int(text) > LAST_WEEKDAY:
        raise ValueError(
            f"weekday {text!r} is neither 0-7 (0 and 7: Sunday) nor a name sun, mon, ... sat"
        )
    return int(text)


def cron_weekdays(field: str) -> set[int]:
    """The weekdays (0 = Sunday ... 6 = Saturday) a cron weekday field names."""
    days: set[int] = set()
    for item in field.split(","):
        spec, _, step_text = item.partition("/")
        if step_text and (not step_text.isdigit() or int(step_text) == 0):
            raise ValueError(f"weekday step {step_text!r} is not a positive whole number")
        step = int(step_text or 1)
        if spec == "*":
            first, last = 0, LAST_WEEKDAY - 1
        elif "-" in spec:
            start, _, stop = spec.partition("-")
            first, last = _weekday(start), _weekday(stop, end=True)
            if first > last:
                raise ValueError(f"weekday range {spec!r} runs backwards")
        else:
            first = _weekday(spec)
            last = LAST_WEEKDAY if step_text else first  # 'a/n' is 'a-7/n'
        days |= {d % 7 for d in range(first, last + 1, step)}
    return days


def _apscheduler_weekdays(field: str) -> str:
    if field == "*":
        return "*"
    return ",".join(WEEKDAY_NAMES[d] for d in sorted(cron_weekdays(field)))


def trigger_for(expression: str, timezone: str) -> BaseTrigger:
    """The trigger of an expression; ValueError saying what is wrong."""
    parts = expression.lower().split()
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
        values["day_of_week"] = _apscheduler_weekdays(values["day_of_week"])
        zone = ZoneInfo(timezone)
        if values["day"].startswith("*") or parts[-1].startswith("*"):
            return CronTrigger(**values, timezone=zone)
        # cron's rule: a restricted day of the month OR a restricted weekday
        by_day = CronTrigger(**{**values, "day_of_week": "*"}, timezone=zone)
        by_weekday = CronTrigger(**{**values, "day": "*"}, timezone=zone)
        return OrTrigger([by_day, by_weekday])
    except ValueError as exc:
        raise ValueError(f"cron expression {expression!r}: {exc}") from exc


def next_after(trigger: BaseTrigger, moment: datetime) -> datetime | None:
    """The first fire time strictly after ``moment``."""
    fire: datetime | None = trigger.get_next_fire_time(moment, moment)
    return fire


def latest_due(trigger: BaseTrigger, since: datetime, now: datetime) -> datetime | None:
    """The last fire time in (since, now], if any (the due time of a coalesced run)."""
    due, fire = None, next_after(trigger, since)
    while fire is not None and fire <= now:
        due, fire = fire, next_after(trigger, fire)
    return due


def shortest_gap(
    trigger: BaseTrigger, after: datetime, fires: int, below: timedelta | None = None
) -> tuple[timedelta, datetime] | None:
    """The shortest time between two consecutive fires among the first ``fires`` after
    ``after``, with the fire that ends it; None if it fires at most once. Stops at the
    first gap shorter than ``below``, if given."""
    shortest: tuple[timedelta, datetime] | None = None
    previous = next_after(trigger, after)
    for _ in range(fires - 1):
        if previous is None or (fire := next_after(trigger, previous)) is None:
            break
        gap = fire.astimezone(UTC) - previous.astimezone(UTC)
        if shortest is None or gap < shortest[0]:
            shortest = (gap, fire)
            if below is not None and gap < below:
                break
        previous = fire
    return shortest
