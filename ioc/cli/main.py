"""The ``ioc`` command: each command lives in the module named after it (or after its group),
and is mounted here, in the order ``ioc --help`` lists them."""

from __future__ import annotations

import typer

from ioc.cli.alerts import alerts_app
from ioc.cli.audit import audit_app
from ioc.cli.demo import demo
from ioc.cli.exams import exams_app
from ioc.cli.export import export
from ioc.cli.ingest import ingest, rejects
from ioc.cli.serve import serve
from ioc.cli.sources import sources_app
from ioc.cli.targets import targets_app
from ioc.cli.users import users_app
from ioc.cli.views import indicators, quality, summary

app = typer.Typer(
    help="IOC-EDU: operations centre for a Department of Education and Training.",
    pretty_exceptions_show_locals=False,
)
for command in (ingest, summary, rejects, demo, indicators, quality, export, serve):
    app.command()(command)
app.add_typer(users_app, name="users")
app.add_typer(targets_app, name="targets")
app.add_typer(sources_app, name="sources")
app.add_typer(audit_app, name="audit")
app.add_typer(alerts_app, name="alerts")
app.add_typer(exams_app, name="exams")
