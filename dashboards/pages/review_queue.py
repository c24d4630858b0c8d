"""The review desk's lists: the summary per child unit (returns by state, pending, locked,
age of the oldest) and the queue of returns waiting (school, unit, state in words, received,
age, findings), filterable by unit and state. Rows are built from the API's answers with
every number and time already in the reader's format."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboards import ids
from dashboards.components.datagrid import grid, list_col, status_col, text_col
from dashboards.formats import datetime_text, vn_number
from dashboards.i18n import Lang, t

STATES = ("received", "checked", "returned", "approved")
WAITING = ("received", "checked", "returned")  # what the queue lists


def state_text(state: str | None, language: Lang) -> str:
    """A review state in words ('received' -> 'Chờ duyệt')."""
    if not state:
        return "—"
    try:
        return t(f"review.state_{state}", language)
    except KeyError:
        return state


def age_text(days: Any, language: Lang) -> str:
    """How long a return has waited: '3 ngày', 'hôm nay'."""
    if days is None or days == "":
        return "—"
    whole = int(float(days))
    if whole <= 0:
        return t("review.age_today", language)
    return t("review.age_days", language, n=vn_number(whole))


def _unit_name(row: dict[str, Any]) -> str:
    return str(row.get("unit_name") or row.get("unit_code") or "—")


def unit_of(row: dict[str, Any]) -> str | None:
    """The child unit a queued return is in: its old district, or its 2025 commune."""
    return row.get("district_code") or row.get("commune_code")


def oldest(queue: list[dict[str, Any]]) -> dict[str, int]:
    """Per child unit, the age in days of its oldest waiting return."""
    ages: dict[str, int] = {}
    for r in queue:
        unit, age = unit_of(r), r.get("age_days")
        if unit and age is not None:
            ages[unit] = max(ages.get(unit, 0), int(age))
    return ages


def summary_rows(
    rows: list[dict[str, Any]], ages: dict[str, int], language: Lang
) -> list[dict[str, Any]]:
    """The summary's rows; ``ages``: the oldest waiting return's age per unit."""
    out = []
    for r in rows:
        row: dict[str, Any] = {"id": r.get("unit_code"), "unit": _unit_name(r)}
        for state in STATES:
            row[state] = r.get(state) or 0
        row["pending"] = r.get("pending") or 0
        row["locked"] = t("review.locked_yes", language) if r.get("locked") else "—"
        row["oldest"] = ages.get(str(r.get("unit_code")))
        row["oldest_text"] = age_text(row["oldest"], language)
        out.append(row)
    return out


def summary_grid(rows: list[dict[str, Any]], ages: dict[str, int], language: Lang) -> Any:
    def c(field: str, key: str, **kw: Any) -> dict[str, Any]:
        header = t(f"review.col_{key}", language)
        return list_col(field, header, language, wrapHeaderText=True, autoHeaderHeight=True, **kw)

    return grid(
        ids.REVIEW_SUMMARY_GRID,
        [
            c("unit", "unit", minWidth=170, pinned="left"),
            c("pending", "pending", numeric=True, minWidth=90),
            *(c(s, f"{s}_n", numeric=True, minWidth=95) for s in STATES),
            text_col("oldest", t("review.col_oldest", language), minWidth=105),
            c("locked", "locked", minWidth=90),
        ],
        summary_rows(rows, ages, language),
        height=min(360, 60 + 42 * max(len(rows), 2)),
        lang=language,
    )


def queue_rows(
    rows: list[dict[str, Any]], names: dict[str, str], language: Lang, zone: str
) -> list[dict[str, Any]]:
    """The queue's rows (ids are school codes: one period per desk); ``names``: the child
    units' names by code."""
    return [
        {
            "id": r.get("school_code"),
            "school_code": r.get("school_code"),
            "school": f"{r.get('school_name') or ''} ({r.get('school_code')})".strip(),
            "unit": names.get(unit_of(r) or "", unit_of(r) or "—"),
            "state": state_text(r.get("state"), language),
            "state_code": r.get("state"),
            "received": datetime_text(r.get("received_at"), zone),
            "age": r.get("age_days"),
            "age_text": age_text(r.get("age_days"), language),
            "findings": r.get("findings", r.get("findings_count")) or 0,
            "content_hash": r.get("content_hash"),
        }
        for r in rows
    ]


def queue_grid(rows: list[dict[str, Any]], names: dict[str, str], language: Lang, zone: str) -> Any:
    def c(field: str, key: str, **kw: Any) -> dict[str, Any]:
        return list_col(field, t(f"review.col_{key}", language), language, **kw)

    return grid(
        ids.REVIEW_QUEUE,
        [
            c("school", "school", minWidth=200, pinned="left", tooltipField="school"),
            c("unit", "unit", minWidth=140),
            status_col("state", t("review.col_state", language), minWidth=120),
            c("received", "received", minWidth=150),
            text_col("age", t("review.col_age", language), minWidth=90),
            c("findings", "findings", numeric=True, minWidth=95),
        ],
        queue_rows(rows, names, language, zone),
        height=440,
        selectable=True,
        lang=language,
    )


def filters(units: list[dict[str, Any]], language: Lang) -> html.Div:
    """Unit and state pickers of the queue."""
    unit_options = [{"label": t("review.all_units", language), "value": ""}] + [
        {"label": _unit_name(u), "value": str(u.get("unit_code"))} for u in units
    ]
    state_options = [{"label": t("review.all_states", language), "value": ""}] + [
        {"label": state_text(s, language), "value": s} for s in WAITING
    ]
    return html.Div(
        [
            html.Label(t("review.filter_unit", language), htmlFor=ids.REVIEW_FILTER_UNIT),
            dcc.Dropdown(
                id=ids.REVIEW_FILTER_UNIT,
                options=unit_options,
                value="",
                clearable=False,
                className="review-filter",
            ),
            html.Label(t("review.filter_state", language), htmlFor=ids.REVIEW_FILTER_STATE),
            dcc.Dropdown(
                id=ids.REVIEW_FILTER_STATE,
                options=state_options,
                value="",
                clearable=False,
                searchable=False,
                className="review-filter",
            ),
        ],
        className="toolbar review-filters",
    )
