"""The indicator explorer's definition card: the formula in the user's words (numerator,
denominator, their catalog fields), the current value, the norm's rules with their legal
source and validity, and how values are rounded."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboards import ids
from dashboards.api_client import Value
from dashboards.components.attrs import data_attrs
from dashboards.components.indicators import indicator_meta
from dashboards.figures.map import band
from dashboards.formats import counts, date_text, value_text, vn_number
from dashboards.i18n import t


def _field_label(catalog: dict[str, Any], name: str | None, language: str) -> str:
    for field in catalog.get("fields", []):
        if field["name"] == name:
            return str(field.get(language) or field.get("vi"))
    return str(name or "")


def definition(
    catalog: dict[str, Any], indicator: str, own: Value | None, language: str
) -> html.Div:
    entry: dict[str, Any] = next(
        (i for i in catalog.get("indicators", []) if i["id"] == indicator), {}
    )
    meta = indicator_meta(catalog, indicator)
    unit = str(meta.get(f"unit_{language}") or "")
    kind = str(entry.get("kind") or "")
    kind_key = f"explorer.kind_{kind}"
    known_kinds = ("ratio", "share_of_schools", "sum", "schools")
    formula: list[Any] = [t(kind_key if kind in known_kinds else "explorer.kind_other", language)]
    if entry.get("numerator"):
        numerator = _field_label(catalog, entry["numerator"], language)
        parts: list[Any] = [
            html.Span(numerator, className="formula-part", id=ids.EXPLORER_NUMERATOR)
        ]
        if entry.get("denominator"):
            denominator = _field_label(catalog, entry["denominator"], language)
            parts += [
                " / ",
                html.Span(denominator, className="formula-part", id=ids.EXPLORER_DENOMINATOR),
            ]
        factor = entry.get("factor")
        if factor and factor != 1:
            parts.append(f" × {vn_number(factor)}")
        formula = [html.Div(parts, className="formula"), html.Div(formula, className="muted")]
    direction = entry.get("direction") or "none"
    if direction not in ("up", "down", "near", "info"):
        direction = "none"
    rows = [
        (t("explorer.formula", language), formula),
        (t("explorer.unit", language), unit or "—"),
        (t("explorer.direction", language), t(f"explorer.direction_{direction}", language)),
        (t("explorer.norm", language), _norm(catalog, entry.get("norm"), unit, language)),
    ]
    rounding = _rounding(catalog, entry.get("ratio_norm"), language)
    if rounding is not None:
        rows.append((t("explorer.rounding", language), rounding))
    note = entry.get("note") or {}
    current: list[Any] = []
    if own is not None:
        kind_band = band(own)
        current = [
            html.Div(
                [
                    html.Span(
                        value_text(own.get("value"), unit, count=counts(meta)),
                        className="tile-value",
                    ),
                    html.Span(
                        t(f"map.{kind_band}", language), className=f"pill pill-band-{kind_band}"
                    ),
                ],
                className="explorer-current",
                id=ids.EXPLORER_VALUE,
                **data_attrs(value="" if own.get("value") is None else repr(own.get("value"))),
            ),
            html.Div(
                t(
                    "map.coverage",
                    language,
                    n=vn_number(own.get("schools_contributing") or 0),
                    of=vn_number(own.get("schools_in_scope") or 0),
                ),
                className="muted",
            ),
        ]
    return html.Div(
        [
            html.Div(
                [
                    html.H2(meta.get(f"name_{language}") or indicator),
                    html.Div(
                        meta.get("name_en" if language == "vi" else "name_vi"), className="muted"
                    ),
                    *current,
                ],
                className="def-head",
            ),
            html.Dl(
                [x for label, value in rows for x in (html.Dt(label), html.Dd(value))],
                className="def-list",
            ),
            html.P(note.get(language) or note.get("vi"), className="muted") if note else None,
        ],
        className="card definition",
        id=ids.EXPLORER_DEFINITION,
    )


def _rounding(catalog: dict[str, Any], norm_id: str | None, language: str) -> Any:
    """How a shortfall turns norm × classes into whole people, with its basis (catalog)."""
    norm = next((n for n in catalog.get("norms", []) if n["id"] == norm_id), None)
    rounding = (norm or {}).get("rounding")
    if not rounding:
        return None
    return html.Div(
        [
            html.Span(rounding.get(language) or rounding.get("vi")),
            " — ",
            html.Span(rounding.get("source") or "", className="norm-source"),
        ],
        id=ids.EXPLORER_ROUNDING,
    )


def _norm(catalog: dict[str, Any], norm_id: str | None, unit: str, language: str) -> Any:
    norm = next((n for n in catalog.get("norms", []) if n["id"] == norm_id), None)
    if norm is None:
        return t("explorer.no_norm", language)
    key = "explorer.norm_max" if norm.get("comparison") == "max" else "explorer.norm_min"
    rules = sorted(norm.get("rules", []), key=lambda r: r.get("valid_to") is not None)
    items = []
    for rule in rules:
        bits = [t(key, language, value=value_text(rule.get("value"), unit))]
        if rule.get("levels"):
            bits.append(t("explorer.levels", language, levels=", ".join(rule["levels"])))
        if rule.get("valid_from") or rule.get("valid_to"):
            bits.append(
                t(
                    "explorer.valid",
                    language,
                    start=date_text(rule.get("valid_from")) if rule.get("valid_from") else "…",
                    end=date_text(rule.get("valid_to")) if rule.get("valid_to") else "…",
                )
            )
        items.append(
            html.Li(
                [
                    "; ".join(bits),
                    " — ",
                    html.Span(rule.get("source") or "", className="norm-source"),
                ],
                className="norm-rule" + (" norm-old" if rule.get("valid_to") else ""),
            )
        )
    return html.Ul(items, className="norm-rules")
