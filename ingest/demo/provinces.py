"""The three old provinces that formed Thành phố Cần Thơ on 1 July 2025, as the demo draws them.

Sóc Trăng (94) reproduces the Department's published 2021-2022 start-of-year totals exactly.
No published totals of old Cần Thơ (92) and Hậu Giang (93) are at hand, so theirs are Sóc
Trăng's scaled by population (2019 census: Cần Thơ 1,235,171, Hậu Giang 733,017, Sóc Trăng
1,199,653), and so are their schools per level (THCS: about one per commune, as everywhere).
"""

from __future__ import annotations

from dataclasses import dataclass

PROVINCE_2025 = "92"
SCHOOL_YEARS = tuple(f"{y}-{y + 1}" for y in range(2020, 2025))
PERIODS: tuple[tuple[str, str], ...] = (
    *((year, term) for year in SCHOOL_YEARS for term in ("DN", "CN")),
    ("2025-2026", "DN"),
)
LEGACY_PERIODS = PERIODS[:-1]
ANCHOR = ("2021-2022", "DN")
LEVELS = ("MN", "TH", "THCS", "THPT")
POPULATION_2019 = {"92": 1_235_171, "93": 733_017, "94": 1_199_653}
SOC_TRANG_PUBLISHED = {
    "classes": 8259,
    "students": 256347,
    "managers": 1073,
    "teachers": 14168,
    "employees": 1933,
}


@dataclass(frozen=True)
class Province:
    """What the demo needs to know of one old province."""

    code: str
    key: str  # ASCII, for folder names
    department: str  # the issuing body on its files before 1 July 2025
    published: dict[str, int]  # 2021-2022 DN headline totals
    schools: dict[str, int]  # 2021-2022 DN schools per level
    city: str  # the provincial seat's district (specialised, boarding, private THPT)
    minority: dict[str, float]  # share of ethnic-minority pupils by old district
    thpt: dict[str, int]  # regular public THPT per district
    special_thpt: tuple[str, str, str]  # names: specialised, boarding, private
    boarding_thcs: tuple[str, ...] = ()
    remote: tuple[str, ...] = ()
    private_mn: tuple[tuple[str, str], ...] = ()

    @property
    def districts(self) -> list[str]:
        return sorted(self.minority)


def _scaled(code: str) -> dict[str, int]:
    ratio = POPULATION_2019[code] / POPULATION_2019["94"]
    return {name: round(total * ratio) for name, total in SOC_TRANG_PUBLISHED.items()}


SOC_TRANG = Province(
    code="94",
    key="soc_trang",
    department="SỞ GIÁO DỤC VÀ ĐÀO TẠO TỈNH SÓC TRĂNG",
    published=SOC_TRANG_PUBLISHED,
    schools={"THPT": 40, "THCS": 109, "TH": 201, "MN": 131},
    city="941",
    minority={
        "941": 0.17,
        "942": 0.50,
        "943": 0.22,
        "944": 0.32,
        "945": 0.21,
        "946": 0.30,
        "947": 0.48,
        "948": 0.24,
        "949": 0.33,
        "950": 0.62,
        "951": 0.55,
    },
    thpt={
        "941": 3,
        "942": 3,
        "943": 4,
        "944": 3,
        "945": 3,
        "946": 4,
        "947": 4,
        "948": 3,
        "949": 3,
        "950": 4,
        "951": 3,
    },
    special_thpt=(
        "Trường THPT chuyên Nguyễn Thị Minh Khai",
        "Trường PT DTNT THPT tỉnh Sóc Trăng",
        "Trường THPT Tư thục Văn Lang",
    ),
    boarding_thcs=("942", "947", "950", "951"),
    remote=("945", "950", "951"),
    private_mn=(
        ("941", "Hoa Sen"),
        ("941", "Sao Mai"),
        ("941", "Ánh Dương"),
        ("941", "Họa Mi"),
        ("948", "Tuổi Thơ"),
        ("950", "Thiên Thần"),
    ),
)

CAN_THO = Province(
    code="92",
    key="can_tho",
    department="SỞ GIÁO DỤC VÀ ĐÀO TẠO THÀNH PHỐ CẦN THƠ",
    published=_scaled("92"),
    schools={"THPT": 41, "THCS": 104, "TH": 207, "MN": 135},
    city="916",
    minority={
        "916": 0.02,
        "917": 0.03,
        "918": 0.02,
        "919": 0.02,
        "923": 0.02,
        "924": 0.03,
        "925": 0.04,
        "926": 0.02,
        "927": 0.05,
    },
    thpt={
        "916": 6,
        "917": 4,
        "918": 4,
        "919": 4,
        "923": 4,
        "924": 4,
        "925": 4,
        "926": 4,
        "927": 4,
    },
    special_thpt=(
        "Trường THPT chuyên Lý Tự Trọng",
        "Trường PT DTNT THPT thành phố Cần Thơ",
        "Trường THPT Tư thục Thái Bình Dương",
    ),
    private_mn=(
        ("916", "Hoa Hồng"),
        ("916", "Ngôi Sao Nhỏ"),
        ("916", "Tuổi Hồng"),
        ("918", "Bé Ngoan"),
        ("919", "Mặt Trời"),
        ("923", "Thỏ Ngọc"),
    ),
)

HAU_GIANG = Province(
    code="93",
    key="hau_giang",
    department="SỞ GIÁO DỤC VÀ ĐÀO TẠO TỈNH HẬU GIANG",
    published=_scaled("93"),
    schools={"THPT": 24, "THCS": 73, "TH": 123, "MN": 80},
    city="930",
    minority={
        "930": 0.03,
        "931": 0.03,
        "932": 0.02,
        "933": 0.03,
        "934": 0.05,
        "935": 0.04,
        "936": 0.08,
        "937": 0.07,
    },
    thpt={"930": 3, "931": 2, "932": 3, "933": 3, "934": 4, "935": 2, "936": 2, "937": 2},
    special_thpt=(
        "Trường THPT chuyên Vị Thanh",
        "Trường PT DTNT THPT tỉnh Hậu Giang",
        "Trường THPT Tư thục Ngô Quyền",
    ),
    boarding_thcs=("936",),
    private_mn=(("930", "Hướng Dương"), ("931", "Ban Mai")),
)

PROVINCES: dict[str, Province] = {p.code: p for p in (CAN_THO, HAU_GIANG, SOC_TRANG)}
ALL = tuple(PROVINCES)  # ("92", "93", "94")
