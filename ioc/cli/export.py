"""``ioc export``: write a report (the standard workbook, or one table) to a file."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ioc import db
from ioc.cli.options import SchemeOption
from ioc.cli.output import console, err
from ioc.config import get_settings
from ioc.domain.formats import vn_number


def export(
    unit: Annotated[
        str, typer.Option(help="Unit code: province (2 digits), district (3), commune (5), or VN")
    ],
    period: Annotated[str, typer.Option(help="YYYY-YYYY/DN|CN, latest or previous")],
    out: Annotated[Path, typer.Option(help="File to write (.xlsx/.csv/.pdf), or a folder")],
    scheme: SchemeOption = None,
    kind: Annotated[
        str | None,
        typer.Option(help="indicators, schools, quality or chase (default: the standard workbook)"),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="xlsx, csv or pdf (pdf: the standard report only)")
    ] = "xlsx",
) -> None:
    """Write a report: the Department's standard workbook, or one table (--kind)."""
    from ioc.reports.produce import ReportRequest, produce_published

    try:
        request = ReportRequest(unit, period, scheme, kind or "standard", (fmt.lower(),)).checked()
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    settings = get_settings()
    started = time.perf_counter()
    as_folder = out.is_dir() or not out.suffix  # a name without .xlsx/.csv/.pdf is a folder
    folder = out if as_folder else out.parent
    try:
        done = produce_published(settings, request, folder, out=None if as_folder else out)
    except db.DataError as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc
    for path in done.paths:
        console.print(
            f"{path} ({vn_number(path.stat().st_size / 1024)} KB): {done.unit.name}, "
            f"{done.school_year}/{done.term}, {time.perf_counter() - started:.1f} s",
            highlight=False,
            soft_wrap=True,
        )
