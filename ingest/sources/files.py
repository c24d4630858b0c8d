"""Return files as a source: what a file is (its digest and size), its tables of returns
with their columns checked, and the copy kept of it so any run can be replayed."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from ioc.catalog import Contract, load_contract
from ioc.config import Settings
from ioc.returns.headers import Table, locate
from ioc.returns.limits import ReadLimits
from ioc.returns.names import file_name
from ioc.returns.read import FileError, read_grids

REQUIRED_COLUMNS = (
    "school_code",
    "school_name",
    "level",
    "ownership",
    "province_code",
    "commune_code",
)


def file_meta(path: Path) -> dict[str, object]:
    """What is recorded of a file with its run: its SHA-256 and size (None when missing)."""
    meta: dict[str, object] = {"sha256": None, "size_bytes": None, "file_format": None}
    if path.is_file():
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        meta |= {"sha256": digest.hexdigest(), "size_bytes": path.stat().st_size}
    return meta


def read_tables(path: Path, settings: Settings) -> tuple[str, list[Table]]:
    """The file's format and its tables of returns (a sheet each), within the reading limits;
    :class:`FileError` when it has none or a table lacks a required column."""
    if not path.is_file():
        raise FileError(path, "no_such_file")
    contract = load_contract()
    fmt, grids = read_grids(path, ReadLimits.of(settings))
    tables = [t for t in (locate(g, contract) for g in grids) if t is not None]
    if not tables:
        labels = ", ".join(f"'{contract.field(n).vi}'" for n in REQUIRED_COLUMNS)
        raise FileError(path, "no_header_row", labels=labels)
    for table in tables:
        _check_columns(path, table, contract)
    return fmt, tables


def _check_columns(path: Path, table: Table, contract: Contract) -> None:
    is_sheet = table.sheet is not None
    if table.duplicates:
        dupes = [
            {
                "part": "duplicate_field",
                "field": name,
                "columns": ", ".join(c.ref(is_sheet) for c in cols),
            }
            for name, cols in table.duplicates.items()
        ]
        raise FileError(path, "duplicate_columns", sheet=table.sheet, duplicates=dupes)
    missing = [n for n in REQUIRED_COLUMNS if n not in table.columns]
    if missing:
        names = ", ".join(f"'{contract.field(n).vi}' ({n})" for n in missing)
        raise FileError(path, "missing_columns", sheet=table.sheet, columns=names)


def archive(path: Path, run_id: int, settings: Settings) -> None:
    """Keep the source file so any run can be replayed."""
    target = settings.raw_dir / f"run-{run_id:06d}"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, target / file_name(path.name).safe)
