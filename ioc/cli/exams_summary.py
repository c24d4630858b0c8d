"""``ioc exams summary``: a unit's exam figures for a year (ioc.exams.summary), as a
Vietnamese-first table or as JSON."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from ioc import db
from ioc.cli.options import JsonOption
from ioc.cli.output import console, err
from ioc.config import get_settings
from ioc.domain.formats import vn_number

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
    table = Table(*SUBJECT_HEADERS, title="Theo môn thi")
    for s in result["subjects"]:
        table.add_row(
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
    console.print(table)
    if result["combinations"]:
        table = Table(*COMBINATION_HEADERS, title="Theo tổ hợp xét tuyển")
        for c in result["combinations"]:
            table.add_row(
                c["combination"],
                ", ".join(c["subjects"]) + (f" ({c['language']})" if c["language"] else ""),
                vn_number(c["candidates"]),
                _decimal(c["mean"]),
                _decimal(c["median"]),
                _decimal(c["sd"]),
                vn_number(c["ge15"]),
                vn_number(c["ge24"]),
            )
        console.print(table)
    if spectrum:
        for s in result["subjects"]:
            table = Table("Từ điểm", "Số bài", title=f"Phổ điểm {s['vi']}")
            for b in s["spectrum"]:
                table.add_row(_decimal(b["bin_from"]), vn_number(b["papers"]))
            console.print(table)
