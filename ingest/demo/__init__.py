"""The deterministic demo: Thành phố Cần Thơ (2025 code 92) as the three old provinces that
formed it on 1 July 2025 reported it, school years 2020-2021 to 2025-2026.

Units are real (the old districts and communes of old Cần Thơ 92, Hậu Giang 93 and Sóc Trăng
94, and the 2025 communes, from :mod:`ioc.geo.admin`); schools and figures are synthetic, drawn with
seeded :class:`random.Random` generators so the same seed always gives the same returns.
Sóc Trăng's school year 2021-2022 DN reproduces its Department's published totals exactly
(481 schools, 8,259 classes, 256,347 pupils, 1,073 managers, 14,168 teachers, 1,933
employees); the other two provinces' are scaled by population (:mod:`.provinces`). The
2025-2026 DN returns use the 2025 communes, found through the commune crosswalk.

Modules: :mod:`.provinces` (what differs between the old provinces), :mod:`.population`
(schools and the planted problems), :mod:`.figures` (every return: identity, place and
periods), built from :mod:`.profiles` (a school of each level), :mod:`.headline` (the
headline figures) and :mod:`.fields` (every other field); :mod:`.files` (the files
Departments receive) written in :mod:`.shapes` (CSV/XLSX layouts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ingest.demo.exams import YEAR, ExamFiles, write_demo_exams
from ingest.demo.figures import demo_plan, generate_returns
from ingest.demo.files import DemoBatch, write_demo_files
from ingest.demo.population import DemoPlan
from ingest.demo.provinces import ALL, PROVINCES
from ioc.domain.period import Period

if TYPE_CHECKING:
    from ingest.run_store import FileReport
    from ioc.config import Settings

__all__ = [
    "ALL",
    "PROVINCES",
    "DemoBatch",
    "DemoPlan",
    "ExamFiles",
    "build_demo",
    "build_demo_exams",
    "demo_plan",
    "generate_returns",
    "write_demo_files",
]


def build_demo(settings: Settings, seed: int = 94) -> list[FileReport]:
    """Write the demo files under ``settings.data_dir / 'demo'`` and ingest them, batch by
    batch in the order received, in one writer session (one snapshot published)."""
    from ingest.runner import Batch, ingest_batches  # the runner imports the whole store

    batches = write_demo_files(settings.data_dir / "demo", seed)
    return ingest_batches(
        [Batch(b.paths, Period.parse(b.period) if b.period else None, b.received) for b in batches],
        settings=settings,
    )


def build_demo_exams(settings: Settings, seed: int = 94) -> tuple[ExamFiles, list[FileReport]]:
    """Write the demo's exam results and registration list under ``settings.data_dir /
    'demo' / 'exams'`` and load them, with the real shared results when present, through
    the exam ingest (one writer session; the statistics rebuilt)."""
    from ingest.exams.load import ingest_exams

    files = write_demo_exams(settings.data_dir / "demo" / "exams", seed)
    reports = ingest_exams(
        files.results, registrations=files.registrations, year=YEAR, settings=settings
    )
    return files, reports
