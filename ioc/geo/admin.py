"""Administrative units of Vietnam under both schemes, and the legacy -> 2025 commune crosswalk.

On 1 July 2025 Vietnam went from 63 provinces / ~700 districts / ~10,000 communes ('legacy')
to 34 provinces and 3,321 communes with no district level ('2025'). Codes were reused with new
meanings (province 24 was Bắc Giang and is now Bắc Ninh), so every unit key carries its scheme.

Source: the ``vietnamadminunits`` 1.0.4 package (MIT), read as data only:

* ``data/dataset.db`` (SQLite): ``admin_units`` is the 2025 scheme, ``admin_units_legacy`` the
  legacy one (one row per legacy commune, with its district and province and their centroids);
* ``data/converter_2025.json``: the old -> new mapping, keyed by normalised names rather than
  codes. Keys are joined back to codes through the two tables.

Name-key ambiguity. A few units share a de-accented name inside one province (2025: Xã Cẩm
Giang / Xã Cẩm Giàng in Hải Phòng; legacy: Phường Sa Pa / Phường Sa Pả in Thị xã Sa Pa). The
package flags them in ``wardKeyDuplicated`` and stores their ``wardKey`` *with* diacritics
('xãcẩmgiang' / 'xãcẩmgiàng'); the converter JSON uses the same accented keys. We therefore join
on the exact key, never on a re-normalised one. Its own converter resolves a new ward key by
re-parsing ``"<newWardKey>,<newProvinceKey>"`` with the 2025 parser; that lands on the same code
as the exact ``(provinceKey, wardKey)`` lookup for all 3,321 new communes (checked against
1.0.4). On the legacy side we start from the table rows, so the ``province_district_ward`` key
is taken straight from the row; it is unique (10,035 keys for 10,035 codes), and
:func:`_index` raises if a key ever maps to two codes.

Districts without communes. Every one of the 10,035 legacy communes maps to at least one 2025
commune (10,602 pairs; 471 legacy communes are split). The converter has 5 further old keys,
``province_district_`` with an empty ward part: the island districts with no commune level
(Bạch Long Vĩ 318, Cồn Cỏ 471, Hoàng Sa 498, Lý Sơn 536, Côn Đảo 755), each of which became one
đặc khu (Côn Đảo moved from Bà Rịa-Vũng Tàu 77 to Hồ Chí Minh City 79, the others stayed in or
merged into their province's successor). A school there has no legacy commune: its district
is its place, and :func:`district_crosswalk` maps that district to its đặc khu. Any other
unmatched key raises.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import sqlite3
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import polars as pl
from unidecode import unidecode

__all__ = [
    "commune_crosswalk",
    "communeless_districts",
    "district_crosswalk",
    "province_successors",
    "units",
]

_PACKAGE = "vietnamadminunits"

# Checked as name prefixes, case-insensitively: a few legacy names are spelt 'Thành Phố ...'.
_UNIT_TYPES = (
    "Thành phố",
    "Thị trấn",
    "Thị xã",
    "Đặc khu",
    "Phường",
    "Quận",
    "Huyện",
    "Tỉnh",
    "Xã",
)

_UNITS_SCHEMA: dict[str, Any] = {
    "scheme": pl.String,
    "level": pl.String,
    "code": pl.String,
    "name": pl.String,
    "short_name": pl.String,
    "unit_type": pl.String,
    "parent_code": pl.String,
    "province_code": pl.String,
    "district_code": pl.String,
    "latitude": pl.Float64,
    "longitude": pl.Float64,
    "search_key": pl.String,
}

_DISTRICT_CROSSWALK_SCHEMA: dict[str, Any] = {
    "legacy_province_code": pl.String,
    "legacy_district_code": pl.String,
    "province_code_2025": pl.String,
    "commune_code_2025": pl.String,
}

_CROSSWALK_SCHEMA: dict[str, Any] = {
    "legacy_province_code": pl.String,
    "legacy_district_code": pl.String,
    "legacy_commune_code": pl.String,
    "province_code_2025": pl.String,
    "commune_code_2025": pl.String,
    "is_split": pl.Boolean,
    "is_default": pl.Boolean,
}

_LEGACY_SQL = """
select provinceCode, province, provinceLat, provinceLon,
       districtCode, district, districtType, districtLat, districtLon,
       wardCode, ward, wardType, wardLat, wardLon
from admin_units_legacy
order by provinceCode, districtCode, wardCode
"""

_NEW_SQL = """
select provinceCode, province, provinceLat, provinceLon,
       wardCode, ward, wardType, wardLat, wardLon
from admin_units
order by provinceCode, wardCode
"""


# ---------------------------------------------------------------------------------------------
# Source access


def _data_dir() -> Path:
    """The package's ``data`` directory.

    Located through the import system without importing the package: its ``__init__`` loads
    the address parser (shapely, geopy, regex compilation), which costs ~0.6 s we do not need.
    """
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"package {_PACKAGE!r} is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _query(sql: str) -> list[tuple[Any, ...]]:
    uri = (_data_dir() / "dataset.db").as_uri() + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@functools.cache
def _converter() -> dict[str, Any]:
    with (_data_dir() / "converter_2025.json").open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


# ---------------------------------------------------------------------------------------------
# Units


def _split_name(raw: str, type_column: str | None) -> tuple[str, str, str]:
    """``(name, short_name, unit_type)`` from a full name such as 'Thành Phố Bắc Kạn'.

    The type comes from the name prefix (the type columns disagree with the name for a few
    units, e.g. 'Phường 5' typed 'Xã'), with its casing normalised; the short name is the rest
    of the name (the package's short column adds disambiguators such as 'Yên Viên (Xã)').
    """
    raw = " ".join(raw.split())
    for unit_type in _UNIT_TYPES:
        if raw.lower().startswith(unit_type.lower() + " "):
            short = raw[len(unit_type) + 1 :]
            return f"{unit_type} {short}", short, unit_type
    return raw, raw, type_column or ""


def _search_key(name: str) -> str:
    return unidecode(name).lower()


def _unit(
    scheme: str,
    level: str,
    code: str,
    raw_name: str,
    type_column: str | None,
    parent_code: str | None,
    province_code: str,
    district_code: str | None,
    lat: float | None,
    lon: float | None,
) -> tuple[Any, ...]:
    name, short, unit_type = _split_name(raw_name, type_column)
    return (
        scheme,
        level,
        code,
        name,
        short,
        unit_type,
        parent_code,
        province_code,
        district_code,
        lat,
        lon,
        _search_key(name),
    )


def _legacy_units() -> Iterable[tuple[Any, ...]]:
    provinces: dict[str, tuple[Any, ...]] = {}
    districts: dict[str, tuple[Any, ...]] = {}
    communes: dict[str, tuple[Any, ...]] = {}
    for (
        p,
        p_name,
        p_lat,
        p_lon,
        d,
        d_name,
        d_type,
        d_lat,
        d_lon,
        w,
        w_name,
        w_type,
        w_lat,
        w_lon,
    ) in _query(_LEGACY_SQL):
        if p not in provinces:
            provinces[p] = _unit("legacy", "province", p, p_name, None, None, p, None, p_lat, p_lon)
        if d not in districts:
            districts[d] = _unit("legacy", "district", d, d_name, d_type, p, p, d, d_lat, d_lon)
        # Island districts without a commune level have one row with a null ward.
        if w is not None and w not in communes:
            communes[w] = _unit("legacy", "commune", w, w_name, w_type, d, p, d, w_lat, w_lon)
    return [*provinces.values(), *districts.values(), *communes.values()]


def _new_units() -> Iterable[tuple[Any, ...]]:
    provinces: dict[str, tuple[Any, ...]] = {}
    communes: dict[str, tuple[Any, ...]] = {}
    for p, p_name, p_lat, p_lon, w, w_name, w_type, w_lat, w_lon in _query(_NEW_SQL):
        if p not in provinces:
            provinces[p] = _unit("2025", "province", p, p_name, None, None, p, None, p_lat, p_lon)
        if w not in communes:
            communes[w] = _unit("2025", "commune", w, w_name, w_type, p, p, None, w_lat, w_lon)
    return [*provinces.values(), *communes.values()]


@functools.cache
def units() -> pl.DataFrame:
    """Every administrative unit of both schemes, one row per ``(scheme, level, code)``.

    Columns match ``core_geo__units`` (``sql/schema/10_core_geo__units.sql``). From
    vietnamadminunits 1.0.4: legacy 63 provinces, 696 districts, 10,035 communes; 2025 34
    provinces, 3,321 communes. Rows are ordered legacy then 2025, provinces, districts,
    communes, by code. Treat the cached frame as read-only.
    """
    rows = [*_legacy_units(), *_new_units()]
    return pl.DataFrame(rows, schema=_UNITS_SCHEMA, orient="row")


# ---------------------------------------------------------------------------------------------
# Crosswalk


def _index(rows: Iterable[tuple[Any, ...]], what: str) -> dict[Any, tuple[str, ...]]:
    """Map key -> codes, refusing a key that names two different units."""
    index: dict[Any, tuple[str, ...]] = {}
    for key, *codes in rows:
        if index.setdefault(key, tuple(codes)) != tuple(codes):
            raise ValueError(f"ambiguous {what} key {key!r}: {index[key]} vs {tuple(codes)}")
    return index


def _pairs() -> Iterable[tuple[str, str, str, bool]]:
    """``(old_key, new_province_key, new_ward_key, is_default)`` from the converter JSON."""
    conv = _converter()
    for new_province, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_ward, old_keys in wards.items():
            for old_key in old_keys:
                yield old_key, new_province, new_ward, True
    for new_province, old_wards in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, candidates in old_wards.items():
            for cand in candidates:
                yield old_key, new_province, cand["newWardKey"], bool(cand["isDefaultNewWard"])


@functools.cache
def commune_crosswalk() -> pl.DataFrame:
    """Legacy commune -> 2025 commune(s), columns as ``core_geo__commune_crosswalk``.

    One row per ``(legacy_commune_code, commune_code_2025)``. ``is_split``: the legacy commune
    went to more than one new commune; ``is_default``: the package's ``isDefaultNewWard`` for
    split communes (exactly one per split commune), True for whole merges.

    From vietnamadminunits 1.0.4: 10,602 rows, all 10,035 legacy communes mapped, 471 split,
    3,316 new communes reached. The other 5 new communes (đặc khu) come from island districts
    that had no communes: they are in :func:`district_crosswalk` instead.
    """
    old = _index(
        _query(
            "select provinceKey || '_' || districtKey || '_' || wardKey,"
            " provinceCode, districtCode, wardCode"
            " from admin_units_legacy where wardCode is not null"
        ),
        "legacy",
    )
    new = _new_index()
    communeless = _communeless_index()

    found: dict[tuple[str, str], list[Any]] = {}
    for old_key, new_province, new_ward, is_default in _pairs():
        if (new_province, new_ward) not in new:
            raise ValueError(f"converter names unknown 2025 commune {new_province}_{new_ward}")
        if old_key not in old:
            if old_key in communeless:  # see district_crosswalk
                continue
            raise ValueError(f"converter names unknown legacy commune {old_key!r}")
        lp, ld, lw = old[old_key]
        np_, nw = new[(new_province, new_ward)]
        row = found.setdefault((lw, nw), [lp, ld, lw, np_, nw, False, False])
        row[6] = row[6] or is_default

    n_targets = Counter(lw for lw, _ in found)
    for (lw, _), row in found.items():
        row[5] = n_targets[lw] > 1
        row[6] = row[6] or not row[5]
    rows = sorted(found.values(), key=lambda r: (r[2], r[4]))
    return pl.DataFrame(rows, schema=_CROSSWALK_SCHEMA, orient="row")


@functools.cache
def district_crosswalk() -> pl.DataFrame:
    """Legacy district without a commune level -> the 2025 commune (đặc khu) it became.

    Columns as ``core_geo__district_crosswalk``, one row per such district. A school in one
    of these districts reports no legacy commune; this is how it is placed in the 2025
    scheme (and a 2025 return from the đặc khu in the legacy one). From vietnamadminunits
    1.0.4: the 5 island districts, each whole into one đặc khu; a district that went to
    several 2025 communes would raise (its schools could not be placed by district alone).
    """
    communeless = _communeless_index()
    new = _new_index()
    rows: dict[str, tuple[str, ...]] = {}
    for old_key, new_province, new_ward, _ in _pairs():
        if old_key in communeless:
            province, district = communeless[old_key]
            target = (province, district, *new[(new_province, new_ward)])
            if rows.setdefault(district, target) != target:
                raise ValueError(f"district {district} without communes maps to two communes")
    missing = {d for _, d in communeless.values()} - set(rows)
    if missing:
        raise ValueError(f"districts without communes missing from the converter: {missing}")
    return pl.DataFrame(sorted(rows.values()), schema=_DISTRICT_CROSSWALK_SCHEMA, orient="row")


@functools.cache
def province_successors() -> dict[str, str]:
    """Old province code -> the 2025 province it went into (all 63), from the communes of
    :func:`commune_crosswalk`: a whole old province always went into one new one (raises if
    an old province's communes reached two)."""
    pairs = commune_crosswalk().select("legacy_province_code", "province_code_2025").unique()
    successors = dict(pairs.iter_rows())
    if len(successors) != pairs.height:
        raise ValueError("an old province went into two 2025 provinces")
    return dict(sorted(successors.items()))


def communeless_districts() -> frozenset[str]:
    """Codes of the legacy districts that have no commune level (the island districts)."""
    return frozenset(district_crosswalk()["legacy_district_code"])


def _new_index() -> dict[Any, tuple[str, ...]]:
    """(provinceKey, wardKey) of a 2025 commune -> (province code, commune code)."""
    return _index(
        (
            ((p, w), pc, wc)
            for p, w, pc, wc in _query(
                "select provinceKey, wardKey, provinceCode, wardCode from admin_units"
            )
        ),
        "2025",
    )


def _communeless_index() -> dict[Any, tuple[str, ...]]:
    """Converter key ``province_district_`` of a district without communes -> its codes."""
    return _index(
        _query(
            "select provinceKey || '_' || districtKey || '_', provinceCode, districtCode"
            " from admin_units_legacy where wardCode is null"
        ),
        "legacy district",
    )
