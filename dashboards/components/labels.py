"""Readable labels for codes the API returns: school levels and other enums, and the
catalog's texts of rules, fields and messages of rejects and findings."""

from __future__ import annotations

from typing import Any

from dashboards.formats import vn_number, vn_value
from dashboards.i18n import Lang, t

#: fields of the return whose values are codes with labels
ENUM_KEYS = {"level", "ownership", "area", "school_type"}


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


def field_text(kind: str, name: str, value: Any, language: Lang) -> str:
    """A return's value as a Vietnamese reader expects it."""
    if value is None or value == "":
        return "—"
    if kind == "flag" or isinstance(value, bool):
        return t("school.yes" if value else "school.no", language)
    if kind == "enum" or name in ENUM_KEYS:
        return enum_label(name, value, language)
    if kind == "count":
        return vn_number(value)
    if kind == "decimal":
        return vn_value(value)
    return str(value)
