"""Vietnamese number and time formats: 256.347 (thousands '.'), 87,5 (decimal ','), and
times in the display time zone (``IOC_DISPLAY_TIMEZONE``): '07:00 09/03/2026', 'Thứ Hai'."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

WEEKDAYS = {  # datetime.weekday(): Monday = 0
    "vi": ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


def vn_number(value: float | None, decimals: int = 0) -> str:
    if value is None:
        return "—"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def vn_value(value: float | None) -> str:
    """A measured value: whole numbers as such, others with up to 2 decimals."""
    if value is None:
        return "—"
    if float(value).is_integer():
        return vn_number(value)
    return vn_number(value, 2 if abs(value) < 10 else 1)


def vn_count(value: float | None) -> str:
    """A count of people, schools or classes: always a whole number (256.347)."""
    if value is None:
        return "—"
    return vn_number(round(value))


def zone_of(name: str | tzinfo) -> tzinfo:
    return ZoneInfo(name) if isinstance(name, str) else name


def as_local(moment: datetime | str, zone: str | tzinfo) -> datetime:
    """An instant (aware, or naive UTC as the store and the API write them) in ``zone``."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone_of(zone))


def local_datetime(
    moment: datetime | str | None, zone: str | tzinfo, fmt: str = "%H:%M %d/%m/%Y"
) -> str:
    """'17:15 09/03/2026' in the display zone (no zone named: it is the reader's own)."""
    if moment is None or moment == "":
        return "—"
    return as_local(moment, zone).strftime(fmt)


VIETNAM_ZONES = ("Asia/Ho_Chi_Minh", "Asia/Saigon")


def zone_label(zone: str) -> str:
    """The zone's name for a reader who may not be in it: 'giờ Việt Nam', or 'giờ UTC'."""
    return "giờ Việt Nam" if zone in VIETNAM_ZONES else f"giờ {zone}"


def weekday_name(moment: datetime, lang: str = "vi") -> str:
    return WEEKDAYS["en" if lang == "en" else "vi"][moment.weekday()]


def next_run_text(moment: datetime | str | None, zone: str | tzinfo, lang: str = "vi") -> str:
    """When a schedule runs next, in the reader's words: 'Thứ Hai 07:00, 09/03/2026'."""
    if moment is None or moment == "":
        return "—"
    local = as_local(moment, zone)
    return f"{weekday_name(local, lang)} {local:%H:%M}, {local:%d/%m/%Y}"
