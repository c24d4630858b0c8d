"""Report file names (unit, period and time in every name) and the retention of old files."""

from __future__ import annotations

import contextlib
import re
import time
from datetime import datetime
from pathlib import Path

from ioc.config import display_zone
from ioc.domain.formats import local_datetime

SUFFIXES = (".xlsx", ".csv", ".pdf")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def file_name(
    slug: str, scheme: str, code: str, school_year: str, term: str, at: datetime, fmt: str
) -> str:
    """e.g. ``bao-cao_legacy-94_2024-2025_DN_20250105-070000.xlsx`` (display time zone)."""
    stamp = local_datetime(at, display_zone(), "%Y%m%d-%H%M%S")
    name = f"{slug}_{scheme}-{code}_{school_year}_{term}_{stamp}.{fmt}"
    return _UNSAFE.sub("-", name)


def prune(folder: Path, keep_days: int, *, now: float | None = None) -> list[Path]:
    """Delete report files (``.xlsx``, ``.csv``, ``.pdf``) under ``folder`` older than ``keep_days``
    (by modification time), and the run folders they leave empty; 0 keeps every file.
    Returns the deleted paths."""
    if keep_days <= 0 or not folder.is_dir():
        return []
    cutoff = (time.time() if now is None else now) - keep_days * 86_400
    deleted = []
    for path in folder.rglob("*"):
        if path.suffix in SUFFIXES and path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            deleted.append(path)
    for parent in sorted({p.parent for p in deleted}, key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):  # only folders left empty go
            if parent != folder and not any(parent.iterdir()):
                parent.rmdir()
    return deleted
