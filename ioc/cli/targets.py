"""``ioc targets``: the Department's own yearly targets per indicator and unit.

Mounted in ``ioc/cli/main.py`` with ``app.add_typer(targets_app, name="targets")``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ioc import db
from ioc.cli.options import JsonOption
from ioc.cli.output import console, err
from ioc.config import display_zone, get_settings
from ioc.domain.formats import local_datetime, vn_value

targets_app = typer.Typer(help="The Department's own yearly targets per indicator and unit.")


@targets_app.command("import")
def targets_import(
    path: Annotated[
        Path,
        typer.Argument(help="CSV/XLSX: indicator_id, unit_code, school_year, target[, scheme]"),
    ],
) -> None:
    """Set targets from a file (all rows or none); statuses are recomputed."""
    from ingest.targets import import_targets
    from ioc.returns.read import FileError

    try:
        count = import_targets(path, get_settings())
    except (FileError, db.DataError) as exc:
        err.print(escape(exc.text("vi") if isinstance(exc, FileError) else str(exc)))
        raise typer.Exit(1) from exc
    console.print(f"{count} target(s) set.")


@targets_app.command("list")
def targets_list(
    as_json: JsonOption = False,
) -> None:
    """List the targets in force."""
    settings = get_settings()
    try:
        conn = db.connect_published(settings)
    except db.DataError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    rows = db.query(conn, "queries/targets", settings)
    if as_json:
        sys.stdout.write(
            json.dumps(rows.to_dicts(), ensure_ascii=False, indent=2, default=str) + "\n"
        )
        return
    table = Table("chỉ tiêu", "hệ", "đơn vị", "năm học", "mục tiêu", "người đặt", "lúc")
    for r in rows.iter_rows(named=True):
        table.add_row(
            r["indicator_id"],
            r["scheme"],
            f"{r['unit_code']} {r['unit_name'] or ''}",
            r["school_year"],
            vn_value(r["target_value"]),
            r["set_by"],
            local_datetime(r["set_at"], display_zone(), "%d/%m/%Y %H:%M"),
        )
    console.print(table)
