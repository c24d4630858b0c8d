"""Readable labels for codes the API returns: school levels and other enums, finding rules."""

from __future__ import annotations

from typing import Any

from dashboards.i18n import Lang, t


def enum_label(field: str, code: Any, language: Lang) -> str:
    """'MN' -> 'Mầm non' for field 'level' (also ownership, area, school_type)."""
    if code is None or code == "":
        return "—"
    try:
        return t(f"school.{field}_{code}", language)
    except KeyError:
        return str(code)


def level_label(level: str | None, language: Lang) -> str:
    return enum_label("level", level, language)


def rule_label(rule: str, language: Lang) -> str:
    """A data-quality finding's rule: 'outlier', 'jump', 'warning:period_change'..."""
    key = "warning" if rule.startswith("warning:") else rule
    try:
        label = t(f"quality.rule_{key}", language)
    except KeyError:
        return rule
    return f"{label} ({rule.split(':', 1)[1]})" if rule.startswith("warning:") else label
