"""Pure helpers of the alerts page and the wall's open alerts: numbers and times in the
reader's format, the order of the wall's alerts, the filters passed to the API, the end
time of a silence typed in local time."""

from __future__ import annotations

from dashboards.formats import number_text
from dashboards.pages.alerts_admin import local_to_utc
from dashboards.pages.alerts_table import alert_rows, query_of, value_vs, when
from dashboards.wall.red_now import by_severity_then_age


def test_numbers_follow_the_language() -> None:
    assert number_text(1268, "vi") == "1.268"
    assert number_text(51.6, "vi") == "51,6"
    assert number_text(1268.5, "en") == "1,268.5"
    assert number_text(None, "vi") == "—"


def test_value_against_threshold() -> None:
    assert value_vs({"value": 41.5, "threshold": 0.1}, "vi") == "41,5 (ngưỡng 0,1)"
    assert value_vs({"value": 41.5, "threshold": 0.1}, "en") == "41.5 (threshold 0.1)"
    assert value_vs({"value": 3, "threshold": None}, "vi") == "3"
    assert value_vs({"value": None, "threshold": None}, "vi") == "—"


def test_rows_speak_vietnamese_and_times_are_local() -> None:
    row = {
        "id": 7,
        "severity": "critical",
        "state": "acknowledged",
        "rule_vi": "Số liệu của tỉnh đã cũ",
        "rule_en": "Province data too old",
        "subject_code": "94",
        "subject_name": "Sóc Trăng",
        "unit_code": "94",
        "opened_at": "2026-03-09T10:15:00Z",
        "value": 420,
        "threshold": 400,
    }
    [shown] = alert_rows([row], {"94": "Tỉnh Sóc Trăng"}, "vi", "Asia/Ho_Chi_Minh")
    assert (shown["severity"], shown["state"]) == ("Nghiêm trọng", "Đã tiếp nhận")
    assert (shown["rule"], shown["unit"]) == ("Số liệu của tỉnh đã cũ", "Tỉnh Sóc Trăng")
    assert shown["subject"] == "Sóc Trăng (94)"
    assert shown["opened"] == "09/03/2026 17:15" == when(row["opened_at"], "Asia/Ho_Chi_Minh")


def test_the_wall_lists_the_most_severe_then_the_oldest() -> None:
    alerts = [
        {"id": 1, "severity": "warning", "opened_at": "2026-03-01T00:00:00Z"},
        {"id": 2, "severity": "critical", "opened_at": "2026-03-05T00:00:00Z"},
        {"id": 3, "severity": "critical", "opened_at": "2026-03-02T00:00:00Z"},
        {"id": 4, "severity": "info", "opened_at": "2026-02-01T00:00:00Z"},
    ]
    assert [a["id"] for a in by_severity_then_age(alerts)] == [3, 2, 1, 4]


def test_filters_and_silence_end() -> None:
    assert query_of(("", "critical", "945", "", "true"), "legacy") == {
        "state": None,
        "severity": "critical",
        "scheme": "legacy",
        "unit": "945",
        "rule": None,
        "silenced": "true",
    }
    assert query_of(("all", "", "", "", ""), "2025")["scheme"] is None  # no unit: no scheme
    assert local_to_utc("10/03/2026  17:00", "Asia/Ho_Chi_Minh") == "2026-03-10T17:00:00+07:00"
