"""The demo's figures: every field of every return, drawn per school from seeded generators.

School year 2021-2022 DN is the anchor: each old province's headline totals are reproduced
exactly (Sóc Trăng's are the published ones); the other periods drift from it by year and term.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl

from ingest.demo.population import ADOPTION, DemoPlan, School, geo_of, population
from ingest.demo.provinces import (
    ALL,
    ANCHOR,
    PERIODS,
    PROVINCE_2025,
    PROVINCES,
)
from ioc.catalog import load_contract
from ioc.geo import admin as geo

NEW_SCHOOL_PERIOD = ("2023-2024", "DN")
CLOSED_AFTER = ("2022-2023", "CN")


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
    health: tuple[float, float, float]  # stunted, malnourished, overweight shares


PROFILES = {
    "MN": Profile(380, 24.6, 1.9, (1.45, 700), (1.2, 130), -0.015, 0.485, 0.99, 0.11, 0.45,
                  0.002, 0.003, (0.85, 0.97), (0.95, 1.1), 0.11, (0, 1), (1, 6),
                  (0.085, 0.055, 0.035)),
    "TH": Profile(540, 29.6, 1.45, (1.5, 900), (1.8, 500), -0.008, 0.48, 0.72, 0.10, 0.05,
                  0.001, 0.008, (0.45, 0.85), (0.85, 1.05), 0.08, (1, 4), (8, 30),
                  (0.06, 0.04, 0.09)),
    "THCS": Profile(590, 38.6, 1.85, (1.5, 1000), (2.3, 500), 0.012, 0.49, 0.63, 0.06, 0.06,
                    0.018, 0.004, (0.05, 0.2), (0.6, 0.9), 0.04, (4, 8), (20, 45),
                    (0.04, 0.025, 0.07)),
    "THPT": Profile(850, 40.6, 2.15, (2.2, 900), (3.8, 250), 0.02, 0.54, 0.56, 0.004, 0.16,
                    0.022, 0.001, (0.0, 0.1), (0.6, 0.85), 0.02, (8, 14), (35, 80),
                    (0.02, 0.015, 0.05)),
}  # fmt: skip


# Secondary fields that a few returns leave blank (unknown).
BLANKABLE = (
    "site_area_m2", "students_disabled", "teachers_digital_trained", "taps", "computers_teaching",
    "smart_classrooms", "subject_rooms", "students_health_checked", "students_stunted",
    "students_overweight", "parents_e_contact", "satellite_sites", "toilets_standard",
)  # fmt: skip


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
def _anchor(seed: int, province: str) -> dict[str, dict[str, int]]:
    """2021-2022 DN headline figures per school, summing exactly to the province's totals."""
    schools_all, plan = population(seed, province)
    schools = [s for s in schools_all if s.code != plan.opened]
    published = PROVINCES[province].published
    rng = random.Random(f"ioc-demo-anchor:{seed}" + ("" if province == "94" else f":{province}"))
    students = _scale_exact([_raw_students(s) for s in schools], published["students"])
    sizes = [PROFILES[s.level].class_size * rng.uniform(0.88, 1.1) for s in schools]
    if_private = [0.75 if s.ownership == "tu_thuc" else 1.0 for s in schools]
    classes = _scale_exact(
        [max(2.6, n / z / p) for n, z, p in zip(students, sizes, if_private, strict=True)],
        published["classes"],
    )
    teachers = _scale_exact(
        [
            c * PROFILES[s.level].teachers_per_class * rng.uniform(0.9, 1.1)
            for s, c in zip(schools, classes, strict=True)
        ],
        published["teachers"],
    )
    managers = _scale_exact(
        [_staff_raw(s, n, "managers") for s, n in zip(schools, students, strict=True)],
        published["managers"],
    )
    employees = _scale_exact(
        [_staff_raw(s, n, "employees") for s, n in zip(schools, students, strict=True)],
        published["employees"],
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
    anchor = _anchor(seed, school.province).get(school.code) or _new_school_anchor(school)
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
    flags: dict[str, bool | int] = {
        name: tr[f"p_{name}"] < a + b * t for name, (a, b) in ADOPTION.items()
    }
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
        "province_code": school.province,
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
    options = geo_of(school.province).crosswalk[school.commune]
    if len(options) == 1:
        return options[0][0]
    if school.latitude is None or school.longitude is None:
        return next(code for code, default in options if default)
    lat, lon = school.latitude, school.longitude

    def distance(code: str) -> float:
        clat, clon = geo_of(school.province).centroids_2025[code]
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
def _generate(seed: int, province: str) -> pl.DataFrame:
    schools, plan = population(seed, province)
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


def generate_returns(seed: int = 94, provinces: Iterable[str] = ALL) -> pl.DataFrame:
    """Every return the demo store should hold after :func:`build_demo` (after corrections),
    for the old provinces given (by default the three that formed Cần Thơ in 2025).

    One row per school and period, contract columns (with ``school_year`` and ``term``), typed:
    Int64 counts, Float64 decimals, Boolean flags, None for unknown. Missing returns are
    absent; the implausible jump is present (it is a warning, not a reject). Rows come
    province by province, then period by period.
    """
    return pl.concat([_generate(seed, code) for code in sorted(provinces)])


def demo_plan(seed: int = 94) -> DemoPlan:
    """The planted data-quality problems of the demo for this seed (all in Sóc Trăng)."""
    return population(seed, "94")[1]
