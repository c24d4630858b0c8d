"""Finding the header row and mapping columns in the shapes real exports have."""

from __future__ import annotations

import polars as pl

from ioc.catalog import load_contract
from ioc.returns.headers import locate
from ioc.returns.read import Grid

CONTRACT = load_contract()


def grid(rows: list[list[str | None]]) -> Grid:
    width = max(len(r) for r in rows)
    data = {f"c{i}": [r[i] if i < len(r) else None for r in rows] for i in range(width)}
    frame = pl.DataFrame(data, schema=dict.fromkeys(data, pl.String))
    return Grid(
        "S", frame.with_row_index("_row", offset=1).with_columns(pl.col("_row").cast(pl.Int32))
    )


def test_title_rows_two_row_header_unit_row_and_total() -> None:
    table = locate(
        grid(
            [
                ["SỞ GIÁO DỤC VÀ ĐÀO TẠO", None, None, None, None],
                ["BÁO CÁO THỐNG KÊ", None, None, None, None],
                [None, None, None, None, None],
                ["Mã trường", "Tên trường", "Cấp học", "Học sinh", None],
                [None, None, None, "Số học sinh", "Học sinh nữ"],
                ["ĐVT", None, None, "người", "người"],
                ["(1)", "(2)", "(3)", "(4)", "(5)"],
                ["001", "Trường A", "TH", "10", "5"],
                [None, None, None, None, None],
                ["002", "Trường B", "TH", "20", "8"],
                [None, "Tổng cộng", None, "30", "13"],
            ]
        ),
        CONTRACT,
    )
    assert table is not None
    assert set(table.columns) == {
        "school_code",
        "school_name",
        "level",
        "students",
        "students_female",
    }
    assert table.data["school_code"].to_list() == ["001", "002"]
    assert table.data["_row"].to_list() == [8, 10]
    assert table.totals["_row"].to_list() == [11]
    assert table.columns["students_female"].header == "Học sinh / Học sinh nữ"


def test_group_header_joined_with_child_label() -> None:
    table = locate(
        grid(
            [
                ["Mã trường", "Tên trường", "Cấp học", "Học sinh", None],
                [None, None, None, "Tổng", "Nữ"],
                ["001", "A", "TH", "10", "5"],
            ]
        ),
        CONTRACT,
    )
    assert table is not None
    assert table.columns["students_female"].index == 4  # "Học sinh" + "Nữ"


def test_unknown_headers_are_reported_not_guessed() -> None:
    table = locate(
        grid([["Mã trường", "Tên trường", "Cấp học", "Ghi chú"], ["001", "A", "TH", "x"]]),
        CONTRACT,
    )
    assert table is not None
    assert table.ignored == ["Ghi chú"]
    assert "Ghi chú" not in table.data.columns


def test_no_header_found() -> None:
    assert locate(grid([["a", "b"], ["1", "2"]]), CONTRACT) is None


def test_same_field_twice_is_flagged() -> None:
    table = locate(
        grid([["Mã trường", "Tên trường", "Số lớp", "Tổng số lớp"], ["1", "A", "2", "3"]]),
        CONTRACT,
    )
    assert table is not None
    assert [c.index for c in table.duplicates["classes"]] == [2, 3]
