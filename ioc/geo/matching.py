"""Matching the features of a boundary file to units, by code or by name in the bounding box.

A file holds one kind of unit (2025 communes, old districts, provinces...). Each feature is
matched, for every (scheme, level), by

1. a code property (``code``, ``ma``, ``ma_tinh``..., or the feature id) equal to a unit code
   of that level (2 digits province, 3 district, 5 commune); a code whose unit has the same
   name scores higher than a bare code;
2. otherwise by name, without diacritics or type words ("Huyện", "Thành phố", "Township"),
   among the units whose centroid lies in the feature's bounding box; several candidates are
   told apart by point-in-polygon, then by distance to the box centre.

The (scheme, level) that matches the most features is the file's. Codes are shared across
schemes (a 2025 commune often keeps the code of one of the communes it merged), which is why a
whole file, not a feature, picks its scheme.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import polars as pl
from unidecode import unidecode

from ioc.domain.units import code_length
from ioc.geo.geometry import BBox, bbox, contains

LEVELS: tuple[tuple[str, str], ...] = (
    ("2025", "province"),
    ("2025", "commune"),
    ("legacy", "province"),
    ("legacy", "district"),
    ("legacy", "commune"),
)
NAME_KEYS = (
    "name",
    "name_vi",
    "ten",
    "ten_tinh",
    "ten_huyen",
    "ten_xa",
    "NAME_3",
    "NAME_2",
    "NAME_1",
    "name_en",
    "VARNAME_3",
    "VARNAME_2",
    "VARNAME_1",
)
CODE_KEYS = ("code", "ma", "ma_tinh", "ma_huyen", "ma_xa", "ma_dvhc", "CODE")
BOX_MARGIN = 0.02  # degrees (~2 km): a centroid on the edge of a coarse boundary still counts

_TYPE_WORDS = (
    "thanh pho",
    "thi tran",
    "thi xa",
    "dac khu",
    "phuong",
    "quan",
    "huyen",
    "tinh",
    "xa",
    "tp",
    "tx",
    "tt",
)
_SUFFIXES = ("township", "city", "district", "town", "province", "commune", "ward")


# ---------------------------------------------------------------------------------------------
# Names


def _plain(text: str) -> list[str]:
    words = re.sub(r"[^a-z0-9]+", " ", unidecode(text).lower()).split()
    return [w.lstrip("0") or "0" if w.isdigit() else w for w in words]


def name_keys(text: str) -> set[str]:
    """Keys a name matches on: without diacritics, and without a leading type word
    ("Huyện Kế Sách", "Kế Sách" and "Ke Sach District" share the key "ke sach")."""
    words = _plain(text)
    keys = {" ".join(words)} if words else set()
    while words and words[-1] in _SUFFIXES and len(words) > 1:
        words = words[:-1]
        keys.add(" ".join(words))
    joined = " ".join(words)
    for prefix in _TYPE_WORDS:
        if joined.startswith(prefix + " ") and len(joined) > len(prefix) + 1:
            keys.add(joined[len(prefix) + 1 :])
            break
    return keys


def normalise_name(text: str) -> str:
    """The shortest key of a name: lower case, no diacritics, no type word."""
    return min(name_keys(text), key=len, default="")


# ---------------------------------------------------------------------------------------------
# Features to units


@dataclass(frozen=True)
class Candidate:
    """A unit a feature may match: its code, name, parent and centroid."""

    code: str
    name: str
    parent_code: str | None
    latitude: float | None
    longitude: float | None


class UnitIndex:
    """Units of each (scheme, level) by code, and by name key (built when first asked)."""

    def __init__(self, units: pl.DataFrame) -> None:
        names = "search_key" if "search_key" in units.columns else "name"
        self.by_code: dict[tuple[str, str], dict[str, Candidate]] = defaultdict(dict)
        self._names: dict[tuple[str, str], list[tuple[Candidate, str]]] = defaultdict(list)
        self._by_name: dict[tuple[str, str], dict[str, list[Candidate]]] = {}
        columns = ("scheme", "level", "code", "name", "parent_code", "latitude", "longitude")
        for row in units.select(*columns, pl.col(names).alias("_key")).iter_rows(named=True):
            unit = Candidate(
                row["code"], row["name"], row["parent_code"], row["latitude"], row["longitude"]
            )
            key = (row["scheme"], row["level"])
            self.by_code[key][unit.code] = unit
            self._names[key].append((unit, row["_key"]))

    def by_name(self, key: tuple[str, str]) -> dict[str, list[Candidate]]:
        if key not in self._by_name:
            found: dict[str, list[Candidate]] = defaultdict(list)
            for unit, text in self._names.get(key, ()):
                for name_key in name_keys(text):
                    found[name_key].append(unit)
            self._by_name[key] = found
        return self._by_name[key]


@dataclass(frozen=True)
class Match:
    unit: Candidate
    score: int  # 3: code and name, 2: code and centroid in the box, 1: name in the box


def _codes_of(feature: dict[str, Any], width: int) -> list[str]:
    """Codes of the level's width in the code properties (an integer is zero-padded), or a
    feature id spelt with exactly that many digits (ids are often plain row numbers)."""
    props = feature.get("properties") or {}
    found = []
    for raw in (props.get(k) for k in CODE_KEYS):
        if isinstance(raw, bool) or raw is None:
            continue
        text = str(raw).strip()
        if isinstance(raw, int) or (text.isdigit() and len(text) < width):
            text = text.zfill(width)
        if text.isdigit() and len(text) == width:
            found.append(text)
    ident = feature.get("id")
    if isinstance(ident, str) and ident.isdigit() and len(ident) == width:
        found.append(ident)
    return found


def _names_of(feature: dict[str, Any]) -> set[str]:
    props = feature.get("properties") or {}
    keys: set[str] = set()
    for name in NAME_KEYS:
        value = props.get(name)
        if isinstance(value, str) and value.strip():
            keys |= name_keys(value)
    return keys


def _in_box(unit: Candidate, box: BBox) -> bool:
    if unit.latitude is None or unit.longitude is None:
        return False
    west, south, east, north = box
    return (
        west - BOX_MARGIN <= unit.longitude <= east + BOX_MARGIN
        and south - BOX_MARGIN <= unit.latitude <= north + BOX_MARGIN
    )


def _match_one(
    feature: dict[str, Any],
    names: set[str],
    box: BBox | None,
    index: UnitIndex,
    key: tuple[str, str],
) -> Match | None:
    units = index.by_code.get(key, {})
    for code in _codes_of(feature, code_length(key[1])):
        unit = units.get(code)
        if unit is None:
            continue
        if names & name_keys(unit.name):
            return Match(unit, 3)
        if box is None or _in_box(unit, box):
            return Match(unit, 2)
    if box is None:
        return None
    by_name = index.by_name(key)
    candidates = {u.code: u for n in names for u in by_name.get(n, ()) if _in_box(u, box)}
    if not candidates:
        return None
    if len(candidates) == 1:
        return Match(next(iter(candidates.values())), 1)
    pool = list(candidates.values())
    inside = [u for u in pool if contains(feature["geometry"], u.longitude, u.latitude)]  # type: ignore[arg-type]
    pool = inside or pool
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    best = min(pool, key=lambda u: (u.longitude - cx) ** 2 + (u.latitude - cy) ** 2)  # type: ignore[operator]
    return Match(best, 1)


def best_level(
    features: list[dict[str, Any]], index: UnitIndex
) -> tuple[tuple[str, str], list[tuple[dict[str, Any], Match]]] | None:
    """The (scheme, level) that fits the features best, and each feature it matched."""
    prepared = [(f, _names_of(f), bbox(f["geometry"])) for f in features if f.get("geometry")]
    best: tuple[int, tuple[str, str], list[tuple[dict[str, Any], Match]]] | None = None
    for key in LEVELS:
        if key not in index.by_code:
            continue
        found = [
            (f, m) for f, names, box in prepared if (m := _match_one(f, names, box, index, key))
        ]
        score = sum(m.score for _, m in found)
        if score and (best is None or score > best[0]):
            best = (score, key, found)
    return None if best is None else (best[1], best[2])
