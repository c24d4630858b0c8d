"""The columns of every list export: labels in Vietnamese and English, and the kind of each
column (text, integer, decimal, percent, date), from the return contract, the common output
columns and the data's types. :mod:`ioc.exports.writer` writes the files.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from ioc.catalog import load_contract
from ioc.exports.cells import Column, Kind

# Labels of output columns that are not fields of the return contract (those come from
# ioc/catalog/fields.yaml). A list may pass its own labels to columns_for.
_LABELS: dict[str, tuple[str, str]] = {
    "unit_code": ("Mã đơn vị", "Unit code"),
    "unit_name": ("Tên đơn vị", "Unit name"),
    "scheme": ("Hệ đơn vị", "Unit scheme"),
    "period": ("Kỳ báo cáo", "Period"),
    "indicator": ("Mã chỉ tiêu", "Indicator"),
    "indicator_id": ("Mã chỉ tiêu", "Indicator"),
    "numerator": ("Tử số", "Numerator"),
    "denominator": ("Mẫu số", "Denominator"),
    "value": ("Giá trị", "Value"),
    "norm": ("Định mức", "Norm"),
    "target": ("Mục tiêu", "Target"),
    "status": ("Trạng thái", "Status"),
    "norm_status": ("Đánh giá theo định mức", "Status against the norm"),
    "target_status": ("Đánh giá theo mục tiêu", "Status against the target"),
    "coverage_pct": ("Độ bao phủ (%)", "Coverage (%)"),
    "schools": ("Số trường", "Schools"),
    "schools_contributing": ("Số trường có số liệu", "Schools contributing"),
    "schools_expected": ("Số trường phải báo cáo", "Schools expected"),
    "schools_reported": ("Số trường đã báo cáo", "Schools reported"),
    "schools_on_time": ("Số trường báo cáo đúng hạn", "Schools on time"),
    "schools_late": ("Số trường báo cáo trễ", "Schools late"),
    "schools_missing": ("Số trường chưa báo cáo", "Schools missing"),
    "schools_with_findings": ("Số trường có cảnh báo", "Schools with findings"),
    "completeness_pct": ("Tỷ lệ đầy đủ (%)", "Completeness (%)"),
    "timeliness_pct": ("Tỷ lệ đúng hạn (%)", "Timeliness (%)"),
    "quality_score": ("Điểm chất lượng dữ liệu", "Data-quality score"),
    "rule": ("Quy tắc", "Rule"),
    "message": ("Nội dung", "Message"),
    "received_at": ("Ngày nhận", "Received"),
    "schools_in_scope": ("Số trường phải báo cáo", "Schools expected"),
    "norm_value": ("Định mức", "Norm"),
    "target_value": ("Mục tiêu", "Target"),
    "previous_value": ("Năm trước", "Previous year"),
    "change": ("Thay đổi so với năm trước", "Change since last year"),
    "is_break": ("Qua sắp xếp địa giới 2025", "Across the 2025 reorganisation"),
    # rejects, warnings and findings (their rule, field and message: ioc.catalog.messages)
    "run_id": ("Lần nạp", "Run"),
    "file_name": ("Tệp", "File"),
    "sheet": ("Trang tính", "Sheet"),
    "source_row": ("Dòng", "Row"),
    "column_name": ("Cột", "Column"),
    "field": ("Chỉ số", "Field"),
    "params": ("Tham số", "Parameters"),
    # schools and indicators (their X_vi/X_en pairs shown as X: ioc.catalog.messages.localise)
    "indicator_name": ("Chỉ tiêu", "Indicator"),
    "name": ("Tên", "Name"),
    "unit": ("Đơn vị tính", "Unit"),
    "family": ("Nhóm chỉ tiêu", "Family"),
    "direction": ("Chiều đánh giá", "Direction"),
    "is_count": ("Chỉ tiêu đếm", "Count indicator"),
    "norm_sources": ("Căn cứ định mức", "Norm sources"),
    "district_code_legacy": ("Mã huyện cũ", "Old district code"),
    "district_name_legacy": ("Huyện cũ", "Old district"),
    "commune_code_legacy": ("Mã xã (trước 01/7/2025)", "Commune code (before 1 July 2025)"),
    "commune_code_2025": ("Mã xã (từ 01/7/2025)", "Commune code (since 1 July 2025)"),
    "commune_name": ("Xã/phường", "Commune"),
    "province_code_legacy": ("Mã tỉnh (trước 01/7/2025)", "Province code (before 1 July 2025)"),
    "province_code_2025": ("Mã tỉnh (từ 01/7/2025)", "Province code (since 1 July 2025)"),
    # a school's pulls and the runs of pulls (issue 16)
    "source": ("Nguồn dữ liệu", "Source"),
    "source_name": ("Nguồn dữ liệu", "Source"),
    "source_kind": ("Loại nguồn", "Kind of source"),
    "resource": ("Loại dữ liệu", "Resource"),
    "pull_resource": ("Loại dữ liệu", "Resource"),
    "version": ("Phiên bản tại nguồn", "Version at the source"),
    "pulled_at": ("Thời điểm kéo", "Pulled at"),
}
_PERCENT_SUFFIXES = ("_pct", "_rate", "_percent")


def _kind_for(name: str, dtype: pl.DataType, field_type: str | None) -> Kind:
    if field_type in ("text", "code", "enum") or name.endswith("_code"):
        return "text"
    if isinstance(dtype, pl.Date | pl.Datetime):
        return "date"
    if dtype.is_integer() or (isinstance(dtype, pl.Decimal) and dtype.scale == 0):
        return "integer"
    if dtype.is_float() or isinstance(dtype, pl.Decimal):
        return "percent" if name.endswith(_PERCENT_SUFFIXES) else "decimal"
    return "text"


def columns_for(
    frame: pl.DataFrame | pl.LazyFrame, labels: Mapping[str, tuple[str, str]] | None = None
) -> list[Column]:
    """Column specs for every column of ``frame``: labels from ``labels`` (name -> (vi, en)),
    else the return contract or the common output columns, else the name itself; the kind
    from the contract field type, the dtype and a ``_pct``/``_rate`` suffix."""
    schema = frame.collect_schema() if isinstance(frame, pl.LazyFrame) else frame.schema
    fields = load_contract().by_name
    out = []
    for name, dtype in schema.items():
        field = fields.get(name)
        vi, en = (
            (labels or {}).get(name)
            or _LABELS.get(name)
            or ((field.vi, field.en) if field else (name, name))
        )
        out.append(Column(name, vi, en, _kind_for(name, dtype, field.type if field else None)))
    return out
