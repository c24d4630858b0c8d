"""The API's calls about exam results (``/api/v1/exams``, docs/exams.md), mixed into
:class:`dashboards.api_client.Api`: the years loaded, a unit's summary (its statistics,
combinations and rank), a subject's score spectrum against the other provinces loaded, the
linked schools and the provinces ranked. Each answer is read into the plain rows the exam
page and the wall draw, in this one place."""

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
    """The unit's candidates: a province's, those of its councils present; a smaller unit's
    (its linked candidates), the most papers of a subject (everyone sits Toán and Ngữ văn)."""
    province = (summary.get("unit") or {}).get("level", "province") == "province"
    councils = [c for c in summary.get("councils") or [] if c.get("present", True)]
    if province and councils:
        return sum(int(c.get("candidates") or 0) for c in councils)
    return max((int(s.get("candidates") or 0) for s in summary.get("subjects") or []), default=0)


def rank_of(ranks: Sequence[Mapping[str, Any]], unit: str) -> Mapping[str, Any] | None:
    """The unit's row among the provinces ranked (:meth:`ExamCalls.exam_provinces`); None
    for a unit that is not a province loaded."""
    return next((r for r in ranks if r.get("unit_code") == unit), None)


def spectra_of(rows: Sequence[Mapping[str, Any]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The spectrum answer's rows (one per unit and bin, ``asked`` for the unit asked) as
    the unit's ``{"name", "bins"}`` and the other provinces', in their order."""
    own: dict[str, Any] = {"name": "", "bins": []}
    others: dict[str, dict[str, Any]] = {}
    for row in rows:
        code = str(row.get("unit_code"))
        series = own if row.get("asked") else others.setdefault(code, {"name": "", "bins": []})
        series["name"] = row.get("unit_name") or code
        series["bins"].append({"bin_from": row["bin_from"], "papers": row.get("papers") or 0})
    return own, list(others.values())


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
        """The unit's figures of a year: ``unit``, ``councils`` (of its province),
        ``subjects`` (per subject its statistics and ``spectrum``), ``combinations`` and a
        province's ``rank`` by the mean of all its papers."""
        return self.get("/exams/summary", unit=unit, year=year, scheme=scheme, subject=subject)

    def exam_spectrum(
        self, unit: str, year: int, scheme: str, subject: str
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The subject's spectrum of the unit and of the other provinces loaded that the
        caller may see (for a smaller unit: its province), as :func:`spectra_of` reads it."""
        rows = self.get("/exams/spectrum", unit=unit, year=year, scheme=scheme, subject=subject)
        return spectra_of(_items(rows))

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
        """The provinces loaded that the caller may see, ranked by their mean in ``subject``
        (``*``: all papers): ``unit_code``, ``rank``, ``ranked``, ``mean``."""
        return _items(self.get("/exams/provinces", year=year, scheme=scheme, subject=subject))
