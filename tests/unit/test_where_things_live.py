"""docs/where-things-live.md stays true: each idea the product is built on has a row with a
home, every path named in the table exists, and every Python module or package named there
imports."""

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


def rows() -> dict[str, list[list[str]]]:
    """Each row's idea and, per column after it, the names in backticks."""
    found: dict[str, list[list[str]]] = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] in ("Idea", "---"):
            continue
        found[cells[0]] = [re.findall(r"`([^`]+)`", cell) for cell in cells[1:]]
    return found


def is_path(name: str) -> bool:
    """A repository path (``ioc/db.py``, ``sql/``), not a name, a setting or a URL path."""
    return not name.startswith("/") and (
        "/" in name or name.endswith((".py", ".yaml", ".sql", ".md"))
    )


def module_name(path: str) -> str | None:
    """The module a ``.py`` file or a package folder (one with ``__init__.py``) imports as."""
    if path.endswith(".py"):
        parts = path.removesuffix(".py").split("/")
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    if (REPO / path / "__init__.py").is_file():
        return path.strip("/").replace("/", ".")
    return None


def test_every_idea_has_a_home() -> None:
    table = rows()
    assert [idea for idea in IDEAS if idea not in table] == []
    homeless = [idea for idea, cells in table.items() if not any(map(is_path, cells[0]))]
    assert homeless == []


PATHS = sorted(
    {name for cells in rows().values() for cell in cells for name in cell if is_path(name)}
)


@pytest.mark.parametrize("path", PATHS, ids=str)
def test_named_path_exists(path: str) -> None:
    assert (REPO / path).exists(), f"{path} is named in {TABLE.name} but does not exist"
    if path.endswith("/"):
        assert (REPO / path).is_dir(), f"{path} is named as a folder"
    name = module_name(path)
    if name is not None:
        importlib.import_module(name)
