"""Schedules fire when cron says (issue 15 item 11): every fire time over a year of a varied
set of expressions equals that of an independent cron implementation (cronsim, which follows
Debian's cron), and the next run is said in the reader's words."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from cronsim import CronSim

from ioc.domain.formats import next_run_text
from ioc.reports.cron import cron_weekdays, next_after, trigger_for

ZONE = "Asia/Ho_Chi_Minh"
START = datetime(2026, 1, 1, tzinfo=ZoneInfo(ZONE))
END = START + timedelta(days=366)

EXPRESSIONS = [
    "0 7 * * 1",  # Monday 07:00 (the reported bug: it ran on Tuesdays)
    "0 7 * * 0",  # Sunday
    "0 7 * * 7",  # Sunday too
    "30 6 * * 1-5",  # working days
    "0 8 * * 5-7",  # Friday to Sunday
    "0 8 * * 0-2",  # Sunday to Tuesday
    "0 9 * * 1,3,5",
    "0 9 * * */2",  # Sunday, Tuesday, Thursday, Saturday
    "0 9 * * 1-5/2",  # Monday, Wednesday, Friday
    "0 9 * * 2/3",  # Tuesday, Friday
    "15 7 * * mon",
    "15 7 * * mon-fri",
    "15 7 * * sat,sun",
    "0 7 1 * 1",  # the 1st OR a Monday (cron's rule when both are restricted)
    "0 7 15 * 0,6",  # the 15th OR a weekend day
    "0 7 1-7 * 1",  # the first seven days OR a Monday
    "0 7 */2 * 1",  # day field starts with '*': odd days AND Mondays
    "0 7 * jan,jul mon",
    "0 17 28-31 * *",
    "0 0 1 */3 *",  # quarterly
    "0 12 29 2 *",  # leap day only (none in 2026)
    "0 6 * mar-may 1-5",
]


def _ours(expression: str) -> list[datetime]:
    trigger, fires, moment = trigger_for(expression, ZONE), [], START
    while True:
        fire = next_after(trigger, moment)
        if fire is None or fire >= END:
            return fires
        fires.append(fire)
        moment = fire


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_fire_times_over_a_year_match_cron(expression: str) -> None:
    theirs = []
    for fire in CronSim(expression.upper(), START):
        if fire >= END:
            break
        theirs.append(fire)
    ours = _ours(expression)
    assert [f.isoformat() for f in ours] == [f.isoformat() for f in theirs]
    if expression != "0 12 29 2 *":
        assert ours, expression


def test_monday_is_monday() -> None:
    fire = next_after(trigger_for("0 7 * * 1", ZONE), START)
    assert fire is not None
    assert (fire.weekday(), fire.hour) == (0, 7)
    assert next_run_text(fire, ZONE, "vi") == "Thứ Hai 07:00, 05/01/2026"
    assert next_run_text(fire, ZONE, "en") == "Monday 07:00, 05/01/2026"


def test_weekday_fields() -> None:
    assert cron_weekdays("1-5") == {1, 2, 3, 4, 5}
    assert cron_weekdays("0") == cron_weekdays("7") == cron_weekdays("sun") == {0}
    assert cron_weekdays("*/2") == {0, 2, 4, 6}
    assert cron_weekdays("fri-sun") == {5, 6, 0}
    for bad in ("8", "mon-", "5-1", "*/0", "funday"):
        with pytest.raises(ValueError):
            trigger_for(f"0 7 * * {bad}", ZONE)
