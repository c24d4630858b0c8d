"""The API's calls about exam results (``/api/v1/exams``, docs/exams.md), mixed into
:class:`dashboards.api_client.Api`: the years loaded, a unit's summary, a subject's score
spectrum against the other provinces loaded, the combinations, the linked schools ranked
and the provinces' ranks. Each answer is read into the plain rows the exam page and the
wall draw, in this one place."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx

#: the schools of a unit fetched for the ranking (one page of the API's list)
SCHOOLS_SHOWN = 500


def _items(body: Any) -> list[dict[str, Any]]:
    """The rows of a list answer, whether it is a bare list or ``{"items": [...]}``."""
    if isinstance(body, dict):
        return list(body.get("items") or [])
    return list(body or [])


def years_of(body: Any) -> list[int]:
    """The years with exam results, newest first (a list of years or of ``{"year"}``)."""
    years = {int(y["year"] if isinstance(y, dict) else y) for y in _items(body)}
    return sorted(years, reverse=True)


def candidates_of(summary: Mapping[str, Any]) -> int:
    """The unit's candidates: as the summary states them, else the most papers of a subject
    (every candidate sits Toán and Ngữ văn)."""
    stated = summary.get("candidates")
    if isinstance(stated, int | float):
        return int(stated)
    return max((int(s.get("candidates") or 0) for s in summary.get("subjects") or []), default=0)


def rank_of(ranks: Sequence[Mapping[str, Any]], unit: str) -> Mapping[str, Any] | None:
    """The unit's row among the provinces ranked (None: not a province loaded)."""
    return next((r for r in ranks if r.get("unit_code") == unit), None)


class ExamCalls:
    """Calls of :class:`~dashboards.api_client.Api` about exams (it gives the transport)."""

    # the transport, which Api defines (declared here for the type checker only)
    _request: Callable[..., httpx.Response]
    get: Callable[..., Any]

    def exam_years(self) -> list[int]:
        return years_of(self.get("/exams/years"))

    def exam_summary(
        self, unit: str, year: int, scheme: str, subject: str | None = None
    ) -> dict[str, Any]:
        """The unit's figures of a year: ``unit``, ``councils``, ``subjects`` (per subject
        its statistics and ``spectrum``), ``combinations``, ``rank``."""
        return self.get("/exams/summary", unit=unit, year=year, scheme=scheme, subject=subject)

    def exam_spectrum(self, unit: str, year: int, scheme: str, subject: str) -> dict[str, Any]:
        """The subject's spectrum of the unit and, for a province, of every other province
        loaded in the scheme, as shares of their papers per bin."""
        return self.get("/exams/spectrum", unit=unit, year=year, scheme=scheme, subject=subject)

    def exam_combinations(self, unit: str, year: int, scheme: str) -> list[dict[str, Any]]:
        return _items(self.get("/exams/combinations", unit=unit, year=year, scheme=scheme))

    def exam_schools(self, unit: str, year: int, scheme: str, subject: str) -> list[dict[str, Any]]:
        """The unit's linked schools ranked by their mean in ``subject``, with each school's
        inputs (students and teachers per class) from its return of that school year."""
        body = self.get(
            "/exams/schools",
            unit=unit,
            year=year,
            scheme=scheme,
            subject=subject,
            size=SCHOOLS_SHOWN,
        )
        return _items(body)

    def exam_provinces(self, year: int, scheme: str, subject: str) -> list[dict[str, Any]]:
        """The provinces loaded, ranked by their mean in ``subject`` (``*``: all papers)."""
        return _items(self.get("/exams/provinces", year=year, scheme=scheme, subject=subject))
