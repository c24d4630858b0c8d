"""A unit of either scheme: its levels, its code rules, the level below it, and the column of
a school's place that holds it. Pure: no database (resolving a code in a snapshot is
:mod:`ioc.views.units`; may a caller see it is :mod:`ioc.api.scope`).

Two schemes. ``legacy`` (before 1 July 2025): province, district, commune. ``2025``: province
and commune, no district level. Codes are ASCII digits whose length says the level: a province
2, a district 3, a commune 5. Codes are unique within a scheme, not across schemes (province 24
was Bắc Giang and is now Bắc Ninh), so a unit is always named by (scheme, code).

The island special zones (đặc khu) are communes of the 2025 scheme (5 digits, unit type
'Đặc khu'). Five of them were legacy districts without a commune level (Bạch Long Vĩ 318, Cồn
Cỏ 471, Hoàng Sa 498, Lý Sơn 536, Côn Đảo 755): a school there has no legacy commune, and its
legacy place ends at the district (the place column of the legacy commune level is empty).

A school is the atom: its registry row carries its place in both schemes, one column per
(scheme, level) (:data:`PLACE_COLUMNS`); a unit's schools are the rows whose column for the
unit's level holds its code. ``sql/schema/60_macro_school_unit.sql`` says the same in SQL and
``tests/unit/test_units.py`` fails if the two disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, cast

Scheme = Literal["legacy", "2025"]
Level = Literal["province", "district", "commune"]

SCHEMES: Final[tuple[Scheme, ...]] = ("legacy", "2025")
#: the levels of each scheme, top down
LEVELS: Final[dict[Scheme, tuple[Level, ...]]] = {
    "legacy": ("province", "district", "commune"),
    "2025": ("province", "commune"),
}
#: the number of digits of a code at each level (in every scheme that has the level)
CODE_LENGTH: Final[dict[Level, int]] = {"province": 2, "district": 3, "commune": 5}
#: the column of a school's place (registry row) that holds its unit at (scheme, level)
PLACE_COLUMN: Final[dict[tuple[Scheme, Level], str]] = {
    ("legacy", "province"): "province_code_legacy",
    ("legacy", "district"): "district_code_legacy",
    ("legacy", "commune"): "commune_code_legacy",
    ("2025", "province"): "province_code_2025",
    ("2025", "commune"): "commune_code_2025",
}
#: every place column of a school, legacy scheme first, top down
PLACE_COLUMNS: Final[tuple[str, ...]] = tuple(PLACE_COLUMN.values())


#: a report's unit may be the whole country: this code, at level 'country' (not a unit of the
#: snapshot: its figures are its provinces' added up)
NATIONAL_CODE: Final = "VN"
NATIONAL_NAME: Final = "Toàn quốc"


class UnitCodeError(ValueError):
    """A text that is not a unit code (its shape; existence is the resolver's)."""


class NoSuchLevel(UnitCodeError):
    """A well-formed code of a level its scheme does not have (a district in 2025)."""


@dataclass(frozen=True)
class Unit:
    """One unit as the read side knows it (``level`` is 'country' for a report's ``VN``)."""

    scheme: str
    level: str
    code: str
    name: str
    province_code: str = ""


def national(scheme: str) -> Unit:
    """The whole country as a report's unit, in the scheme."""
    return Unit(scheme, "country", NATIONAL_CODE, NATIONAL_NAME)


def is_national(unit: Unit) -> bool:
    return unit.level == "country"


def code_pattern(scheme: Scheme | None = None, *, national: bool = False) -> str:
    """The regular expression of the codes of a scheme (of either scheme when None), for
    request schemas: ``^([0-9]{2}|[0-9]{3}|[0-9]{5})$``; ``national`` adds ``VN``."""
    codes = [f"[0-9]{{{length}}}" for length in code_lengths(scheme)]
    return "^(" + "|".join(codes + ([NATIONAL_CODE] if national else [])) + ")$"


def code_length(level: str) -> int:
    """How many digits a code of the level has; UnitCodeError for a level that does not exist."""
    length = next((n for name, n in CODE_LENGTH.items() if name == level), None)
    if length is None:
        raise UnitCodeError(f"unknown unit level {level!r}")
    return length


def code_lengths(scheme: Scheme | None = None) -> tuple[int, ...]:
    """The lengths a code of the scheme may have (of either scheme when None), shortest first."""
    levels = LEVELS[scheme] if scheme else tuple(CODE_LENGTH)
    return tuple(sorted(CODE_LENGTH[level] for level in levels))


def is_code(text: str, scheme: Scheme | None = None) -> bool:
    """Whether ``text`` has the shape of a unit code of the scheme (of either when None)."""
    return text.isascii() and text.isdigit() and len(text) in code_lengths(scheme)


def level_of(code: str) -> Level:
    """The level a code names by its length, in whichever scheme has it; UnitCodeError for a
    text that is no unit code."""
    if is_code(code):
        return next(level for level, length in CODE_LENGTH.items() if length == len(code))
    raise UnitCodeError(
        f"unit code {code!r}: give 2 digits (province), 3 (district) or 5 (commune)"
    )


def level_in(code: str, scheme: str) -> Level:
    """The level a code names in the scheme: UnitCodeError for a text that is no unit code,
    NoSuchLevel for a level the scheme does not have."""
    level = level_of(code)
    if not has_level(scheme, level):
        raise NoSuchLevel(
            f"unit {code}: {level}s exist only in the legacy scheme (--scheme legacy)"
        )
    return level


def scheme_of(text: str) -> Scheme:
    """``'legacy'`` or ``'2025'`` (surrounding spaces ignored); UnitCodeError otherwise."""
    scheme = text.strip()
    if scheme not in SCHEMES:
        raise UnitCodeError(f"unknown unit scheme {text!r}: use 'legacy' or '2025'")
    return scheme


def has_level(scheme: str, level: str) -> bool:
    return level in LEVELS.get(cast(Scheme, scheme), ())


def child_level(scheme: str, level: str) -> Level | None:
    """The level just below ``level`` in the scheme; None at the bottom (or for no such level)."""
    if not has_level(scheme, level):
        return None
    levels = LEVELS[cast(Scheme, scheme)]
    below = levels.index(cast(Level, level)) + 1
    return levels[below] if below < len(levels) else None


def levels_above(scheme: str, level: str) -> tuple[Level, ...]:
    """The levels above ``level`` in the scheme, top down (empty for a province)."""
    levels = LEVELS[cast(Scheme, scheme)]
    return levels[: levels.index(cast(Level, level))]


def place_column(scheme: str, level: str) -> str:
    """The column of a school's place that holds its unit at (scheme, level)."""
    try:
        return PLACE_COLUMN[(cast(Scheme, scheme), cast(Level, level))]
    except KeyError:
        raise UnitCodeError(f"the {scheme} scheme has no {level} level") from None
