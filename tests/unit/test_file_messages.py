"""Whole-file and targets messages: every word from the catalog, in each language."""

from __future__ import annotations

import json

import polars as pl
import pytest

from ioc.catalog.definitions import load_messages, placeholders


def test_no_file_message_embeds_a_library_text() -> None:
    """A reading library's error text is English and technical: no file message of either
    language takes it (it is kept apart, as the run's ``message_detail``)."""
    texts = {**load_messages().files, **load_messages().parts}
    for code, text in texts.items():
        for lang in ("vi", "en"):
            assert "detail" not in {p for p, _ in placeholders(getattr(text, lang))}, code


def test_a_file_error_keeps_the_library_text_apart() -> None:
    from ioc.catalog.messages import run_messages
    from ioc.returns.errors import FileError

    error = FileError("/x/b.xls", "xls_invalid", detail="incomplete OLE header")
    assert error.text("vi") == "b.xls: bảng tính bị hỏng (không phải tệp XLS hợp lệ)"
    assert str(error) == "b.xls: the workbook is corrupt (not a valid XLS file)"
    assert error.values["detail"] == "incomplete OLE header"

    runs = run_messages(
        pl.DataFrame(
            {
                "message": [str(error)],
                "message_code": [error.code],
                "message_params": [json.dumps(error.values)],
            }
        )
    )
    assert runs.row(0, named=True) | {"message": None} == {
        "message": None,
        "message_code": "xls_invalid",
        "message_vi": error.text("vi"),
        "message_en": str(error),
        "message_detail": "incomplete OLE header",
    }


def test_targets_given_through_the_api_are_refused_in_each_language() -> None:
    from ingest.targets import TargetRow, TargetsInvalid, _check_rows

    units = pl.DataFrame({"scheme": ["2025"], "code": ["92"], "province_code": ["92"]})
    rows = [
        TargetRow("NOPE", "2025", "92", "2026-2027", 1.0),
        TargetRow("FAC_SOLID_CLASSROOM_PCT", "2025", "93", "2026-2028", 1.0),
    ]
    with pytest.raises(TargetsInvalid) as caught:
        _check_rows(rows, units)
    assert caught.value.code == "targets_rejected"
    assert caught.value.vi == (
        "có chỉ tiêu không hợp lệ, không chỉ tiêu nào được lưu: "
        "chỉ tiêu thứ 1, trường indicator_id: không có chỉ tiêu mã 'NOPE' trong danh mục; "
        "chỉ tiêu thứ 2, trường school_year: '2026-2028' không phải năm học dạng 2026-2027; "
        "chỉ tiêu thứ 2, trường unit_code: không có đơn vị mã '93' trong "
        "hệ đơn vị hành chính từ 1/7/2025"
    )
    assert str(caught.value) == (
        "invalid targets, none was saved: "
        "target 1, indicator_id: unknown indicator 'NOPE'; "
        "target 2, school_year: '2026-2028' is not a school year like 2026-2027; "
        "target 2, unit_code: no unit '93' among the units since 1 July 2025"
    )
