"""KPI tiles: value, norm or target status colour, change since last year, coverage."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboards.api_client import Value
from dashboards.components.attrs import data_attrs
from dashboards.context import View
from dashboards.formats import change_text, counts, value_text, vn_number
from dashboards.i18n import t

BAD = ("below", "above")


def status_of(row: Value | dict[str, Any]) -> str:
    """The status a tile shows: the target's if one is set, else the norm's."""
    target = row.get("target_status")
    if target and target not in ("no_norm", "no_value"):
        return target
    return row.get("norm_status") or "no_norm"


def name_of(row: Value | dict[str, Any], lang: str) -> str:
    return str(row.get("name_vi") if lang == "vi" else row.get("name_en") or row.get("name_vi"))


def gap(row: Value | dict[str, Any]) -> float | None:
    """How far a value is from its target (or norm, without a failing target), relative to
    it; None if it meets it or has none. The overview and the wall rank by it."""
    status, value = status_of(row), row.get("value")
    if status not in BAD or value is None:
        return None
    reference = row.get("target_value")
    if row.get("target_status") not in BAD:
        reference = row.get("norm_value")
    if not reference:
        return None
    return float(abs(value - reference) / abs(reference))


def unit_label(row: Value | dict[str, Any], lang: str) -> str:
    return str(row.get("unit_vi") if lang == "vi" else row.get("unit_en") or "")


def tile(row: Value, view: View, lang: str) -> html.A:
    unit = unit_label(row, lang)
    status = status_of(row)
    reference = []
    if row.get("target_value") is not None:
        reference = [
            t("overview.target", lang),
            ": ",
            value_text(row["target_value"], unit, count=counts(row)),
        ]
    elif row.get("norm_value") is not None:
        reference = [
            t("overview.norm", lang),
            ": ",
            value_text(row["norm_value"], unit, count=counts(row)),
        ]
    coverage = (
        f"{vn_number(row.get('schools_contributing'))}/{vn_number(row.get('schools_in_scope'))}"
    )
    value = row.get("value")
    return html.A(
        [
            html.Div(name_of(row, lang), className="tile-name"),
            html.Div(value_text(row.get("value"), unit, count=counts(row)), className="tile-value"),
            html.Div(
                [
                    html.Span(t(f"status.{status}", lang), className=f"pill pill-{status}"),
                    html.Span(reference, className="tile-ref"),
                ],
                className="tile-row",
            ),
            html.Div(
                [
                    html.Span(
                        [
                            t("overview.change", lang),
                            ": ",
                            change_text(row.get("change"), unit, lang, count=counts(row)),
                        ],
                        title=t("overview.break", lang) if row.get("is_break") else None,
                    ),
                    html.Span(
                        [t("overview.coverage", lang), ": ", coverage], className="tile-coverage"
                    ),
                ],
                className="tile-foot",
            ),
        ],
        href=view.with_(indicator=row["indicator_id"]).href("/indicator"),
        className=f"tile tile-{status}",
        id=f"tile-{row['indicator_id']}",
        **data_attrs(value="" if value is None else repr(value)),
    )
