"""Where the shared real third-party data lies (``../shared/data/real`` beside the
repository; never copied into it), and a skip when a test's file is not there."""

from __future__ import annotations

from pathlib import Path

import pytest

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"
EXAMS = REAL / "exam_vn_2025"


def real(path: Path) -> Path:
    """``path`` (under :data:`REAL`), or skip the test when the shared folder lacks it."""
    if not path.exists():
        pytest.skip(f"{path} is not here (the shared real-data folder)")
    return path
