"""What the ``ioc`` commands take: the options they share, and the unit and period they name."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ioc import db
from ioc.catalog.messages import Lang
from ioc.cli.output import err
from ioc.config import Settings, get_settings
from ioc.domain.period import InvalidPeriod, Period

UnitOption = Annotated[
    str, typer.Option(help="Unit code: province (2 digits), district (3), commune (5)")
]
PeriodOption = Annotated[str, typer.Option(help="YYYY-YYYY/DN|CN")]
SchemeOption = Annotated[
    str | None, typer.Option(help="2025 or legacy (default: the period's own scheme)")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON")]
LangOption = Annotated[
    Lang, typer.Option("--lang", help="vi or en: the language of rules, fields and messages")
]


def period_option(period: str) -> Period:
    """The period of a ``--period``; a bad one is a usage error."""
    try:
        return Period.parse(period)
    except InvalidPeriod as exc:
        raise typer.BadParameter(str(exc)) from exc


def unit_context(unit: str, period: str, scheme: str | None) -> tuple[Settings, Any, Any, str, str]:
    """Settings, a snapshot connection, the unit and the period of a --unit/--period command."""
    from ioc.views.units import find_unit

    at = period_option(period)
    if scheme not in (None, "2025", "legacy"):
        raise typer.BadParameter("--scheme must be 2025 or legacy")
    settings = get_settings()
    try:
        conn = db.connect_published(settings)
        found = find_unit(conn, settings, unit, scheme or at.scheme)
    except db.DataError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    return settings, conn, found, at.school_year, at.term
