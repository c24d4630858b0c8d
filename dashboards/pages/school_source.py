"""Where figures came from, in words: a run's origin (its file, or the source and resource
of a pull) for the lists of runs and files, and the school profile's line "Nguồn dữ liệu:
kéo từ «vendor-a» lúc 09:12 04/12/2026 (phiên bản …)" (or the file of the return shown), with
times in the display time zone."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dash import html

from dashboards import ids
from dashboards.components.frame import Page
from dashboards.formats import date_text, datetime_text
from dashboards.i18n import Lang, catalog, t
from ioc.domain.period import Period


def run_origin(run: Mapping[str, Any], language: Lang) -> str:
    """What a run was made from: its file's name, or 'Kéo từ «vendor-a» · báo cáo của
    trường' for a pull (``source_name`` and ``pull_resource`` of ``ingest_runs``)."""
    source = run.get("source_name")
    if not source:
        return str(run.get("file_name") or "")
    resource = str(run.get("pull_resource") or "")
    key = f"school.resource_{resource}"
    words = t(key, language) if key in catalog() else resource
    return t("school.run_pulled", language, source=source, resource=words)


def source_lines(page: Page, profile: Mapping[str, Any]) -> html.Div | None:
    """The profile's data-source lines: where the return of the period shown (else the
    latest return) came from, and when the registry row was pulled; None when neither."""
    language = page.lang
    lines: list[Any] = []
    shown = _return_shown(page.view.period, profile.get("returns") or [])
    pulls = profile.get("pulls") or []
    if shown is not None:
        period = Period.of(shown["school_year"], shown["term"])
        pulled = _pull_of(pulls, shown)
        text = None
        if pulled is not None:
            text = _pulled_text(page, "school.source_pulled", pulled)
        elif not shown.get("source_name") and shown.get("file_name"):
            text = t(
                "school.source_file",
                language,
                file=shown["file_name"],
                received=date_text(shown.get("received_date")),
            )
        if text:
            where = t("school.source_period", language, period=period.message_label(language))
            lines.append(html.P([text, html.Span(where, className="muted")]))
    registry = next((p for p in pulls if p.get("resource") == "schools"), None)
    if registry is not None:
        lines.append(html.P(_pulled_text(page, "school.source_registry", registry)))
    return html.Div(lines, id=ids.SCHOOL_SOURCE) if lines else None


def _return_shown(period: str | None, returns: list[dict[str, Any]]) -> dict[str, Any] | None:
    at = Period.maybe(period)
    for r in returns:
        if at and (r["school_year"], r["term"]) == (at.school_year, at.term):
            return r
    return returns[-1] if returns else None  # the API lists them oldest first


def _pull_of(pulls: list[dict[str, Any]], shown: Mapping[str, Any]) -> dict[str, Any] | None:
    """The pull that stored the return shown (its run names the source and resource)."""
    if not shown.get("source_name"):
        return None
    key = (shown["source_name"], shown.get("pull_resource"), shown["school_year"], shown["term"])
    for p in pulls:
        if (p["source"], p["resource"], p["school_year"], p["term"]) == key:
            return p
    return None


def _pulled_text(page: Page, key: str, pulled: Mapping[str, Any]) -> str:
    version = pulled.get("version")
    return t(
        key,
        page.lang,
        source=pulled["source"],
        when=datetime_text(pulled.get("pulled_at"), page.zone),
        version=t("school.source_version", page.lang, version=version) if version else "",
    )
