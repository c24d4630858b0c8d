"""The demo's schools: real units (old districts and communes from :mod:`ioc.geo.admin`), synthetic
schools placed in them by seeded generators, and the planted data-quality problems."""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field
from datetime import date
from string import ascii_uppercase
from typing import Any

import polars as pl

from ingest.demo.provinces import PROVINCES, Province
from ioc.geo import admin as geo

# Per-school uniform draws that fix where a school sits in each distribution, year after year.
TRAIT_KEYS = (
    "female", "tf", "unq", "above", "rooms", "temp", "semi", "two", "comp", "subj", "toilet",
    "taps", "health", "econtact", "checked", "bmi", "growth", "digital", "sites", "disabled",
    "multi",
)  # fmt: skip
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
SITE_AREA = {"MN": (1200, 4500), "TH": (2500, 9000), "THCS": (4000, 12000), "THPT": (7000, 20000)}
OPENED_NAME = "Trường Mầm non Tư thục Hoa Mai"  # Sóc Trăng's school that opens in 2023-2024


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
    province: str = "94"


@dataclass(frozen=True)
class DemoPlan:
    """Which schools and periods carry the planted data-quality problems (Sóc Trăng's)."""

    opened: str  # school code, first return 2023-2024 DN
    closed: str  # last return 2022-2023 CN
    jump: str  # students x2.5 in 2024-2025 DN
    missing: dict[str, list[str]]  # period -> school codes with no return
    rejected: dict[str, str]  # school code -> rule broken, 2023-2024 DN (fixed by a correction)
    revised: list[str]  # valid but wrong in 2023-2024 DN, replaced by the correction file
    late: dict[str, tuple[str, date]]  # period -> (district, received date)
    ambiguous: list[str]  # split legacy commune, no coordinates: 2025 commune is the default
    unlocated: list[str] = field(default_factory=list)  # every school without coordinates


NO_PLAN = DemoPlan("", "", "", {}, {}, [], {}, [])


# ---------------------------------------------------------------------------------------------
# Units


@dataclass(frozen=True)
class Geo:
    communes: list[dict[str, Any]]  # legacy communes of the province
    districts: dict[str, str]  # code -> short name
    district_names: dict[str, str]  # code -> full name
    district_keys: dict[str, str]  # code -> ASCII key, for file names
    centroids_2025: dict[str, tuple[float, float]]
    crosswalk: dict[str, list[tuple[str, bool]]]  # legacy commune -> [(2025 commune, default)]


@functools.cache
def geo_of(province: str) -> Geo:
    units = geo.units()
    legacy = units.filter(pl.col("scheme") == "legacy", pl.col("province_code") == province)
    communes = legacy.filter(pl.col("level") == "commune").sort("district_code", "code")
    districts = legacy.filter(pl.col("level") == "district")
    new = units.filter(pl.col("scheme") == "2025", pl.col("level") == "commune")
    walk = geo.commune_crosswalk().filter(pl.col("legacy_province_code") == province)
    crosswalk: dict[str, list[tuple[str, bool]]] = {}
    for row in walk.sort("legacy_commune_code", "commune_code_2025").iter_rows(named=True):
        pair = (row["commune_code_2025"], row["is_default"])
        crosswalk.setdefault(row["legacy_commune_code"], []).append(pair)
    return Geo(
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


def _area(rng: random.Random, spec: Province, commune: dict[str, Any]) -> str:
    if commune["unit_type"] in ("Phường", "Thị trấn"):
        return "urban"
    remote = commune["district_code"] in spec.remote and rng.random() < 0.4
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


def _slots_th_thcs_mn(
    rng: random.Random, spec: Province, communes: list[dict[str, Any]]
) -> list[_Slot]:
    """One TH, THCS and MN per commune, the extra ones weighted to rural communes; where a
    province has fewer THCS than communes, a few city wards share one (inter-ward schools)."""
    slots = [_Slot("TH", c) for c in communes]
    slots += [
        _Slot("TH", c) for c in _weighted_pick(rng, communes, spec.schools["TH"] - len(communes))
    ]
    extra_thcs = spec.schools["THCS"] - len(communes) - len(spec.boarding_thcs)
    city = [c for c in communes if c["district_code"] == spec.city]
    skip_thcs = {c["code"] for c in rng.sample(city, max(0, -extra_thcs))}
    slots += [_Slot("THCS", c) for c in communes if c["code"] not in skip_thcs]
    slots += [_Slot("THCS", c) for c in _weighted_pick(rng, communes, max(0, extra_thcs))]
    for district in spec.boarding_thcs:
        seat = next(
            c for c in communes if c["district_code"] == district and c["unit_type"] != "Xã"
        )
        name = f"Trường PT DTNT THCS {geo_of(spec.code).districts[district]}"
        slots.append(_Slot("THCS", seat, school_type="boarding", name=name))
    slots += [_Slot("MN", c) for c in communes]
    for district, brand in spec.private_mn:
        seat = rng.choice(
            [c for c in communes if c["district_code"] == district and c["unit_type"] != "Xã"]
        )
        slots.append(_Slot("MN", seat, ownership="tu_thuc", name=f"Trường Mầm non Tư thục {brand}"))
    extra_mn = spec.schools["MN"] - len(communes) - len(spec.private_mn)
    slots += [_Slot("MN", c) for c in _weighted_pick(rng, communes, extra_mn)]
    return slots


def _slots_thpt(rng: random.Random, spec: Province, communes: list[dict[str, Any]]) -> list[_Slot]:
    city = [c for c in communes if c["district_code"] == spec.city]
    specialised, boarding, private = spec.special_thpt
    slots = [
        _Slot("THPT", rng.choice(city), school_type="specialised", name=specialised),
        _Slot("THPT", rng.choice(city), school_type="boarding", name=boarding),
        _Slot("THPT", rng.choice(city), ownership="tu_thuc", name=private),
    ]
    for district, count in spec.thpt.items():
        local = [c for c in communes if c["district_code"] == district]
        towns = [c for c in local if c["unit_type"] != "Xã"]
        others = [c for c in local if c["unit_type"] == "Xã"]
        rng.shuffle(others)
        slots += [_Slot("THPT", c) for c in (towns + others)[:count]]
    return slots


_LEVEL_WORDS = {"MN": "Mầm non", "TH": "Tiểu học", "THCS": "THCS", "THPT": "THPT"}
_LEVEL_DIGIT = {"MN": "1", "TH": "2", "THCS": "3", "THPT": "4"}


def _name_slots(rng: random.Random, spec: Province, slots: list[_Slot]) -> None:
    """'Trường Tiểu học Đại Hải 1', '... 2' when a commune has several schools of a level;
    a name two districts share gets the district's short name, or its full name."""
    groups: dict[tuple[str, str], list[_Slot]] = {}
    for slot in slots:
        if slot.name is None:
            groups.setdefault((slot.level, slot.commune["code"]), []).append(slot)
    for (level, _), members in groups.items():
        place = _place(members[0].commune)
        word = "Mẫu giáo" if level == "MN" and rng.random() < 0.3 else _LEVEL_WORDS[level]
        for i, slot in enumerate(members):
            mark = ascii_uppercase[i] if place[-1].isdigit() else str(i + 1)
            suffix = f" {mark}" if len(members) > 1 else ""
            slot.name = f"Trường {word} {place}{suffix}"
    units = geo_of(spec.code)
    for names in (units.districts, units.district_names):
        seen: dict[str, int] = {}
        for slot in slots:
            seen[slot.name or ""] = seen.get(slot.name or "", 0) + 1
        for slot in slots:
            if seen[slot.name or ""] > 1:
                base = (slot.name or "").split(" (")[0]
                slot.name = f"{base} ({names[slot.commune['district_code']]})"


def _coordinates(rng: random.Random, commune: dict[str, Any]) -> tuple[float, float]:
    """Near the commune centroid; six decimals, the last never 0 (no '9.602'-like text)."""

    def jitter(value: float) -> float:
        micro = round((value + rng.uniform(-0.02, 0.02)) * 1_000_000)
        return (micro + (1 if micro % 10 == 0 else 0)) / 1_000_000

    return jitter(commune["latitude"]), jitter(commune["longitude"])


def _traits(rng: random.Random, spec: Province, slot: _Slot) -> dict[str, float]:
    base = spec.minority[slot.commune["district_code"]]
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


def _school(rng: random.Random, spec: Province, slot: _Slot, seq: int) -> School:
    district = slot.commune["district_code"]
    lat, lon = _coordinates(rng, slot.commune)
    low, high = SITE_AREA[slot.level]
    area = "urban" if slot.ownership == "tu_thuc" else _area(rng, spec, slot.commune)
    return School(
        code=f"{spec.code}{district[1:]}{_LEVEL_DIGIT[slot.level]}{seq:03d}",
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
        traits=_traits(rng, spec, slot),
        province=spec.code,
    )


@functools.cache
def population(seed: int, province: str) -> tuple[list[School], DemoPlan]:
    """The schools of one old province; Sóc Trăng's carry the planted problems."""
    spec = PROVINCES[province]
    planted = province == "94"
    # Sóc Trăng keeps the stream it always had, so its schools and plan do not move
    rng = random.Random(f"ioc-demo-schools:{seed}" + ("" if planted else f":{province}"))
    communes = geo_of(province).communes
    slots = _slots_th_thcs_mn(rng, spec, communes) + _slots_thpt(rng, spec, communes)
    if planted:
        city = [c for c in communes if c["district_code"] == spec.city]
        slots.append(_Slot("MN", rng.choice(city), ownership="tu_thuc", name=OPENED_NAME))
    _name_slots(rng, spec, slots)
    counters: dict[tuple[str, str], int] = {}
    schools = []
    for slot in slots:
        key = (slot.commune["district_code"], slot.level)
        counters[key] = counters.get(key, 0) + 1
        schools.append(_school(rng, spec, slot, counters[key]))
    schools.sort(key=lambda s: s.code)
    if not planted:
        return schools, NO_PLAN
    plan = _plan(rng, schools, opened=next(s.code for s in schools if s.name == OPENED_NAME))
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
    split = [s for s in ordinary if len(geo_of("94").crosswalk[s.commune]) > 1]
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
