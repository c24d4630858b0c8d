"""``ioc ingest`` (load return files) and ``ioc rejects`` (the rows they refused)."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ioc import db
from ioc.catalog.messages import Lang, describe, file_message
from ioc.cli.options import JsonOption, LangOption, period_option
from ioc.cli.output import TEXTS, console, err, phrase
from ioc.config import get_settings
from ioc.domain.formats import vn_number

if TYPE_CHECKING:
    from ingest.run_store import FileReport


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="CSV or XLSX return files")],
    period: Annotated[str | None, typer.Option(help="YYYY-YYYY/DN|CN when files lack it")] = None,
    strict: Annotated[bool, typer.Option(help="Reject the whole file if any row is bad")] = False,
    received: Annotated[
        str | None, typer.Option(help="Date the Department received the files (YYYY-MM-DD)")
    ] = None,
    lang: LangOption = "vi",
) -> None:
    """Load return files and publish a new snapshot."""
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from ingest.runner import ingest as run_ingest

    if period:
        period_option(period)
    received_date = date.fromisoformat(received) if received else None
    stages = ("reading", "validating", "writing")
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("starting", total=len(paths) * len(stages) + 1)

        def advance(name: str, stage: str) -> None:
            bar.update(task, description=f"{name} {stage}".strip(), advance=1)

        reports = run_ingest(
            paths,
            period=period,
            strict=strict,
            received=received_date,
            settings=get_settings(),
            progress=advance,
        )
    report_runs(reports, lang)


def report_runs(reports: Sequence[FileReport], lang: Lang, *, as_json: bool = False) -> None:
    """The runs of an ingest as a table (or JSON on stdout), their messages on stderr (in
    ``lang``, from the message's catalog code; the English one without), and exit 1 when a
    file failed."""
    if as_json:
        rows = [dataclasses.asdict(r) for r in reports]
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
    else:
        table = Table(*phrase("runs", lang).split("|"))
        for r in reports:
            table.add_row(
                str(r.run_id),
                Path(r.path).name,
                phrase(r.status, lang) if r.status in TEXTS else r.status,
                *map(vn_number, (r.rows_read, r.accepted, r.replaced, r.rejected, r.warnings)),
            )
        console.print(table)
    for r in reports:
        if r.message:
            text = escape(file_message(r.message_code, lang, r.message_params, r.message) or "")
            err.print(f"[red]{text}[/red]" if r.status == "failed" else text)
    if any(r.rejected for r in reports):
        err.print(phrase("see_rejects", lang))
    if any(r.status == "failed" for r in reports):
        raise typer.Exit(1)


def rejects(
    run: Annotated[int | None, typer.Option(help="Only this ingest run")] = None,
    as_json: JsonOption = False,
    lang: LangOption = "vi",
) -> None:
    """List rejected rows: file, row, column, rule and offending value."""
    settings = get_settings()
    try:
        conn = db.connect_published(settings)
    except db.DataError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    rows = describe(
        db.query(conn, "queries/rejects", settings, run_id=run, schools=None, account=None)
    )
    if as_json:
        sys.stdout.write(json.dumps(rows.to_dicts(), ensure_ascii=False, indent=2) + "\n")
        return
    for r in rows.iter_rows(named=True):
        line = phrase(
            "reject",
            lang,
            run=r["run_id"],
            file=r["file_name"],
            sheet=phrase("sheet", lang, sheet=r["sheet"]) if r["sheet"] else "",
            row=r["source_row"],
            column=r["column_name"] or "—",
            school=r["school_code"] or "—",
            rule=r[f"rule_label_{lang}"],
            message=r[f"message_{lang}"],
            value="" if r["value"] is None else phrase("value", lang, value=r["value"]),
        )
        console.print(escape(line), highlight=False, soft_wrap=True)
    console.print(phrase("rejections", lang, n=vn_number(rows.height)))
