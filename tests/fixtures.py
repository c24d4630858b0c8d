"""Small, hand-checkable return data for tests, and writers of the file shapes to test.

The writers here are deliberately plain (csv module, xlsxwriter cell by cell) so a test
controls every byte of the shape it checks; the expected totals are computed from these
dicts, independently of the code under test.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import csv
import io
from collections.abc import Coroutine, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import xlsxwriter

from ioc.catalog import load_contract

T = TypeVar("T")

# Real Sóc Trăng (legacy province 94) districts and communes.
SCHOOLS: list[dict[str, Any]] = [
    {
        "school_code": "94100001",
        "school_name": "Trường Tiểu học Phường 5",
        "level": "TH",
        "ownership": "cong_lap",
        "province_code": "94",
        "district_code": "941",
        "commune_code": "31498",
        "classes": 20,
        "students": 660,
        "students_female": 320,
        "teachers": 30,
        "managers": 3,
        "employees": 4,
        "classrooms": 20,
        "classrooms_solid": 18,
    },
    {
        "school_code": "94100002",
        "school_name": "Trường THCS Phường 7",
        "level": "THCS",
        "ownership": "cong_lap",
        "province_code": "94",
        "district_code": "941",
        "commune_code": "31501",
        "classes": 24,
        "students": 1010,
        "students_female": 497,
        "teachers": 46,
        "managers": 3,
        "employees": 5,
        "classrooms": 22,
        "classrooms_solid": 22,
    },
    {
        "school_code": "94200001",
        "school_name": "Trường Mầm non Hồ Đắc Kiện",
        "level": "MN",
        "ownership": "cong_lap",
        "province_code": "94",
        "district_code": "942",
        "commune_code": "31569",
        "classes": 9,
        "students": 245,
        "students_female": 118,
        "teachers": 18,
        "managers": 2,
        "employees": 3,
        "classrooms": 8,
        "classrooms_solid": 5,
    },
    {
        "school_code": "94200002",
        "school_name": "Trường THPT Thuận Hòa",
        "level": "THPT",
        "ownership": "cong_lap",
        "province_code": "94",
        "district_code": "942",
        "commune_code": "31570",
        "classes": 30,
        "students": 1254,
        "students_female": 640,
        "teachers": 66,
        "managers": 3,
        "employees": 7,
        "classrooms": 30,
        "classrooms_solid": 30,
    },
    {
        "school_code": "94300001",
        "school_name": "Trường Tiểu học Kế Sách",
        "level": "TH",
        "ownership": "cong_lap",
        "province_code": "94",
        "district_code": "943",
        "commune_code": "31528",
        "classes": 15,
        "students": None,
        "students_female": None,
        "teachers": 21,
        "managers": 2,
        "employees": 2,
        "classrooms": 14,
        "classrooms_solid": 10,
    },
    {
        "school_code": "94300002",
        "school_name": "Trường Mầm non Tuổi Thơ",
        "level": "MN",
        "ownership": "tu_thuc",
        "province_code": "94",
        "district_code": "943",
        "commune_code": "31531",
        "classes": 4,
        "students": 98,
        "students_female": 50,
        "teachers": 8,
        "managers": 1,
        "employees": 2,
        "classrooms": 4,
        "classrooms_solid": 4,
    },
]
FIELDS = list(SCHOOLS[0])
COUNTS = [f for f in FIELDS if isinstance(SCHOOLS[0][f], int)]

VI = {
    "school_code": "Mã trường",
    "school_name": "Tên trường",
    "level": "Cấp học",
    "ownership": "Loại hình",
    "province_code": "Mã tỉnh",
    "district_code": "Mã huyện",
    "commune_code": "Mã xã",
    "classes": "Số lớp",
    "students": "Số học sinh",
    "students_female": "Học sinh nữ",
    "teachers": "Giáo viên",
    "managers": "Cán bộ quản lý",
    "employees": "Nhân viên",
    "classrooms": "Tổng số phòng học",
    "classrooms_solid": "Phòng học kiên cố",
}
LEVEL_VI = {
    "TH": "Tiểu học",
    "THCS": "Trung học cơ sở",
    "THPT": "Trung học phổ thông",
    "MN": "Mầm non",
}
OWNERSHIP_VI = {"cong_lap": "Công lập", "tu_thuc": "Tư thục"}


def totals(schools: Iterable[dict[str, Any]] = SCHOOLS) -> dict[str, int | None]:
    """Independent expectation: the sum of each count over schools that reported it."""
    out: dict[str, int | None] = {}
    for name in COUNTS:
        known = [s[name] for s in schools if s[name] is not None]
        out[name] = sum(known) if known else None
    return out


def cell_text(name: str, value: Any, *, labels: bool, thousands: str | None = None) -> str:
    if value is None:
        return ""
    if labels and name == "level":
        return LEVEL_VI[value]
    if labels and name == "ownership":
        return OWNERSHIP_VI[value]
    if isinstance(value, int) and thousands and value >= 1000:
        return f"{value:,}".replace(",", thousands)
    return str(value)


def table_rows(
    schools: Sequence[dict[str, Any]] = SCHOOLS,
    *,
    headers: str = "vi",
    thousands: str | None = None,
    fields: Sequence[str] = FIELDS,
) -> list[list[str]]:
    head = [VI[f] if headers == "vi" else f for f in fields]
    body = [
        [cell_text(f, s[f], labels=headers == "vi", thousands=thousands) for f in fields]
        for s in schools
    ]
    return [head, *body]


def write_csv(
    path: Path, rows: list[list[str]], *, encoding: str = "utf-8", delimiter: str = ","
) -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_report_xlsx(
    path: Path,
    sheets: dict[str, Sequence[dict[str, Any]]],
    *,
    total_delta: int = 0,
    numbers_as_text: str | None = None,
) -> Path:
    """A Department-style workbook: title rows, a merged two-row header, a unit row,
    spacer rows and a 'Tổng cộng' row, one sheet per level."""
    book = xlsxwriter.Workbook(str(path))
    merged = book.add_format({"bold": True, "align": "center", "text_wrap": True})
    ident = [
        "school_code",
        "school_name",
        "level",
        "ownership",
        "province_code",
        "district_code",
        "commune_code",
    ]
    groups = {
        "Lớp, học sinh": ["classes", "students", "students_female"],
        "Đội ngũ": ["teachers", "managers", "employees"],
        "Phòng học": ["classrooms", "classrooms_solid"],
    }
    for name, schools in sheets.items():
        ws = book.add_worksheet(name)
        width = len(ident) + sum(len(v) for v in groups.values())
        ws.merge_range(0, 0, 0, width - 1, "SỞ GIÁO DỤC VÀ ĐÀO TẠO TỈNH SÓC TRĂNG", merged)
        ws.merge_range(1, 0, 1, width - 1, "BÁO CÁO THỐNG KÊ ĐẦU NĂM HỌC 2021-2022", merged)
        col = 0
        for field in ident:  # identity headers merged over both header rows
            ws.merge_range(
                3, col, 4, col, VI[field].upper() if field == "school_code" else VI[field], merged
            )
            col += 1
        order = list(ident)
        for group, members in groups.items():
            ws.merge_range(3, col, 3, col + len(members) - 1, group, merged)
            for f in members:
                label = {"students_female": "Học sinh nữ", "classrooms": "Tổng số\nphòng học"}.get(
                    f, VI[f]
                )
                ws.write(4, col, label, merged)
                col += 1
            order += members
        ws.write(5, 0, "ĐVT")
        for c in range(len(ident), width):
            ws.write(5, c, "người")
        row = _write_schools(ws, schools, order, numbers_as_text)
        ws.write(row, 1, "Tổng cộng")
        for c, field in enumerate(order):
            if field in COUNTS:
                known = [s[field] for s in schools if s[field] is not None]
                ws.write_number(row, c, sum(known) + (total_delta if field == "classes" else 0))
    book.close()
    return path


def _write_schools(
    ws: Any, schools: Sequence[dict[str, Any]], order: list[str], numbers_as_text: str | None
) -> int:
    """Data rows from row 6, a blank spacer row after the second; returns the next row."""
    row = 6
    for i, school in enumerate(schools):
        if i == 2:
            row += 1
        for c, field in enumerate(order):
            value = school[field]
            if field in ("level", "ownership"):
                ws.write_string(row, c, cell_text(field, value, labels=True))
            elif isinstance(value, int) and numbers_as_text:
                ws.write_string(
                    row, c, cell_text(field, value, labels=False, thousands=numbers_as_text)
                )
            elif isinstance(value, int):
                ws.write_number(row, c, value)
            elif value is not None:
                ws.write_string(row, c, str(value))
        row += 1
    return row


def stored_text(value: Any) -> str | None:
    """A stored value as the return file's cell would have said it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def published_returns(
    db: Path, where: str = "true"
) -> dict[tuple[str, str, str], dict[str, str | None]]:
    """Every contract field of a snapshot's returns (as text), by school and period."""
    names = [f.name for f in load_contract().fields]
    with duckdb.connect(str(db), read_only=True) as conn:
        rows = conn.execute(
            f"select school_year, term, {', '.join(names)} "
            f"from core_school__period_returns where {where}"
        ).fetchall()
    return {
        (r[2], r[0], r[1]): {n: stored_text(v) for n, v in zip(names, r[2:], strict=True)}
        for r in rows
    }


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` in a thread of its own: a test may share its worker with the browser
    tests, whose Playwright keeps an event loop running in the main thread (where
    ``asyncio.run`` then refuses to start)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
