"""The deterministic demo province: Sóc Trăng (legacy province 94), 2020-2021 to 2025-2026.

Units are real (the 11 old districts 941..951 and their 108 communes, from :mod:`ioc.geo`);
schools and figures are synthetic, drawn with seeded :class:`random.Random` generators so the
same seed always gives the same returns. School year 2021-2022 DN reproduces the Department's
published totals exactly (481 schools, 8,259 classes, 256,347 pupils, 1,073 managers, 14,168
teachers, 1,933 employees). From 1 July 2025 Sóc Trăng is part of Cần Thơ (2025 code 92):
the 2025-2026 DN returns use the 2025 communes, found through the commune crosswalk.

The files written by :func:`write_demo_files` rotate through the shapes Departments receive
and carry planted data-quality problems (late, missing, implausible, rejected and corrected
returns); :func:`demo_plan` says which schools and periods.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from ioc import geo
from ioc.catalog import load_contract
from ioc.returns.shapes import write_csv, write_xlsx

if TYPE_CHECKING:
    from ingest.runner import FileReport
    from ioc.config import Settings

__all__ = [
    "DemoBatch",
    "DemoPlan",
    "build_demo",
    "demo_plan",
    "generate_returns",
    "write_demo_files",
]

LEGACY_PROVINCE = "94"
PROVINCE_2025 = "92"
SCHOOL_YEARS = tuple(f"{y}-{y + 1}" for y in range(2020, 2025))
PERIODS: tuple[tuple[str, str], ...] = (
    *((year, term) for year in SCHOOL_YEARS for term in ("DN", "CN")),
    ("2025-2026", "DN"),
)
ANCHOR = ("2021-2022", "DN")
PUBLISHED = {
    "classes": 8259,
    "students": 256347,
    "managers": 1073,
    "teachers": 14168,
    "employees": 1933,
}
PUBLISHED_SCHOOLS = {"THPT": 40, "THCS": 109, "TH": 201, "MN": 131}
LEVELS = ("MN", "TH", "THCS", "THPT")
SHEET_NAMES = {"MN": "Mầm non", "TH": "Tiểu học", "THCS": "THCS", "THPT": "THPT"}

# Share of ethnic-minority (mostly Khmer) pupils by old district.
MINORITY = {
    "941": 0.17, "942": 0.50, "943": 0.22, "944": 0.32, "945": 0.21, "946": 0.30,
    "947": 0.48, "948": 0.24, "949": 0.33, "950": 0.62, "951": 0.55,
}  # fmt: skip
# Regular public THPT per district (941 also has the specialised, boarding and private ones).
THPT_PER_DISTRICT = {
    "941": 3, "942": 3, "943": 4, "944": 3, "945": 3, "946": 4,
    "947": 4, "948": 3, "949": 3, "950": 4, "951": 3,
}  # fmt: skip
BOARDING_THCS_DISTRICTS = ("942", "947", "950", "951")
REMOTE_DISTRICTS = ("945", "950", "951")
PRIVATE_MN = (("941", "Hoa Sen"), ("941", "Sao Mai"), ("941", "Ánh Dương"), ("941", "Họa Mi"))
PRIVATE_MN += (("948", "Tuổi Thơ"), ("950", "Thiên Thần"))
NEW_SCHOOL_PERIOD = ("2023-2024", "DN")
CLOSED_AFTER = ("2022-2023", "CN")
# Per-school uniform draws that fix where a school sits in each distribution, year after year.
TRAIT_KEYS = (
    "female", "tf", "unq", "above", "rooms", "temp", "semi", "two", "comp", "subj", "toilet",
    "taps", "health", "econtact", "checked", "bmi", "growth", "digital", "sites", "disabled",
    "multi",
)  # fmt: skip


@dataclass(frozen=True)
class Profile:
    """What a school of one level looks like in the Mekong delta (values for 2021-2022)."""

    students: float  # mean pupils of a public school
    class_size: float
    teachers_per_class: float
    managers: tuple[float, float]  # base + pupils / divisor
    employees: tuple[float, float]
    trend: float  # enrolment change per year
    female: float
    teachers_female: float
    unqualified: float
    above_standard: float
    dropout: float
    disabled: float
    two_sessions: tuple[float, float]  # share of classes, 2020 and 2025
    rooms_per_class: tuple[float, float]
    temporary: float
    subject_rooms: tuple[int, int]
    computers: tuple[int, int]
    site_area: tuple[int, int]
    health: tuple[float, float, float]  # stunted, malnourished, overweight shares


PROFILES = {
    "MN": Profile(380, 24.6, 1.9, (1.45, 700), (1.2, 130), -0.015, 0.485, 0.99, 0.11, 0.45,
                  0.002, 0.003, (0.85, 0.97), (0.95, 1.1), 0.11, (0, 1), (1, 6), (1200, 4500),
                  (0.085, 0.055, 0.035)),
    "TH": Profile(540, 29.6, 1.45, (1.5, 900), (1.8, 500), -0.008, 0.48, 0.72, 0.10, 0.05,
                  0.001, 0.008, (0.45, 0.85), (0.85, 1.05), 0.08, (1, 4), (8, 30), (2500, 9000),
                  (0.06, 0.04, 0.09)),
    "THCS": Profile(590, 38.6, 1.85, (1.5, 1000), (2.3, 500), 0.012, 0.49, 0.63, 0.06, 0.06,
                    0.018, 0.004, (0.05, 0.2), (0.6, 0.9), 0.04, (4, 8), (20, 45), (4000, 12000),
                    (0.04, 0.025, 0.07)),
    "THPT": Profile(850, 40.6, 2.15, (2.2, 900), (3.8, 250), 0.02, 0.54, 0.56, 0.004, 0.16,
                    0.022, 0.001, (0.0, 0.1), (0.6, 0.85), 0.02, (8, 14), (35, 80), (7000, 20000),
                    (0.02, 0.015, 0.05)),
}  # fmt: skip

# Flag adoption: share of schools with the flag at year index t (0 = 2020-2021): a + b * t.
ADOPTION = {
    "national_standard": (0.38, 0.04),
    "internet": (0.86, 0.025),
    "library": (0.80, 0.02),
    "clean_water": (0.87, 0.02),
    "toilets_accessible": (0.18, 0.06),
    "medical_room": (0.78, 0.03),
    "management_software": (0.90, 0.02),
    "e_contact_book": (0.25, 0.13),
    "digital_records": (-0.35, 0.27),
    "cashless_payment": (0.08, 0.16),
    "smart_attendance": (0.02, 0.05),
    "lms": (0.12, 0.08),
}
# Secondary fields that a few returns leave blank (unknown).
BLANKABLE = (
    "site_area_m2", "students_disabled", "teachers_digital_trained", "taps", "computers_teaching",
    "smart_classrooms", "subject_rooms", "students_health_checked", "students_stunted",
    "students_overweight", "parents_e_contact", "satellite_sites", "toilets_standard",
)  # fmt: skip


@dataclass(frozen=True)
class School:
    code: str
    name: str
    level: str
    ownership: str
    district: str
    commune: str
    area: str
    school_type: str
    latitude: float | None
    longitude: float | None
    site_area: float
    traits: dict[str, float] = field(compare=False)


@dataclass(frozen=True)
class DemoBatch:
    """Files received together: one ingest call."""

    paths: list[Path]
    period: str | None  # "2021-2022/DN" when the files have no period columns
    received: date


@dataclass(frozen=True)
class DemoPlan:
    """Which schools and periods carry the planted data-quality problems."""

    opened: str  # school code, first return 2023-2024 DN
    closed: str  # last return 2022-2023 CN
    jump: str  # students x2.5 in 2024-2025 DN
    missing: dict[str, list[str]]  # period -> school codes with no return
    rejected: dict[str, str]  # school code -> rule broken, 2023-2024 DN (fixed by a correction)
    revised: list[str]  # valid but wrong in 2023-2024 DN, replaced by the correction file
    late: dict[str, tuple[str, date]]  # period -> (district, received date)
    ambiguous: list[str]  # split legacy commune, no coordinates: 2025 commune is the default
    unlocated: list[str] = field(default_factory=list)  # every school without coordinates


# ---------------------------------------------------------------------------------------------
# Units


@dataclass(frozen=True)
class _Geo:
    communes: list[dict[str, Any]]  # legacy communes of province 94
    districts: dict[str, str]  # code -> short name
    district_names: dict[str, str]  # code -> full name
    district_keys: dict[str, str]  # code -> ASCII key, for file names
    centroids_2025: dict[str, tuple[float, float]]
    crosswalk: dict[str, list[tuple[str, bool]]]  # legacy commune -> [(2025 commune, default)]


@functools.cache
def _geo() -> _Geo:
    units = geo.units()
    legacy = units.filter(pl.col("scheme") == "legacy", pl.col("province_code") == LEGACY_PROVINCE)
    communes = legacy.filter(pl.col("level") == "commune").sort("district_code", "code")
    districts = legacy.filter(pl.col("level") == "district")
    new = units.filter(pl.col("scheme") == "2025", pl.col("level") == "commune")
    walk = geo.commune_crosswalk().filter(pl.col("legacy_province_code") == LEGACY_PROVINCE)
    crosswalk: dict[str, list[tuple[str, bool]]] = {}
    for row in walk.sort("legacy_commune_code", "commune_code_2025").iter_rows(named=True):
        pair = (row["commune_code_2025"], row["is_default"])
        crosswalk.setdefault(row["legacy_commune_code"], []).append(pair)
    return _Geo(
        communes=communes.to_dicts(),
        districts=dict(districts.select("code", "short_name").iter_rows()),
        district_names=dict(districts.select("code", "name").iter_rows()),
        district_keys=dict(districts.select("code", "search_key").iter_rows()),
        centroids_2025={
            r[0]: (r[1], r[2]) for r in new.select("code", "latitude", "longitude").iter_rows()
        },
        crosswalk=crosswalk,
    )


def _place(commune: dict[str, Any]) -> str:
    short, kind = commune["short_name"], commune["unit_type"]
    if kind == "Thị trấn" or (kind == "Phường" and short[0].isdigit()):
        return f"{kind} {short}"
    return str(short)


def _area(rng: random.Random, commune: dict[str, Any]) -> str:
    if commune["unit_type"] in ("Phường", "Thị trấn"):
        return "urban"
    remote = commune["district_code"] in REMOTE_DISTRICTS and rng.random() < 0.4
    return "remote" if remote else "rural"


# ---------------------------------------------------------------------------------------------
# The school population


@dataclass
class _Slot:
    level: str
    commune: dict[str, Any]
    ownership: str = "cong_lap"
    school_type: str = "regular"
    name: str | None = None


def _weighted_pick(
    rng: random.Random, communes: list[dict[str, Any]], k: int
) -> list[dict[str, Any]]:
    """k communes, rural ones (xã) three times as likely as urban ones, with replacement."""
    weights = [3.0 if c["unit_type"] == "Xã" else 1.0 for c in communes]
    return rng.choices(communes, weights=weights, k=k)


def _slots_th_thcs_mn(rng: random.Random, communes: list[dict[str, Any]]) -> list[_Slot]:
    slots = [_Slot("TH", c) for c in communes]
    slots += [
        _Slot("TH", c)
        for c in _weighted_pick(rng, communes, PUBLISHED_SCHOOLS["TH"] - len(communes))
    ]
    city = [c for c in communes if c["district_code"] == "941"]
    skip_thcs = {c["code"] for c in rng.sample(city, 3)}
    slots += [_Slot("THCS", c) for c in communes if c["code"] not in skip_thcs]
    for district in BOARDING_THCS_DISTRICTS:
        seat = next(
            c for c in communes if c["district_code"] == district and c["unit_type"] != "Xã"
        )
        name = f"Trường PT DTNT THCS {_geo().districts[district]}"
        slots.append(_Slot("THCS", seat, school_type="boarding", name=name))
    slots += [_Slot("MN", c) for c in communes]
    for district, brand in PRIVATE_MN:
        seat = rng.choice(
            [c for c in communes if c["district_code"] == district and c["unit_type"] != "Xã"]
        )
        slots.append(_Slot("MN", seat, ownership="tu_thuc", name=f"Trường Mầm non Tư thục {brand}"))
    extra_mn = PUBLISHED_SCHOOLS["MN"] - len(communes) - len(PRIVATE_MN)
    slots += [_Slot("MN", c) for c in _weighted_pick(rng, communes, extra_mn)]
    return slots


def _slots_thpt(rng: random.Random, communes: list[dict[str, Any]]) -> list[_Slot]:
    city = [c for c in communes if c["district_code"] == "941"]
    slots = [
        _Slot("THPT", rng.choice(city), school_type="specialised",
              name="Trường THPT chuyên Nguyễn Thị Minh Khai"),
        _Slot("THPT", rng.choice(city), school_type="boarding",
              name="Trường PT DTNT THPT tỉnh Sóc Trăng"),
        _Slot("THPT", rng.choice(city), ownership="tu_thuc", name="Trường THPT Tư thục Văn Lang"),
    ]  # fmt: skip
    for district, count in THPT_PER_DISTRICT.items():
        local = [c for c in communes if c["district_code"] == district]
        towns = [c for c in local if c["unit_type"] != "Xã"]
        others = [c for c in local if c["unit_type"] == "Xã"]
        rng.shuffle(others)
        slots += [_Slot("THPT", c) for c in (towns + others)[:count]]
    return slots


_LEVEL_WORDS = {"MN": "Mầm non", "TH": "Tiểu học", "THCS": "THCS", "THPT": "THPT"}
_LEVEL_DIGIT = {"MN": "1", "TH": "2", "THCS": "3", "THPT": "4"}


def _name_slots(rng: random.Random, slots: list[_Slot]) -> None:
    """'Trường Tiểu học Đại Hải 1', '... 2' when a commune has several schools of a level."""
    groups: dict[tuple[str, str], list[_Slot]] = {}
    for slot in slots:
        if slot.name is None:
            groups.setdefault((slot.level, slot.commune["code"]), []).append(slot)
    for (level, _), members in groups.items():
        place = _place(members[0].commune)
        word = "Mẫu giáo" if level == "MN" and rng.random() < 0.3 else _LEVEL_WORDS[level]
        marks = "ABCDEF" if place[-1].isdigit() else "123456"
        for i, slot in enumerate(members):
            suffix = f" {marks[i]}" if len(members) > 1 else ""
            slot.name = f"Trường {word} {place}{suffix}"
    seen: dict[str, int] = {}
    for slot in slots:
        seen[slot.name or ""] = seen.get(slot.name or "", 0) + 1
    for slot in slots:
        if seen[slot.name or ""] > 1:
            slot.name = f"{slot.name} ({_geo().districts[slot.commune['district_code']]})"


def _coordinates(rng: random.Random, commune: dict[str, Any]) -> tuple[float, float]:
    """Near the commune centroid; six decimals, the last never 0 (no '9.602'-like text)."""

    def jitter(value: float) -> float:
        micro = round((value + rng.uniform(-0.02, 0.02)) * 1_000_000)
        return (micro + (1 if micro % 10 == 0 else 0)) / 1_000_000

    return jitter(commune["latitude"]), jitter(commune["longitude"])


def _traits(rng: random.Random, slot: _Slot) -> dict[str, float]:
    base = MINORITY[slot.commune["district_code"]]
    if slot.school_type == "boarding":
        minority = 0.95
    elif slot.ownership == "tu_thuc":
        minority = base * 0.3
    else:
        minority = min(0.95, base * rng.uniform(0.65, 1.35))
    traits = {"minority": minority, "size": rng.lognormvariate(0, 0.3)}
    for key in TRAIT_KEYS:
        traits[key] = rng.random()
    for flag in ADOPTION:
        traits[f"p_{flag}"] = rng.random()
    return traits


def _school(rng: random.Random, slot: _Slot, seq: int) -> School:
    district = slot.commune["district_code"]
    lat, lon = _coordinates(rng, slot.commune)
    low, high = PROFILES[slot.level].site_area
    area = "urban" if slot.ownership == "tu_thuc" else _area(rng, slot.commune)
    return School(
        code=f"{LEGACY_PROVINCE}{district[1:]}{_LEVEL_DIGIT[slot.level]}{seq:03d}",
        name=slot.name or "",
        level=slot.level,
        ownership=slot.ownership,
        district=district,
        commune=slot.commune["code"],
        area=area,
        school_type=slot.school_type,
        latitude=lat,
        longitude=lon,
        site_area=float(round(rng.uniform(low, high) / 10) * 10 + rng.choice((0, 0, 0, 5))),
        traits=_traits(rng, slot),
    )


@functools.cache
def _population(seed: int) -> tuple[list[School], DemoPlan]:
    rng = random.Random(f"ioc-demo-schools:{seed}")
    communes = _geo().communes
    slots = _slots_th_thcs_mn(rng, communes) + _slots_thpt(rng, communes)
    city = [c for c in communes if c["district_code"] == "941"]
    new = _Slot("MN", rng.choice(city), ownership="tu_thuc", name="Trường Mầm non Tư thục Hoa Mai")
    slots.append(new)
    _name_slots(rng, slots)
    counters: dict[tuple[str, str], int] = {}
    schools = []
    for slot in slots:
        key = (slot.commune["district_code"], slot.level)
        counters[key] = counters.get(key, 0) + 1
        schools.append(_school(rng, slot, counters[key]))
    schools.sort(key=lambda s: s.code)
    plan = _plan(rng, schools, opened=next(s.code for s in schools if s.name == new.name))
    located = [s if s.code not in plan.unlocated else _unlocate(s) for s in schools]
    return located, plan


def _unlocate(school: School) -> School:
    return School(**{**school.__dict__, "latitude": None, "longitude": None})


def _plan(rng: random.Random, schools: list[School], opened: str) -> DemoPlan:
    """Pick the schools that carry the planted problems (all distinct, all ordinary)."""
    ordinary = [
        s for s in schools
        if s.ownership == "cong_lap" and s.school_type == "regular" and s.code != opened
    ]  # fmt: skip
    split = [s for s in ordinary if len(_geo().crosswalk[s.commune]) > 1]
    ambiguous = sorted(s.code for s in rng.sample(split, 3))
    th_communes: dict[str, int] = {}
    for s in schools:
        if s.level == "TH":
            th_communes[s.commune] = th_communes.get(s.commune, 0) + 1
    closable = [
        s for s in ordinary
        if s.level == "TH" and s.district in ("944", "949") and th_communes[s.commune] > 1
    ]  # fmt: skip
    closed = rng.choice(closable).code
    pool = [s.code for s in ordinary if s.code not in (*ambiguous, closed)]
    jump = rng.choice([s.code for s in ordinary if s.level == "TH" and s.code in pool])
    picks = rng.sample([code for code in pool if code != jump], 10)
    others = [s.code for s in schools if s.code not in (*ambiguous, *picks, jump, closed, opened)]
    unlocated = sorted([*ambiguous, *rng.sample(others, 8)])
    return DemoPlan(
        opened=opened,
        closed=closed,
        jump=jump,
        missing={
            "2022-2023/CN": sorted(picks[0:3]),
            "2024-2025/DN": sorted(picks[3:5]),
            "2024-2025/CN": [picks[3]],
        },
        rejected={
            picks[5]: "negative_count",
            picks[6]: "students_female_le_students",
            picks[7]: "students_require_classes",
        },
        revised=sorted(picks[8:10]),
        late={
            "2022-2023/DN": ("945", date(2022, 11, 21)),
            "2023-2024/CN": ("949", date(2024, 7, 19)),
        },
        ambiguous=ambiguous,
        unlocated=unlocated,
    )


# ---------------------------------------------------------------------------------------------
# Headline figures: the anchor period exact, the others drifting from it


def _scale_exact(raw: list[float], total: int) -> list[int]:
    """Integers proportional to ``raw`` summing exactly to ``total`` (largest remainder)."""
    factor = total / sum(raw)
    exact = [r * factor for r in raw]
    values = [math.floor(x) for x in exact]
    order = sorted(range(len(raw)), key=lambda i: (values[i] - exact[i], i))
    for i in order[: total - sum(values)]:
        values[i] += 1
    return values


def _raw_students(school: School) -> float:
    profile = PROFILES[school.level]
    size = school.traits["size"]
    if school.ownership == "tu_thuc":
        size *= 0.35
    elif school.school_type == "boarding":
        size *= 0.55 if school.level == "THCS" else 0.65
    elif school.area == "urban":
        size *= 1.25
    return max(60.0, profile.students * size)


@functools.cache
def _anchor(seed: int) -> dict[str, dict[str, int]]:
    """2021-2022 DN headline figures per school, summing exactly to the published totals."""
    schools = [s for s in _population(seed)[0] if s.code != _population(seed)[1].opened]
    rng = random.Random(f"ioc-demo-anchor:{seed}")
    students = _scale_exact([_raw_students(s) for s in schools], PUBLISHED["students"])
    sizes = [PROFILES[s.level].class_size * rng.uniform(0.88, 1.1) for s in schools]
    if_private = [0.75 if s.ownership == "tu_thuc" else 1.0 for s in schools]
    classes = _scale_exact(
        [max(2.6, n / z / p) for n, z, p in zip(students, sizes, if_private, strict=True)],
        PUBLISHED["classes"],
    )
    teachers = _scale_exact(
        [
            c * PROFILES[s.level].teachers_per_class * rng.uniform(0.9, 1.1)
            for s, c in zip(schools, classes, strict=True)
        ],
        PUBLISHED["teachers"],
    )
    managers = _scale_exact(
        [_staff_raw(s, n, "managers") for s, n in zip(schools, students, strict=True)],
        PUBLISHED["managers"],
    )
    employees = _scale_exact(
        [_staff_raw(s, n, "employees") for s, n in zip(schools, students, strict=True)],
        PUBLISHED["employees"],
    )
    columns = zip(students, classes, teachers, managers, employees, strict=True)
    return {
        s.code: dict(
            zip(("students", "classes", "teachers", "managers", "employees"), values, strict=True)
        )
        for s, values in zip(schools, columns, strict=True)
    }


def _staff_raw(school: School, students: int, kind: str) -> float:
    base, divisor = getattr(PROFILES[school.level], kind)
    extra = 4.0 if kind == "employees" and school.school_type == "boarding" else 0.0
    return max(1.0, base + students / divisor + extra)


def _year_index(year: str) -> int:
    return int(year[:4]) - 2020


def _headline(seed: int, school: School, year: str, term: str) -> dict[str, int]:
    """Headline figures of one return: the anchor, or drifted from it by year and term."""
    anchor = _anchor(seed).get(school.code) or _new_school_anchor(school)
    rng = random.Random(f"ioc-demo-head:{seed}:{school.code}:{year}")
    profile = PROFILES[school.level]
    years = _year_index(year) - _year_index(ANCHOR[0])
    drift = 1.0 if years == 0 else (1 + profile.trend) ** years * math.exp(rng.gauss(0, 0.025))
    students = max(1, round(anchor["students"] * drift))
    classes = max(1, round(anchor["classes"] * students / anchor["students"]))
    teachers = max(
        1,
        round(
            anchor["teachers"] * classes / anchor["classes"] + (rng.gauss(0, 0.7) if years else 0)
        ),
    )
    staff = {
        k: max(1, anchor[k] + (rng.choice((-1, 0, 0, 0, 0, 1)) if years else 0))
        for k in ("managers", "employees")
    }
    head = {"classes": classes, "teachers": teachers, **staff}
    if term == "CN":
        dropouts = _dropouts(seed, school, year, students)
        moved = round(students * rng.uniform(-0.004, 0.008))
        return head | {"students": max(1, students - dropouts - moved), "dropouts": dropouts}
    return head | {"students": students}


def _new_school_anchor(school: School) -> dict[str, int]:
    """Where the school that opens in 2023-2024 (a small private kindergarten) drifts from."""
    students = round(95 * school.traits["size"])
    return {"students": students, "classes": 5, "teachers": 9, "managers": 2, "employees": 3}


def _dropouts(seed: int, school: School, year: str, students: int) -> int:
    rng = random.Random(f"ioc-demo-drop:{seed}:{school.code}:{year}")
    covid = 1.4 if year in ("2020-2021", "2021-2022") else 1.0
    return min(
        students, round(students * PROFILES[school.level].dropout * covid * rng.uniform(0.3, 1.7))
    )


# ---------------------------------------------------------------------------------------------
# Every other field of a return


def _share(total: int, fraction: float) -> int:
    return max(0, min(total, round(total * fraction)))


def _interp(pair: tuple[float, float], t: float, span: float = 5.0) -> float:
    return pair[0] + (pair[1] - pair[0]) * min(1.0, t / span)


def _network(school: School, head: dict[str, int], t: float) -> dict[str, Any]:
    p, tr = PROFILES[school.level], school.traits
    students, classes = head["students"], head["classes"]
    rural = school.area != "urban"
    multigrade = 0
    if school.level in ("MN", "TH") and rural:
        multigrade = min(classes, int(tr["multi"] * (3.5 if school.area == "remote" else 1.8)))
    return {
        "satellite_sites": int(tr["sites"] * (4 if school.area == "remote" else 3))
        if rural and school.level in ("MN", "TH")
        else 0,
        "classes_two_sessions": _share(
            classes, _interp(p.two_sessions, t) * (0.8 + 0.4 * tr["two"])
        ),
        "students_female": _share(students, p.female + (tr["female"] - 0.5) * 0.06),
        "students_ethnic_minority": _share(students, tr["minority"]),
        "students_disabled": _share(students, p.disabled * (0.5 + tr["disabled"])),
        "classes_multigrade": multigrade,
        "students_dropout": min(students, head["dropouts"]) if "dropouts" in head else None,
    }


def _staff(school: School, head: dict[str, int], t: float) -> dict[str, Any]:
    p, tr = PROFILES[school.level], school.traits
    teachers, managers = head["teachers"], head["managers"]
    unqualified = max(0.0, p.unqualified * (1.4 - 0.2 * t) * (0.5 + tr["unq"]))
    qualified = _share(teachers, 1 - unqualified)
    return {
        "teachers_qualified": qualified,
        "teachers_above_standard": _share(
            qualified, p.above_standard * (0.7 + 0.6 * tr["above"]) * (1 + 0.05 * t)
        ),
        "managers_qualified": managers - (1 if tr["unq"] > 0.93 and managers > 1 else 0),
        "teachers_female": _share(teachers, min(1.0, p.teachers_female + (tr["tf"] - 0.5) * 0.1)),
        "teachers_digital_trained": _share(
            teachers, min(1.0, (0.1 + 0.17 * t) * (0.7 + 0.5 * tr["digital"]))
        ),
    }


def _facilities(school: School, head: dict[str, int], t: float) -> dict[str, Any]:
    p, tr = PROFILES[school.level], school.traits
    classes = head["classes"]
    low, high = p.rooms_per_class
    rooms = max(1, round(classes * (low + (high - low) * tr["rooms"])))
    remote = 1.5 if school.area == "remote" else 1.0
    temporary = _share(rooms, p.temporary * 2 * tr["temp"] * remote * (1 - 0.1 * t))
    semi = _share(rooms - temporary, 0.15 + 0.2 * tr["semi"] - 0.02 * t)
    subj_low, subj_high = p.subject_rooms
    comp_low, comp_high = p.computers
    return {
        "classrooms": rooms,
        "classrooms_solid": rooms - temporary - semi,
        "classrooms_semi_solid": semi,
        "classrooms_temporary": temporary,
        "subject_rooms": round(subj_low + (subj_high - subj_low) * tr["subj"]),
        "computers_teaching": round(
            (comp_low + (comp_high - comp_low) * tr["comp"]) * (1 + 0.06 * t)
        ),
        "smart_classrooms": _share(rooms, min(0.8, (0.03 + 0.08 * t) * (0.5 + tr["digital"]))),
        "site_area_m2": school.site_area,
    }


def _wash_health(school: School, head: dict[str, int], t: float) -> dict[str, Any]:
    p, tr = PROFILES[school.level], school.traits
    students, classes = head["students"], head["classes"]
    toilets = max(2, classes // 4 + 1 + int(tr["toilet"] * 3))
    covid = 0.7 if t < 2 else 1.0
    checked = _share(students, (0.88 + 0.11 * tr["checked"]) * covid)
    measured = _share(students, 0.85 + 0.14 * tr["bmi"])
    stunted, malnourished, overweight = p.health
    growth = 0.6 + 0.8 * tr["growth"]
    return {
        "toilets": toilets,
        "toilets_standard": _share(toilets, min(1.0, 0.55 + 0.07 * t + 0.2 * tr["toilet"])),
        "taps": max(2, round(students / (30 + 20 * tr["taps"]))),
        "health_staff": 1 if tr["health"] > (0.5 if school.level in ("MN", "TH") else 0.1) else 0,
        "students_health_checked": checked,
        "students_bmi_measured": measured,
        "students_stunted": _share(measured, stunted * growth * (1 - 0.04 * t)),
        "students_malnourished": _share(measured, malnourished * growth * (1 - 0.05 * t)),
        "students_overweight": _share(measured, overweight * (2 - growth) * (1 + 0.04 * t)),
    }


def _digital(school: School, head: dict[str, int], t: float) -> dict[str, Any]:
    tr = school.traits
    flags = {name: tr[f"p_{name}"] < a + b * t for name, (a, b) in ADOPTION.items()}
    if school.level == "MN":
        flags["digital_records"] = False  # học bạ số is for general education
    econtact = head["students"] * (0.4 + 0.5 * tr["econtact"])
    flags["parents_e_contact"] = round(econtact) if flags["e_contact_book"] else 0
    return flags


def _identity(school: School, year: str, term: str) -> dict[str, Any]:
    row = {
        "school_code": school.code,
        "school_name": school.name,
        "level": school.level,
        "ownership": school.ownership,
        "province_code": LEGACY_PROVINCE,
        "district_code": school.district,
        "commune_code": school.commune,
        "area": school.area,
        "latitude": school.latitude,
        "longitude": school.longitude,
        "school_year": year,
        "term": term,
        "school_type": school.school_type,
    }
    if geo.scheme_for_period(year, term) == "2025":
        row |= {
            "province_code": PROVINCE_2025,
            "district_code": None,
            "commune_code": _commune_2025(school),
        }
    return row


def _commune_2025(school: School) -> str:
    """The 2025 commune: the only one, or for a split commune the nearest by the school's point."""
    options = _geo().crosswalk[school.commune]
    if len(options) == 1:
        return options[0][0]
    if school.latitude is None or school.longitude is None:
        return next(code for code, default in options if default)
    lat, lon = school.latitude, school.longitude

    def distance(code: str) -> float:
        clat, clon = _geo().centroids_2025[code]
        return (clat - lat) ** 2 + ((clon - lon) * math.cos(math.radians(lat))) ** 2

    return min((code for code, _ in options), key=distance)


def _blank_some(row: dict[str, Any], seed: int) -> None:
    """A few returns leave some secondary fields blank (unknown)."""
    rng = random.Random(
        f"ioc-demo-blank:{seed}:{row['school_code']}:{row['school_year']}:{row['term']}"
    )
    if rng.random() < 0.03:
        for name in rng.sample(BLANKABLE, rng.randint(1, 4)):
            row[name] = None


def _return_row(seed: int, school: School, year: str, term: str) -> dict[str, Any]:
    head = _headline(seed, school, year, term)
    t = _year_index(year) + (0.5 if term == "CN" else 0.0)
    row = _identity(school, year, term)
    row |= {"classes": head["classes"], "students": head["students"]}
    row |= {k: head[k] for k in ("managers", "teachers", "employees")}
    row |= _network(school, head, t)
    row |= _staff(school, head, t) | _facilities(school, head, t) | _wash_health(school, head, t)
    row |= _digital(school, head, t)
    _blank_some(row, seed)
    return row


def _reports_in(school: School, plan: DemoPlan, year: str, term: str) -> bool:
    index = PERIODS.index((year, term))
    if school.code == plan.opened and index < PERIODS.index(NEW_SCHOOL_PERIOD):
        return False
    if school.code == plan.closed and index > PERIODS.index(CLOSED_AFTER):
        return False
    return school.code not in plan.missing.get(f"{year}/{term}", [])


def _schema() -> dict[str, pl.DataType]:
    types = {"count": pl.Int64(), "decimal": pl.Float64(), "flag": pl.Boolean()}
    return {f.name: types.get(f.type, pl.String()) for f in load_contract().fields}


@functools.cache
def _generate(seed: int) -> pl.DataFrame:
    schools, plan = _population(seed)
    rows = []
    for year, term in PERIODS:
        for school in schools:
            if not _reports_in(school, plan, year, term):
                continue
            row = _return_row(seed, school, year, term)
            if school.code == plan.jump and (year, term) == ("2024-2025", "DN"):
                row["students"] = round(row["students"] * 2.5)
            rows.append(row)
    return pl.DataFrame(rows, schema=_schema())


def generate_returns(seed: int = 94) -> pl.DataFrame:
    """Every return the demo store should hold after :func:`build_demo` (after corrections).

    One row per school and period, contract columns (with ``school_year`` and ``term``), typed:
    Int64 counts, Float64 decimals, Boolean flags, None for unknown. Missing returns are
    absent; the implausible jump is present (it is a warning, not a reject).
    """
    return _generate(seed).clone()


def demo_plan(seed: int = 94) -> DemoPlan:
    """The planted data-quality problems of the demo for this seed."""
    return _population(seed)[1]


# ---------------------------------------------------------------------------------------------
# Files in the shapes Departments receive

DEPARTMENT = "SỞ GIÁO DỤC VÀ ĐÀO TẠO TỈNH SÓC TRĂNG"
DEPARTMENT_2025 = "SỞ GIÁO DỤC VÀ ĐÀO TẠO THÀNH PHỐ CẦN THƠ"
PERIOD_COLUMNS = ("school_year", "term")
LEVEL_ORDER = {level: i for i, level in enumerate(LEVELS)}
Writer = Callable[["_Context", str, str], list[DemoBatch]]


@dataclass(frozen=True)
class _Context:
    out_dir: Path
    returns: pl.DataFrame
    plan: DemoPlan

    def frame(self, year: str, term: str, *, with_period: bool) -> pl.DataFrame:
        """The period's returns in file order (district, level, code)."""
        frame = self.returns.filter(pl.col("school_year") == year, pl.col("term") == term)
        order = pl.col("level").replace_strict(LEVEL_ORDER, return_dtype=pl.Int32)
        frame = frame.sort(pl.col("school_code").str.slice(2, 2), order, "school_code")
        return frame if with_period else frame.drop(PERIOD_COLUMNS)

    def path(self, name: str) -> Path:
        return self.out_dir / name


def _title(year: str, term: str, suffix: str = "") -> str:
    when = "ĐẦU" if term == "DN" else "CUỐI"
    return f"BÁO CÁO THỐNG KÊ {when} NĂM HỌC {year}{suffix}"


def _period(year: str, term: str) -> str:
    return f"{year}/{term}"


def _received(year: str, term: str, days_before_due: int) -> date:
    """DN is due 31 October of the first year, CN 30 June of the second."""
    first = int(year[:4])
    due = date(first, 10, 31) if term == "DN" else date(first + 1, 6, 30)
    return date.fromordinal(due.toordinal() - days_before_due)


def _by_level(frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
    return {
        SHEET_NAMES[level]: part
        for level in LEVELS
        if not (part := frame.filter(pl.col("level") == level)).is_empty()
    }


def _by_district(frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
    return {code: frame.filter(pl.col("district_code") == code) for code in sorted(MINORITY)}


def _district_file(year: str, term: str, district: str, ext: str) -> str:
    key = _geo().district_keys[district].replace(" ", "_")
    return f"{year}_{term}_{district}_{key}.{ext}"


def _csv_batch(ctx: _Context, year: str, term: str, received: date, **options: Any) -> DemoBatch:
    """One province-wide CSV with the period columns."""
    frame = ctx.frame(year, term, with_period=True)
    path = write_csv(frame, ctx.path(f"{year}_{term}_toan_tinh.csv"), **options)
    return DemoBatch([path], None, received)


def _xlsx_levels(ctx: _Context, year: str, term: str, frame: pl.DataFrame, **options: Any) -> Path:
    department = DEPARTMENT_2025 if year >= "2025" else DEPARTMENT
    titles = (department, _title(year, term))
    return write_xlsx(
        _by_level(frame), ctx.path(f"{year}_{term}_theo_cap_hoc.xlsx"), title_rows=titles, **options
    )


def _shape_csv_bom(ctx: _Context, year: str, term: str) -> list[DemoBatch]:
    return [_csv_batch(ctx, year, term, _received(year, term, 5), flags="co_khong")]


def _shape_xlsx_export(ctx: _Context, year: str, term: str) -> list[DemoBatch]:
    """The sector database export: one sheet per level, every decoration, text numbers."""
    frame = ctx.frame(year, term, with_period=False)
    path = _xlsx_levels(ctx, year, term, frame, numbers_as_text=".", flags="co_khong")
    return [DemoBatch([path], _period(year, term), _received(year, term, 2))]


def _shape_csv_utf16(ctx: _Context, year: str, term: str) -> list[DemoBatch]:
    options = {"encoding": "utf-16", "delimiter": "\t", "flags": "01"}
    return [_csv_batch(ctx, year, term, _received(year, term, 1), **options)]


def _shape_csv_canonical(ctx: _Context, year: str, term: str) -> list[DemoBatch]:
    options = {"encoding": "utf-8", "headers": "canonical", "thousands": ",", "flags": "01"}
    return [_csv_batch(ctx, year, term, _received(year, term, 0), **options)]


def _shape_csv_semicolon(ctx: _Context, year: str, term: str) -> list[DemoBatch]:
    options = {"delimiter": ";", "thousands": ".", "flags": "co_khong"}
    return [_csv_batch(ctx, year, term, _received(year, term, 1), **options)]


def _late_split(
    ctx: _Context, year: str, term: str, paths: dict[str, Path], on_time: date
) -> list[DemoBatch]:
    """Per-district files; a late district's file comes in its own, later batch."""
    late = ctx.plan.late.get(_period(year, term))
    period = _period(year, term)
    batches = [
        DemoBatch([p for d, p in paths.items() if not late or d != late[0]], period, on_time)
    ]
    if late:
        batches.append(DemoBatch([paths[late[0]]], period, late[1]))
    return batches


def _shape_district_csv(ctx: _Context, year: str, term: str) -> list[DemoBatch]:
    """District offices' CSV (semicolons, '.' thousands), no period columns."""
    frame = ctx.frame(year, term, with_period=False)
    paths = {
        district: write_csv(
            part, ctx.path(_district_file(year, term, district, "csv")),
            delimiter=";", thousands=".", flags="co_khong",
        )
        for district, part in _by_district(frame).items()
    }  # fmt: skip
    return _late_split(ctx, year, term, paths, _received(year, term, 3))


def _shape_district_xlsx(ctx: _Context, year: str, term: str) -> list[DemoBatch]:
    """District workbooks: title rows, one header row, unit and total rows, ',' thousands."""
    frame = ctx.frame(year, term, with_period=False)
    paths = {}
    for district, part in _by_district(frame).items():
        titles = (DEPARTMENT, _title(year, term, f" - {_geo().district_names[district].upper()}"))
        paths[district] = write_xlsx(
            {"Báo cáo": part}, ctx.path(_district_file(year, term, district, "xlsx")),
            title_rows=titles, group_header=False, numbers_as_text=",", flags="01",
        )  # fmt: skip
    return _late_split(ctx, year, term, paths, _received(year, term, 3))


def _replace(code: str, name: str, value: pl.Expr) -> pl.Expr:
    return pl.when(pl.col("school_code") == code).then(value).otherwise(pl.col(name)).alias(name)


def _plant_problems(frame: pl.DataFrame, plan: DemoPlan) -> pl.DataFrame:
    """Rows the ingest rejects, and valid-but-wrong figures a correction file replaces."""
    rule = {name: school for school, name in plan.rejected.items()}
    first, second = plan.revised
    return frame.with_columns(
        _replace(rule["negative_count"], "classrooms_temporary", pl.lit(-2)),
        _replace(rule["students_female_le_students"], "students_female", pl.col("students") + 37),
        *(
            _replace(rule["students_require_classes"], name, pl.lit(0, dtype=pl.Int64))
            for name in ("classes", "classes_two_sessions", "classes_multigrade")
        ),
        _replace(first, "students", pl.col("students") + 90),
        _replace(second, "teachers", pl.col("teachers") + 10),
    )


def _shape_xlsx_with_rejects(ctx: _Context, year: str, term: str) -> list[DemoBatch]:
    """Mixed headers wrapped over lines, plain numbers, planted bad rows; then a correction."""
    frame = ctx.frame(year, term, with_period=True)
    bad = _plant_problems(frame, ctx.plan)
    path = _xlsx_levels(ctx, year, term, bad, headers="mixed", header_line_breaks=True, flags="01")
    fixed = frame.filter(pl.col("school_code").is_in([*ctx.plan.rejected, *ctx.plan.revised]))
    correction = write_csv(
        fixed, ctx.path(f"{year}_{term}_bo_sung_dieu_chinh.csv"), flags="co_khong"
    )
    return [
        DemoBatch([path], None, _received(year, term, 1)),
        DemoBatch([correction], None, _received(year, term, -24)),
    ]


def _shape_xlsx_single(ctx: _Context, year: str, term: str) -> list[DemoBatch]:
    """One sheet for the province, group headers, no spacer rows, plain numbers."""
    frame = ctx.frame(year, term, with_period=False)
    path = write_xlsx(
        {"Tổng hợp": frame}, ctx.path(f"{year}_{term}_tong_hop.xlsx"),
        title_rows=(DEPARTMENT, _title(year, term)), spacer_rows=False, flags="co_khong",
    )  # fmt: skip
    return [DemoBatch([path], _period(year, term), _received(year, term, 3))]


def _shape_csv_utf16_2025(ctx: _Context, year: str, term: str) -> list[DemoBatch]:
    options = {"encoding": "utf-16", "delimiter": "\t", "flags": "co_khong"}
    return [_csv_batch(ctx, year, term, _received(year, term, 1), **options)]


SHAPES: dict[tuple[str, str], Writer] = {
    ("2020-2021", "DN"): _shape_csv_bom,
    ("2020-2021", "CN"): _shape_xlsx_export,
    ("2021-2022", "DN"): _shape_xlsx_export,
    ("2021-2022", "CN"): _shape_csv_utf16,
    ("2022-2023", "DN"): _shape_district_csv,
    ("2022-2023", "CN"): _shape_csv_canonical,
    ("2023-2024", "DN"): _shape_xlsx_with_rejects,
    ("2023-2024", "CN"): _shape_district_xlsx,
    ("2024-2025", "DN"): _shape_csv_semicolon,
    ("2024-2025", "CN"): _shape_xlsx_single,
    ("2025-2026", "DN"): _shape_csv_utf16_2025,
}


def write_demo_files(out_dir: Path, seed: int = 94) -> list[DemoBatch]:
    """Write every period's files under ``out_dir``; batches in the order they were received."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ctx = _Context(out_dir, _generate(seed), demo_plan(seed))
    batches = [batch for (year, term), shape in SHAPES.items() for batch in shape(ctx, year, term)]
    return sorted(batches, key=lambda b: b.received)


def build_demo(settings: Settings, seed: int = 94) -> list[FileReport]:
    """Write the demo files under ``settings.data_dir / 'demo'`` and ingest them, batch by
    batch in the order received, in one writer session (one snapshot published)."""
    from ingest.runner import Batch, ingest_batches  # the runner imports the whole store

    batches = write_demo_files(settings.data_dir / "demo", seed)
    return ingest_batches(
        [Batch(b.paths, b.period, b.received) for b in batches], settings=settings
    )
