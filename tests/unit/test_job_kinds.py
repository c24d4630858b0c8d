"""The job kinds' registry imports a kind's module only when a job of it runs: a command
that runs one job (``ioc sources pull``) does not load the others (the alerts' reports,
fpdf, xlsxwriter: most of a delta pull's start-up before)."""

from __future__ import annotations

import subprocess
import sys

from ioc.jobs import pull
from ioc.jobs.kinds import KINDS


def test_every_kind_names_its_function() -> None:
    assert set(KINDS) == {"ingest", "targets", "pull", "source_test", "review_publish", "alerts"}
    assert KINDS["pull"] is pull.run and KINDS["source_test"] is pull.check
    assert all(callable(KINDS[kind]) for kind in KINDS)


def test_a_pull_command_imports_the_pull_kind_only() -> None:
    probe = (
        "import sys; from ioc.cli.main import app; from ioc.jobs.kinds import KINDS; "
        "KINDS['pull']; print(sorted(m for m in ('ioc.jobs.alerts', 'ioc.reports.produce', "
        "'fpdf', 'xlsxwriter', 'ioc.jobs.review', 'alembic') if m in sys.modules))"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "[]"
