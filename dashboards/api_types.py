"""The shapes of the API's answers the dashboard reads (typed dictionaries)."""

from __future__ import annotations

from typing import Any, Literal, TypedDict

Scheme = Literal["legacy", "2025"]


class Unit(TypedDict):
    scheme: Scheme
    level: str
    code: str
    name: str
    short_name: str
    unit_type: str
    parent_code: str | None
    province_code: str
    latitude: float | None
    longitude: float | None


class UnitWithChildren(Unit):
    children: list[Unit]
    counterparts: list[dict[str, Any]]


class PeriodRow(TypedDict):
    school_year: str
    term: str
    scheme: Scheme
    returns: int
    period: str


class Value(TypedDict, total=False):
    scheme: Scheme
    level: str
    unit_code: str
    unit_name: str
    school_year: str
    term: str
    indicator_id: str
    family: str
    name_vi: str
    name_en: str
    unit_vi: str
    unit_en: str
    direction: str
    numerator: float | None
    denominator: float | None
    value: float | None
    schools_contributing: int
    schools_in_scope: int
    norm_value: float | None
    norm_status: str
    target_value: float | None
    target_status: str
    previous_value: float | None
    change: float | None
    is_break: bool
    norm_sources: list[str]


class Me(TypedDict):
    username: str
    role: str
    units: list[dict[str, str]]
    home: UnitRef | None


class UnitRef(TypedDict):
    scheme: Scheme
    code: str


class Health(TypedDict):
    status: str
    build_id: str
    data_as_of: str | None
    display_timezone: str
    versions: dict[str, str]
