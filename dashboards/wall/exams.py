"""The wall's exam panel: the latest graduation exam of the screen's unit (its mean over all
papers, its rank among the provinces loaded, its failing papers). Without exam results the
panel's body is a skip mark and ``assets/wall.js`` leaves it out of the rotation."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboards import ids
from dashboards.api_client import Api, ApiProblem
from dashboards.api_exams import candidates_of
from dashboards.components.attrs import data_attrs
from dashboards.formats import vn_count, vn_number
from dashboards.i18n import t

SKIP = "wall-skip"  # a panel body with this class is left out of the rotation


def collect(api: Api, scheme: str, code: str) -> dict[str, Any] | None:
    """The unit's figures of the latest exam year, None when no exam result is loaded (or
    the API has no exam routes for this account: 403, 404)."""
    try:
        years = api.exam_years()
        if not years:
            return None
        year = years[0]
        summary = api.exam_summary(code, year, scheme)
    except ApiProblem as problem:
        if problem.status in (403, 404):
            return None
        raise
    subjects = summary.get("subjects") or []
    if not subjects:
        return None
    papers = sum(int(s.get("candidates") or 0) for s in subjects)
    weighted = sum(
        float(s["mean"]) * int(s["candidates"] or 0) for s in subjects if s.get("mean") is not None
    )
    rank = summary.get("rank") or {}
    return {
        "year": year,
        "candidates": candidates_of(summary),
        "mean": rank.get("mean") or (weighted / papers if papers else None),
        "rank": rank.get("rank"),
        "ranked": rank.get("ranked"),
        "failing": sum(int(s.get("failing") or 0) for s in subjects),
    }


def panel(exams: dict[str, Any] | None, lang: str) -> html.Div:
    """Three big figures of the exam (what :func:`collect` found), or the skip mark."""
    if not exams:
        return html.Div(className=SKIP, id=ids.WALL_EXAMS)
    mean = exams.get("mean")
    rank = f"{exams['rank']}" if exams.get("rank") else "—"
    figures = [
        (t("exams.wall_mean", lang), "—" if mean is None else vn_number(mean, 2), "mean", mean),
        (
            t("exams.wall_rank", lang, ranked=vn_count(exams.get("ranked"))),
            rank,
            "rank",
            exams.get("rank"),
        ),
        (
            t("exams.wall_failing", lang),
            vn_count(exams.get("failing")),
            "failing",
            exams.get("failing"),
        ),
    ]
    return html.Div(
        [
            html.Div(
                t("exams.wall_year", lang, year=exams["year"], n=vn_count(exams.get("candidates"))),
                className="wall-sub",
            ),
            html.Div(
                [
                    html.Div(
                        [
                            html.Div(label, className="wall-kpi-name"),
                            html.Div(
                                html.Span(text, className="wall-kpi-value"),
                                className="wall-kpi-figure",
                            ),
                        ],
                        className="wall-kpi wall-kpi-no_norm",
                        id=f"{ids.WALL_EXAMS}-{name}",
                        **data_attrs(value="" if raw is None else repr(raw)),
                    )
                    for label, text, name, raw in figures
                ],
                className="wall-kpis wall-exam-kpis",
            ),
        ],
        id=ids.WALL_EXAMS,
        className="wall-exams",
    )
