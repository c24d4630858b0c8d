"""Delivery of report files: a copy in a folder under the delivery root, and e-mail (with
the subject and body a scheduled run's mail has)."""

from __future__ import annotations

import mimetypes
import shutil
import smtplib
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from ioc import db
from ioc.config import Settings
from ioc.domain.formats import local_datetime
from ioc.reports.kinds import KINDS
from ioc.store.models import ReportSchedule
from ioc.store.types import utcnow

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Outcome:
    files: list[Path]
    period: str | None
    errors: list[str]
    cancelled: bool = False  # the schedule was deleted during the run


def deliver(
    settings: Settings, schedule: ReportSchedule, outcome: Outcome
) -> tuple[list[str], list[str]]:
    """Deliver a run's files as the schedule says: where they went, and what failed."""
    delivered: list[str] = []
    errors: list[str] = []
    if not outcome.files:
        return delivered, errors
    if schedule.folder:
        try:
            target = to_folder(settings, schedule.folder, outcome.files)
            delivered.append(f"folder:{target}")
        except Exception as exc:
            errors.append(f"folder {schedule.folder}: {error_text(exc)}")
    if schedule.email_to:
        try:
            mail = message(
                settings,
                schedule.email_to,
                _subject(schedule, outcome.period),
                _body(schedule, outcome, settings.display_timezone),
                outcome.files,
            )
            send(settings, mail)
            delivered.append("email:" + ", ".join(schedule.email_to))
        except Exception as exc:
            errors.append(f"e-mail: {error_text(exc)}")
    return delivered, errors


def error_text(exc: BaseException) -> str:
    """What a run records of an error (the exception's type and text when unexpected)."""
    text = str(exc) or type(exc).__name__
    if not isinstance(exc, db.DataError | ValueError | OSError | RuntimeError):
        text += "\n" + "".join(traceback.format_exception_only(exc)).strip()
    return text


def to_folder(settings: Settings, folder: str, files: Sequence[Path]) -> Path:
    """Copy the files into ``folder`` under the delivery root (created if needed)."""
    root = settings.delivery_dir.resolve()
    target = (root / folder).resolve()
    if not target.is_relative_to(root):
        raise ValueError(f"folder {folder!r} is outside the delivery root")
    target.mkdir(parents=True, exist_ok=True)
    for path in files:
        shutil.copy2(path, target / path.name)
    return target


def message(
    settings: Settings, to: Sequence[str], subject: str, body: str, files: Sequence[Path]
) -> EmailMessage:
    """The e-mail: the files attached while their total stays under the limit."""
    mail = EmailMessage()
    mail["From"] = settings.smtp_from
    mail["To"] = ", ".join(to)
    mail["Subject"] = subject
    attached, named, total = [], [], 0
    for path in files:
        size = path.stat().st_size
        if total + size <= settings.smtp_max_attachment_bytes:
            attached.append(path)
            total += size
        else:
            named.append(path.name)
    if named:
        body += (
            "\n\nTệp quá lớn để đính kèm, hãy tải về từ hệ thống / Too large to attach, "
            "download them from the system:\n" + "\n".join(f"  {n}" for n in named)
        )
    mail.set_content(body)
    for path in attached:
        kind = XLSX if path.suffix == ".xlsx" else mimetypes.guess_type(path.name)[0]
        maintype, subtype = (kind or "application/octet-stream").split("/", 1)
        mail.add_attachment(
            path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name
        )
    return mail


def send(settings: Settings, mail: EmailMessage) -> None:
    """Send over SMTP (``IOC_SMTP_*``); raises when no server is configured or it refuses."""
    if not settings.smtp_host:
        raise RuntimeError("e-mail is not configured (IOC_SMTP_HOST)")
    with smtplib.SMTP(
        settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout
    ) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
            smtp.login(settings.smtp_username, password)
        smtp.send_message(mail)


def _subject(schedule: ReportSchedule, period: str | None) -> str:
    kind = KINDS[schedule.kind]
    return f"[IOC-EDU] {schedule.name} — {kind.vi} / {kind.en} — {period or ''}".strip(" —")


def _body(schedule: ReportSchedule, outcome: Outcome, zone: str) -> str:
    kind = KINDS[schedule.kind]
    made = local_datetime(utcnow(), zone)
    lines = [
        f"Báo cáo định kỳ «{schedule.name}»: {kind.vi}, kỳ {outcome.period}, lập lúc {made}.",
        f"Scheduled report '{schedule.name}': {kind.en}, period {outcome.period}, made at {made}.",
        "",
        "Tệp đính kèm / Files:",
        *(f"  {p.name}" for p in outcome.files),
    ]
    if outcome.errors:
        lines += ["", "Lỗi / Errors:", *(f"  {e}" for e in outcome.errors)]
    return "\n".join(lines)
