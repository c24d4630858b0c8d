"""Numbers and dates as Vietnamese readers expect them (256.347; 87,5 %; 31/10/2025)."""

from __future__ import annotations

from datetime import date, datetime

from ioc.formats import local_datetime, vn_count, vn_number, vn_value

__all__ = [
    "change_text",
    "date_text",
    "datetime_text",
    "value_text",
    "vn_count",
    "vn_number",
    "vn_value",
]


def value_text(value: float | None, unit: str | None = None) -> str:
    """A value with its unit: '87,5 %', '31,0 HS/lớp'."""
    if value is None:
        return "—"
    text = vn_number(value, 1) if unit == "%" else vn_value(value)
    if not unit:
        return text
    return f"{text} {unit}"


def change_text(change: float | None, unit: str | None = None, lang: str = "vi") -> str:
    """A change since last year; for percentages in percentage points."""
    if change is None:
        return "—"
    sign = "+" if change > 0 else ("−" if change < 0 else "±")
    magnitude = vn_number(abs(change), 1) if abs(change) < 100 else vn_number(abs(change))
    suffix = (" điểm %" if lang == "vi" else " pp") if unit == "%" else ""
    return f"{sign}{magnitude}{suffix}"


def date_text(value: date | datetime | str | None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.strftime("%d/%m/%Y")


def datetime_text(value: datetime | str | None, zone: str) -> str:
    """An instant as '17:15 09/03/2026' in the display time zone (the API's
    ``display_timezone``; never the dashboard server's own zone)."""
    return local_datetime(value, zone)
