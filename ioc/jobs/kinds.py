"""The kinds of job the runner knows: each a function of :mod:`ioc.jobs` (report runs and
recomputes join here as they come).

A kind's module is imported when the kind is first run, not when this registry is: a command
that runs one job (``ioc sources pull``) imports that job's module only, not the alerts' and
the reports' (fpdf, xlsxwriter, the scheduler: most of a delta pull's start-up)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping

from ioc.jobs.runner import Kind


class _Kinds(Mapping[str, Kind]):
    """Kind name -> its function, ``(module, function)`` imported on first use."""

    def __init__(self, named: dict[str, tuple[str, str]]) -> None:
        self._named = named

    def __getitem__(self, kind: str) -> Kind:
        module, function = self._named[kind]
        found: Kind = getattr(importlib.import_module(module), function)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._named)

    def __len__(self) -> int:
        return len(self._named)


KINDS: Mapping[str, Kind] = _Kinds(
    {
        "ingest": ("ioc.jobs.upload", "run"),  # an uploaded return file
        "targets": ("ioc.jobs.targets", "run"),  # targets set through the API
        "pull": ("ioc.jobs.pull", "run"),  # a source pulled (API, CLI or its schedule)
        "source_test": ("ioc.jobs.pull", "check"),  # a source tried, nothing stored
        "review_publish": ("ioc.jobs.review", "run"),  # approvals published (issue 17)
        "alerts": ("ioc.jobs.alerts", "run"),  # alert rules evaluated, events delivered (18)
    }
)
