"""Every field of a demo return besides the headline figures (network, staff, facilities, water
and health, digital transformation), drawn from the school's traits, its headline figures and
the time since 2020; and the few returns that leave secondary fields blank."""

from __future__ import annotations

import random
from typing import Any

from ingest.demo.population import ADOPTION, School
from ingest.demo.profiles import PROFILES

# Secondary fields that a few returns leave blank (unknown).
BLANKABLE = (
    "site_area_m2", "students_disabled", "teachers_digital_trained", "taps", "computers_teaching",
    "smart_classrooms", "subject_rooms", "students_health_checked", "students_stunted",
    "students_overweight", "parents_e_contact", "satellite_sites", "toilets_standard",
)  # fmt: skip


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
    flags: dict[str, Any] = {name: tr[f"p_{name}"] < a + b * t for name, (a, b) in ADOPTION.items()}
    if school.level == "MN":
        flags["digital_records"] = False  # học bạ số is for general education
    econtact = head["students"] * (0.4 + 0.5 * tr["econtact"])
    flags["parents_e_contact"] = round(econtact) if flags["e_contact_book"] else 0
    return flags


def other_fields(school: School, head: dict[str, int], t: float) -> dict[str, Any]:
    """The fields of a return besides its identity and headline figures, ``t`` years after
    2020-2021 (half a year more at the end of a term)."""
    row = _network(school, head, t)
    row |= _staff(school, head, t) | _facilities(school, head, t) | _wash_health(school, head, t)
    return row | _digital(school, head, t)


def blank_some(row: dict[str, Any], seed: int) -> None:
    """A few returns leave some secondary fields blank (unknown)."""
    rng = random.Random(
        f"ioc-demo-blank:{seed}:{row['school_code']}:{row['school_year']}:{row['term']}"
    )
    if rng.random() < 0.03:
        for name in rng.sample(BLANKABLE, rng.randint(1, 4)):
            row[name] = None
