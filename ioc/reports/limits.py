"""What a schedule may ask for: how often it fires, and whom it e-mails.

- A cron expression may not fire more often than ``IOC_REPORTS_MIN_INTERVAL_SECONDS``
  (default one hour). The interval is the shortest gap between consecutive fires among its
  next :data:`FIRES_CHECKED` fires, so ``* * * * * *`` (every second), ``*/5 * * * *`` and
  a burst such as ``* * 29 2 *`` (every minute of 29 February) are all refused.
- Report e-mails go only to addresses in ``IOC_REPORTS_EMAIL_DOMAINS`` (a domain and its
  sub-domains; by default the domain of ``IOC_SMTP_FROM``, the Department's own), unless
  an admin sets them or ``IOC_REPORTS_EMAIL_ANY`` lets everyone.

A refusal is a :class:`Refused` naming the field, what was asked and the limit, in
Vietnamese and English; the API answers it as a 422.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ioc.config import Settings
from ioc.reports.cron import shortest_gap, trigger_for

FIRES_CHECKED = 400


@dataclass(frozen=True)
class Refused(Exception):
    code: str
    parameter: str
    vi: str
    en: str


def duration(seconds: float) -> tuple[str, str]:
    """A whole number of days, hours, minutes or seconds: ('1 giờ', '1 h')."""
    for size, vi, en in ((86_400, "ngày", "day(s)"), (3600, "giờ", "h"), (60, "phút", "min")):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size:g} {vi}", f"{seconds // size:g} {en}"
    return f"{seconds:g} giây", f"{seconds:g} s"


def fires_too_often(cron: str, settings: Settings, now: datetime) -> Refused | None:
    """Why ``cron`` fires more often than allowed, or None (the expression is valid)."""
    limit = settings.reports_min_interval_seconds
    trigger = trigger_for(cron, settings.reports_timezone)
    found = shortest_gap(trigger, now, FIRES_CHECKED, below=timedelta(seconds=limit))
    if found is None or found[0].total_seconds() >= limit:
        return None
    gap, at = found
    every_vi, every_en = duration(gap.total_seconds())
    limit_vi, limit_en = duration(limit)
    when = at.strftime("%Y-%m-%d %H:%M:%S")
    return Refused(
        "schedule_too_frequent",
        "cron",
        f"Biểu thức cron '{cron}' chạy cách nhau chỉ {every_vi} (lúc {when}); lịch báo cáo "
        f"phải cách nhau ít nhất {limit_vi}",
        f"The cron expression '{cron}' fires {every_en} apart (at {when}); a schedule may "
        f"fire at most once every {limit_en} (IOC_REPORTS_MIN_INTERVAL_SECONDS={limit})",
    )


def email_domains(settings: Settings) -> list[str]:
    """The domains report e-mails may go to (their sub-domains too)."""
    if settings.reports_email_domains:
        return settings.reports_email_domains
    return [settings.smtp_from.rpartition("@")[2].strip().lower()]


def _allowed(address: str, domains: list[str]) -> bool:
    domain = address.rpartition("@")[2].lower()
    return any(domain == d or domain.endswith("." + d) for d in domains)


def recipients_refused(addresses: list[str], settings: Settings, *, admin: bool) -> Refused | None:
    """Why some of ``addresses`` may not get report e-mails, or None."""
    if admin or settings.reports_email_any:
        return None
    domains = email_domains(settings)
    outside = [a for a in addresses if not _allowed(a, domains)]
    if not outside:
        return None
    bad, allowed = ", ".join(outside), ", ".join(domains)
    return Refused(
        "recipient_not_allowed",
        "email_to",
        f"Không được gửi báo cáo tới {bad}: chỉ gửi tới các miền {allowed} "
        "(quản trị viên có thể gửi tới địa chỉ khác)",
        f"Reports may not be e-mailed to {bad}: only to the domains {allowed} "
        "(IOC_REPORTS_EMAIL_DOMAINS); an admin may set other addresses",
    )
