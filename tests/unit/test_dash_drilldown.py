"""Pure pieces of the unit, school and data-quality pages: figures, grid links, labels."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from dash import html

from dashboards.components.attrs import data_attrs
from dashboards.components.datagrid import fit_height, md_link
from dashboards.components.downloads import downloads, export_href
from dashboards.components.labels import catalog_text, enum_label, level_label, run_status
from dashboards.figures.unit import quality_bars, trend, year_ticks
from ioc.domain.period import Period


def _series(years: list[str], terms: tuple[str, ...] = ("DN", "CN")) -> list[dict[str, Any]]:
    return [
        {
            "school_year": y,
            "term": term,
            "value": 30.0 + i,
            "norm_value": 40.0,
            "target_value": None,
            "schools_contributing": 9,
            "schools_in_scope": 10,
        }
        for i, (y, term) in enumerate((y, term) for y in years for term in terms)
    ]


def test_trend_marks_the_break_between_the_last_old_and_first_new_period() -> None:
    rows = _series(["2023-2024", "2024-2025"]) + _series(["2025-2026"], ("DN",))
    fig = trend(rows, lang="vi", unit="HS/lớp", break_before="2025-2026/DN")
    assert [trace.name for trace in fig.data] == ["Giá trị", "Định mức"]  # no target: no line
    assert list(fig.data[0].y) == [r["value"] for r in rows]
    (shape,) = fig.layout.shapes
    assert shape.x0 == shape.x1 == 3.5  # between the 4th and 5th period
    assert fig.layout.annotations[0].text == "Sắp xếp đơn vị 1/7/2025"
    assert fig.layout.separators == ",."  # decimal comma, thousands dot
    assert fig.data[0].customdata[0][0] == "30 HS/lớp" and fig.data[0].customdata[0][1] == "9/10"


def test_trend_without_the_break_in_range_draws_no_line() -> None:
    rows = _series(["2021-2022", "2022-2023"])
    assert not trend(rows, lang="en", unit="%", break_before=None).layout.shapes
    assert not trend(rows, lang="en", unit="%", break_before="2021-2022/DN").layout.shapes


def test_period_labels_and_one_tick_per_school_year() -> None:
    assert Period.of("2024-2025", "CN").short_label("vi") == "2024-2025 CN"
    assert Period.of("2024-2025", "DN").short_label("vi") == "2024-2025 ĐN"
    values, texts = year_ticks(_series(["2023-2024", "2024-2025"]), "en")
    assert texts == ["2023-24", "2024-25"] and values == ["2023-2024 start", "2024-2025 start"]


def test_quality_bars_put_the_least_complete_unit_on_top() -> None:
    rows = [
        {"unit_code": "1", "unit_name": "A", "completeness_pct": 100.0, "timeliness_pct": 90.0},
        {"unit_code": "2", "unit_name": "B", "completeness_pct": 80.0, "timeliness_pct": 50.0},
        {"unit_code": "3", "unit_name": "C", "completeness_pct": 100.0, "timeliness_pct": 100.0},
    ]
    fig = quality_bars(rows, lang="vi")
    completeness, timeliness = fig.data
    assert list(completeness.y)[-1] == "B"  # plotly draws the last category on top
    assert dict(zip(timeliness.y, timeliness.x, strict=True)) == {"A": 90, "B": 50, "C": 100}
    assert completeness.customdata[-1] == "80,0 %"


def test_markdown_links_escape_names() -> None:
    assert md_link("Trường [A] (1)", "/school?code=1") == r"[Trường \[A\] \(1\)](/school?code=1)"
    assert md_link("x", "/unit?q=a b") == "[x](/unit?q=a%20b)"


def test_download_links_ask_the_api_for_the_same_list() -> None:
    href = export_href("/schools", "xlsx", "vi", unit="941", scheme="legacy", indicator=None)
    parts = urlsplit(href)
    assert parts.path == "/api/v1/schools.xlsx"
    assert parse_qs(parts.query) == {"unit": ["941"], "scheme": ["legacy"], "headers": ["vi"]}
    links = downloads("/quality/chase", "en", unit="94", period="2024-2025/CN")
    assert [a.children for a in links.children] == ["Download CSV", "Download Excel"]
    assert links.children[0].href.startswith("/api/v1/quality/chase.csv?")


def test_download_links_carry_an_id_only_when_asked() -> None:
    plain = downloads("/schools", "vi", unit="94")
    assert "id" not in plain.to_plotly_json()["props"]
    assert all("id" not in a.to_plotly_json()["props"] for a in plain.children)
    named = downloads("/schools", "vi", id_="dl", id_prefix="schools", unit="94")
    assert named.id == "dl"
    assert [a.id for a in named.children] == ["schools-csv", "schools-xlsx"]


def test_data_attributes_reach_the_component() -> None:
    assert data_attrs(value="1.5", run="3") == {"data-value": "1.5", "data-run": "3"}
    props = html.Div("x", **data_attrs(band="scale")).to_plotly_json()["props"]
    assert props["data-band"] == "scale"


@pytest.mark.parametrize(("rows", "height"), [(0, 136), (3, 178), (100, 460)])
def test_grid_height_follows_its_rows(rows: int, height: int) -> None:
    assert fit_height(rows) == height


def test_labels_of_codes() -> None:
    assert level_label("MN", "vi") == "Mầm non" and level_label("THPT", "en") == "Upper secondary"
    assert level_label(None, "vi") == "—" and level_label("XYZ", "vi") == "XYZ"
    assert enum_label("ownership", "tu_thuc", "vi") == "Tư thục"
    finding = {"rule": "outlier", "rule_label_vi": "Bất thường", "rule_label_en": "Outlier"}
    assert catalog_text(finding, "rule", "vi") == "Bất thường"
    assert catalog_text({"field": None}, "field", "vi") == "—"
    assert run_status("rejected_strict", "vi") == "bị từ chối (chế độ nghiêm ngặt)"
