"""The demo's headline figures of a return (pupils, classes, teachers, managers, employees,
dropouts): school year 2021-2022 DN is the anchor, where each old province's published totals
are reproduced exactly; the other periods drift from it by year and term."""

from __future__ import annotations

import functools
import math
import random

from ingest.demo.population import School, population
from ingest.demo.profiles import PROFILES
from ingest.demo.provinces import ANCHOR, PROVINCES
from ioc.domain.period import Period


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


def year_index(year: str) -> int:
    return Period.of(year, "DN").first_year - 2020


def headline(seed: int, school: School, year: str, term: str) -> dict[str, int]:
    """Headline figures of one return: the anchor, or drifted from it by year and term."""
    anchor = _anchor(seed, school.province).get(school.code) or _new_school_anchor(school)
    rng = random.Random(f"ioc-demo-head:{seed}:{school.code}:{year}")
    profile = PROFILES[school.level]
    years = year_index(year) - year_index(ANCHOR[0])
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
