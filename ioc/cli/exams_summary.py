"""``ioc exams summary``: a unit's exam figures for a year (ioc.exams.summary), as a
Vietnamese-first table or as JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Column, Table

from ioc import db
from ioc.cli.options import JsonOption
from ioc.cli.output import console, err
from ioc.config import get_settings
from ioc.domain.formats import vn_number
from ioc.exams.catalog import load_exam_catalog

LEVELS = {
    "province": "tỉnh/thành phố",
    "district": "quận/huyện",
    "commune": "xã/phường",
    "school": "trường",
}
SUBJECT_HEADERS = (
    "Môn",
    "Bài thi",
    "Điểm TB",
    "Trung vị",
    "Độ lệch chuẩn",
    "≥ 5 (%)",
    "≥ 8 (%)",
    "Điểm 10",
    "Điểm liệt (≤ 1)",
    "Hạng",
)
COMBINATION_HEADERS = (
    "Tổ hợp",
    "Môn",
    "Thí sinh",
    "Tổng TB",
    "Trung vị",
    "Độ lệch chuẩn",
    "≥ 15",
    "≥ 24",
)


def exams_summary(
    unit: Annotated[
        str, typer.Option(help="Province (2 digits), district (3), commune (5) or a school code")
    ],
    year: Annotated[int, typer.Option(help="The exam's year, e.g. 2025")],
    scheme: Annotated[
        str | None,
        typer.Option(help="legacy or 2025 (default: 2025 from the 2025 exam on)"),
    ] = None,
    subject: Annotated[
        str | None, typer.Option(help="One subject (e.g. TOAN), with its score spectrum")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """A unit's exam results: per subject, per combination, and the province's rank."""
    from ioc.exams.summary import default_scheme, summary

    settings = get_settings()
    try:
        conn = db.connect_published(settings)
        result = summary(
            conn,
            settings,
            unit=unit,
            year=year,
            scheme=scheme or default_scheme(year),
            subject=subject,
        )
    except db.DataError as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        return
    _print(result, spectrum=subject is not None)


def _decimal(value: float | None) -> str:
    return vn_number(value, 2)


def _print(result: dict[str, Any], *, spectrum: bool) -> None:
    u = result["unit"]
    console.print(
        f"[bold]{escape(u['name'] or u['code'])}[/bold] ({u['code']}, "
        f"{LEVELS[u['level']]}, {u['scheme']}) — kỳ thi tốt nghiệp THPT {result['year']}"
    )
    if result["rank"]:
        r = result["rank"]
        console.print(
            f"Xếp hạng điểm trung bình mọi bài thi: {r['rank']}/{r['ranked']} tỉnh đã nạp "
            f"(điểm TB {_decimal(r['mean'])})"
        )
    if result["councils"]:
        councils = "; ".join(
            f"{c['council_code']} {c['name']} ("
            + (f"{vn_number(c['candidates'])} thí sinh" if c["present"] else "chưa nạp")
            + ")"
            for c in result["councils"]
        )
        console.print(f"Hội đồng thi: {escape(councils)}")
    if not result["subjects"]:
        console.print("Chưa có bài thi nào của đơn vị này (no papers for this unit)")
        return
    subjects = [
        (
            s["vi"],
            vn_number(s["candidates"]),
            _decimal(s["mean"]),
            _decimal(s["median"]),
            _decimal(s["sd"]),
            vn_number(s["ge5_pct"], 1),
            vn_number(s["ge8_pct"], 1),
            vn_number(s["eq10"]),
            vn_number(s["failing"]),
            f"{s['rank']}/{s['ranked']}" if s["rank"] else "",
        )
        for s in result["subjects"]
    ]
    console.print(_fit(_table(SUBJECT_HEADERS, "Theo môn thi", text=1), subjects))
    if result["combinations"]:
        catalog = load_exam_catalog()
        combinations = [
            (
                c["combination"],
                ", ".join(catalog.subject(code).vi for code in c["subjects"])
                + (f" ({catalog.foreign_languages[c['language']].vi})" if c["language"] else ""),
                vn_number(c["candidates"]),
                _decimal(c["mean"]),
                _decimal(c["median"]),
                _decimal(c["sd"]),
                vn_number(c["ge15"]),
                vn_number(c["ge24"]),
            )
            for c in result["combinations"]
        ]
        table = _table(COMBINATION_HEADERS, "Theo tổ hợp xét tuyển", text=2)
        console.print(_fit(table, combinations))
    if spectrum:
        for s in result["subjects"]:
            bins = [(_decimal(b["bin_from"]), vn_number(b["papers"])) for b in s["spectrum"]]
            console.print(_fit(_table(("Từ điểm", "Số bài"), f"Phổ điểm {s['vi']}", text=0), bins))


def _table(headers: tuple[str, ...], title: str, *, text: int) -> Table:
    """The first ``text`` columns wrap; numbers are right-aligned (:func:`_fit` keeps them
    whole once the rows are in)."""
    columns = [Column(h) if i < text else Column(h, justify="right") for i, h in enumerate(headers)]
    return Table(*columns, title=title)


def _fit(table: Table, rows: Sequence[tuple[str, ...]]) -> Table:
    """Add ``rows``; every column is at least as wide as its longest word (a number is never
    cut, a header wraps between words)."""
    for row in rows:
        table.add_row(*row)
    for i, column in enumerate(table.columns):
        words = [w for cell in (column.header, *(r[i] for r in rows)) for w in str(cell).split()]
        column.min_width = max((len(w) for w in words), default=1)
    return table
