"""Pure pieces of the exam page: the spectrum and failing-papers figures against hand-made
rows, the KPI cards, the combination table and the school ranking's rows."""

from __future__ import annotations

from typing import Any

import pytest
from dash import html

from dashboards.api_exams import candidates_of, rank_of, spectra_of, years_of
from dashboards.context import View
from dashboards.figures.exams import bin_edges, failing, shares, spectrum, subject_name
from dashboards.pages.exams_parts import (
    choose_subject,
    choose_year,
    combinations_table,
    councils_note,
    kpis,
    school_rows,
)


def _texts(component: Any) -> list[str]:
    """Every string inside a Dash component tree."""
    if isinstance(component, str):
        return [component]
    if isinstance(component, list | tuple):
        return [s for c in component for s in _texts(c)]
    children = getattr(component, "children", None)
    return [] if children is None else _texts(children)


def test_the_bins_are_the_quarter_points_from_0_to_10() -> None:
    edges = bin_edges()
    assert len(edges) == 41 and edges[0] == 0.0 and edges[25] == 6.25 and edges[-1] == 10.0


def test_shares_are_percent_of_the_units_papers() -> None:
    bins: list[dict[str, Any]] = [{"bin_from": "6.25", "papers": 3}, {"bin_from": 8.0, "papers": 1}]
    assert shares(bins) == {6.25: 75.0, 8.0: 25.0}
    assert shares([]) == {}


def test_spectrum_draws_the_unit_as_bars_and_each_other_province_as_a_line() -> None:
    own = {
        "name": "Cao Bằng",
        "bins": [{"bin_from": 1.0, "papers": 1}, {"bin_from": 5.0, "papers": 3}],
    }
    others: list[dict[str, Any]] = [
        {"name": "Hà Giang", "bins": [{"bin_from": 5.0, "papers": 10}]},
        {
            "name": "Lạng Sơn",
            "bins": [{"bin_from": 10, "papers": 2}, {"bin_from": 9.75, "papers": 2}],
        },
    ]
    fig = spectrum(own, others, subject="LI", lang="vi")
    bars, first, second = fig.data
    assert bars.type == "bar" and bars.name == "Cao Bằng"
    assert first.type == second.type == "scatter"
    assert [first.name, second.name] == ["Hà Giang", "Lạng Sơn"]
    ys = dict(zip(bin_edges(), bars.y, strict=True))
    assert ys[1.0] == 25.0 and ys[5.0] == 75.0 and sum(bars.y) == pytest.approx(100.0)
    assert dict(zip(bin_edges(), second.y, strict=True))[10.0] == 50.0
    assert bars.x[-1] == 10.0 and bars.x[0] == 0.125  # bars centred on their band; 10 alone
    assert fig.layout.separators == ",." and fig.layout.title.text == "Vật lí"
    assert "6,25–6,50" in bars.customdata  # the band in the hover, Vietnamese decimals
    assert fig.layout.shapes[0].x1 <= 1.25  # the failing zone shaded up to the 1.0 band


def test_spectrum_in_english_names_the_subject_in_english() -> None:
    fig = spectrum(
        {"name": "X", "bins": [{"bin_from": 5, "papers": 1}]}, [], subject="TOAN", lang="en"
    )
    assert fig.layout.title.text == "Mathematics" and len(fig.data) == 1


def test_failing_lists_subjects_with_papers_most_failing_on_top() -> None:
    subjects = [
        {"subject": "TOAN", "candidates": 1000, "failing": 12},
        {"subject": "VAN", "candidates": 1000, "failing": 0},
        {"subject": "SU", "candidates": 400, "failing": 30},
        {"subject": "TIN_HOC", "candidates": 0, "failing": 0},  # nobody sat it: left out
    ]
    (bars,) = failing(subjects, lang="vi").data
    # plotly draws the first category at the bottom: the most failing comes last
    assert list(bars.y) == ["Ngữ văn", "Toán", "Lịch sử"]
    assert list(bars.x) == [0, 12, 30]
    assert bars.customdata[-1] == "30 / 400 (7,50 %)"


def _summary() -> dict[str, Any]:
    return {
        "subjects": [
            {
                "subject": "TOAN",
                "candidates": 12000,
                "mean": 6.3512,
                "median": 6.4,
                "ge5": 9000,
                "failing": 7,
            },
            {
                "subject": "SU",
                "candidates": 8000,
                "mean": 5.0,
                "median": 5.0,
                "ge5": 4000,
                "failing": 3,
            },
        ],
        "unit": {"code": "04", "level": "province"},
        "councils": [
            {"council_code": "06", "predecessor_code": "04", "present": True, "candidates": 12345},
            {"council_code": "07", "predecessor_code": "06", "present": False, "candidates": 0},
        ],
    }


def test_kpis_show_candidates_mean_failing_and_rank_in_vietnamese_format() -> None:
    rank = rank_of(
        [{"unit_code": "02", "rank": 1}, {"unit_code": "04", "rank": 2, "ranked": 4}], "04"
    )
    cards = kpis(_summary(), "TOAN", rank, "vi")
    values = [c.children[1].children for c in cards]
    assert values == ["12.345", "6,35", "7", "2/4"]
    texts = " ".join(s for c in cards for s in _texts(c))
    assert "Toán" in texts and "75,0 %" in texts and "mọi môn: 10" in texts
    assert "TOAN" not in texts  # no raw codes


def test_kpis_without_a_rank_or_papers_say_so() -> None:
    cards = kpis({"subjects": []}, "LI", None, "vi")
    assert [c.children[1].children for c in cards] == ["0", "—", "0", "—"]
    assert rank_of([{"unit_code": "04", "rank": 1, "ranked": 1}], "945") is None


def test_candidates_are_the_present_councils_else_the_most_papers_of_a_subject() -> None:
    summary = _summary()
    assert candidates_of(summary) == 12345  # council 07 is not loaded
    summary["unit"] = {"code": "945", "level": "district"}  # its linked candidates only
    assert candidates_of(summary) == 12000


def test_the_spectrum_answer_is_split_into_the_unit_and_the_others() -> None:
    rows = [
        {"unit_code": "04", "unit_name": "Cao Bằng", "bin_from": 5.0, "papers": 3, "asked": True},
        {"unit_code": "02", "unit_name": "Hà Giang", "bin_from": 5.0, "papers": 1, "asked": False},
        {"unit_code": "02", "unit_name": "Hà Giang", "bin_from": 6.0, "papers": 2, "asked": False},
    ]
    own, others = spectra_of(rows)
    assert own == {"name": "Cao Bằng", "bins": [{"bin_from": 5.0, "papers": 3}]}
    assert [o["name"] for o in others] == ["Hà Giang"] and len(others[0]["bins"]) == 2


def test_combination_table_names_the_subjects_and_formats_the_numbers() -> None:
    rows = [
        {
            "combination": "A01",
            "candidates": 200,
            "mean": 18.256,
            "median": 18.5,
            "sd": 3.1,
            "ge15": 150,
            "ge24": 5,
        }
    ]
    table = combinations_table(rows, "vi")
    texts = _texts(table)
    assert "Toán – Vật lí – Ngoại ngữ" in texts
    assert {"A01", "200", "18,26", "18,50", "75,0 %", "2,5 %"} <= set(texts)


def test_school_rows_link_to_the_school_page_and_keep_numbers() -> None:
    view = View(scheme="legacy", unit="94", period="2024-2025/CN")
    rows = school_rows(
        [
            {
                "school_code": "94414003",
                "school_name": "THPT A",
                "candidates": 50,
                "mean": 6.123,
                "students_per_class": 38.44,
                "teachers_per_class": 2.256,
            }
        ],
        view,
    )
    (row,) = rows
    assert (
        row["school"]
        == "[THPT A](/school?unit=94&scheme=legacy&period=2024-2025%2FCN&code=94414003)"
    )
    assert (row["rank"], row["mean"], row["students_per_class"], row["teachers_per_class"]) == (
        1,
        6.12,
        38.4,
        2.26,
    )


def test_councils_note_names_the_missing_predecessor() -> None:
    note = councils_note(_summary(), "vi")
    assert isinstance(note, html.Div) and "state-partial" in note.className
    assert "chưa nạp" in " ".join(_texts(note))
    assert councils_note({"councils": []}, "vi") is None


def test_pickers_fall_back_to_the_latest_year_and_to_mathematics() -> None:
    assert choose_year("2024", [2025, 2024]) == 2024
    assert choose_year("1999", [2025, 2024]) == 2025
    assert choose_year(None, [2025]) == 2025
    assert choose_subject("HOA") == "HOA" and choose_subject("x'; drop") == "TOAN"
    assert subject_name("A00", "vi") == "A00"


def test_years_are_read_from_either_list_form() -> None:
    assert years_of([2024, 2025]) == [2025, 2024]
    assert years_of({"items": [{"year": 2025}]}) == [2025]


def test_the_wall_panel_shows_mean_rank_and_failing_or_is_skipped() -> None:
    from dashboards.wall import exams as wall_exams

    skipped = wall_exams.panel(None, "vi")
    assert skipped.className == wall_exams.SKIP
    shown = wall_exams.panel(
        {"year": 2025, "candidates": 9876, "mean": 6.3512, "rank": 2, "ranked": 4, "failing": 1234},
        "vi",
    )
    texts = _texts(shown)
    assert {"6,35", "2", "1.234"} <= set(texts)
    assert "Kỳ thi năm 2025 · 9.876 thí sinh" in texts and "Xếp hạng / 4 tỉnh đã nạp" in texts
