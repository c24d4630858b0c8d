"""``ioc alerts``: the alerts of the operational store (docs/alerts.md) as an administrator
on the server sees them: every alert, the rules in force, the list or the history to a file.

Mounted in ``ioc/cli/main.py`` with ``app.add_typer(alerts_app, name="alerts")``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from ioc.cli.options import JsonOption, LangOption
from ioc.cli.output import console, err, local_iso, print_rows
from ioc.cli.store_session import store_session
from ioc.config import get_settings

if TYPE_CHECKING:
    pass

# ioc.store (SQLAlchemy, Alembic) is imported inside the commands, so that mounting this
# sub-app does not slow down every other ``ioc`` command.

alerts_app = typer.Typer(
    help="Alerts: open ones, rules, exports, an evaluation now.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
StateOption = Annotated[
    list[str] | None,
    typer.Option(
        "--state",
        help="open, acknowledged, resolved, recovered or all; repeatable "
        "(default: open and acknowledged)",
    ),
]
SeverityOption = Annotated[
    list[str] | None, typer.Option("--severity", help="info, warning or critical; repeatable")
]
RuleOption = Annotated[list[str] | None, typer.Option("--rule", help="A rule key; repeatable")]
UnitOption = Annotated[
    str | None, typer.Option("--unit", help="SCHEME:CODE: alerts whose units include it")
]
STATES = ("pending", "open", "acknowledged", "resolved", "recovered")
SEVERITIES = ("info", "warning", "critical")


def _filters(
    state: list[str] | None,
    severity: list[str] | None,
    rule: list[str] | None,
    unit: str | None,
) -> Any:
    from ioc.store import StoreError, parse_unit
    from ioc.store.alerts import Filters

    states = tuple(state or ("open", "acknowledged"))
    if "all" in states:
        states = STATES[1:]
    bad = [s for s in states if s not in STATES]
    if bad:
        raise typer.BadParameter(f"unknown state {', '.join(bad)}", param_hint="--state")
    wrong = [s for s in severity or () if s not in SEVERITIES]
    if wrong:
        raise typer.BadParameter(f"unknown severity {', '.join(wrong)}", param_hint="--severity")
    try:
        place = parse_unit(unit) if unit else None
    except StoreError as exc:
        raise typer.BadParameter(str(exc), param_hint="--unit") from None
    return Filters(
        states=states, severities=tuple(severity or ()), rules=tuple(rule or ()), unit=place
    )


@alerts_app.command("list")
def list_(
    state: StateOption = None,
    severity: SeverityOption = None,
    rule: RuleOption = None,
    unit: UnitOption = None,
    limit: Annotated[int, typer.Option(min=1, max=100_000)] = 50,
    as_json: JsonOption = False,
    lang: LangOption = "vi",
) -> None:
    """The newest alerts (every unit), most recently opened first."""
    from ioc.store import alerts as store

    filters = _filters(state, severity, rule, unit)
    with store_session() as session:
        counted = store.counts(session, filters, None)
        found = store.list_alerts(session, filters, None, limit=limit)
    rows = [
        {
            "id": a["id"],
            "state": a["state"],
            "severity": a["severity"],
            "rule": a["rule_key"],
            "subject": f"{a['subject_code']} {a['subject_name']}".strip(),
            "unit": f"{a['scheme']}:{a['unit_code']}" if a["unit_code"] else None,
            "message": a[f"message_{lang}"],
            "opened_at": local_iso(a["opened_at"]),
            "acknowledged_by": a["acknowledged_by"],
        }
        for a in found
    ]
    print_rows(rows, as_json, "alerts")
    if not as_json:
        total = sum(counted["state"].values())
        shown = ", ".join(f"{k} {v}" for k, v in sorted(counted["state"].items()))
        console.print(f"{len(rows)} of {total} ({shown})", highlight=False)


@alerts_app.command("evaluate")
def evaluate(as_json: JsonOption = False) -> None:
    """Evaluate every rule on the published build now and send what is due (what the server
    does after each build and on its clock)."""
    import json

    from ioc import store
    from ioc.jobs.alerts import evaluate_and_deliver

    settings = get_settings()
    store.migrate(settings)
    result = evaluate_and_deliver(settings, "manual")
    if as_json:
        console.print_json(json.dumps(result))
        return
    sent = result["sent"]
    console.print(
        f"evaluation {result['evaluation_id']} of build {result['build_id'] or '-'}: "
        f"{result['opened']} opened, {result['recovered']} recovered, "
        f"{result['escalated']} escalated; {result['delivered']} deliveries made, "
        f"{sent.get('sent', 0)} sent, {sent.get('failed', 0)} failed",
        highlight=False,
    )


@alerts_app.command("rules")
def rules(as_json: JsonOption = False) -> None:
    """The rules in force: the catalog's, then those accounts added."""
    from ioc.store.alert_config import list_rules

    with store_session() as session:
        found = list_rules(session)
    rows = [
        {
            "key": r["key"],
            "source": r["source"],
            "kind": r["kind"],
            "severity": r["severity"],
            "level": r["level"],
            "scheme": r["scheme"],
            "threshold": r["threshold"],
            "units": [f"{u['scheme']}:{u['code']}" for u in r["units"]],
            "enabled": r["enabled"],
            "name": r["vi"],
        }
        for r in found
    ]
    print_rows(rows, as_json, "alert rules")


@alerts_app.command("export")
def export(
    out: Annotated[Path, typer.Option(help="File to write (.xlsx or .csv)")],
    history: Annotated[
        bool, typer.Option("--history", help="Every event of every alert instead of the list")
    ] = False,
    state: StateOption = None,
    severity: SeverityOption = None,
    rule: RuleOption = None,
    unit: UnitOption = None,
    lang: LangOption = "vi",
) -> None:
    """Write the alert list (or with --history every alert's events) to CSV or XLSX."""
    from ioc.store import alert_export, alerts

    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise typer.BadParameter("the file must end in .csv or .xlsx", param_hint="--out")
    filters = _filters(state, severity, rule, unit)
    with store_session() as session:
        if history:
            found = alerts.events(session, None, rules=filters.rules, unit=filters.unit)
            frame = alert_export.frame(found, alert_export.EVENT_COLUMNS)
        else:
            found = alerts.list_alerts(session, filters, None)
            frame = alert_export.frame(found, alert_export.LIST_COLUMNS)
    try:
        alert_export.write(frame, out, lang)
    except OSError as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"{out}: {frame.height} rows", highlight=False, soft_wrap=True)
