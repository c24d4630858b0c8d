"""The e-mail digest of alerts (docs/alerts.md, "Delivery"): one mail to one person listing
every alert event waiting for them, in Vietnamese, English below. Each line says the event
(opened, escalated, recovered), severity, rule, subject, value against threshold, the local
time and where to see it (``/alerts?id=N``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from ioc.catalog.messages import Lang
from ioc.config import Settings
from ioc.domain.formats import local_datetime, vn_value

LISTED = 200  # events a mail lists; the others are counted
EVENTS: dict[str, dict[Lang, str]] = {
    "open": {"vi": "mở", "en": "opened"},
    "escalate": {"vi": "leo thang", "en": "escalated"},
    "recover": {"vi": "tự hết", "en": "recovered"},
}
SEVERITIES: dict[str, dict[Lang, str]] = {
    "info": {"vi": "Thông tin", "en": "Info"},
    "warning": {"vi": "Cảnh báo", "en": "Warning"},
    "critical": {"vi": "Nghiêm trọng", "en": "Critical"},
}
WORDS: dict[str, dict[Lang, str]] = {
    "subject": {"vi": "Đối tượng", "en": "Subject"},
    "value": {"vi": "Giá trị", "en": "Value"},
    "threshold": {"vi": "ngưỡng", "en": "threshold"},
    "at": {"vi": "Lúc", "en": "At"},
    "see": {"vi": "Xem", "en": "See"},
    "greeting": {"vi": "Kính gửi", "en": "To"},
    "intro": {
        "vi": "Có {n} sự kiện cảnh báo mới thuộc phạm vi của anh/chị:",
        "en": "{n} new alert event(s) within your units:",
    },
    "more": {
        "vi": "... và {n} sự kiện khác: xem trang Cảnh báo.",
        "en": "... and {n} more: see the Alerts page.",
    },
    "footer": {
        "vi": "Thư này được gửi tự động bởi IOC-EDU; xác nhận và xử lý cảnh báo trên trang "
        "Cảnh báo.",
        "en": "Sent automatically by IOC-EDU; acknowledge and resolve alerts on the Alerts page.",
    },
}


@dataclass(frozen=True)
class Line:
    """One alert event of a digest."""

    alert_id: int
    action: str  # open | escalate | recover
    at: datetime
    severity: str
    rule: dict[Lang, str]  # the rule's name
    subject: str  # the subject's name and code
    value: float | None
    threshold: float | None
    detail: dict[str, Any]  # the condition's own sentences ({vi, en}), if any


def link(alert_id: int) -> str:
    """Where the alert is shown (the dashboard's page)."""
    return f"/alerts?id={alert_id}"


def _number(value: float | None, lang: Lang) -> str:
    if value is None:
        return "—"
    text = vn_value(value)
    return text if lang == "vi" else text.translate(str.maketrans(",.", ".,"))


def _line(line: Line, lang: Lang, zone: str) -> str:
    def w(key: str) -> str:
        return WORDS[key][lang]

    head = (
        f"- [{SEVERITIES.get(line.severity, {}).get(lang, line.severity)}] "
        f"{line.rule[lang]} ({EVENTS.get(line.action, {}).get(lang, line.action)})"
    )
    rows = [head, f"  {w('subject')}: {line.subject}"]
    if line.value is not None or line.threshold is not None:
        rows.append(
            f"  {w('value')}: {_number(line.value, lang)} / "
            f"{w('threshold')} {_number(line.threshold, lang)}"
        )
    said = line.detail.get(lang)
    if isinstance(said, str) and said:
        rows.append(f"  {said}")
    rows.append(f"  {w('at')}: {local_datetime(line.at, zone)}")
    rows.append(f"  {w('see')}: {link(line.alert_id)}")
    return "\n".join(rows)


def _part(lines: Sequence[Line], lang: Lang, name: str, zone: str) -> str:
    intro = WORDS["intro"][lang].format(n=len(lines))
    body = "\n\n".join(_line(line, lang, zone) for line in lines[:LISTED])
    if len(lines) > LISTED:
        body += "\n\n" + WORDS["more"][lang].format(n=len(lines) - LISTED)
    return f"{WORDS['greeting'][lang]} {name},\n\n{intro}\n\n{body}\n\n{WORDS['footer'][lang]}\n"


def digest_mail(
    settings: Settings, to: str, name: str, lines: Sequence[Line], digest_id: str
) -> EmailMessage:
    """The digest to ``to`` (``name``: how the person is addressed), oldest event first."""
    ordered = sorted(lines, key=lambda line: (line.at, line.alert_id))
    zone = settings.display_timezone
    mail = EmailMessage()
    mail["From"] = settings.smtp_from
    mail["To"] = to
    mail["Subject"] = f"[IOC-EDU] {len(ordered)} sự kiện cảnh báo / {len(ordered)} alert event(s)"
    mail["X-IOC-Digest"] = digest_id
    mail.set_content(
        _part(ordered, "vi", name, zone) + "\n----\n\n" + _part(ordered, "en", name, zone)
    )
    return mail
