"""Delivery of report files: a copy in a folder under the delivery root, and e-mail."""

from __future__ import annotations

import mimetypes
import shutil
import smtplib
from collections.abc import Sequence
from email.message import EmailMessage
from pathlib import Path

from ioc.config import Settings

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
