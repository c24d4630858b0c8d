"""The e-mail to a school whose return was returned for correction (docs/approval.md): in
Vietnamese, English below, with the school, the period, the reason, the findings to fix and
who returned it; sent through the reports' SMTP settings. Its outcome is what the review
event records (``sent``, ``no_address``, ``failed``); it never fails the action."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from typing import Any, Literal

from ioc.config import Settings
from ioc.domain.period import Period
from ioc.reports.delivery import send

log = logging.getLogger("ioc.reviews")
Outcome = Literal["sent", "no_address", "failed"]


def returned_mail(
    settings: Settings,
    to: str,
    *,
    school_code: str,
    school_name: str,
    period: Period,
    reason: str,
    returned_by: str,
    findings: Sequence[Mapping[str, Any]],
) -> EmailMessage:
    """The message; ``findings`` as :func:`ioc.views.reviews.findings_of` lists them."""

    def listed(lang: str) -> str:
        if not findings:
            return "  -"
        return "\n".join(
            f"  - {f.get(f'field_label_{lang}') or ''}: {f.get(f'message_{lang}') or ''}".rstrip()
            for f in findings
        )

    body = (
        f"Kính gửi {school_name} ({school_code}),\n\n"
        f"Báo cáo thống kê kỳ {period.message_label('vi')} của trường đã được trả lại để "
        f"chỉnh sửa.\n\nLý do: {reason}\n\nCác điểm cần kiểm tra:\n{listed('vi')}\n\n"
        f"Người trả lại: {returned_by}\n"
        "Vui lòng sửa và gửi lại báo cáo.\n\n"
        "----\n\n"
        f"To {school_name} ({school_code}),\n\n"
        f"The school's return for {period.message_label('en')} was returned for correction.\n\n"
        f"Reason: {reason}\n\nWhat to check:\n{listed('en')}\n\n"
        f"Returned by: {returned_by}\n"
        "Please correct it and send the return again.\n"
    )
    mail = EmailMessage()
    mail["From"] = settings.smtp_from
    mail["To"] = to
    mail["Subject"] = (
        f"Báo cáo {school_code} kỳ {period} bị trả lại / Return {school_code} {period} returned"
    )
    mail.set_content(body)
    return mail


def send_returned(settings: Settings, to: str | None, **fields: Any) -> Outcome:
    """Send the message to ``to`` (the school's contact, or None): the outcome, never an
    exception."""
    if not to:
        return "no_address"
    try:
        send(settings, returned_mail(settings, to, **fields))
    except Exception:  # any failure of the mail is recorded, the action stands
        log.exception("review mail to %s failed", to)
        return "failed"
    return "sent"
