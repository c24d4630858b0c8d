"""Words shown in reports: Vietnamese first, English kept alongside."""

from __future__ import annotations

from datetime import date
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


# The heading and sign-off of a printed report (Nghị định 30/2020/NĐ-CP, Phụ lục I).
MOTTO: Final = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_SUBTITLE: Final = "Độc lập - Tự do - Hạnh phúc"
REPORT_TITLE: Final = ("BÁO CÁO THỐNG KÊ GIÁO DỤC", "Education statistics report")
DEFAULT_ISSUER: Final = "SỞ GIÁO DỤC VÀ ĐÀO TẠO"
NATIONAL_ISSUER: Final = "BỘ GIÁO DỤC VÀ ĐÀO TẠO"
NATIONAL_PLACE: Final = "Hà Nội"
ISSUER_PARENT_PREFIX: Final = "UBND"
#: (title, how to sign): the preparer on the left, the head of the body on the right
SIGNATURES: Final = (
    ("Người lập biểu", "(Ký, ghi rõ họ tên)"),
    ("Thủ trưởng đơn vị", "(Ký tên, đóng dấu)"),
)
#: page numbers in headers and footers: 'Trang 3/12'
PAGE: Final = "Trang"
#: the parts of the PDF report (section headings)
PDF_SECTIONS: Final[dict[str, tuple[str, str]]] = {
    "indicators": ("Chỉ tiêu của đơn vị", "The unit's indicators"),
    "progress": ("Tiến độ báo cáo theo đơn vị trực thuộc", "Reporting progress by child unit"),
    "children": ("Chỉ tiêu chính của các đơn vị trực thuộc", "Key indicators of child units"),
    "definitions": ("Định nghĩa chỉ tiêu", "Indicator definitions"),
}
PDF_NO_SCHOOL_LIST: Final = (
    "Danh sách trường với mọi chỉ tiêu có trong bản Excel của báo cáo này.",
    "The list of schools with every indicator is in this report's Excel workbook.",
)
PDF_NO_CHILDREN: Final = ("Đơn vị không có đơn vị trực thuộc.", "The unit has no child units.")


def place_date(place: str, day: date) -> str:
    """'Cần Thơ, ngày 04 tháng 02 năm 2026': days below 10 and months 1 and 2 take a leading
    zero (Nghị định 30/2020/NĐ-CP, Phụ lục I)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"
