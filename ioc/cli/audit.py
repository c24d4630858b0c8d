"""``ioc audit``: the tamper-evident review record (docs/approval.md). ``ioc audit verify``
walks the review events' hash chain and replays it against the review states and the period
locks; it prints the verdict and exits 1 when the record was changed outside the product.
Verifying is a read: it records nothing. Mounted in ``ioc/cli/main.py``."""

from __future__ import annotations

import json

import typer
from rich.markup import escape

from ioc.cli.options import JsonOption, LangOption
from ioc.cli.output import console, local_iso, phrase
from ioc.config import get_settings

# ioc.store (SQLAlchemy, Alembic) is imported inside the command, so that mounting this
# sub-app does not slow down every other ``ioc`` command.

audit_app = typer.Typer(
    help="The tamper-evident record of reviews and approvals.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@audit_app.command()
def verify(as_json: JsonOption = False, lang: LangOption = "vi") -> None:
    """Check the review record: every event's hash, the links between events, and that the
    events explain the review states and locks. Exit 1 when it is broken. (The removal of the
    newest events together with their states cannot be seen from the record alone.)"""
    from ioc import store
    from ioc.catalog.review_messages import review_text
    from ioc.store.review_chain import verify as verify_chain

    settings = get_settings()
    store.migrate(settings)
    engine = store.make_engine(settings)
    try:
        with store.open_session(engine) as session:
            report = verify_chain(session)
    finally:
        engine.dispose()
    if report.ok:
        verdict = review_text("chain_ok", lang, {"events": report.events})
    else:
        values = {"events": report.events, "problems": len(report.problems)}
        verdict = review_text("chain_broken", lang, values)
    problems = [
        {
            "event_id": p.event_id,
            "kind": p.kind,
            "text": review_text(f"chain_{p.kind}", lang),
            "detail": p.detail,
        }
        for p in report.problems
    ]
    if as_json:
        body = {
            "ok": report.ok,
            "events": report.events,
            "checked_at": local_iso(report.checked_at),
            "verdict": verdict,
            "problems": problems,
        }
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2))
    else:
        console.print(escape(verdict), style=None if report.ok else "red")
        for p in problems:
            console.print(escape(phrase("chain_problem", lang, **p)))
    if not report.ok:
        raise typer.Exit(1)
