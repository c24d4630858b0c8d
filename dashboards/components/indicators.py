"""The indicator catalog as the map and explorer pages use it: names and units of an
indicator, and picker options grouped by family."""

from __future__ import annotations

from typing import Any

from dashboards.components.frame import DEFAULT_INDICATOR

FAMILIES = ("network", "staff", "facilities", "wash", "health", "digital", "quality")


def indicator_meta(catalog: dict[str, Any], indicator_id: str) -> dict[str, Any]:
    """Name and unit of an indicator in both languages (the fields a value row carries)."""
    for entry in catalog.get("indicators", []):
        if entry["id"] == indicator_id:
            unit = entry.get("unit") or {}
            return {
                "indicator_id": entry["id"],
                "family": entry.get("family"),
                "name_vi": entry.get("vi"),
                "name_en": entry.get("en"),
                "unit_vi": unit.get("vi"),
                "unit_en": unit.get("en"),
                "direction": entry.get("direction"),
                "is_count": bool(entry.get("is_count")),
            }
    return {"indicator_id": indicator_id, "name_vi": indicator_id, "name_en": indicator_id}


def indicator_options(catalog: dict[str, Any], language: str) -> list[dict[str, Any]]:
    """The catalog's indicators grouped by family: a disabled heading, then its indicators."""
    families = {f["id"]: f for f in catalog.get("families", [])}
    order = [f for f in FAMILIES if f in families] + [f for f in families if f not in FAMILIES]
    options: list[dict[str, Any]] = []
    for family in order:
        members = [i for i in catalog.get("indicators", []) if i.get("family") == family]
        if not members:
            continue
        heading = str(families[family].get(language) or families[family].get("vi"))
        options.append({"label": heading.upper(), "value": f"family:{family}", "disabled": True})
        for entry in members:
            label = str(entry.get(language) or entry.get("vi"))
            options.append(
                {
                    "label": label,
                    "value": entry["id"],
                    "search": f"{label} {entry.get('vi')} {entry['id']}",
                }
            )
    return options


def known_indicator(catalog: dict[str, Any], wanted: str | None) -> str:
    ids_ = [i["id"] for i in catalog.get("indicators", [])]
    if wanted in ids_:
        return str(wanted)
    return DEFAULT_INDICATOR if DEFAULT_INDICATOR in ids_ or not ids_ else ids_[0]
