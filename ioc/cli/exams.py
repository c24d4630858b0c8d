"""``ioc exams``: the national graduation exam's results (docs/exams.md). ``ingest`` loads
results and registration files; the statistics' ``summary`` is mounted on the same group."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ioc.cli.exams_summary import exams_summary
from ioc.cli.ingest import report_runs
from ioc.cli.options import JsonOption, LangOption
from ioc.config import get_settings

exams_app = typer.Typer(help="Exam results: the national upper-secondary graduation exam.")


@exams_app.command("ingest")
def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help="Results files: the Ministry's JSON, CSV or XLSX")
    ],
    year: Annotated[
        int | None, typer.Option(help="The exam's year (default: a JSON file's export time)")
    ] = None,
    registrations: Annotated[
        list[Path] | None,
        typer.Option(help="Registration file linking candidates to schools (SBD, Mã trường)"),
    ] = None,
    as_json: JsonOption = False,
    lang: LangOption = "vi",
) -> None:
    """Load exam results (and registrations) and publish a new snapshot."""
    from ingest.exams.load import ingest_exams

    reports = ingest_exams(
        paths, registrations=registrations or [], year=year, settings=get_settings()
    )
    report_runs(reports, lang, as_json=as_json)


exams_app.command("summary")(exams_summary)
