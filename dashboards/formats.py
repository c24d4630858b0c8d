"""Numbers and dates as Vietnamese readers expect them (256.347; 87,5 %; 31/10/2025)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from ioc.domain.formats import local_datetime, vn_count, vn_number, vn_value

__all__ = [
    "cell_value",
    "change_text",
    "counts",
    "date_text",
    "datetime_text",
    "value_text",
    "vn_count",
    "vn_number",
    "vn_value",
]


def counts(row: Mapping[str, Any] | None) -> bool:
    """The row's indicator counts schools, people or classes (the API's ``is_count``)."""
    return bool(row and row.get("is_count"))


def value_text(value: float | None, unit: str | None = None, *, count: bool = False) -> str:
    """A value with its unit: '87,5 %', '31,0 HS/lớp'; a count of schools, people or
    classes (the catalog's ``is_count``) as a whole number: '827 GV', '481 trường'."""
    if value is None:
        return "—"
    if count:
        return f"{vn_count(value)} {unit}" if unit else vn_count(value)
    text = vn_number(value, 1) if unit == "%" else vn_value(value)
    if not unit:
        return text
    return f"{text} {unit}"


def change_text(
    change: float | None, unit: str | None = None, lang: str = "vi", *, count: bool = False
) -> str:
    """A change since last year; for percentages in percentage points; for counts a whole
    number ('+2', never '+2,0')."""
    if change is None:
        return "—"
    if count:
        change = float(round(change))
    sign = "+" if change > 0 else ("−" if change < 0 else "±")
    whole = count or abs(change) >= 100
    magnitude = vn_number(abs(change)) if whole else vn_number(abs(change), 1)
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


_NUMBER = r"-?\d+(?:\.\d+)?"
_COMPARED = re.compile(rf"({_NUMBER})( -> | > | < )({_NUMBER})")  # '9 -> 12', '453 > 416'
#: fields whose digits are codes or years, read as written (school codes, 2024-2025)
_AS_WRITTEN = ("school_year", "term")


def comma_list(text: str | None) -> list[str]:
    """The items of a comma-separated form field (unit codes, e-mail addresses), trimmed."""
    return [p.strip() for p in (text or "").split(",") if p.strip()]


def _number(text: str) -> float | int:
    number = float(text)
    return int(number) if number.is_integer() else number


def _in(lang: str, number: float | int) -> str:
    text = f"{number:,}" if isinstance(number, int) else f"{number:,.2f}".rstrip("0").rstrip(".")
    return text.translate(str.maketrans(",.", ".,")) if lang == "vi" else text


def number_text(value: float | None, lang: str) -> str:
    """A number in ``lang``'s format ('51,6', '1.268'; '51.6', '1,268'), up to 2 decimals."""
    if value is None:
        return "—"
    return _in(lang, _number(repr(float(value))))


def cell_value(value: Any, field: str | None, lang: str) -> float | int | str:
    """A finding's or reject's value for a grid (shown by ``value_col``): a number as a
    number (the grid formats it in the page's language and sorts it as one); a comparison
    of two numbers ('453 > 416') with both in ``lang``'s format; codes, years and any other
    text as written."""
    if value is None:
        return ""
    text = str(value).strip()
    if field and (field.endswith("_code") or field in _AS_WRITTEN):
        return text
    if re.fullmatch(_NUMBER, text):
        return _number(text)
    if found := _COMPARED.fullmatch(text):
        return f"{_in(lang, _number(found[1]))}{found[2]}{_in(lang, _number(found[3]))}"
    return text
