"""``ioc summary``, ``ioc indicators`` and ``ioc quality``: a unit's figures for a period."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from ioc import db
from ioc.catalog import load_contract
from ioc.catalog.messages import Lang
from ioc.cli.options import (
    JsonOption,
    LangOption,
    PeriodOption,
    SchemeOption,
    UnitOption,
    unit_context,
)
from ioc.cli.output import console, err, phrase
from ioc.domain.formats import vn_number, vn_value


def summary(
    unit: UnitOption,
    period: PeriodOption,
    scheme: SchemeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Totals of every count field and schools by level and ownership for a unit."""
    from ioc.views.summary import summary as build_summary

    settings, conn, found, school_year, term = unit_context(unit, period, scheme)
    result = build_summary(
        conn, settings, code=found.code, school_year=school_year, term=term, scheme=found.scheme
    )
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        return
    _print_summary(result)


def _print_summary(result: dict[str, Any]) -> None:
    u = result["unit"]
    console.print(
        f"[bold]{u['name']}[/bold] ({u['code']}, {u['level']}, scheme {u['scheme']}) — "
        f"{result['period']}: {vn_number(result['schools'])} schools"
    )
    by = "  ".join(f"{k} {vn_number(v)}" for k, v in result["schools_by_level"].items())
    own = "  ".join(f"{k} {vn_number(v)}" for k, v in result["schools_by_ownership"].items())
    console.print(f"By level: {by}\nBy ownership: {own}")
    table = Table("field", "Chỉ tiêu", "total", "schools reporting")
    contract = load_contract()
    for name, t in result["totals"].items():
        table.add_row(
            name, contract.field(name).vi, vn_number(t["total"]), vn_number(t["schools_reporting"])
        )
    console.print(table)


STATUS_STYLE = {
    "meets": "green",
    "below": "red",
    "above": "red",
    "no_norm": "dim",
    "no_value": "dim",
}


def indicators(
    unit: UnitOption,
    period: PeriodOption,
    scheme: SchemeOption = None,
    children: Annotated[bool, typer.Option(help="One block per child unit")] = False,
    family: Annotated[str | None, typer.Option(help="Only this family, e.g. staff")] = None,
    as_json: JsonOption = False,
) -> None:
    """Every indicator with numerator, denominator, value, coverage, norm, target and change."""
    from ioc.views.indicators import indicator_values

    settings, conn, found, school_year, term = unit_context(unit, period, scheme)
    try:
        rows = indicator_values(
            conn, settings, found, school_year, term, children=children, family=family
        )
    except db.DataError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    if not rows:
        console.print(f"{found.name}: chưa có số liệu cho kỳ {period} (no data for this period)")
        return
    _print_indicators(period, rows)


def _print_indicators(period: str, rows: list[dict[str, Any]]) -> None:
    for unit_name in dict.fromkeys(r["unit_name"] for r in rows):
        table = Table(
            "id",
            "Chỉ tiêu",
            "giá trị",
            "đơn vị",
            "tử số",
            "mẫu số",
            "định mức",
            "trạng thái",
            "mục tiêu",
            "so với năm trước",
            "bao phủ",
            title=f"{unit_name} — {period}",
        )
        for r in (r for r in rows if r["unit_name"] == unit_name):
            style = STATUS_STYLE.get(r["norm_status"], "")
            change = (
                ""
                if r["change"] is None
                else f"{'+' if r['change'] >= 0 else ''}{vn_value(r['change'])}"
            )
            if r["is_break"] and change:
                change += " ⌇"
            table.add_row(
                r["indicator_id"],
                r["name_vi"],
                vn_value(r["value"]),
                r["unit_vi"],
                vn_value(r["numerator"]),
                vn_value(r["denominator"]),
                vn_value(r["norm_value"]),
                f"[{style}]{r['norm_status']}[/{style}]" if style else r["norm_status"],
                vn_value(r["target_value"]),
                change,
                f"{r['schools_contributing']}/{r['schools_in_scope']}",
            )
        console.print(table)
    console.print("⌇ = 2025 reorganisation between the two years (values restated from schools)")


def quality(
    unit: UnitOption,
    period: PeriodOption,
    scheme: SchemeOption = None,
    as_json: JsonOption = False,
    lang: LangOption = "vi",
) -> None:
    """Completeness, timeliness and a quality score per child unit; schools to chase; findings."""
    from ioc.views.quality import quality_report

    settings, conn, found, school_year, term = unit_context(unit, period, scheme)
    report = quality_report(conn, settings, found, school_year, term)
    if as_json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    _print_quality(report, lang)


def _print_quality(report: dict[str, Any], lang: Lang) -> None:
    u = report["unit"]
    table = Table(
        "mã",
        "đơn vị",
        "phải báo cáo",
        "đã báo cáo",
        "đúng hạn",
        "thiếu",
        "muộn",
        "đầy đủ %",
        "đúng hạn %",
        "có phát hiện",
        "điểm",
        title=f"{u['name']} — {report['period']}",
    )
    rows = [
        *report["by_unit"],
        *(
            [{**report["total"], "unit_name": "Tổng", "unit_code": u["code"]}]
            if report["total"]
            else []
        ),
    ]
    for r in rows:
        table.add_row(
            r["unit_code"],
            r["unit_name"] or "(chưa xác định)",
            *map(
                vn_number,
                (
                    r["schools_expected"],
                    r["schools_reported"],
                    r["schools_on_time"],
                    r["schools_missing"],
                    r["schools_late"],
                ),
            ),
            vn_value(r["completeness_pct"]),
            vn_value(r["timeliness_pct"]),
            vn_number(r["schools_with_findings"]),
            vn_value(r["quality_score"]),
        )
    console.print(table)
    console.print(f"[bold]{phrase('chase', lang, n=vn_number(len(report['chase_list'])))}[/bold]")
    for c in report["chase_list"]:
        when = phrase("received", lang, date=c["first_received_date"])
        line = phrase(
            "chase_row",
            lang,
            status=phrase(f"status_{c['status']}", lang),
            school=c["school_code"],
            name=c["school_name"],
            due=c["due_date"],
            received=when if c["first_received_date"] else "",
            last=c["last_period"] or "—",
        )
        console.print(escape(line), highlight=False)
    console.print(f"[bold]{phrase('findings', lang, n=vn_number(len(report['findings'])))}[/bold]")
    for f in report["findings"]:
        line = phrase(
            "finding",
            lang,
            rule=f[f"rule_label_{lang}"],
            school=f["school_code"],
            name=f["school_name"],
            field=f[f"field_label_{lang}"] or "—",
            value=f["value"] or "—",
            message=f[f"message_{lang}"],
        )
        console.print(escape(line), highlight=False)
