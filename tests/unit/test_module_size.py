"""No module outside tests/ is above 400 lines (issue 14: small modules whose names say what
they hold; architecture.md)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("ioc", "ingest", "dashboards")
LIMIT = 400


def test_no_module_above_400_lines() -> None:
    too_long = {
        str(path.relative_to(REPO)): lines
        for package in PACKAGES
        for path in sorted((REPO / package).rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > LIMIT
    }
    assert too_long == {}, f"modules above {LIMIT} lines (split them by what they hold)"
