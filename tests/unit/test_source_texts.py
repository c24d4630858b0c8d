"""Pulled sources in words (dashboards.components.source_texts), the form's spec and the
API's 422 problems by field (dashboards.pages.sources_form), a pull's job in words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dashboards.api_client import ApiProblem
from dashboards.components.source_texts import (
    ago_text,
    cron_words,
    error_text,
    job_text,
    next_pull,
    source_rows,
    trouble_text,
)
from dashboards.pages.sources_form import form_section, problems_by_field, spec_of

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def test_schedules_in_words_or_as_written() -> None:
    assert cron_words("0 2 * * *", "vi") == "hằng ngày lúc 02:00"
    assert cron_words("0 2 * * 0", "vi") == "Chủ Nhật hằng tuần lúc 02:00"
    assert cron_words("30 6 * * mon", "en") == "every Monday at 06:30"
    assert cron_words("0 7 1 * *", "vi") == "ngày 1 hằng tháng lúc 07:00"
    assert cron_words("15 */4 * * *", "vi") == "mỗi 4 giờ (phút 15)"
    assert cron_words("*/10 * * * *", "en") == "every 10 minutes"
    assert cron_words(None, "vi") == "chỉ khi bấm kéo"
    assert cron_words("0 2 1-7 * 1", "vi") == "0 2 1-7 * 1"  # uncommon: as written


def test_how_long_ago() -> None:
    assert ago_text(NOW - timedelta(days=3, hours=2), "vi", NOW) == "cách đây 3 ngày"
    assert ago_text((NOW - timedelta(hours=5)).isoformat(), "en", NOW) == "5 hours ago"
    assert ago_text("2026-12-04T08:50:00", "vi", NOW) == "cách đây 10 phút"  # naive is UTC
    assert ago_text(None, "vi", NOW) == "—"


def test_next_pull_is_in_the_display_zone() -> None:
    # 02:00 in Ho Chi Minh City is 19:00 UTC the day before
    assert next_pull("0 2 * * *", "Asia/Ho_Chi_Minh", NOW) == "02:00 05/12/2026"
    assert next_pull("not a cron", "Asia/Ho_Chi_Minh", NOW) == "—"


def test_an_error_says_where_in_the_readers_language() -> None:
    error = {"code": "bad_field", "vi": "Trường lạ", "en": "Unknown field", "page": 3,
             "field": "ma_truong", "resource": None}  # fmt: skip
    assert error_text(error, "vi") == "Trường lạ (trang 3, trường ma_truong)"
    assert error_text(error, "en") == "Unknown field (page 3, field ma_truong)"


def test_a_source_in_trouble_in_one_line() -> None:
    row = {
        "name": "vendor-a",
        "state": "failing",
        "last_success_at": (datetime.now(UTC) - timedelta(days=3, hours=1)).isoformat(),
        "consecutive_failures": 4,
        "error": {"code": "unreachable", "vi": "Không kết nối được", "en": "Unreachable"},
    }
    assert trouble_text(row, "vi") == (
        "Nguồn «vendor-a»: lần kéo thành công gần nhất cách đây 3 ngày; "
        "lỗi 4 lần liên tiếp: Không kết nối được"
    )
    never = {"name": "b", "state": "late", "last_success_at": None}
    assert trouble_text(never, "en") == "Source «b»: never pulled successfully"


def test_the_sources_list_in_words_and_local_time() -> None:
    rows = source_rows(
        [
            {
                "name": "vendor-a",
                "kind": "http-json",
                "units": [{"scheme": "legacy", "code": "94"}],
                "cron": "0 2 * * *",
                "status": {"state": "late", "last_success_at": "2026-12-01T01:00:00Z"},
                "next_pulls": {"cron": None, "reconcile_cron": None},
            }
        ],
        "vi",
        "Asia/Ho_Chi_Minh",
    )
    row = rows[0]
    assert row["kind"] == "API phần mềm quản lý trường học (JSON)"
    assert row["state"] == "Trễ" and row["state_code"] == "late"
    assert row["units"] == "94" and row["schedule"] == "hằng ngày lúc 02:00"
    assert row["last_success"].endswith("(08:00 01/12/2026)")  # UTC+7


def test_the_forms_spec_and_a_mapping_that_cannot_be_read() -> None:
    values = {"name": " vendor-a ", "kind": "http-json", "base_url": "http://x", "secret": "",
              "units": "94, 95", "cron": "", "reconcile_cron": "0 2 * * 0",
              "mapping": '{"resources": {"returns": {"path": "/r", "fields": {}}}}'}  # fmt: skip
    spec, problem = spec_of(values, "legacy", "vi")
    assert problem is None and spec is not None
    assert spec["name"] == "vendor-a" and spec["secret"] is None and spec["cron"] is None
    assert spec["units"] == [{"scheme": "legacy", "code": "94"}, {"scheme": "legacy", "code": "95"}]
    assert spec["resources"] == ["returns"]
    spec, problem = spec_of({**values, "mapping": "a: [1,"}, "legacy", "en")
    assert spec is None and problem and problem.startswith("The mapping cannot be read")


def test_the_apis_problems_go_next_to_their_fields() -> None:
    problem = ApiProblem(422, "invalid_parameter", "Tham số không hợp lệ", "Invalid", [
        {"parameter": "cron", "in": "body", "reason": "cron: 5 fields"},
        {"parameter": "units.0.code", "in": "body", "reason": "bad legacy unit code"},
        {"parameter": "resources", "in": "body", "reason": "no 'schools'"},
        {"parameter": "", "in": "body", "reason": "an http-json source needs a mapping"},
    ])  # fmt: skip
    by_field, other = problems_by_field(problem)
    assert by_field == {
        "cron": ["cron: 5 fields"],
        "units": ["bad legacy unit code"],
        "mapping": ["no 'schools'"],
    }
    assert other == ["an http-json source needs a mapping"]


def test_a_pulls_job_in_words() -> None:
    running = {"status": "running", "progress": {"done": 3, "stage": "fetching"}}
    assert job_text(running, "a", "vi") == ("«a»: đang lấy dữ liệu (đã lấy 3 trang)", True)
    report = {"mode": "delta", "dry_run": True, "status": "succeeded", "duration_seconds": 3.25,
              "fetched": 11500, "inserted": 400, "replaced": 100, "unchanged": 11000,
              "rejected": 0, "retries": 4}  # fmt: skip
    text, good = job_text({"status": "succeeded", "result": {"pull": report}}, "a", "vi")
    assert good and text.startswith("«a» (phần thay đổi, chạy thử): xong sau 3,2 giây")
    assert "lấy 11.500" in text
    failed = {**report, "status": "failed", "error": {"vi": "Không kết nối được", "en": "x"}}
    text, good = job_text({"status": "succeeded", "result": {"pull": failed}}, "a", "vi")
    assert not good and text == "«a»: kéo dữ liệu không thành công: Không kết nối được"
    problem = {"code": "pull_failed", "message": {"vi": "Lỗi kéo", "en": "Pull failed"}}
    text, good = job_text({"status": "failed", "problem": problem}, "a", "en")
    assert not good and text == "«a»: the pull failed: Pull failed"


def test_the_form_is_labelled_in_both_languages() -> None:
    for language in ("vi", "en"):
        form_section(language)  # every label is in the catalog
