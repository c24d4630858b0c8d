"""Readable labels for codes the API returns: school levels and other enums, and the
catalog's texts of rules, fields and messages of rejects and findings."""

from __future__ import annotations

from typing import Any

from dashboards.i18n import Lang, t


def enum_label(field: str, code: Any, language: Lang) -> str:
    """'MN' -> 'Mầm non' for field 'level' (also ownership, area, school_type)."""
    if code is None or code == "":
        return "—"
    try:
        return t(f"school.{field}_{code}", language)
    except KeyError:
        return str(code)


def level_label(level: str | None, language: Lang) -> str:
    return enum_label("level", level, language)


def catalog_text(row: dict[str, Any], name: str, language: Lang) -> str:
    """What the API's catalog says of a reject's or finding's ``name`` (rule, field,
    message) in ``language``: its ``<name>_label_<lang>`` (``message_<lang>``) column."""
    key = f"message_{language}" if name == "message" else f"{name}_label_{language}"
    text = row.get(key) or row.get(name)
    return "—" if text is None or text == "" else str(text)


def run_status(status: str | None, language: Lang) -> str:
    """An ingest run's status ('loaded', 'failed', 'rejected_strict') in words."""
    if not status:
        return "—"
    try:
        return t(f"ingest.status_{status}", language)
    except KeyError:
        return status
