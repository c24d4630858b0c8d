"""docs/where-things-live.md stays true: each idea the product is built on has a row, every
path in the "Home" column exists, and every Python module or package named there imports."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TABLE = REPO / "docs" / "where-things-live.md"

# the ideas issue 14 asks the table to place (its item 7, and the ideas the review found
# worked out more than once)
IDEAS = (
    "A period",
    "A unit",
    "A school's place",
    "Access checks",
    "An indicator",
    "A norm",
    "A validation rule",
    "A finding",
    "A field of the return",
    "A message or UI string",
    "A setting",
    "DuckDB access",
    "The operational store",
    "A page",
    "A figure",
    "An API route",
    "A job",
    "A report kind",
    "The XLSX/CSV writer",
    "A CLI command",
    "A SQL statement",
    "The demo data",
    "Boundaries",
)


def homes() -> dict[str, list[str]]:
    """Each row's idea and the paths named (in backticks) in its "Home" column."""
    rows: dict[str, list[str]] = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 2 or cells[0] in ("Idea", "---"):
            continue
        rows[cells[0]] = re.findall(r"`([^`]+)`", cells[1])
    return rows


def module_name(path: str) -> str | None:
    """The module a ``.py`` file or a package folder (one with ``__init__.py``) imports as."""
    if path.endswith(".py"):
        parts = path.removesuffix(".py").split("/")
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    if (REPO / path / "__init__.py").is_file():
        return path.strip("/").replace("/", ".")
    return None


def test_every_idea_has_a_home() -> None:
    rows = homes()
    assert [idea for idea in IDEAS if idea not in rows] == []
    assert [idea for idea, paths in rows.items() if not paths] == []


@pytest.mark.parametrize("path", sorted({p for paths in homes().values() for p in paths}), ids=str)
def test_home_exists(path: str) -> None:
    assert (REPO / path).exists(), f"{path} is named in {TABLE.name} but does not exist"
    if path.endswith("/"):
        assert (REPO / path).is_dir(), f"{path} is named as a folder"
    name = module_name(path)
    if name is not None:
        importlib.import_module(name)
