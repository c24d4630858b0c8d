"""The exam page's parts as pure functions of the API's answers: KPI cards, the
combination table, the school ranking's rows and the councils note (docs/exams.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import html

from dashboards import ids
from dashboards.api_exams import candidates_of
from dashboards.components.attrs import data_attrs
from dashboards.components.datagrid import col, link_col, md_link, number_col
from dashboards.context import View
from dashboards.figures.exams import subject_name
from dashboards.formats import vn_count, vn_number
from dashboards.i18n import Lang, t
from ioc.exams.catalog import load_exam_catalog

DEFAULT_SUBJECT = "TOAN"


def choose_year(asked: Any, years: list[int]) -> int:
    """The year asked when it is loaded, else the latest loaded."""
    try:
        year = int(asked)
    except (TypeError, ValueError):
        return years[0]
    return year if year in years else years[0]


def choose_subject(asked: Any) -> str:
    codes = [s.code for s in load_exam_catalog().subjects]
    return asked if asked in codes else DEFAULT_SUBJECT


def subject_options(language: Lang) -> list[dict[str, str]]:
    return [
        {"label": s.vi if language == "vi" else s.en, "value": s.code}
        for s in load_exam_catalog().subjects
    ]


def subject_row(summary: Mapping[str, Any], subject: str) -> Mapping[str, Any]:
    """The summary's statistics of one subject ({} when the unit has no paper in it)."""
    return next((s for s in summary.get("subjects") or [] if s.get("subject") == subject), {})


def _kpi(label: str, value: str, foot: str, id_: str, raw: Any) -> html.Div:
    return html.Div(
        [
            html.Div(label, className="tile-name"),
            html.Div(value, className="tile-value"),
            html.Div(foot, className="tile-foot"),
        ],
        className="tile exam-kpi",
        id=id_,
        **data_attrs(value="" if raw is None else repr(raw)),
    )


def kpis(
    summary: Mapping[str, Any],
    subject: str,
    rank: Mapping[str, Any] | None,
    language: Lang,
) -> list[html.Div]:
    """Candidates, the subject's mean, its failing papers (and all subjects'), the rank."""
    row = subject_row(summary, subject)
    name = subject_name(subject, language)
    failing_all = sum(int(s.get("failing") or 0) for s in summary.get("subjects") or [])
    papers = int(row.get("candidates") or 0)
    failing = int(row.get("failing") or 0)
    share = vn_number(100.0 * failing / papers, 2) + " %" if papers else "—"
    mean = row.get("mean")
    rank_text = "—"
    rank_foot = t("exams.rank_none", language)
    if rank is not None:
        rank_text = f"{rank['rank']}/{rank['ranked']}"
        rank_foot = t("exams.rank_foot", language, subject=name)
    return [
        _kpi(
            t("exams.kpi_candidates", language),
            vn_count(candidates_of(summary)),
            t("exams.kpi_papers", language, n=vn_count(papers), subject=name),
            "exams-kpi-candidates",
            candidates_of(summary),
        ),
        _kpi(
            t("exams.kpi_mean", language, subject=name),
            "—" if mean is None else vn_number(mean, 2),
            t("exams.kpi_median", language, median=_score(row.get("median")))
            + " · "
            + t("exams.kpi_ge5", language, pct=_pct(row.get("ge5"), papers)),
            "exams-kpi-mean",
            mean,
        ),
        _kpi(
            t("exams.kpi_failing", language, subject=name),
            vn_count(failing),
            t("exams.kpi_failing_foot", language, share=share, total=vn_count(failing_all)),
            "exams-kpi-failing",
            failing,
        ),
        _kpi(t("exams.kpi_rank", language), rank_text, rank_foot, "exams-kpi-rank", rank_text),
    ]


def _score(value: Any) -> str:
    return "—" if value is None else vn_number(float(value), 2)


def _pct(part: Any, whole: int) -> str:
    return vn_number(100.0 * int(part or 0) / whole, 1) + " %" if whole else "—"


def combinations_table(rows: Sequence[Mapping[str, Any]], language: Lang) -> html.Div:
    """Per admission combination: its subjects, candidates, mean, median and spread of the
    totals, the shares of totals ≥ 15 and ≥ 24."""
    catalog = {c.code: c for c in load_exam_catalog().combinations}
    heads = ("combination", "subjects", "candidates", "mean", "median", "sd", "ge15", "ge24")
    body = []
    for r in rows:
        code = str(r.get("combination"))
        known = catalog.get(code)
        subjects = " – ".join(subject_name(s, language) for s in known.subjects) if known else ""
        n = int(r.get("candidates") or 0)
        cells = (
            code,
            subjects,
            vn_count(n),
            _score(r.get("mean")),
            _score(r.get("median")),
            _score(r.get("sd")),
            _pct(r.get("ge15"), n),
            _pct(r.get("ge24"), n),
        )
        body.append(html.Tr([html.Td(c) for c in cells], **data_attrs(combination=code)))
    table = html.Table(
        [
            html.Thead(html.Tr([html.Th(t(f"exams.col_{h}", language)) for h in heads])),
            html.Tbody(body),
        ],
        className="exam-combinations",
    )
    return html.Div(table, className="exam-table-wrap")


def school_columns(language: Lang) -> list[dict[str, Any]]:
    return [
        number_col("rank", t("exams.col_rank", language), language, minWidth=100, maxWidth=110),
        link_col("school", t("exams.col_school", language), minWidth=260, flex=2),
        number_col("candidates", t("exams.col_papers", language), language),
        number_col("mean", t("exams.col_mean", language), language, decimals=2, sort="desc"),
        number_col("failing", t("exams.col_failing", language), language),
        number_col(
            "students_per_class",
            t("exams.col_students_per_class", language),
            language,
            decimals=1,
        ),
        number_col(
            "teachers_per_class",
            t("exams.col_teachers_per_class", language),
            language,
            decimals=2,
        ),
        col("school_code", t("exams.col_code", language), hide=True),
    ]


def school_rows(rows: Sequence[Mapping[str, Any]], view: View) -> list[dict[str, Any]]:
    """The grid's rows: a link to each school's page, numbers rounded as shown."""
    out = []
    for i, r in enumerate(rows, start=1):
        code = str(r["school_code"])
        out.append(
            {
                "id": code,
                "school_code": code,
                "rank": r.get("rank") or i,
                "school": md_link(
                    str(r.get("school_name") or code), view.href("/school", code=code)
                ),
                "candidates": r.get("candidates", r.get("papers")),
                "mean": _round(r.get("mean"), 2),
                "failing": r.get("failing"),
                "students_per_class": _round(r.get("students_per_class"), 1),
                "teachers_per_class": _round(r.get("teachers_per_class"), 2),
            }
        )
    return out


def _round(value: Any, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def _council_name(code: str) -> str:
    found = load_exam_catalog().councils.get(code)
    return found.name.title() if found else ""  # the Ministry writes them in capitals


def councils_note(summary: Mapping[str, Any], language: Lang) -> html.Div | None:
    """Which exam councils make up the figures (a 2025 province names its predecessors'
    councils, loaded or not)."""
    councils = summary.get("councils") or []
    if not councils:
        return None
    parts = [
        t(
            "exams.council_present" if c.get("present", True) else "exams.council_missing",
            language,
            council=c.get("council_code"),
            province=_council_name(str(c.get("council_code"))),
            n=vn_count(c.get("candidates")),
        )
        for c in councils
    ]
    missing = any(not c.get("present", True) for c in councils)
    return html.Div(
        [t("exams.councils", language), ": ", "; ".join(parts)],
        id=ids.EXAMS_COUNCILS,
        className="state state-partial" if missing else "note",
        role="note",
    )
