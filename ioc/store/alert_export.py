"""The alerts' exports (docs/alerts.md): the list and the history as frames, instants in UTC
(the writer shows them in the display zone), with their columns' Vietnamese and English
headers from the catalog (messages.yaml ``alerts.column_*``). Used by the API and the CLI."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Literal

import polars as pl

from ioc.catalog.definitions import load_messages

#: the columns of the list's CSV/XLSX form
LIST_COLUMNS = (
    "id",
    "rule_key",
    "rule_vi",
    "rule_en",
    "severity",
    "state",
    "subject_kind",
    "subject_code",
    "subject_name",
    "scheme",
    "unit_code",
    "item",
    "school_year",
    "term",
    "value",
    "threshold",
    "message_vi",
    "message_en",
    "opened_at",
    "last_seen_at",
    "acknowledged_at",
    "acknowledged_by",
    "resolved_at",
    "resolved_by",
    "recovered_at",
    "escalated_at",
    "silenced_until",
)
TIMES = (
    "opened_at",
    "last_seen_at",
    "acknowledged_at",
    "resolved_at",
    "recovered_at",
    "escalated_at",
    "silenced_until",
    "at",
)

#: the columns of the history export (:func:`events`)
EVENT_COLUMNS = (
    "id",
    "alert_id",
    "at",
    "actor",
    "action",
    "comment",
    "rule_key",
    "severity",
    "subject_kind",
    "subject_code",
    "subject_name",
    "scheme",
    "unit_code",
    "item",
)


def frame(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> pl.DataFrame:
    """The rows as an export's frame: instants in UTC (shown in local time), ids whole."""
    schema: dict[str, pl.DataType | type[pl.DataType]] = {
        c: pl.Datetime("us", "UTC")
        if c in TIMES
        else pl.Float64
        if c in ("value", "threshold")
        else pl.Int64
        if c in ("id", "alert_id", "reopened_from")
        else pl.String
        for c in columns
    }
    return pl.from_dicts([{c: r[c] for c in columns} for r in rows], schema=schema)


@functools.cache
def column_labels() -> dict[str, tuple[str, str]]:
    """(vi, en) headers of the alert exports' columns (messages.yaml ``alerts.column_*``)."""
    return {
        code.removeprefix("column_"): (text.vi, text.en)
        for code, text in load_messages().alerts.items()
        if code.startswith("column_")
    }


def write(frame: pl.DataFrame, path: Path, lang: Literal["vi", "en"]) -> None:
    """``frame`` to ``path`` (.csv or .xlsx) with the headers, rules and messages in ``lang``."""
    from ioc.catalog.messages import localise
    from ioc.exports.lists import columns_for
    from ioc.exports.writer import csv_chunks, write_xlsx

    shown = localise(frame, lang)
    columns = columns_for(shown, column_labels())
    if path.suffix.lower() == ".xlsx":
        write_xlsx(shown, path, columns, lang, sheet_name="alerts")
        return
    stream = csv_chunks(shown, columns, lang, limit=None)
    try:
        with path.open("wb") as out:
            for chunk in stream:
                out.write(chunk)
    finally:
        stream.close()
