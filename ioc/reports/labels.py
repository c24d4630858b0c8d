"""Words shown in reports: Vietnamese first, English kept alongside."""

from __future__ import annotations

from typing import Final

#: norm_status / target_status values -> (vi, en)
STATUS: Final[dict[str, tuple[str, str]]] = {
    "meets": ("Đạt", "Meets"),
    "below": ("Thấp hơn", "Below"),
    "above": ("Cao hơn", "Above"),
    "no_norm": ("Không có định mức", "No norm"),
    "no_value": ("Chưa có số liệu", "No value"),
}
#: statuses shown red in the workbook (green for 'meets', grey for the others)
ALERT_STATUSES: Final = ("below", "above")

TERMS: Final[dict[str, tuple[str, str]]] = {
    "DN": ("Đầu năm", "Start of year"),
    "CN": ("Cuối năm", "End of year"),
}
SCHEMES: Final[dict[str, tuple[str, str]]] = {
    "legacy": ("Đơn vị hành chính trước 01/7/2025", "Units before 1 July 2025"),
    "2025": ("Đơn vị hành chính từ 01/7/2025", "Units since 1 July 2025"),
}
LEVELS: Final[dict[str, tuple[str, str]]] = {
    "country": ("Toàn quốc", "Country"),
    "province": ("Tỉnh/thành phố", "Province"),
    "district": ("Huyện cũ", "Old district"),
    "commune": ("Xã/phường", "Commune"),
}
DIRECTIONS: Final[dict[str, tuple[str, str]]] = {
    "up": ("Càng cao càng tốt", "Higher is better"),
    "down": ("Càng thấp càng tốt", "Lower is better"),
    "near": ("Càng sát định mức càng tốt", "Closer to the norm is better"),
    "info": ("Tham khảo", "For information"),
}
COMPARISONS: Final[dict[str, tuple[str, str]]] = {
    "max": ("tối đa", "at most"),
    "min": ("tối thiểu", "at least"),
    "near": ("xấp xỉ", "close to"),
}


def both(pair: tuple[str, str]) -> str:
    """'Vietnamese / English'."""
    return f"{pair[0]} / {pair[1]}"


def period_text(school_year: str, term: str) -> str:
    vi, en = TERMS.get(term, (term, term))
    return f"{school_year} {vi} / {en} ({school_year}/{term})"
